"""Time, defined once: units, the moment data is seen at, and the default journey window.

Every timestamp of the contract is ``Datetime("us", "UTC")``. A moment given by a caller
(``as_of``, a period bound) is read the same way everywhere: a naive ``datetime`` is UTC,
an aware one is converted to UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

import polars as pl

__all__ = [
    "DEFAULT_LOOKBACK_DAYS",
    "MICROS_PER_DAY",
    "MICROS_PER_HOUR",
    "as_of",
    "days_between",
    "duration_days",
    "hours_between",
    "utc",
]

MICROS_PER_HOUR = 3_600_000_000
"""Microseconds in an hour (polars durations and timestamps count microseconds)."""
MICROS_PER_DAY = 86_400_000_000
"""Microseconds in a day."""
DEFAULT_LOOKBACK_DAYS = 180.0
"""Days before an opportunity's creation that its journey window starts, by default."""


class _HasAsOf(Protocol):
    @property
    def as_of(self) -> datetime: ...


def utc(moment: datetime) -> datetime:
    """Return ``moment`` in UTC: a naive value is read as UTC, an aware one converted.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> utc(datetime(2026, 3, 1, 12))
    datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.timezone.utc)
    >>> utc(datetime(2026, 3, 1, 12, tzinfo=timezone(timedelta(hours=2)))).hour
    10
    """
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def as_of(dataset: _HasAsOf, moment: datetime | None = None) -> datetime:
    """Return the moment data is seen at: ``moment`` in UTC, else the latest in the data.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> ds = SimpleNamespace(as_of=datetime(2026, 6, 30, tzinfo=UTC))
    >>> as_of(ds).date(), as_of(ds, datetime(2026, 1, 1)).date()
    (datetime.date(2026, 6, 30), datetime.date(2026, 1, 1))
    """
    return dataset.as_of if moment is None else utc(moment)


def days_between(later: str | pl.Expr, earlier: str | pl.Expr) -> pl.Expr:
    """Return the days from ``earlier`` to ``later`` (timestamp columns or expressions).

    Examples
    --------
    >>> from datetime import datetime
    >>> df = pl.DataFrame({"a": [datetime(2026, 1, 1)], "b": [datetime(2026, 1, 2, 12)]})
    >>> df.select(days_between("b", "a")).item()
    1.5
    """
    return _between(later, earlier) / MICROS_PER_DAY


def hours_between(later: str | pl.Expr, earlier: str | pl.Expr) -> pl.Expr:
    """Return the hours from ``earlier`` to ``later`` (timestamp columns or expressions).

    Examples
    --------
    >>> from datetime import datetime
    >>> df = pl.DataFrame({"a": [datetime(2026, 1, 1)], "b": [datetime(2026, 1, 1, 1, 30)]})
    >>> df.select(hours_between("b", "a")).item()
    1.5
    """
    return _between(later, earlier) / MICROS_PER_HOUR


def duration_days(days: float) -> pl.Expr:
    """Return a polars duration of ``days`` days (fractions kept to the microsecond).

    Examples
    --------
    >>> from datetime import datetime
    >>> pl.select(pl.lit(datetime(2026, 1, 1)) + duration_days(0.5)).item()
    datetime.datetime(2026, 1, 1, 12, 0)
    """
    return pl.duration(microseconds=round(days * MICROS_PER_DAY))


def _between(later: str | pl.Expr, earlier: str | pl.Expr) -> pl.Expr:
    a = pl.col(later) if isinstance(later, str) else later
    b = pl.col(earlier) if isinstance(earlier, str) else earlier
    return (a - b).dt.total_microseconds()
