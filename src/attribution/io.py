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
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import polars as pl

from attribution.dataset import Dataset
from attribution.errors import SourceError
from attribution.schema import TABLES, Problem, raise_problems, validate

__all__ = ["load", "mask_url", "read_tables", "write_tables"]

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


def _folder_tables(folder: Path, names: Mapping[str, str]) -> dict[str, pl.LazyFrame]:
    found: dict[str, pl.LazyFrame] = {}
    problems: list[Problem] = []
    for table, stem in names.items():
        candidates = [folder / f"{stem}{suffix}" for suffix in _FILE_SUFFIXES]
        candidates = [c for c in candidates if c.is_file()]
        if (folder / stem).is_dir():
            candidates.append(folder / stem)
        if len(candidates) > 1:
            problems.append(
                Problem(
                    table,
                    None,
                    "more than one file for this table: "
                    + ", ".join(c.name for c in candidates)
                    + "; keep one",
                    0,
                    kind="schema",
                )
            )
        elif candidates:
            found[table] = _scan_file(candidates[0])
    raise_problems(problems, source=str(folder))
    return found


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


def _db_tables(source: str, names: Mapping[str, str]) -> dict[str, pl.LazyFrame]:
    kind, location = _db_kind(source)
    path = Path(location)
    if not path.is_file():
        raise SourceError(f"database file {location} does not exist (from {mask_url(source)})")
    found: dict[str, pl.LazyFrame] = {}
    if kind == "duckdb":
        import duckdb

        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            raise SourceError(f"cannot open DuckDB file {location}: {exc}") from None
        try:
            present = {
                r[0] for r in con.sql("select table_name from information_schema.tables").fetchall()
            }
            for table, name in names.items():
                if name in present:
                    found[table] = con.sql(f'select * from "{name}"').pl().lazy()
        finally:
            con.close()
        return found
    # SQLite through ADBC: Arrow-native, no row-by-row Python; opened read-only
    import adbc_driver_sqlite.dbapi as sqlite_adbc

    try:
        sq = sqlite_adbc.connect(f"file:{path}?mode=ro")
        present_frame = pl.read_database(
            "select name from sqlite_master where type in ('table', 'view')", sq
        )
    except Exception as exc:  # the driver raises its own error classes
        raise SourceError(f"cannot open SQLite file {location}: {exc}") from None
    try:
        present = set(present_frame["name"].to_list())
        for table, name in names.items():
            if name in present:
                found[table] = pl.read_database(f'select * from "{name}"', sq).lazy()
    finally:
        sq.close()
    return found


def _apply_columns(
    raw: dict[str, pl.LazyFrame], columns: Mapping[str, Mapping[str, str]], source: str
) -> dict[str, pl.LazyFrame]:
    problems: list[Problem] = []
    out = dict(raw)
    for table, mapping in columns.items():
        if table not in TABLES:
            problems.append(
                Problem(
                    table,
                    None,
                    "the column mapping names an unknown table; expected one of: "
                    + ", ".join(TABLES),
                    0,
                    kind="schema",
                )
            )
            continue
        if table not in raw:
            continue  # a missing required table is reported by validation
        present = raw[table].collect_schema().names()
        missing = [src for src in mapping if src not in present]
        for src in missing:
            problems.append(
                Problem(
                    table,
                    src,
                    f"the column mapping renames {src!r} to {mapping[src]!r}, but the source "
                    f"has no such column; it has: {', '.join(present)}",
                    0,
                    kind="schema",
                )
            )
        if not missing:
            renamed = dict(mapping)
            # a contract name already present and also mapped onto would collide: drop the old
            clash = [c for c in renamed.values() if c in present and c not in renamed]
            out[table] = raw[table].drop(clash).rename(renamed)
    raise_problems(problems, source=source)
    return out


def read_tables(
    source: str | os.PathLike[str],
    *,
    columns: Mapping[str, Mapping[str, str]] | None = None,
    tables: Mapping[str, str] | None = None,
) -> dict[str, pl.LazyFrame]:
    """Read the raw tables of a source (before validation), renamed onto the contract.

    Parameters
    ----------
    source
        A folder path, or a ``sqlite:///`` / ``duckdb:///`` URL.
    columns
        Per table, ``{source column: contract column}``.
    tables
        ``{contract table: source table or file stem}`` where the names differ.

    Returns
    -------
    dict of str to polars.LazyFrame
        Only the tables the source has.
    """
    names = {t: (tables or {}).get(t, t) for t in TABLES}
    unknown = sorted(set(tables or {}) - set(TABLES))
    if unknown:
        raise_problems(
            [
                Problem(
                    t,
                    None,
                    f"the table mapping names an unknown table; expected one of: "
                    f"{', '.join(TABLES)}",
                    0,
                    kind="schema",
                )
                for t in unknown
            ]
        )
    text = os.fspath(source)
    if _is_url(text):
        raw = _db_tables(text, names)
        where = mask_url(text)
    else:
        folder = Path(text)
        if not folder.exists():
            raise SourceError(f"source folder {folder} does not exist")
        if folder.is_file():
            suffix = folder.suffix.lower()
            if suffix in (".db", ".sqlite", ".sqlite3"):
                return read_tables(f"sqlite:///{folder.resolve()}", columns=columns, tables=tables)
            if suffix == ".duckdb":
                return read_tables(f"duckdb:///{folder.resolve()}", columns=columns, tables=tables)
            raise SourceError(
                f"{folder} is a file; a source is a folder of <table>.parquet/.csv files or a "
                "database (.db, .sqlite, .duckdb)"
            )
        raw = _folder_tables(folder, names)
        where = str(folder)
    if not raw:
        raise SourceError(
            f"{where} holds none of the contract's tables ({', '.join(TABLES)}); "
            "name files <table>.parquet or <table>.csv"
        )
    return _apply_columns(raw, columns or {}, where)


def load(
    source: str | os.PathLike[str],
    *,
    columns: Mapping[str, Mapping[str, str]] | None = None,
    tables: Mapping[str, str] | None = None,
    time_zone: str = "UTC",
    lazy: bool = False,
) -> Dataset:
    """Load and validate a source.

    Parameters
    ----------
    source
        A folder of ``<table>.parquet`` / ``<table>.csv`` files (or ``<table>/`` folders
        of Parquet parts), or a ``sqlite:///file.db`` / ``duckdb:///file.duckdb`` URL.
    columns
        Column mapping per table, ``{source column: contract column}``; e.g.
        ``{"touches": {"ActivityDate": "occurred_at"}}``.
    tables
        Table/file names where they differ from the contract's, e.g.
        ``{"touches": "activities"}``.
    time_zone
        Zone of timestamps that carry no offset (default UTC).
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
    text = os.fspath(source)
    where = mask_url(text) if _is_url(text) else text
    raw = read_tables(source, columns=columns, tables=tables)
    return validate(raw, time_zone=time_zone, lazy=lazy, source=where)


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
