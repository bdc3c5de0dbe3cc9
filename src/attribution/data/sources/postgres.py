"""PostgreSQL through ADBC: libpq's binary ``COPY``, straight into Arrow.

``postgresql://user[:password]@host[:port]/database[?sslmode=...]``. A password not in the
URL comes from the driver's usual places: ``PGPASSWORD``, ``~/.pgpass``; the other ``PG*``
variables (``PGHOST``, ``PGUSER``...) work too. A connection gives up after
``connect_timeout`` seconds (default 10; set it in the URL to change it).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import polars as pl

from attribution._secrets import scrub
from attribution.data.sources.sql import (
    SQLSource,
    arrow_to_polars,
    iso_prefix_condition,
    quote_ident,
    quote_literal,
)
from attribution.errors import SourceError

__all__ = ["CONNECT_TIMEOUT_S", "PostgresSource", "libpq_uri"]

CONNECT_TIMEOUT_S = 10
"""Seconds a PostgreSQL connection attempt may take before it fails (libpq's connect_timeout)."""


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
    # percent-encoding only: libpq does not read "+" as a space (a password may hold one)
    return urlunsplit(parts._replace(scheme="postgresql", query=urlencode(query, quote_via=quote)))


def _driver_message(exc: Exception) -> str:
    text = str(exc).strip()
    for prefix in ("IO: [libpq] Failed to connect: ", "IO: [libpq] ", "IO: "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return " ".join(text.split())


def _connect_hint(message: str, took: float, timeout: str) -> str:
    """Say what to check after a failed connection: the login, or the host and timeout."""
    if "password" in message.lower() or "authentication" in message.lower():
        return (
            "; check the user and password (in the URL, ATTRIBUTION_DB_URL, PGPASSWORD "
            "or ~/.pgpass)"
        )
    if "timeout" in message.lower() or took >= 0.9 * float(timeout or 1e9):
        return (
            f"; gave up after {took:.0f} s (connect_timeout={timeout}); check the host "
            "and port, or raise connect_timeout in the URL"
        )
    return ""


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
        super().__init__(url)
        self._con = self._connect(url)
        self._schema = schema
        if schema is not None:
            self._use_schema(schema)

    def _connect(self, url: str) -> Any:
        """Open the connection; a failure becomes a SourceError saying what to check."""
        import adbc_driver_postgresql.dbapi as pg

        uri = libpq_uri(url)
        timeout = dict(parse_qsl(urlsplit(uri).query)).get("connect_timeout", "")
        start = time.perf_counter()
        try:
            return pg.connect(uri, autocommit=True)
        except Exception as exc:  # the driver raises its own error classes
            took = time.perf_counter() - start
            message = scrub(_driver_message(exc), url)
            hint = _connect_hint(message, took, timeout)
            raise SourceError(f"cannot connect to {self.description}: {message}{hint}") from None

    def _use_schema(self, schema: str) -> None:
        """Look plain table names up in ``schema``; close and raise if it does not exist."""
        found = self._run(
            "SELECT schema_name FROM information_schema.schemata WHERE schema_name = "
            + quote_literal(schema)
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
            return arrow_to_polars(cur.fetch_arrow_table())

    def _catalog(self) -> list[tuple[str, str]]:
        rows = self._run(  # tables, views and materialized views (a warehouse's favourite)
            "SELECT table_schema::text AS s, table_name::text AS t FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') "
            "UNION SELECT schemaname::text, matviewname::text FROM pg_matviews"
        )
        return list(rows.iter_rows())

    def _searched(self) -> list[str]:
        searched: list[str] = self._run("SELECT unnest(current_schemas(false)) AS s")["s"].to_list()
        return searched

    def _text_condition(self, column: str, lo: datetime | None, hi: datetime | None) -> str | None:
        # PostgreSQL has no cast that fails softly; compare the ISO date prefix as text and
        # keep every value that does not start with one
        return iso_prefix_condition(column, f"left({column}, 10)", lo, hi)

    def close(self) -> None:
        """Close the connection."""
        self._con.close()
