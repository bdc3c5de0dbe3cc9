"""Calendar periods of targets (month, quarter, year, UTC): their bounds and labels.

The period of a target is the calendar period holding its due date, cut at the end of the
due day; earlier periods of the same length give the trend and the history.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from attribution.errors import ParameterError

__all__ = ["period_bounds", "period_label"]

_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def _start_of(day: date, period: str) -> date:
    if period == "year":
        return date(day.year, 1, 1)
    if period == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, day.month, 1)


def _shift(start: date, period: str, by: int) -> date:
    """Return the first day of the period ``by`` periods after (or before) ``start``'s."""
    index = start.year * 12 + start.month - 1 + by * _MONTHS[period]
    return date(index // 12, index % 12 + 1, 1)


def period_label(start: date, period: str) -> str:
    """Label a period by its first day: ``2026-06``, ``2026-Q2`` or ``2026``.

    Examples
    --------
    >>> period_label(date(2026, 4, 1), "quarter")
    '2026-Q2'
    """
    if period == "year":
        return str(start.year)
    if period == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def period_bounds(due: date, period: str, *, back: int = 0) -> list[tuple[datetime, datetime]]:
    """Return the period of a target and ``back`` earlier ones as ``(start, end)``.

    The target's own period is the calendar period holding ``due``, cut at the end of the
    due day (its end is exclusive); earlier periods are whole calendar periods. Oldest
    first. ``period`` is ``month``, ``quarter`` or ``year``.

    Examples
    --------
    >>> [(s.date().isoformat(), e.date().isoformat())
    ...  for s, e in period_bounds(date(2026, 5, 15), "month", back=1)]
    [('2026-04-01', '2026-05-01'), ('2026-05-01', '2026-05-16')]
    """
    if period not in _MONTHS:
        raise ParameterError(f"period must be one of {', '.join(_MONTHS)}; got {period!r}")
    start = _start_of(due, period)
    end = min(_shift(start, period, 1), due + timedelta(days=1))
    out = [(_midnight(start), _midnight(end))]
    for _ in range(back):
        earlier = _shift(start, period, -1)
        out.append((_midnight(earlier), _midnight(start)))
        start = earlier
    return out[::-1]
