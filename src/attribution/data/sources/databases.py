"""Database sources: PostgreSQL, SQLite and DuckDB, read as Arrow, never row by row.

* **PostgreSQL**: ``postgresql://user[:password]@host[:port]/database[?sslmode=...]`` through
  the ADBC PostgreSQL driver (libpq's binary ``COPY``, straight into Arrow). A password not
  in the URL comes from the driver's usual places: ``PGPASSWORD``, ``~/.pgpass``; the other
  ``PG*`` variables (``PGHOST``, ``PGUSER``...) work too. The whole URL may come from
  ``ATTRIBUTION_DB_URL`` instead (see :func:`attribution.data.load.open_source`). A connection gives
  up after ``connect_timeout`` seconds (default 10; set it in the URL to change it).
* **SQLite** files (``sqlite:///path.db``), opened read-only through ADBC.
* **DuckDB** files (``duckdb:///path.duckdb``), opened read-only.

``schema=`` names the schema whose tables carry the contract's (or the mapping's) names,
e.g. ``"crm"``; a mapping may also name tables schema-qualified (``from: crm.Opportunity``).

A :class:`~attribution.data.sources.base.TimeRange` becomes a ``WHERE`` clause in the SQL
sent: typed timestamp and date columns are compared directly; text columns in a way that cannot fail
(an ISO date prefix compared as text in PostgreSQL and SQLite, ``TRY_CAST`` in DuckDB),
keeping values that do not look like timestamps so that validation reports them. Bounds on
naive timestamps, dates and text are widened by a day, so the rows fetched are always a
superset of the rows wanted.

Passwords never appear in :attr:`description`, in messages or in :attr:`log`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import polars as pl

from attribution.data.sources.base import Fetch, Source, TimeRange, mask_url, scrub
from attribution.errors import ParameterError, SourceError

__all__ = ["DuckDBSource", "PostgresSource", "SQLSource", "SQLiteSource"]

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 10
"""Seconds a PostgreSQL connection attempt may take before it fails (libpq's connect_timeout)."""

_WIDEN = timedelta(days=1)  # covers any UTC offset (at most 14 h) and whole-day dates
_ONE_BATCH = "1000000000"  # rows per Arrow batch from SQLite: the whole result in one
_ALIAS = "_attribution_q"


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


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


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
    def schema(self, name: str | None = None, *, sql: str | None = None) -> pl.Schema:
        """Column names and types of a table or query, from a query that returns no rows."""
        base = f"SELECT * FROM {self._from(name)}" if name is not None else _subquery(sql or "")
        if base not in self._schemas:
            self._schemas[base] = self._timed(f"{base} LIMIT 0").schema
        return self._schemas[base]

    def table(self, name: str, *, where: TimeRange | None = None) -> pl.LazyFrame:
        """Read one table; ``where`` becomes a ``WHERE`` clause when the column allows."""
        base = f"SELECT * FROM {self._from(name)}"
        condition = self._condition(self.schema(name), where, quote_ident) if where else None
        sql = f"{base} WHERE {condition}" if condition else base
        return self._timed(sql).lazy()

    def query(self, sql: str, *, where: TimeRange | None = None) -> pl.LazyFrame:
        """Run a query in the database's own SQL; ``where`` wraps it as a subquery."""
        if where is None:
            return self._timed(_strip(sql)).lazy()
        condition = self._condition(
            self.schema(sql=sql), where, lambda c: f"{_ALIAS}.{quote_ident(c)}"
        )
        base = _subquery(sql)
        return self._timed(f"{base} WHERE {condition}" if condition else _strip(sql)).lazy()

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
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
            parts = []
            if where.lo is not None:
                parts.append(f"{column} >= {self._aware(where.lo)}")
            if where.hi is not None:
                parts.append(f"{column} <= {self._aware(where.hi)}")
            condition = " AND ".join(parts)
        elif isinstance(dtype, pl.Datetime | pl.Date):
            literal = "DATE" if dtype == pl.Date() else "TIMESTAMP"
            lo = where.lo - _WIDEN if where.lo is not None else None
            hi = where.hi + _WIDEN if where.hi is not None else None
            fmt = (lambda v: v.strftime("%Y-%m-%d")) if dtype == pl.Date() else _stamp
            parts = []
            if lo is not None:
                parts.append(f"{column} >= {literal} '{fmt(lo)}'")
            if hi is not None:
                parts.append(f"{column} <= {literal} '{fmt(hi)}'")
            condition = " AND ".join(parts)
        elif dtype == pl.String() or self.kind == "sqlite":
            text = self._text_condition(
                column,
                where.lo - _WIDEN if where.lo is not None else None,
                where.hi + _WIDEN if where.hi is not None else None,
            )
            if text is None:
                return None
            condition = text
        else:
            return None
        if where.keep_null:
            return f"({column} IS NULL OR ({condition}))"
        return f"({condition})"

    def _aware(self, value: datetime) -> str:
        return f"TIMESTAMPTZ '{_stamp(value)}+00:00'"


def _strip(sql: str) -> str:
    return sql.strip().rstrip(";").strip()


def _subquery(sql: str) -> str:
    return f"SELECT * FROM ({_strip(sql)}) AS {_ALIAS}"


def _prefix_between(prefix: str, lo: datetime | None, hi: datetime | None) -> str:
    """Text comparison of an ISO date prefix with the (already widened) bounds' dates."""
    parts = []
    if lo is not None:
        parts.append(f"{prefix} >= '{lo:%Y-%m-%d}'")
    if hi is not None:
        parts.append(f"{prefix} <= '{hi:%Y-%m-%d}'")
    return " AND ".join(parts)


def _arrow_to_polars(table: Any) -> pl.DataFrame:
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


# ---------------------------------------------------------------------------- PostgreSQL
def libpq_uri(url: str, *, connect_timeout: float = CONNECT_TIMEOUT_S) -> str:
    """Return the URI for libpq: scheme ``postgresql``, a connect timeout, an application name.

    Examples
    --------
    >>> libpq_uri("postgres+psycopg://ann@db/crm?sslmode=require")
    'postgresql://ann@db/crm?sslmode=require&connect_timeout=10&application_name=attribution'
    """
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.setdefault("connect_timeout", str(int(connect_timeout)))
    query.setdefault("application_name", "attribution")
    return urlunsplit(parts._replace(scheme="postgresql", query=urlencode(query)))


def _driver_message(exc: Exception) -> str:
    text = str(exc).strip()
    for prefix in ("IO: [libpq] Failed to connect: ", "IO: [libpq] ", "IO: "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return " ".join(text.split())


class PostgresSource(SQLSource):
    """A PostgreSQL database, read through ADBC (binary ``COPY`` into Arrow).

    Parameters
    ----------
    url
        ``postgresql://user[:password]@host[:port]/database[?param=value...]``; libpq
        parameters such as ``sslmode`` or ``connect_timeout`` pass through.
    schema
        Schema whose tables are found by plain name (default: the server's search path,
        usually ``public``).
    """

    kind: ClassVar[str] = "postgresql"

    def __init__(self, url: str, *, schema: str | None = None) -> None:
        import adbc_driver_postgresql.dbapi as pg

        super().__init__(url)
        uri = libpq_uri(url)
        timeout = dict(parse_qsl(urlsplit(uri).query)).get("connect_timeout", "")
        start = time.perf_counter()
        try:
            self._con = pg.connect(uri, autocommit=True)
        except Exception as exc:  # the driver raises its own error classes
            took = time.perf_counter() - start
            message = scrub(_driver_message(exc), url)
            hint = ""
            if "password" in message.lower() or "authentication" in message.lower():
                hint = (
                    "; check the user and password (in the URL, ATTRIBUTION_DB_URL, PGPASSWORD "
                    "or ~/.pgpass)"
                )
            elif "timeout" in message.lower() or took >= 0.9 * float(timeout or 1e9):
                hint = (
                    f"; gave up after {took:.0f} s (connect_timeout={timeout}); check the host "
                    "and port, or raise connect_timeout in the URL"
                )
            raise SourceError(f"cannot connect to {self.description}: {message}{hint}") from None
        self._schema = schema
        if schema is not None:
            found = self._run(
                "SELECT schema_name FROM information_schema.schemata WHERE schema_name = "
                + _quote_literal(schema)
            )
            if found.height == 0:
                schemas = self._run(
                    "SELECT schema_name FROM information_schema.schemata "
                    "WHERE schema_name NOT LIKE 'pg\\_%' AND schema_name <> 'information_schema'"
                    " ORDER BY 1"
                )["schema_name"].to_list()
                self.close()
                raise SourceError(
                    f"{self.description} has no schema {schema!r}; it has: {', '.join(schemas)}"
                )
            self._run(f"SET search_path TO {quote_ident(schema)}")

    def _run(self, sql: str) -> pl.DataFrame:
        with self._con.cursor() as cur:
            cur.execute(sql)
            if cur.description is None:
                return pl.DataFrame()
            return _arrow_to_polars(cur.fetch_arrow_table())

    def _catalog(self) -> list[tuple[str, str]]:
        rows = self._run(  # tables, views and materialized views (a warehouse's favourite)
            "SELECT table_schema::text AS s, table_name::text AS t FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') "
            "UNION SELECT schemaname::text, matviewname::text FROM pg_matviews"
        )
        return list(rows.iter_rows())

    def _searched(self) -> list[str]:
        return self._run("SELECT unnest(current_schemas(false)) AS s")["s"].to_list()

    def _text_condition(self, column: str, lo: datetime | None, hi: datetime | None) -> str | None:
        # PostgreSQL has no cast that fails softly; compare the ISO date prefix as text and
        # keep every value that does not start with one
        iso = f"{column} LIKE '____-__-__%'"
        return f"NOT ({iso}) OR ({_prefix_between(f'left({column}, 10)', lo, hi)})"

    def close(self) -> None:
        """Close the connection."""
        self._con.close()


# ---------------------------------------------------------------------------- SQLite
class SQLiteSource(SQLSource):
    """A SQLite database file, opened read-only through ADBC (Arrow-native, no row loops).

    SQLite types values, not columns. The driver infers each column's Arrow type from the
    values of its first batch, fails on a value of another type, and silently writes
    numbers into a text column with seven significant digits. So every value is read as
    text, as from a CSV file, with real numbers in a form that reads back exactly;
    validation converts them to the contract's types. A result arrives in one batch (an
    empty first stretch would otherwise type a column from nothing), and a column with no
    value at all comes back as the Null type.
    """

    kind: ClassVar[str] = "sqlite"

    def __init__(self, path: Path, url: str, *, schema: str | None = None) -> None:
        import adbc_driver_sqlite.dbapi as sqlite_adbc

        super().__init__(url)
        if schema not in (None, "main"):
            raise ParameterError(
                f"schema={schema!r}: a SQLite file has one schema, 'main'; leave schema unset"
            )
        if not path.is_file():
            raise SourceError(f"database file {path} does not exist (from {self.description})")
        try:
            self._con = sqlite_adbc.connect(f"file:{path}?mode=ro")
            self._catalog_cache = self._catalog()
        except Exception as exc:  # the driver raises its own error classes
            raise SourceError(f"cannot open SQLite file {path}: {scrub(str(exc), url)}") from None

    def _fetch(self, sql: str) -> pl.DataFrame:
        with self._con.cursor() as cur:
            cur.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": _ONE_BATCH})
            cur.execute(sql)
            frame = _arrow_to_polars(cur.fetch_arrow_table())
        empty = [c for c in frame.columns if frame[c].null_count() == frame.height]
        return frame.with_columns(pl.lit(None).alias(c) for c in empty) if empty else frame

    def _run(self, sql: str) -> pl.DataFrame:
        names = self._fetch(f"{_subquery(sql)} LIMIT 0").columns
        columns = [(f"{_ALIAS}.{quote_ident(n)}", quote_ident(n)) for n in names]
        as_text = ", ".join(  # the short form of a real number when it reads back exactly
            f"CASE WHEN typeof({c}) = 'real' AND CAST(CAST({c} AS TEXT) AS REAL) <> {c} "
            f"THEN printf('%!.17g', {c}) ELSE CAST({c} AS TEXT) END AS {alias}"
            for c, alias in columns
        )
        return self._fetch(f"SELECT {as_text} FROM ({_strip(sql)}) AS {_ALIAS}")

    def _catalog(self) -> list[tuple[str, str]]:
        rows = self._fetch("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
        return [("main", n) for n in rows["name"].to_list()]

    def _searched(self) -> list[str]:
        return ["main"]

    def _text_condition(self, column: str, lo: datetime | None, hi: datetime | None) -> str | None:
        # SQLite keeps timestamps as text: compare the ISO date prefix as text (cheap, and a
        # day's margin covers any offset); keep every value that does not start with one
        iso = f"{column} LIKE '____-__-__%'"
        return f"NOT ({iso}) OR ({_prefix_between(f'substr({column}, 1, 10)', lo, hi)})"

    def close(self) -> None:
        """Close the connection."""
        self._con.close()


# ---------------------------------------------------------------------------- DuckDB
class DuckDBSource(SQLSource):
    """A DuckDB database file, opened read-only; results arrive as Arrow."""

    kind: ClassVar[str] = "duckdb"

    def __init__(self, path: Path, url: str, *, schema: str | None = None) -> None:
        import duckdb

        super().__init__(url)
        if not path.is_file():
            raise SourceError(f"database file {path} does not exist (from {self.description})")
        try:
            self._con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            raise SourceError(f"cannot open DuckDB file {path}: {scrub(str(exc), url)}") from None
        if schema is not None:
            known = sorted({s for s, _ in self._tables()})
            if schema not in known:
                self.close()
                raise SourceError(
                    f"{self.description} has no schema {schema!r} holding tables; it has: "
                    + ", ".join(known)
                )
            self._con.execute(f"SET search_path = {_quote_literal(schema)}")

    def _run(self, sql: str) -> pl.DataFrame:
        return self._con.sql(sql).pl()

    def _catalog(self) -> list[tuple[str, str]]:
        rows = self._con.sql(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_catalog = current_database()"
        ).fetchall()
        return [(str(s), str(n)) for s, n in rows]

    def _searched(self) -> list[str]:
        return [str(self._con.sql("SELECT current_schema()").fetchall()[0][0])]

    def _text_condition(self, column: str, lo: datetime | None, hi: datetime | None) -> str | None:
        cast = f"TRY_CAST({column} AS TIMESTAMPTZ)"
        parts = []
        if lo is not None:
            parts.append(f"{cast} >= {self._aware(lo)}")
        if hi is not None:
            parts.append(f"{cast} <= {self._aware(hi)}")
        return f"{cast} IS NULL OR ({' AND '.join(parts)})"

    def close(self) -> None:
        """Close the connection."""
        self._con.close()
