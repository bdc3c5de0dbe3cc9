"""Problems: one broken rule each, and the one error that lists them all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import polars as pl

from attribution.errors import DataError, SchemaError

__all__ = ["MAX_EXAMPLES", "ROW", "Problem", "raise_problems"]

MAX_EXAMPLES = 5
"""Example rows shown per problem."""
ROW = "__row__"
"""Column holding each row's position in the source table (for examples)."""


@dataclass(frozen=True)
class Problem:
    """One broken rule: where, what, how many rows, and a few example rows.

    Examples
    --------
    >>> print(Problem("touches", "team", "unknown team", 2).render())
    touches.team: unknown team (2 rows)
    """

    table: str
    column: str | None
    message: str
    count: int
    examples: pl.DataFrame | None = None
    kind: Literal["schema", "data"] = "data"

    @property
    def where(self) -> str:
        """``table.column`` (or just ``table``)."""
        return f"{self.table}.{self.column}" if self.column else self.table

    def render(self) -> str:
        """Return the problem as a few readable lines."""
        rows = "row" if self.count == 1 else "rows"
        head = f"{self.where}: {self.message}"
        if self.count:
            head += f" ({self.count:,} {rows})"
        lines = [head]
        if self.examples is not None and self.examples.height:
            for rec in self.examples.head(MAX_EXAMPLES).iter_rows(named=True):
                row = rec.pop(ROW, None)
                fields = ", ".join(f"{k}={_fmt(v)}" for k, v in rec.items())
                lines.append(
                    f"      e.g. row {row + 1}: {fields}"
                    if row is not None
                    else f"      e.g. {fields}"
                )
        return "\n".join(lines)


def _fmt(value: object) -> str:
    if value is None:
        return "<empty>"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    return str(value)


def raise_problems(problems: Sequence[Problem], *, source: str = "") -> None:
    """Raise one error listing every problem; do nothing when the list is empty.

    The error is a :class:`~attribution.errors.SchemaError` when any problem is about the
    shape of the data (a missing table or column, an unreadable type), else a
    :class:`~attribution.errors.DataError`.

    Examples
    --------
    >>> raise_problems([])
    >>> raise_problems([Problem("touches", None, "required table is missing", 0, kind="schema")])
    Traceback (most recent call last):
    ...
    attribution.errors.SchemaError: 1 problem found; nothing was loaded:
      1. touches: required table is missing
    """
    if not problems:
        return
    kind = SchemaError if any(p.kind == "schema" for p in problems) else DataError
    where = f" in {source}" if source else ""
    n = len(problems)
    header = f"{n} problem{'s' if n != 1 else ''} found{where}; nothing was loaded:"
    body = "\n".join(f"  {i}. {p.render()}" for i, p in enumerate(problems, 1))
    raise kind(f"{header}\n{body}", problems)
