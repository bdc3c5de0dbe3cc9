"""What every database source shares: table lookup, schemas, the log, pushed-down ranges.

A :class:`~attribution.data.sources.base.TimeRange` becomes a ``WHERE`` clause in the SQL
sent: typed timestamp and date columns are compared directly; text columns in a way that
cannot fail (each database says how, in :meth:`SQLSource._text_condition`), keeping values
that do not look like timestamps so that validation reports them. Bounds on naive
timestamps, dates and text are widened by a day, so the rows fetched are always a superset
of the rows wanted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, ClassVar

import polars as pl

from attribution._secrets import mask_url
from attribution.data.sources.base import Fetch, Source, TimeRange
from attribution.data.sources.csv_files import with_dates
from attribution.data.sources.options import ReadOptions
from attribution.errors import SourceError

__all__ = [
    "ALIAS",
    "SQLSource",
    "arrow_to_polars",
    "aware_literal",
    "conjunction",
    "iso_prefix_condition",
    "quote_ident",
    "quote_literal",
    "strip_sql",
    "subquery",
]

log = logging.getLogger(__name__)

_WIDEN = timedelta(days=1)  # covers any UTC offset (at most 14 h) and whole-day dates
ALIAS = "_attribution_q"
"""The alias of a user's query wrapped as a subquery."""


def quote_ident(name: str) -> str:
    """Quote an SQL identifier (``"..."``, doubling inner quotes).

    Examples
    --------
    >>> quote_ident('Opportunity')
    '"Opportunity"'
    >>> quote_ident('a"b')
    '"a""b"'
    """
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """Quote an SQL text literal (``'...'``, doubling inner quotes).

    Examples
    --------
    >>> quote_literal("O'Brien")
    "'O''Brien'"
    """
    return "'" + text.replace("'", "''") + "'"


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def aware_literal(value: datetime) -> str:
    """Return a UTC instant as an SQL ``TIMESTAMPTZ`` literal.

    Examples
    --------
    >>> aware_literal(datetime(2024, 3, 1, 9, 30))
    "TIMESTAMPTZ '2024-03-01 09:30:00.000000+00:00'"
    """
    return f"TIMESTAMPTZ '{_stamp(value)}+00:00'"


def strip_sql(sql: str) -> str:
    """Return a query without surrounding space and trailing semicolons."""
    return sql.strip().rstrip(";").strip()


def subquery(sql: str) -> str:
    """Wrap a query so that a condition can be added on its columns (alias :data:`ALIAS`)."""
    return f"SELECT * FROM ({strip_sql(sql)}) AS {ALIAS}"


def conjunction(lower: str | None, upper: str | None) -> str:
    """Join a lower-bound and an upper-bound condition (either may be absent) with AND.

    Examples
    --------
    >>> conjunction("a >= 1", None), conjunction("a >= 1", "a <= 2")
    ('a >= 1', 'a >= 1 AND a <= 2')
    """
    return " AND ".join(part for part in (lower, upper) if part is not None)


def iso_prefix_condition(column: str, prefix: str, lo: datetime | None, hi: datetime | None) -> str:
    """Keep text values whose ISO date ``prefix`` may lie in (already widened) ``[lo, hi]``.

    Values that do not start with an ISO date are kept, for validation to report.

    Examples
    --------
    >>> iso_prefix_condition("d", "left(d, 10)", datetime(2024, 1, 1), None)
    "NOT (d LIKE '____-__-__%') OR (left(d, 10) >= '2024-01-01')"
    """
    within = conjunction(
        f"{prefix} >= '{lo:%Y-%m-%d}'" if lo is not None else None,
        f"{prefix} <= '{hi:%Y-%m-%d}'" if hi is not None else None,
    )
    return f"NOT ({column} LIKE '____-__-__%') OR ({within})"


def arrow_to_polars(table: Any) -> pl.DataFrame:
    """Arrow to polars; PostgreSQL ``numeric`` (an opaque Arrow type) becomes Float64."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = []
    changed = False
    for i, f in enumerate(table.schema):
        column = table.column(i)
        if isinstance(f.type, pa.BaseExtensionType):
            changed = True
            storage = pa.chunked_array([c.storage for c in column.chunks], f.type.storage_type)
            name = getattr(f.type, "type_name", "")
            column = pc.cast(storage, pa.float64()) if name == "numeric" else storage
        columns.append(column)
    if changed:
        table = pa.Table.from_arrays(columns, names=table.schema.names)
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


class SQLSource(Source):
    """What every database source shares: table lookup, schemas, pushed-down ranges, the log.

    Subclasses implement :meth:`_run` (SQL to a polars DataFrame, through Arrow),
    :meth:`_catalog` (every table and view as ``(schema, name)``), :meth:`_searched`
    (the schemas where unqualified names are looked up) and :meth:`_text_condition`.
    """

    kind: ClassVar[str] = "database"

    def __init__(self, url: str) -> None:
        super().__init__()
        self._url = url
        self.description = mask_url(url)
        self._schemas: dict[str, pl.Schema] = {}
        self._catalog_cache: list[tuple[str, str]] | None = None
        self._names_cache: list[str] | None = None

    # ------------------------------------------------------------------ hooks
    def _run(self, sql: str) -> pl.DataFrame:
        raise NotImplementedError

    def _catalog(self) -> list[tuple[str, str]]:
        raise NotImplementedError

    def _searched(self) -> list[str]:
        raise NotImplementedError

    def _text_condition(self, column: str, lo: datetime | None, hi: datetime | None) -> str | None:
        """Condition on a text column keeping every row that may lie in [lo, hi]."""
        return None

    # ------------------------------------------------------------------ tables
    def _tables(self) -> list[tuple[str, str]]:
        if self._catalog_cache is None:
            self._catalog_cache = self._catalog()
        return self._catalog_cache

    def names(self) -> list[str]:
        """Tables and views found without a schema prefix (in the source's schema)."""
        if self._names_cache is None:
            searched = self._searched()
            self._names_cache = sorted(
                {name for schema, name in self._tables() if schema in searched}
            )
        return self._names_cache

    def _resolve(self, name: str) -> str | None:
        """Return the SQL naming table ``name`` (plain or ``schema.table``); None if absent."""
        if name in self.names():
            return quote_ident(name)
        if "." in name:
            schema, table = name.split(".", 1)
            if (schema, table) in self._tables():
                return f"{quote_ident(schema)}.{quote_ident(table)}"
        return None

    def has(self, name: str) -> bool:
        """Whether the source holds table ``name`` (plain, or ``schema.table``)."""
        return self._resolve(name) is not None

    def _from(self, name: str) -> str:
        resolved = self._resolve(name)
        if resolved is None:
            raise SourceError(
                f"{self.description} has no table {name!r}; it has: "
                + (", ".join(self.names()) or "no tables")
            )
        return resolved

    # ------------------------------------------------------------------ reading
    def schema(
        self,
        name: str | None = None,
        *,
        sql: str | None = None,
        options: ReadOptions | None = None,
    ) -> pl.Schema:
        """Column names and types of a table or query, from a query that returns no rows.

        Columns named in ``options.dates`` are reported as they come (text or a timestamp).
        """
        base = f"SELECT * FROM {self._from(name)}" if name is not None else subquery(sql or "")
        if base not in self._schemas:
            self._schemas[base] = self._timed(f"{base} LIMIT 0").schema
        return self._schemas[base]

    def table(
        self, name: str, *, where: TimeRange | None = None, options: ReadOptions | None = None
    ) -> pl.LazyFrame:
        """Read one table; ``where`` becomes a ``WHERE`` clause when the column allows.

        Text columns named in ``options.dates`` are parsed with their formats.
        """
        base = f"SELECT * FROM {self._from(name)}"
        condition = self._condition(self.schema(name), where, quote_ident) if where else None
        sql = f"{base} WHERE {condition}" if condition else base
        return with_dates(self._timed(sql).lazy(), options.dates if options else {})

    def query(
        self, sql: str, *, where: TimeRange | None = None, options: ReadOptions | None = None
    ) -> pl.LazyFrame:
        """Run a query in the database's own SQL; ``where`` wraps it as a subquery.

        The database parses its own dates; ``options.dates`` parse text columns of the result.
        """
        dates = options.dates if options else {}
        if where is None:
            return with_dates(self._timed(strip_sql(sql)).lazy(), dates)
        condition = self._condition(
            self.schema(sql=sql), where, lambda c: f"{ALIAS}.{quote_ident(c)}"
        )
        base = subquery(sql)
        frame = self._timed(f"{base} WHERE {condition}" if condition else strip_sql(sql))
        return with_dates(frame.lazy(), dates)

    def _timed(self, sql: str) -> pl.DataFrame:
        start = time.perf_counter()
        frame = self._run(sql)
        took = time.perf_counter() - start
        self.log.append(Fetch(sql=sql, rows=frame.height, seconds=took))
        log.debug("%s: %d rows in %.3fs: %s", self.description, frame.height, took, sql)
        return frame

    # ------------------------------------------------------------------ pushdown
    def _condition(
        self, schema: pl.Schema, where: TimeRange, name: Callable[[str], str]
    ) -> str | None:
        """Return SQL keeping every row whose ``where.column`` may lie in the range, or None."""
        if where.column not in schema or (where.lo is None and where.hi is None):
            return None
        dtype = schema[where.column]
        column = name(where.column)
        lo = where.lo - _WIDEN if where.lo is not None else None
        hi = where.hi + _WIDEN if where.hi is not None else None
        condition: str | None
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
            condition = conjunction(
                f"{column} >= {aware_literal(where.lo)}" if where.lo is not None else None,
                f"{column} <= {aware_literal(where.hi)}" if where.hi is not None else None,
            )
        elif isinstance(dtype, pl.Datetime | pl.Date):
            literal = "DATE" if dtype == pl.Date() else "TIMESTAMP"
            fmt = (lambda v: v.strftime("%Y-%m-%d")) if dtype == pl.Date() else _stamp
            condition = conjunction(
                f"{column} >= {literal} '{fmt(lo)}'" if lo is not None else None,
                f"{column} <= {literal} '{fmt(hi)}'" if hi is not None else None,
            )
        elif dtype == pl.String() or self.kind == "sqlite":
            condition = self._text_condition(column, lo, hi)
        else:
            condition = None
        if condition is None:
            return None
        if where.keep_null:
            return f"({column} IS NULL OR ({condition}))"
        return f"({condition})"
