"""Two periods, or the segments of one, side by side, with the interval of each difference.

:func:`period_windows` turns a ``compare_to`` (``"previous"`` period of the same length,
``"last_year"``, or explicit dates) into two windows; :func:`compare_periods` sums a value
(credited revenue, created pipeline, deals...) per group in each window and says, from an
account bootstrap, how much the change could move: a change is **larger than its noise**
when its interval leaves out zero. :func:`compare_segments` does the same across the
values of an account or deal column (segment, region). Accounts are resampled jointly for
both periods, so an account active in both carries its own correlation.

A change in credited revenue says what happened, not why: a model's credit moves with the
mix of deals that closed, as well as with what each team did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import polars as pl

from attribution._intervals import DEFAULT_DRAWS, DEFAULT_LEVEL, check_draws, check_level
from attribution._time import utc
from attribution.data.schema import ACCOUNT_ID
from attribution.errors import ParameterError
from attribution.money.bootstrap import account_draws, interval
from attribution.results import Result

__all__ = [
    "CompareTo",
    "PeriodChange",
    "SegmentSplit",
    "Window",
    "compare_periods",
    "compare_segments",
    "period_windows",
]

CompareTo = Literal["previous", "last_year"]
Window = tuple[datetime, datetime]


@dataclass(frozen=True, kw_only=True, repr=False)
class PeriodChange(Result):
    """A value per group in two windows and its change (see the module docstring).

    ``table``: ``<by>, current, previous, change, change_low, change_high, relative,
    beyond_noise``; ``relative`` is ``change / previous`` (empty when ``previous`` is 0).
    """

    current: Window
    """The window compared, ``[start, end)``."""
    previous: Window
    """The window it is compared with."""


@dataclass(frozen=True, kw_only=True, repr=False)
class SegmentSplit(Result):
    """A value per segment and group, with its interval and share of the segment's total.

    ``table``: ``segment, <by>, value, low, high, share``.
    """


def _months(start: datetime, end: datetime) -> int:
    """Whole calendar months from ``start`` to ``end`` when both are month starts, else 0."""
    starts = all(m.day == 1 and m.time() == datetime.min.time() for m in (start, end))
    return (end.year - start.year) * 12 + end.month - start.month if starts else 0


def _minus_months(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 - months
    return moment.replace(year=index // 12, month=index % 12 + 1)


def _shift_year(moment: datetime) -> datetime:
    try:
        return moment.replace(year=moment.year - 1)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - 1, day=28)


def period_windows(
    start: datetime, end: datetime, compare_to: CompareTo | Window
) -> tuple[Window, Window]:
    """Return the window ``[start, end)`` and the one it is compared with.

    Parameters
    ----------
    start, end
        The current window (naive moments are UTC).
    compare_to
        ``"previous"``: the window of the same length just before (the same number of
        calendar months when the window is whole months); ``"last_year"``: the
        same dates a year earlier; or explicit ``(start, end)``.

    Examples
    --------
    >>> from datetime import datetime
    >>> cur, prev = period_windows(datetime(2026, 4, 1), datetime(2026, 7, 1), "previous")
    >>> prev[0].date(), prev[1].date()
    (datetime.date(2026, 1, 1), datetime.date(2026, 4, 1))
    >>> period_windows(datetime(2026, 4, 1), datetime(2026, 7, 1), "last_year")[1][0].year
    2025
    """
    start, end = utc(start), utc(end)
    if end <= start:
        raise ParameterError(f"the period must end after it starts; got {start} to {end}")
    if compare_to == "previous":
        months = _months(start, end)
        before = _minus_months(start, months) if months else start - (end - start)
        previous = (before, start)
    elif compare_to == "last_year":
        previous = (_shift_year(start), _shift_year(end))
    elif isinstance(compare_to, tuple) and len(compare_to) == 2:
        previous = (utc(compare_to[0]), utc(compare_to[1]))
        if previous[1] <= previous[0]:
            raise ParameterError(f"compare_to must end after it starts; got {compare_to}")
    else:
        raise ParameterError(
            f"compare_to must be 'previous', 'last_year' or a (start, end) pair; got {compare_to!r}"
        )
    return (start, end), previous


def _check(frame: pl.DataFrame, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ParameterError(
            f"the table to compare has no column(s) {', '.join(map(repr, missing))}; "
            f"it has: {', '.join(frame.columns)}"
        )


def compare_periods(
    frame: pl.DataFrame,
    *,
    by: str,
    date: str,
    current: Window,
    compare_to: CompareTo | Window = "previous",
    value: str = "revenue",
    account: str = ACCOUNT_ID,
    level: float = DEFAULT_LEVEL,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
) -> PeriodChange:
    """Sum ``value`` per ``by`` in two windows; the change with its interval.

    Parameters
    ----------
    frame
        Rows to sum, e.g. a model's credits (``by="channel"`` or ``"team"``,
        ``date="closed_at"``) or created-pipeline credits.
    by, date, value, account
        Group column, the timestamp that places a row in a window, the value summed and
        the account column resampled.
    current, compare_to
        The window and what to compare it with (:func:`period_windows`).
    level, draws, seed
        Coverage, bootstrap resamples and seed of the intervals of the change.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> t = lambda m: datetime(2025, m, 15, tzinfo=timezone.utc)
    >>> f = pl.DataFrame({"account_id": ["a", "b", "c", "d"], "team": ["sales"] * 4,
    ...     "closed_at": [t(1), t(2), t(4), t(5)], "revenue": [10.0, 10.0, 30.0, 30.0]})
    >>> r = compare_periods(f, by="team", date="closed_at",
    ...     current=(datetime(2025, 4, 1), datetime(2025, 7, 1)), draws=50)
    >>> r.table.select("current", "previous", "change").row(0)
    (60.0, 20.0, 40.0)
    """
    level, draws = check_level(level), check_draws(draws)
    _check(frame, (by, date, value, account))
    now, before = period_windows(*current, compare_to)
    rows = frame.select(
        pl.col(account),
        pl.col(by).cast(pl.String).fill_null("(none)"),
        _inside(pl.col(date), now, value).alias("current"),
        _inside(pl.col(date), before, value).alias("previous"),
    ).filter((pl.col("current") != 0) | (pl.col("previous") != 0))
    sums = rows.group_by(by).agg(pl.col("current", "previous").sum()).sort(by)
    groups = sums[by].to_list() or ["(none)"]
    if sums.is_empty():  # nothing in either window: one empty row keeps the columns
        sums = pl.DataFrame({by: groups, "current": [0.0], "previous": [0.0]})
    values = ("current", "previous")
    samples = account_draws(
        rows, account=account, group=by, groups=groups, values=values, draws=draws, seed=seed
    )
    table = _change_table(sums, *interval(samples[:, :, 0] - samples[:, :, 1], level), by)
    note = (
        f"{value} per {by} from {now[0]:%Y-%m-%d} to {now[1]:%Y-%m-%d} against "
        f"{before[0]:%Y-%m-%d} to {before[1]:%Y-%m-%d}; a change is beyond its noise when "
        f"its {level:.0%} interval (accounts resampled) leaves out zero. It says what "
        "changed, not why."
    )
    return PeriodChange(
        table=table, current=now, previous=before, note=note, level=level, draws=draws
    )


def _inside(moment: pl.Expr, window: Window, value: str) -> pl.Expr:
    """Keep the value of rows whose moment lies in ``[start, end)``; 0 elsewhere."""
    inside = moment.is_between(pl.lit(window[0]), pl.lit(window[1]), closed="left")
    return pl.when(inside).then(pl.col(value)).otherwise(0.0).cast(pl.Float64)


def _change_table(sums: pl.DataFrame, low: Any, high: Any, by: str) -> pl.DataFrame:
    """Add the change per group, its interval, relative size and whether it beats noise."""
    return (
        sums.with_columns(
            (pl.col("current") - pl.col("previous")).alias("change"),
            pl.Series("change_low", low),
            pl.Series("change_high", high),
        )
        .with_columns(
            pl.when(pl.col("previous") > 0)
            .then(pl.col("change") / pl.col("previous"))
            .alias("relative"),
            ((pl.col("change_low") > 0) | (pl.col("change_high") < 0)).alias("beyond_noise"),
        )
        .sort("current", by, descending=[True, False])
    )


def compare_segments(
    frame: pl.DataFrame,
    segments: pl.DataFrame,
    *,
    by: str,
    segment: str,
    value: str = "revenue",
    key: str = ACCOUNT_ID,
    account: str = ACCOUNT_ID,
    level: float = DEFAULT_LEVEL,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
) -> SegmentSplit:
    """Sum ``value`` per segment and ``by``, with intervals and each group's share.

    Parameters
    ----------
    frame
        Rows to sum (e.g. a model's credits).
    segments
        ``key`` and ``segment`` columns: the accounts (or deals) and their segment, region...
        Rows whose key has no segment count under ``"(unknown)"``.
    by, segment, value, key, account
        Group column, segment column, value summed, the column joining ``frame`` to
        ``segments`` and the account column resampled.
    level, draws, seed
        Coverage, bootstrap resamples and seed.

    Examples
    --------
    >>> f = pl.DataFrame({"account_id": ["a", "b"], "team": ["sales", "marketing"],
    ...     "revenue": [10.0, 30.0]})
    >>> s = pl.DataFrame({"account_id": ["a", "b"], "segment": ["SMB", "SMB"]})
    >>> compare_segments(f, s, by="team", segment="segment", draws=50).table["share"].to_list()
    [0.75, 0.25]
    """
    level, draws = check_level(level), check_draws(draws)
    _check(frame, (by, value, key, account))
    _check(segments, (key, segment))
    labels = segments.select(pl.col(key), pl.col(segment).cast(pl.String).alias("_segment"))
    rows = (
        frame.join(labels.unique(key), on=key, how="left")
        .with_columns(
            pl.col("_segment").fill_null("(unknown)"),
            pl.col(by).cast(pl.String).fill_null("(none)"),
        )
        .with_columns(pl.format("{}\u241f{}", "_segment", by).alias("_cell"))
    )
    sums = (
        rows.group_by("_segment", by, "_cell")
        .agg(pl.col(value).cast(pl.Float64).sum().alias("value"))
        .sort("_segment", by)
    )
    if sums.is_empty():
        schema = {
            segment: pl.String,
            by: pl.String,
            "value": pl.Float64,
            "low": pl.Float64,
            "high": pl.Float64,
            "share": pl.Float64,
        }
        return SegmentSplit(table=pl.DataFrame(schema=schema), note="Nothing to split.")
    samples = account_draws(
        rows,
        account=account,
        group="_cell",
        groups=sums["_cell"].to_list(),
        values=(value,),
        draws=draws,
        seed=seed,
    )
    low, high = interval(samples[:, :, 0], level)
    table = (
        sums.with_columns(pl.Series("low", low), pl.Series("high", high))
        .with_columns((pl.col("value") / pl.col("value").sum().over("_segment")).alias("share"))
        .select(pl.col("_segment").alias(segment), by, "value", "low", "high", "share")
        .sort(segment, "value", descending=[False, True])
    )
    note = (
        f"{value} per {segment} and {by}; {level:.0%} intervals resample accounts. A "
        "segment's split reflects the deals it closed as well as what each team did there."
    )
    return SegmentSplit(table=table, note=note, level=level, draws=draws)
