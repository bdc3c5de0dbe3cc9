"""A DuckDB database file (``duckdb:///path.duckdb``), opened read-only; results as Arrow."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import ClassVar

import polars as pl

from attribution._secrets import scrub
from attribution.data.sources.sql import SQLSource, aware_literal, conjunction, quote_literal
from attribution.errors import SourceError

__all__ = ["DuckDBSource"]


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
            self._con.execute(f"SET search_path = {quote_literal(schema)}")

    def _run(self, sql: str) -> pl.DataFrame:
        frame: pl.DataFrame = self._con.sql(sql).pl()
        return frame

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
        within = conjunction(
            f"{cast} >= {aware_literal(lo)}" if lo is not None else None,
            f"{cast} <= {aware_literal(hi)}" if hi is not None else None,
        )
        return f"{cast} IS NULL OR ({within})"

    def close(self) -> None:
        """Close the connection."""
        self._con.close()
