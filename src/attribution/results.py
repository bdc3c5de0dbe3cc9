"""The one vocabulary of results: every answer is a table, with what it means beside it.

Every result object of the package (a model comparison, a Markov chain, a statsmodels
estimate...) is a :class:`Result`:

* ``table``: the answer, a polars DataFrame;
* ``note``: what the answer means and what it cannot show, in a sentence or two;
* ``level`` and ``draws``: how its intervals were made (coverage, resamples or simulation
  draws); ``None`` and 0 when it has none;
* ``to_frame()``: the table, and a readable ``repr`` (in a terminal and in Jupyter): a
  short head of the table and the note.

Estimates add the fitted model, its diagnostics and whether the data could support them
(:class:`attribution.estimates.result.Estimate`). Subclasses are frozen keyword-only
dataclasses declared with ``repr=False``, so the readable ``repr`` here is the one shown.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import polars as pl

__all__ = ["Result"]

_HEAD = 8


@dataclass(frozen=True, kw_only=True, repr=False)
class Result:
    """A table that answers a question, with its meaning and its intervals.

    Examples
    --------
    >>> r = Result(table=pl.DataFrame({"team": ["sales"], "revenue": [10.0]}), note="Credits.")
    >>> r.to_frame().shape
    (1, 2)
    >>> print(repr(r).splitlines()[0])
    Result: 1 row, 2 columns
    >>> "&lt;script&gt;" in Result(table=pl.DataFrame({"a": ["<script>"]}))._repr_html_()
    True
    """

    table: pl.DataFrame
    """The answer: one row per group, level or component (see each result's docs)."""
    note: str = ""
    """What the table means and what it cannot show."""
    level: float | None = None
    """Coverage of the table's intervals (0.9: 90%); ``None`` without intervals."""
    draws: int = 0
    """Resamples or simulation draws behind the intervals (0 without intervals)."""

    def to_frame(self) -> pl.DataFrame:
        """Return the result's table."""
        return self.table

    def headline(self) -> str:
        """Return one line that says what this result is: its kind, size and intervals."""
        rows, cols = self.table.shape
        text = (
            f"{type(self).__name__}: {rows:,} row{'s' if rows != 1 else ''}, "
            f"{cols} column{'s' if cols != 1 else ''}"
        )
        if self.level is not None and self.draws:
            text += f" ({self.level:.0%} intervals from {self.draws:,} draws)"
        return text

    def _more(self) -> str:
        """Say where the rest of the table is, when the repr shows only its head."""
        rows = self.table.height
        return f"(first {_HEAD} of {rows:,} rows; all in .table)" if rows > _HEAD else ""

    def __repr__(self) -> str:
        parts = [self.headline()]
        with pl.Config(tbl_rows=_HEAD, fmt_str_lengths=40):
            parts.append(repr(self.table.head(_HEAD)))
        parts += [p for p in (self._more(), self.note) if p]
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        with pl.Config(tbl_rows=_HEAD, fmt_str_lengths=80):
            table = self.table.head(_HEAD)._repr_html_()
        more = f"<p><small>{html.escape(self._more())}</small></p>" if self._more() else ""
        note = f"<p>{html.escape(self.note)}</p>" if self.note else ""
        return f"<p><b>{html.escape(self.headline())}</b></p>{table}{more}{note}"
