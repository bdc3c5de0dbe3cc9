"""Load: read the contract's tables from a source, map them, validate them, and write them.

A **folder source** holds one file per table, named after it: ``touches.parquet`` or
``touches.csv`` (or a folder ``touches/`` of Parquet parts, as the demo writes large data).
A **database source** is a URL whose tables carry the contract's names (or a mapping's):
``postgresql://user@host/db``, ``sqlite:///path/to/file.db`` or
``duckdb:///path/to/file.duckdb`` (see :mod:`attribution.data.sources`). With no
source at all, the URL in the ``ATTRIBUTION_DB_URL`` environment variable is used, so that
credentials stay out of parameter files (see :func:`open_source`).

A column mapping renames a user's columns onto the contract before validation, e.g.
``columns={"touches": {"ActivityDate": "occurred_at"}}``; ``tables`` renames tables or files,
e.g. ``tables={"touches": "activities"}``; ``mapping`` takes a mapping file or a preset name
(see :mod:`attribution.data.mapping`).

``start``/``end`` load one period only, and push the date conditions down into the read
(see :mod:`attribution.data.sources.period`).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from collections.abc import Mapping as MappingABC
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from attribution._folders import check_replaceable, claimed, destination, swap_into_place
from attribution._time import DEFAULT_LOOKBACK_DAYS
from attribution.data.dataset import Dataset
from attribution.data.mapping import Mapping, load_mapping
from attribution.data.mapping.mapping import MappedTables
from attribution.data.schema import TABLES, raise_problems, validate
from attribution.data.schema.plausible import Plausible
from attribution.data.sources.base import Source
from attribution.data.sources.folder import FolderSource
from attribution.data.sources.locate import open_source
from attribution.data.sources.period import OpportunityDate, Window
from attribution.errors import ParameterError, SourceError

__all__ = ["load", "read_mapped", "read_tables", "write_tables"]

_FORMATS = ("parquet", "csv")
_ONE_WAY = "give either a mapping or the columns=/tables= shorthand, not both"


def _mapping_defaults(
    rules: Mapping | None, time_zone: str | None, schema: str | None
) -> tuple[str, str | None]:
    """Return the time zone and database schema: as given, else the mapping's (zone: UTC)."""
    if time_zone is None:
        time_zone = (rules.time_zone if rules is not None else None) or "UTC"
    if schema is None and rules is not None:
        schema = rules.schema
    return time_zone, schema


@contextmanager
def _opened(source: str | os.PathLike[str] | Source | None, schema: str | None) -> Iterator[Source]:
    """Yield the source, opened if need be; close it afterwards only if it was opened here."""
    if isinstance(source, Source):
        yield source
        return
    src = open_source(source, schema=schema)
    try:
        yield src
    finally:
        src.close()


def read_mapped(src: Source, rules: Mapping, window: Window | None, time_zone: str) -> MappedTables:
    """Apply the mapping; with a window, opportunities first, then the touches they reach.

    Without a window every problem is returned, so that validation can add its own and one
    error lists them all; with one, mapping problems are raised before any row is read.
    """
    if window is None:
        return rules.read(src, time_zone=time_zone)
    return MappedTables(_read_period(src, rules, window, time_zone), [], set(), {})


def _read_period(
    src: Source, rules: Mapping, window: Window, time_zone: str
) -> dict[str, pl.LazyFrame]:
    """Read one period: opportunities first, then the touches they reach, then the rest."""
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
        raise ParameterError(_ONE_WAY)
    rules = load_mapping(mapping) if mapping is not None else Mapping.renames(columns, tables)
    with _opened(source, schema if schema is not None else rules.schema) as src:
        read = read_mapped(src, rules, window, time_zone)
        raise_problems(read.problems, source=src.description)
        raw = read.tables
        if not raw:
            _none_found(src)
        # materialise database results before the connection closes; files stay lazy
        if not isinstance(src, FolderSource):
            raw = {name: frame.collect().lazy() for name, frame in raw.items()}
        return raw


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
    plausible: Plausible | None = None,
) -> Dataset:
    """Load and validate a source, or one period of it.

    Parameters
    ----------
    source
        A folder, a database file or URL (see :func:`open_source`), an open :class:`Source`
        (left open; its ``log`` shows the SQL sent), or None for ``ATTRIBUTION_DB_URL``. A
        PostgreSQL password may come from ``PGPASSWORD`` or ``~/.pgpass``; it is never shown.
    mapping
        How the source's tables and columns become the contract's: a YAML file, a preset
        name (``"salesforce"``, ``"hubspot"``), a dict or a :class:`Mapping` (see
        :mod:`attribution.data.mapping`).
    columns, tables
        Shorthand for renames: per table ``{source column: contract column}`` (other columns
        kept), and ``{contract table: source table or file stem}`` where names differ.
    schema
        For databases: the schema holding the tables (default: the mapping's, else the
        search path). Tables may also be named ``schema.table``.
    time_zone
        Zone of timestamps without offset (default: the mapping's ``time_zone``, else UTC).
    lazy
        Keep tables as lazy scans (for data larger than memory; Parquet only benefits).
    start, end, lookback_days, opportunities_by
        Load one period: opportunities whose ``opportunities_by`` date (``"closed_at"``:
        open deals left out; or ``"created_at"``) lies in ``[start, end)`` (dates, datetimes
        or ISO text, naive ones in ``time_zone``; either may be open), and only the touches
        their journeys reach, ``lookback_days`` before creation (as in
        :func:`attribution.journeys`).
    plausible
        The range of believable timestamps (default: 1990-01-01 up to a year after now;
        see :class:`~attribution.data.schema.plausible.Plausible`).

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
    time_zone, schema = _mapping_defaults(rules, time_zone, schema)
    window = Window.make(
        start=start,
        end=end,
        lookback_days=lookback_days,
        opportunities_by=opportunities_by,
        time_zone=time_zone,
    )
    if rules is not None and (columns or tables):
        raise ParameterError(_ONE_WAY)
    rules = rules if rules is not None else Mapping.renames(columns, tables)
    with _opened(source, schema) as src:
        dataset = _read_validated(src, rules, window, time_zone, lazy, plausible)
    return window.select(dataset) if window is not None else dataset


def _read_validated(
    src: Source,
    rules: Mapping,
    window: Window | None,
    time_zone: str,
    lazy: bool,
    plausible: Plausible | None,
) -> Dataset:
    """Read the mapped tables of an open source and validate them (every problem at once)."""
    read = read_mapped(src, rules, window, time_zone)
    if not read.tables and not read.problems:
        _none_found(src)
    if not isinstance(src, FolderSource):  # database results, before the connection closes
        read = dataclasses.replace(
            read, tables={n: f.collect().lazy() for n, f in read.tables.items()}
        )
    return validate(
        read.tables,
        time_zone=time_zone,
        lazy=lazy,
        source=src.description,
        problems=read.problems,
        failed=read.failed,
        origins=read.origins,
        plausible=plausible,
    )


def _none_found(src: Source) -> None:
    raise SourceError(
        f"{src.description} holds none of the contract's tables ({', '.join(TABLES)}); name "
        "files <table>.parquet or <table>.csv, or give a mapping"
    )


def write_tables(
    dataset: Dataset,
    folder: str | os.PathLike[str],
    *,
    fmt: str = "parquet",
    overwrite: bool = False,
) -> Path:
    """Write every table of ``dataset`` into ``folder`` as a source folder, atomically.

    The tables are written to a temporary sibling folder that is swapped into place at the
    end, so an interrupted write never leaves a half-written source. CSV files hold the
    exact values (they are data to read back, not a report): see
    :mod:`attribution.report.spreadsheet` for the tables reviewers open.

    Parameters
    ----------
    dataset
        The tables to write.
    folder
        Destination: a new or empty folder, never the current one.
    fmt
        ``"parquet"`` or ``"csv"``.
    overwrite
        Replace an existing file or non-empty folder at ``folder`` (by default that is an
        error, and nothing is written).

    Returns
    -------
    pathlib.Path
        The folder written.

    Raises
    ------
    ParameterError
        ``fmt`` is neither ``"parquet"`` nor ``"csv"``; ``folder`` is the current folder,
        or holds something and ``overwrite`` is false.
    """
    if fmt not in _FORMATS:
        raise ParameterError(f"fmt must be 'parquet' or 'csv', got {fmt!r}")
    dest = destination(folder)
    check_replaceable(dest, lambda _: overwrite)
    with claimed(dest.parent, dest.name) as tmp:
        for name, frame in dataset.tables().items():
            lf = frame.lazy()
            if fmt == "parquet":
                lf.sink_parquet(tmp / f"{name}.parquet")
            else:
                lf.sink_csv(tmp / f"{name}.csv")
        swap_into_place(tmp, dest, replaceable=lambda _: overwrite)
    return dest
