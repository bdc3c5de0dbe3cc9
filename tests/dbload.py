"""Write tables into test databases (PostgreSQL, SQLite, DuckDB) through Arrow, in bulk."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import adbc_driver_postgresql.dbapi as pg
import adbc_driver_sqlite.dbapi as sqlite_adbc
import duckdb
import polars as pl


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def execute(url: str, *statements: str) -> None:
    """Run statements on a PostgreSQL server."""
    with pg.connect(url, autocommit=True) as con, con.cursor() as cur:
        for sql in statements:
            cur.execute(sql)


def to_postgres(
    url: str, tables: Mapping[str, pl.DataFrame], *, schema: str, readers: tuple[str, ...] = ()
) -> None:
    """Create ``schema`` (replacing it) holding ``tables``; let ``readers`` select from it."""
    with pg.connect(url, autocommit=True) as con, con.cursor() as cur:
        cur.execute(f"DROP SCHEMA IF EXISTS {quote(schema)} CASCADE")
        cur.execute(f"CREATE SCHEMA {quote(schema)}")
        for name, frame in tables.items():
            cur.adbc_ingest(name, frame.to_arrow(), mode="create", db_schema_name=schema)
        for role in readers:
            cur.execute(f"GRANT USAGE ON SCHEMA {quote(schema)} TO {quote(role)}")
            cur.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {quote(schema)} TO {quote(role)}")


def iso_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Timestamps as ISO 8601 text with a colon offset, as SQLite keeps them."""
    return frame.with_columns(pl.selectors.datetime().dt.strftime("%Y-%m-%dT%H:%M:%S%.6f%:z"))


def to_sqlite(path: Path, tables: Mapping[str, pl.DataFrame]) -> Path:
    """A SQLite file holding ``tables`` (timestamps as ISO text: SQLite has no such type)."""
    with sqlite_adbc.connect(str(path)) as con, con.cursor() as cur:
        for name, frame in tables.items():
            cur.adbc_ingest(name, iso_text(frame).to_arrow(), mode="create")
        con.commit()
    return path


def to_duckdb(path: Path, tables: Mapping[str, pl.DataFrame]) -> Path:
    """A DuckDB file holding ``tables`` with their types."""
    with duckdb.connect(str(path)) as con:
        for name, frame in tables.items():
            con.register("frame", frame.to_arrow())
            con.execute(f"CREATE TABLE {quote(name)} AS SELECT * FROM frame")
            con.unregister("frame")
    return path
