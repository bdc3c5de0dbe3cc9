"""A SQLite database file (``sqlite:///path.db``), opened read-only through ADBC."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import ClassVar

import polars as pl

from attribution._secrets import scrub
from attribution.data.sources.sql import (
    ALIAS,
    SQLSource,
    arrow_to_polars,
    iso_prefix_condition,
    quote_ident,
    strip_sql,
    subquery,
)
from attribution.errors import ParameterError, SourceError

__all__ = ["SQLiteSource"]

_ONE_BATCH = "1000000000"  # rows per Arrow batch from SQLite: the whole result in one


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
            frame = arrow_to_polars(cur.fetch_arrow_table())
        empty = [c for c in frame.columns if frame[c].null_count() == frame.height]
        return frame.with_columns(pl.lit(None).alias(c) for c in empty) if empty else frame

    def _run(self, sql: str) -> pl.DataFrame:
        names = self._fetch(f"{subquery(sql)} LIMIT 0").columns
        columns = [(f"{ALIAS}.{quote_ident(n)}", quote_ident(n)) for n in names]
        as_text = ", ".join(  # the short form of a real number when it reads back exactly
            f"CASE WHEN typeof({c}) = 'real' AND CAST(CAST({c} AS TEXT) AS REAL) <> {c} "
            f"THEN printf('%!.17g', {c}) ELSE CAST({c} AS TEXT) END AS {alias}"
            for c, alias in columns
        )
        return self._fetch(f"SELECT {as_text} FROM ({strip_sql(sql)}) AS {ALIAS}")

    def _catalog(self) -> list[tuple[str, str]]:
        rows = self._fetch("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
        return [("main", n) for n in rows["name"].to_list()]

    def _searched(self) -> list[str]:
        return ["main"]

    def _text_condition(self, column: str, lo: datetime | None, hi: datetime | None) -> str | None:
        # SQLite keeps timestamps as text: compare the ISO date prefix as text (cheap, and a
        # day's margin covers any offset); keep every value that does not start with one
        return iso_prefix_condition(column, f"substr({column}, 1, 10)", lo, hi)

    def close(self) -> None:
        """Close the connection."""
        self._con.close()
