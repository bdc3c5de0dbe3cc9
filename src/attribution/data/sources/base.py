"""The :class:`Source` interface: where raw tables are read from, and what is pushed down.

A source is a folder of files (:class:`attribution.data.load.FolderSource`) or a database
(:mod:`attribution.data.sources`). Every source can list its tables, describe a
table's columns without reading its rows, read a table, and run a query. A
:class:`TimeRange` passed to :meth:`Source.table` or :meth:`Source.query` lets a database send
the condition with the query, so that only the rows of the requested period travel; the range
is a hint that may return *more* rows (never fewer), and the caller applies the exact filter
afterwards.

Database sources record every statement they send in :attr:`Source.log` (SQL text and rows
fetched, never credentials), which is how tests prove that a filter was pushed down.
Passwords are masked by :mod:`attribution._secrets`, the package's one credential policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from attribution.data.sources.options import ReadOptions

__all__ = ["Fetch", "Source", "TimeRange"]


@dataclass(frozen=True)
class TimeRange:
    """Rows whose ``column`` may lie in ``[lo, hi]`` (UTC); either bound may be open.

    A source uses it to fetch fewer rows; it may return more (for example when the column
    holds text it cannot compare safely), never fewer. ``keep_null`` keeps rows where the
    column is empty (so that validation can report a missing required value).
    """

    column: str
    lo: datetime | None = None
    hi: datetime | None = None
    keep_null: bool = False

    def on(self, column: str) -> TimeRange:
        """Return the same range on another column (the source's name for a contract column)."""
        return TimeRange(column, self.lo, self.hi, self.keep_null)


@dataclass(frozen=True)
class Fetch:
    """One statement a database source sent, and how many rows came back."""

    sql: str
    rows: int
    seconds: float


class Source:
    """A place tables are read from: a folder of files or a database.

    Subclasses implement :meth:`names`, :meth:`table` and :meth:`query`; :meth:`has` and
    :meth:`schema` have generic defaults. ``description`` is safe to print (passwords
    masked); ``log`` lists the statements a database source sent.
    """

    description: str = "<source>"

    def __init__(self) -> None:
        self.log: list[Fetch] = []
        """Statements sent to the source (SQL text, rows fetched, seconds), oldest first."""
        self.notes: list[str] = []
        """How files were read where it was not as plain as it looks (a detected separator)."""

    def names(self) -> list[str]:
        """Names of the tables (or file stems) the source holds."""
        raise NotImplementedError

    def has(self, name: str) -> bool:
        """Whether the source holds table ``name``."""
        return name in self.names()

    def label(self, name: str) -> str:
        """How table ``name`` is named in messages (a folder names its file)."""
        return name

    def schema(
        self,
        name: str | None = None,
        *,
        sql: str | None = None,
        options: ReadOptions | None = None,
    ) -> pl.Schema:
        """Column names and types of table ``name`` (or of query ``sql``), without its rows."""
        frame = (
            self.table(name, options=options)
            if name is not None
            else self.query(sql or "", options=options)
        )
        return frame.collect_schema()

    def table(
        self, name: str, *, where: TimeRange | None = None, options: ReadOptions | None = None
    ) -> pl.LazyFrame:
        """Read one table, lazily where the format allows; ``where`` may narrow the read.

        ``options`` say how files are read (CSV) and which text columns are dates.
        """
        raise NotImplementedError

    def query(
        self, sql: str, *, where: TimeRange | None = None, options: ReadOptions | None = None
    ) -> pl.LazyFrame:
        """Run a SQL query against the source; ``where`` may narrow what it returns."""
        raise NotImplementedError

    def close(self) -> None:
        """Release connections (no-op for files)."""

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
