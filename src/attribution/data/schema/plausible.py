"""Plausible values: timestamps inside a believable range, money below an absurd amount.

Values can be well-typed and still impossible: a touch dated 1900 (a placeholder date) or
2200 (a typo) would move the data's latest moment, and with it ``as_of``, to 2200 and mark
every open deal stale; an amount of 1e300 passes as a float and then breaks every sum. These
rules make such values problems, named with their table, column and rows like any other:

* every timestamp column must lie between :attr:`Plausible.earliest` (default 1990-01-01)
  and the moment the data is checked plus :attr:`Plausible.future_days` (default 366: a
  meeting planned for next month is fine);
* money (``amount``, ``cost``) must stay below :data:`MAX_MONEY` (1e15, a thousand
  trillion: no deal or campaign comes near it).

Examples
--------
>>> from datetime import UTC, datetime
>>> p = Plausible(earliest=datetime(2000, 1, 1, tzinfo=UTC), future_days=30)
>>> p.latest(datetime(2026, 1, 1, tzinfo=UTC)).date()
datetime.date(2026, 1, 31)
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import polars as pl

from attribution.data.schema.contract import AMOUNT, COST, Table
from attribution.errors import ParameterError

__all__ = ["EARLIEST", "FUTURE_DAYS", "MAX_MONEY", "Plausible"]

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
"""Timestamps before this are placeholders or typos (no CRM data is that old)."""
FUTURE_DAYS = 366.0
"""Days after the moment of checking that a timestamp may still lie (planned activity)."""
MAX_MONEY = 1e15
"""Amounts and costs at or above this are problems."""


@dataclass(frozen=True)
class Plausible:
    """The range of believable timestamps (configurable) and the money ceiling.

    Attributes
    ----------
    earliest
        The earliest believable timestamp (UTC; a naive value is read as UTC).
    future_days
        How many days after the moment of checking a timestamp may lie.
    now
        The moment of checking (default: the wall clock when the check is planned).
    """

    earliest: datetime = EARLIEST
    future_days: float = FUTURE_DAYS
    now: datetime | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.future_days < 0:
            raise ParameterError(f"future_days must be at least 0, got {self.future_days!r}")
        if self.earliest.tzinfo is None:
            object.__setattr__(self, "earliest", self.earliest.replace(tzinfo=UTC))

    def latest(self, now: datetime | None = None) -> datetime:
        """Return the latest believable timestamp: ``now`` (or the clock) plus the margin."""
        moment = now or self.now or datetime.now(UTC)
        return moment + timedelta(days=self.future_days)

    def rules(self, table: Table, converted: Collection[str]) -> list[tuple[str, str, pl.Expr]]:
        """Return ``(column, message, mask)`` for the plausibility rules of ``table``.

        Only columns in ``converted`` (present and read cleanly) are checked.

        Examples
        --------
        >>> from attribution.data.schema.contract import TABLES
        >>> [c for c, _, _ in Plausible().rules(TABLES["opportunities"], ["created_at", "amount"])]
        ['created_at', 'amount']
        """
        latest = self.latest()
        found = []
        for spec in table.columns:
            if spec.name not in converted:
                continue
            value = pl.col(spec.name)
            if isinstance(spec.dtype, pl.Datetime):
                message = (
                    f"timestamps outside the plausible range {self.earliest:%Y-%m-%d} to "
                    f"{latest:%Y-%m-%d} (placeholder dates or typos? the range is "
                    "source.earliest and source.future_days in a params file, plausible= in "
                    "attribution.load)"
                )
                bounds = (pl.lit(self.earliest), pl.lit(latest))
                outside = (value < bounds[0]) | (value > bounds[1])
                found.append((spec.name, message, value.is_not_null() & outside))
            elif spec.name in (AMOUNT, COST):
                message = f"implausibly large amounts (at least {MAX_MONEY:,.0f})"
                huge = value.is_not_null() & value.is_finite() & (value >= MAX_MONEY)
                found.append((spec.name, message, huge))
        return found
