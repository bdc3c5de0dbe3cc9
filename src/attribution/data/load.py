"""Sources: read the contract's tables from a folder of files or a database.

A **folder source** holds one file per table, named after it: ``touches.parquet`` or
``touches.csv`` (or a folder ``touches/`` of Parquet parts, as the demo writes large data).
A **database source** is a URL whose tables carry the contract's names (or a mapping's):
``postgresql://user@host/db``, ``sqlite:///path/to/file.db`` or
``duckdb:///path/to/file.duckdb`` (see :mod:`attribution.data.sources.databases`). With no
source at all, the URL in the ``ATTRIBUTION_DB_URL`` environment variable is used, so that
credentials stay out of parameter files.

A column mapping renames a user's columns onto the contract before validation, e.g.
``columns={"touches": {"ActivityDate": "occurred_at"}}``; ``tables`` renames tables or files,
e.g. ``tables={"touches": "activities"}``; ``mapping`` takes a mapping file or a preset name
(see :mod:`attribution.data.mapping`).

``start``/``end`` load one period only, and push the date conditions down into the read
(see :mod:`attribution.data.sources.period`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping as MappingABC
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import polars as pl

from attribution._folders import swap_into_place
from attribution._time import DEFAULT_LOOKBACK_DAYS
from attribution.data.dataset import Dataset
from attribution.data.mapping import Mapping, load_mapping
from attribution.data.schema import TABLES, Problem, raise_problems, validate
from attribution.data.sources.base import Source, TimeRange, mask_url
from attribution.data.sources.databases import DuckDBSource, PostgresSource, SQLiteSource
from attribution.data.sources.period import OpportunityDate, Window
from attribution.errors import ParameterError, SourceError

__all__ = [
    "ENV_URL",
    "DuckDBSource",
    "FolderSource",
    "PostgresSource",
    "SQLiteSource",
    "Source",
    "load",
    "mask_url",
    "open_source",
    "read_tables",
    "write_tables",
]

ENV_URL = "ATTRIBUTION_DB_URL"
"""Environment variable holding the database URL used when no source is given."""

_DB_SCHEMES = {"sqlite", "duckdb", "postgresql", "postgres"}
_FILE_SUFFIXES = (".parquet", ".csv")


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
    # every CSV column is read as text: validation converts it and reports unparseable values;
    # CSV cannot tell an empty value from a missing one, so "" (quoted, as Salesforce's Data
    # Loader writes it) is missing too
    frame = _clean_header(pl.scan_csv(path, infer_schema=False, encoding="utf8-lossy"))
    return frame.with_columns(pl.all().replace("", None))


class FolderSource(Source):
    """A folder of ``<name>.parquet`` / ``<name>.csv`` files or ``<name>/`` Parquet parts.

    :meth:`query` runs polars SQL with every file registered as a table named by its stem.
    """

    def __init__(self, folder: Path) -> None:
        super().__init__()
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

    def table(self, name: str, *, where: TimeRange | None = None) -> pl.LazyFrame:
        """Scan one table lazily; a filter applied later is pushed into the scan by polars."""
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

    def query(self, sql: str, *, where: TimeRange | None = None) -> pl.LazyFrame:
        """Run polars SQL over the folder's files (each a table named by its stem)."""
        frames = {name: self.table(name) for name in self.names()}
        return pl.SQLContext(frames=frames, eager=False).execute(sql)


def open_source(
    source: str | os.PathLike[str] | None = None, *, schema: str | None = None
) -> Source:
    """Open a folder path or database URL as a :class:`Source`.

    Parameters
    ----------
    source
        A folder; a file ending in ``.db``/``.sqlite``/``.sqlite3`` or ``.duckdb``; a URL
        ``postgresql://...``, ``sqlite:///...`` or ``duckdb:///...``; or None for the URL in
        the ``ATTRIBUTION_DB_URL`` environment variable.
    schema
        For databases: the schema whose tables are found by plain name.

    Raises
    ------
    SourceError
        The source does not exist, cannot be reached, or the login fails (the message shows
        the URL with its password masked).
    """
    if source is None:
        text = os.environ.get(ENV_URL, "").strip()
        if not text:
            raise SourceError(
                f"no source given and {ENV_URL} is not set; give a folder path or a database "
                "URL such as postgresql://user@host/database"
            )
    else:
        text = os.fspath(source)
    if _is_url(text):
        kind, location = _db_kind(text)
        if kind == "postgresql":
            return PostgresSource(text, schema=schema)
        path = Path(location)
        if kind == "duckdb":
            return DuckDBSource(path, text, schema=schema)
        return SQLiteSource(path, text, schema=schema)
    path = Path(text)
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix in (".db", ".sqlite", ".sqlite3"):
            return SQLiteSource(path, f"sqlite:///{path.resolve()}", schema=schema)
        if suffix == ".duckdb":
            return DuckDBSource(path, f"duckdb:///{path.resolve()}", schema=schema)
        raise SourceError(
            f"{path} is a file; a source is a folder of <table>.parquet/.csv files or a "
            "database (.db, .sqlite, .duckdb, or a postgresql:// URL)"
        )
    if schema is not None:
        raise ParameterError(f"schema={schema!r} applies to databases; {path} is a folder")
    return FolderSource(path)


def _db_kind(source: str) -> tuple[str, str]:
    """Return (kind, location) for a database URL."""
    parts = urlsplit(source)
    scheme = parts.scheme.split("+")[0].lower()
    if scheme not in _DB_SCHEMES:
        raise SourceError(
            f"cannot read {mask_url(source)!r}: unsupported URL scheme {parts.scheme!r}; "
            "use a folder path or one of: postgresql://, sqlite:///, duckdb:///"
        )
    if scheme in ("postgresql", "postgres"):
        return "postgresql", source
    # sqlite:///relative.db and sqlite:////abs/path.db, as SQLAlchemy writes them
    location = source.split("://", 1)[1]
    location = location[1:] if location.startswith("/") else location
    return scheme, location


def _read(src: Source, rules: Mapping, window: Window | None, time_zone: str) -> dict[str, Any]:
    """Apply the mapping; with a window, opportunities first, then the touches they reach."""
    if window is None:
        return rules.apply(src, time_zone=time_zone)
    # every missing table or column is reported at once, before any row is read
    raise_problems(rules.check(src), source=src.description)
    selected = rules.apply(
        src,
        tables=["opportunities"],
        ranges={"opportunities": window.opportunity_range()},
        time_zone=time_zone,
    )
    if "opportunities" not in selected:  # validation reports the missing table
        others = [t for t in TABLES if t != "opportunities"]
        return rules.apply(src, tables=others, time_zone=time_zone)
    lf = selected["opportunities"]
    keep = window.opportunity_filter(lf.collect_schema(), time_zone)
    opportunities = (lf.filter(keep) if keep is not None else lf).collect()
    window.check_selected(opportunities, source=src.description)
    out: dict[str, pl.LazyFrame] = {"opportunities": opportunities.lazy()}

    reach = window.touch_range(opportunities, time_zone)
    touches = rules.apply(src, tables=["touches"], ranges={"touches": reach}, time_zone=time_zone)
    for name, frame in touches.items():
        keep = window.touch_filter(reach, frame.collect_schema(), time_zone)
        out[name] = frame.filter(keep) if keep is not None else frame

    rest = [t for t in TABLES if t not in ("opportunities", "touches")]
    for name, frame in rules.apply(src, tables=rest, time_zone=time_zone).items():
        if name == "stage_history":
            keep = Window.stage_filter(opportunities, frame.collect_schema(), time_zone)
            frame = frame.filter(keep) if keep is not None else frame
        out[name] = frame
    return out


def read_tables(
    source: str | os.PathLike[str] | Source | None,
    *,
    mapping: str | os.PathLike[str] | MappingABC[str, Any] | Mapping | None = None,
    columns: MappingABC[str, MappingABC[str, str]] | None = None,
    tables: MappingABC[str, str] | None = None,
    schema: str | None = None,
    window: Window | None = None,
    time_zone: str = "UTC",
) -> dict[str, pl.LazyFrame]:
    """Read the raw tables of a source (before validation), mapped onto the contract.

    Parameters
    ----------
    source
        A folder path, a database URL, an open :class:`Source`, or None for the URL in
        ``ATTRIBUTION_DB_URL``.
    mapping
        A mapping file (YAML), preset name (``"salesforce"``), dict or
        :class:`~attribution.data.mapping.Mapping` describing how the source's tables and columns
        become the contract's; see :mod:`attribution.data.mapping`.
    columns
        Shorthand for simple renames: per table, ``{source column: contract column}``.
    tables
        Shorthand: ``{contract table: source table or file stem}`` where names differ.
    schema
        For databases: the schema whose tables are found by plain name (default: the
        mapping's ``schema``, else the database's default).
    window
        Read one period only (see :class:`~attribution.data.sources.period.Window`); the
        conditions are sent to the source. The rows returned may be a superset: validate
        them, then :meth:`~attribution.data.sources.period.Window.select` the exact ones (as
        :func:`load` does).
    time_zone
        Zone of naive timestamps, used to apply the window to raw values.

    Returns
    -------
    dict of str to polars.LazyFrame
        Only the contract tables the source provides.
    """
    if mapping is not None and (columns or tables):
        raise ParameterError("give either a mapping or the columns=/tables= shorthand, not both")
    rules = load_mapping(mapping) if mapping is not None else Mapping.renames(columns, tables)
    src = (
        source
        if isinstance(source, Source)
        else open_source(source, schema=schema if schema is not None else rules.schema)
    )
    try:
        raw = _read(src, rules, window, time_zone)
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
    source: str | os.PathLike[str] | Source | None = None,
    *,
    mapping: str | os.PathLike[str] | MappingABC[str, Any] | Mapping | None = None,
    columns: MappingABC[str, MappingABC[str, str]] | None = None,
    tables: MappingABC[str, str] | None = None,
    schema: str | None = None,
    time_zone: str | None = None,
    lazy: bool = False,
    start: datetime | date | str | None = None,
    end: datetime | date | str | None = None,
    lookback_days: float = DEFAULT_LOOKBACK_DAYS,
    opportunities_by: OpportunityDate = "closed_at",
) -> Dataset:
    """Load and validate a source, or one period of it.

    Parameters
    ----------
    source
        A folder of ``<table>.parquet`` / ``<table>.csv`` files (or ``<table>/`` folders
        of Parquet parts); a ``postgresql://user[:password]@host[:port]/db`` URL; a
        ``sqlite:///file.db`` / ``duckdb:///file.duckdb`` URL; an open :class:`Source`
        (left open; its ``log`` then shows the SQL sent); or None for the URL in the
        ``ATTRIBUTION_DB_URL`` environment variable. A PostgreSQL password may also come
        from ``PGPASSWORD`` or ``~/.pgpass``; it is never shown (``Dataset.source`` and every
        message mask it).
    mapping
        How the source's tables and columns become the contract's: a YAML file path, a
        preset name shipped in ``params/mappings/`` (``"salesforce"``, ``"hubspot"``), a
        dict or a :class:`~attribution.data.mapping.Mapping`. See :mod:`attribution.data.mapping`.
    columns
        Shorthand for simple renames per table, ``{source column: contract column}``; e.g.
        ``{"touches": {"ActivityDate": "occurred_at"}}``. Other columns are kept.
    tables
        Shorthand: table/file names where they differ from the contract's, e.g.
        ``{"touches": "activities"}``.
    schema
        For databases: the schema holding the tables (default: the mapping's ``schema``,
        else the database's search path). Tables may also be named ``schema.table``.
    time_zone
        Zone of timestamps that carry no offset (default: the mapping's ``time_zone``, else
        UTC).
    lazy
        Keep tables as lazy scans (for data larger than memory; Parquet only benefits).
    start, end
        Load one period: opportunities whose ``opportunities_by`` date lies in
        ``[start, end)``, and only the touches their journeys can reach. Dates, datetimes or
        ISO text; naive values are read in ``time_zone``. Either may be left open.
    lookback_days
        With ``start``/``end``: how far before an opportunity's creation its journey reaches
        (pass the same value to :func:`attribution.journeys`).
    opportunities_by
        ``"closed_at"`` (deals that closed in the period; open deals left out) or
        ``"created_at"`` (deals opened in the period).

    Returns
    -------
    Dataset

    Raises
    ------
    SourceError
        The source cannot be found, reached or logged into.
    SchemaError, DataError
        The tables break the contract; the message lists every problem.
    ParameterError
        An option is invalid (unknown preset, bad date, negative lookback...).

    Examples
    --------
    >>> import tempfile, attribution as at
    >>> folder = tempfile.mkdtemp()
    >>> _ = at.demo.write(at.demo.generate(n_accounts=50, seed=1), folder)
    >>> at.load(folder).row_counts()["opportunities"] > 0
    True
    >>> q1 = at.load(folder, start="2026-01-01", end="2026-04-01")
    >>> q1.opportunities["closed_at"].dt.year().unique().to_list()
    [2026]
    """
    rules = load_mapping(mapping) if mapping is not None else None
    if time_zone is None:
        time_zone = (rules.time_zone if rules is not None else None) or "UTC"
    window = Window.make(
        start=start,
        end=end,
        lookback_days=lookback_days,
        opportunities_by=opportunities_by,
        time_zone=time_zone,
    )
    if schema is None and rules is not None:
        schema = rules.schema
    src = source if isinstance(source, Source) else open_source(source, schema=schema)
    try:
        raw = read_tables(
            src, mapping=rules, columns=columns, tables=tables, window=window, time_zone=time_zone
        )
        dataset = validate(raw, time_zone=time_zone, lazy=lazy, source=src.description)
    finally:
        if src is not source:
            src.close()
    return window.select(dataset) if window is not None else dataset


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
        swap_into_place(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest
