"""Sources: read the contract's tables from a folder of files or a database file.

A **folder source** holds one file per table, named after it: ``touches.parquet`` or
``touches.csv`` (or a folder ``touches/`` of Parquet parts, as the demo writes large data).
A **database source** is a URL whose tables carry the contract's names:
``sqlite:///path/to/file.db`` or ``duckdb:///path/to/file.duckdb``.

A column mapping renames a user's columns onto the contract before validation, e.g.
``columns={"touches": {"ActivityDate": "occurred_at"}}``; ``tables`` renames tables or files,
e.g. ``tables={"touches": "activities"}``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping as MappingABC
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import polars as pl

from attribution.dataset import Dataset
from attribution.errors import ParameterError, SourceError
from attribution.mapping import Mapping, load_mapping
from attribution.schema import TABLES, Problem, raise_problems, validate

__all__ = [
    "DuckDBSource",
    "FolderSource",
    "SQLiteSource",
    "Source",
    "load",
    "mask_url",
    "open_source",
    "read_tables",
    "write_tables",
]

_DB_SCHEMES = {"sqlite", "duckdb"}
_FILE_SUFFIXES = (".parquet", ".csv")


def mask_url(url: str) -> str:
    """Return ``url`` with any password replaced by ``***`` (safe for messages and logs).

    Examples
    --------
    >>> mask_url("postgresql://ann:s3cret@db.example.com/crm")
    'postgresql://ann:***@db.example.com/crm'
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return re.sub(r"(//[^:/@]+:)[^@]*@", r"\1***@", url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))


def _is_url(source: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", source))


def _clean_header(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Strip a UTF-8 byte-order mark and surrounding spaces from column names."""
    names = frame.collect_schema().names()
    clean = {n: n.lstrip("\ufeff").strip() for n in names}
    return (
        frame.rename({k: v for k, v in clean.items() if k != v})
        if clean != dict(zip(names, names, strict=True))
        else frame
    )


def _scan_file(path: Path) -> pl.LazyFrame:
    if path.is_dir():
        parts = sorted(path.glob("*.parquet"))
        if not parts:
            raise SourceError(f"folder {path} holds no .parquet files")
        return pl.scan_parquet(parts)
    if path.suffix == ".parquet":
        return pl.scan_parquet(path)
    # every CSV column is read as text: validation converts it and reports unparseable values
    return _clean_header(pl.scan_csv(path, infer_schema=False, encoding="utf8-lossy"))


class Source:
    """A place tables are read from: a folder of files or a database.

    Subclasses implement :meth:`names`, :meth:`table` and :meth:`query`. ``description`` is
    safe to print (passwords masked).
    """

    description: str = "<source>"

    def names(self) -> list[str]:
        """Names of the tables (or file stems) the source holds."""
        raise NotImplementedError

    def table(self, name: str) -> pl.LazyFrame:
        """Read one table, lazily where the format allows."""
        raise NotImplementedError

    def query(self, sql: str) -> pl.LazyFrame:
        """Run a SQL query against the source."""
        raise NotImplementedError

    def close(self) -> None:
        """Release connections (no-op for files)."""

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class FolderSource(Source):
    """A folder of ``<name>.parquet`` / ``<name>.csv`` files or ``<name>/`` Parquet parts.

    :meth:`query` runs polars SQL with every file registered as a table named by its stem.
    """

    def __init__(self, folder: Path) -> None:
        if not folder.exists():
            raise SourceError(f"source folder {folder} does not exist")
        self.folder = folder
        self.description = str(folder)

    def _candidates(self, name: str) -> list[Path]:
        found = [self.folder / f"{name}{s}" for s in _FILE_SUFFIXES]
        found = [c for c in found if c.is_file()]
        if (self.folder / name).is_dir():
            found.append(self.folder / name)
        return found

    def names(self) -> list[str]:
        """Names of the tables (or file stems) the source holds."""
        stems = {
            p.stem for p in self.folder.iterdir() if p.is_file() and p.suffix in _FILE_SUFFIXES
        }
        stems |= {p.name for p in self.folder.iterdir() if p.is_dir() and any(p.glob("*.parquet"))}
        return sorted(stems)

    def table(self, name: str) -> pl.LazyFrame:
        """Read one table."""
        candidates = self._candidates(name)
        if len(candidates) > 1:
            raise_problems(
                [
                    Problem(
                        name,
                        None,
                        "more than one file for this table: "
                        + ", ".join(c.name for c in candidates)
                        + "; keep one",
                        0,
                        kind="schema",
                    )
                ],
                source=self.description,
            )
        if not candidates:
            raise SourceError(f"{self.folder} has no file for table {name!r}")
        return _scan_file(candidates[0])

    def query(self, sql: str) -> pl.LazyFrame:
        """Run a SQL query against the source."""
        frames = {name: self.table(name) for name in self.names()}
        return pl.SQLContext(frames=frames, eager=False).execute(sql)


class DuckDBSource(Source):
    """A DuckDB database file, opened read-only; results arrive as Arrow."""

    def __init__(self, path: Path, url: str) -> None:
        import duckdb

        if not path.is_file():
            raise SourceError(f"database file {path} does not exist (from {mask_url(url)})")
        try:
            self._con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            raise SourceError(f"cannot open DuckDB file {path}: {exc}") from None
        self.description = mask_url(url)

    def names(self) -> list[str]:
        """Names of the tables (or file stems) the source holds."""
        rows = self._con.sql("select table_name from information_schema.tables").fetchall()
        return sorted(r[0] for r in rows)

    def table(self, name: str) -> pl.LazyFrame:
        """Read one table."""
        return self.query(f'select * from "{name}"')

    def query(self, sql: str) -> pl.LazyFrame:
        """Run a SQL query against the source."""
        return self._con.sql(sql).pl().lazy()

    def close(self) -> None:
        """Close the connection."""
        self._con.close()


class SQLiteSource(Source):
    """A SQLite database file, opened read-only through ADBC (Arrow-native, no row loops)."""

    def __init__(self, path: Path, url: str) -> None:
        import adbc_driver_sqlite.dbapi as sqlite_adbc

        if not path.is_file():
            raise SourceError(f"database file {path} does not exist (from {mask_url(url)})")
        try:
            self._con = sqlite_adbc.connect(f"file:{path}?mode=ro")
            self._names = pl.read_database(
                "select name from sqlite_master where type in ('table', 'view')", self._con
            )["name"].to_list()
        except Exception as exc:  # the driver raises its own error classes
            raise SourceError(f"cannot open SQLite file {path}: {exc}") from None
        self.description = mask_url(url)

    def names(self) -> list[str]:
        """Names of the tables (or file stems) the source holds."""
        return sorted(self._names)

    def table(self, name: str) -> pl.LazyFrame:
        """Read one table."""
        return self.query(f'select * from "{name}"')

    def query(self, sql: str) -> pl.LazyFrame:
        """Run a SQL query against the source."""
        return pl.read_database(sql, self._con).lazy()

    def close(self) -> None:
        """Close the connection."""
        self._con.close()


def open_source(source: str | os.PathLike[str]) -> Source:
    """Open a folder path or database URL as a :class:`Source`.

    Paths ending in ``.db``/``.sqlite``/``.sqlite3`` or ``.duckdb`` are opened as databases.
    """
    text = os.fspath(source)
    if _is_url(text):
        kind, location = _db_kind(text)
        path = Path(location)
        return DuckDBSource(path, text) if kind == "duckdb" else SQLiteSource(path, text)
    path = Path(text)
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix in (".db", ".sqlite", ".sqlite3"):
            return SQLiteSource(path, f"sqlite:///{path.resolve()}")
        if suffix == ".duckdb":
            return DuckDBSource(path, f"duckdb:///{path.resolve()}")
        raise SourceError(
            f"{path} is a file; a source is a folder of <table>.parquet/.csv files or a "
            "database (.db, .sqlite, .duckdb)"
        )
    return FolderSource(path)


def _db_kind(source: str) -> tuple[str, str]:
    """Return (kind, location) for a database URL."""
    parts = urlsplit(source)
    scheme = parts.scheme.split("+")[0].lower()
    if scheme not in _DB_SCHEMES:
        raise SourceError(
            f"cannot read {mask_url(source)!r}: unsupported URL scheme {parts.scheme!r}; "
            f"use a folder path or one of: {', '.join(sorted(s + '://' for s in _DB_SCHEMES))}"
        )
    # sqlite:///relative.db and sqlite:////abs/path.db, as SQLAlchemy writes them
    location = source.split("://", 1)[1]
    location = location[1:] if location.startswith("/") else location
    return scheme, location


def read_tables(
    source: str | os.PathLike[str] | Source,
    *,
    mapping: str | os.PathLike[str] | MappingABC[str, Any] | Mapping | None = None,
    columns: MappingABC[str, MappingABC[str, str]] | None = None,
    tables: MappingABC[str, str] | None = None,
) -> dict[str, pl.LazyFrame]:
    """Read the raw tables of a source (before validation), mapped onto the contract.

    Parameters
    ----------
    source
        A folder path, a ``sqlite:///`` / ``duckdb:///`` URL, or an open :class:`Source`.
    mapping
        A mapping file (YAML), dict or :class:`~attribution.mapping.Mapping` describing how
        the source's tables and columns become the contract's; see
        :mod:`attribution.mapping`.
    columns
        Shorthand for simple renames: per table, ``{source column: contract column}``.
    tables
        Shorthand: ``{contract table: source table or file stem}`` where names differ.

    Returns
    -------
    dict of str to polars.LazyFrame
        Only the contract tables the source provides.
    """
    if mapping is not None and (columns or tables):
        raise ParameterError("give either a mapping or the columns=/tables= shorthand, not both")
    rules = load_mapping(mapping) if mapping is not None else Mapping.renames(columns, tables)
    src = source if isinstance(source, Source) else open_source(source)
    try:
        raw = rules.apply(src)
        if not raw:
            raise SourceError(
                f"{src.description} holds none of the contract's tables "
                f"({', '.join(TABLES)}); name files <table>.parquet or <table>.csv, or give a "
                "mapping"
            )
        # materialise database results before the connection closes; files stay lazy
        if not isinstance(src, FolderSource):
            raw = {name: frame.collect().lazy() for name, frame in raw.items()}
        return raw
    finally:
        if not isinstance(source, Source):
            src.close()


def load(
    source: str | os.PathLike[str],
    *,
    mapping: str | os.PathLike[str] | MappingABC[str, Any] | Mapping | None = None,
    columns: MappingABC[str, MappingABC[str, str]] | None = None,
    tables: MappingABC[str, str] | None = None,
    time_zone: str | None = None,
    lazy: bool = False,
) -> Dataset:
    """Load and validate a source.

    Parameters
    ----------
    source
        A folder of ``<table>.parquet`` / ``<table>.csv`` files (or ``<table>/`` folders
        of Parquet parts), or a ``sqlite:///file.db`` / ``duckdb:///file.duckdb`` URL.
    mapping
        A mapping (YAML file path, dict or :class:`~attribution.mapping.Mapping`) that says
        how the source's tables and columns become the contract's: renames, constants,
        recoded values, date formats, filters and SQL. See :mod:`attribution.mapping`.
    columns
        Shorthand for simple renames per table, ``{source column: contract column}``; e.g.
        ``{"touches": {"ActivityDate": "occurred_at"}}``. Other columns are kept.
    tables
        Shorthand: table/file names where they differ from the contract's, e.g.
        ``{"touches": "activities"}``.
    time_zone
        Zone of timestamps that carry no offset (default: the mapping's ``time_zone``, else
        UTC).
    lazy
        Keep tables as lazy scans (for data larger than memory; Parquet only benefits).

    Returns
    -------
    Dataset

    Raises
    ------
    SourceError
        The source cannot be found or opened.
    SchemaError, DataError
        The tables break the contract; the message lists every problem.

    Examples
    --------
    >>> import tempfile, attribution as at
    >>> folder = tempfile.mkdtemp()
    >>> _ = at.demo.write(at.demo.generate(n_accounts=50, seed=1), folder)
    >>> at.load(folder).row_counts()["opportunities"] > 0
    True
    """
    rules = load_mapping(mapping) if mapping is not None else None
    if time_zone is None:
        time_zone = (rules.time_zone if rules is not None else None) or "UTC"
    with open_source(source) as src:
        raw = read_tables(src, mapping=rules, columns=columns, tables=tables)
        return validate(raw, time_zone=time_zone, lazy=lazy, source=src.description)


def write_tables(dataset: Dataset, folder: str | os.PathLike[str], *, fmt: str = "parquet") -> Path:
    """Write every table of ``dataset`` into ``folder`` as a source folder, atomically.

    The tables are written to a temporary sibling folder that is renamed into place at the
    end, so an interrupted write never leaves a half-written source.

    Parameters
    ----------
    dataset
        The tables to write.
    folder
        Destination; replaced if it exists.
    fmt
        ``"parquet"`` or ``"csv"``.

    Returns
    -------
    pathlib.Path
        The folder written.
    """
    import shutil
    import tempfile

    if fmt not in ("parquet", "csv"):
        raise ValueError(f"fmt must be 'parquet' or 'csv', got {fmt!r}")
    dest = Path(folder)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        for name, frame in dataset.tables().items():
            lf = frame.lazy()
            if fmt == "parquet":
                lf.sink_parquet(tmp / f"{name}.parquet")
            else:
                lf.sink_csv(tmp / f"{name}.csv")
        if dest.exists():
            old = dest.with_name(f".{dest.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            dest.rename(old)
            tmp.rename(dest)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest
