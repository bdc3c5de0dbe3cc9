"""The spend behind the credits: read from the ``spend`` table, or summed from touch costs.

**How spend is matched to periods.** A return is measured over a window ``[start, end)``.
The revenue side is the credit of the touches that *happened* in the window (whenever
their deal closed); the spend side is the spend of the periods the window covers. A spend
row whose period lies partly in the window counts in proportion to the overlap (spend is
taken to be spread evenly over its period: half of a month's spend for half a month).
Without a ``spend`` table, the touches' ``cost`` is the spend, each touch's cost falling on
the moment it occurred.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from attribution._time import utc
from attribution.data.dataset import Dataset
from attribution.data.schema import (
    AMOUNT,
    CAMPAIGN,
    CHANNEL,
    COST,
    OCCURRED_AT,
    PERIOD_END,
    PERIOD_START,
)
from attribution.errors import ParameterError

__all__ = ["SPEND", "has_spend", "spend_in_window", "spend_table", "spend_window"]

SPEND = "spend"
"""Column of money spent, in the revenue currency."""

_COLUMNS = (CHANNEL, CAMPAIGN, PERIOD_START, PERIOD_END, AMOUNT)


def spend_table(dataset: Dataset) -> pl.DataFrame:
    """Return the dataset's spend: its ``spend`` table, else the touches' costs.

    Parameters
    ----------
    dataset
        A validated dataset.

    Returns
    -------
    polars.DataFrame
        ``channel, campaign, period_start, period_end, amount``; from touch costs, each
        touch with a positive cost is one row whose period is the moment it occurred
        (``period_end`` one microsecond later). Empty when there is neither.

    Examples
    --------
    >>> import attribution as at
    >>> spend_table(at.demo.generate(n_accounts=100, seed=1)).columns
    ['channel', 'campaign', 'period_start', 'period_end', 'amount']
    """
    if dataset.spend is not None:
        return dataset.spend.lazy().select(*_COLUMNS).collect()
    touches = dataset.lazy("touches")
    return (
        touches.filter(pl.col(COST).fill_null(0.0) > 0)
        .select(
            pl.col(CHANNEL),
            pl.col(CAMPAIGN),
            pl.col(OCCURRED_AT).alias(PERIOD_START),
            (pl.col(OCCURRED_AT) + pl.duration(microseconds=1)).alias(PERIOD_END),
            pl.col(COST).alias(AMOUNT),
        )
        .collect()
    )


def has_spend(dataset: Dataset) -> bool:
    """Whether the dataset says what anything cost (a spend table or positive touch costs)."""
    return spend_table(dataset).height > 0


def spend_window(spend: pl.DataFrame) -> tuple[datetime, datetime]:
    """Return the span of the spend table: its first period's start, its last period's end.

    Raises :class:`ParameterError` when the table is empty.
    """
    if spend.is_empty():
        raise ParameterError("there is no spend: add a spend table or touches.cost to the data")
    start, end = spend.select(pl.col(PERIOD_START).min(), pl.col(PERIOD_END).max()).row(0)
    return start, end


def spend_in_window(
    spend: pl.DataFrame, start: datetime, end: datetime, *, by: str = CHANNEL
) -> pl.DataFrame:
    """Spend per ``by`` value in ``[start, end)``, partial periods pro-rated by overlap.

    Parameters
    ----------
    spend
        A spend table (:func:`spend_table`).
    start, end
        The window (naive moments are UTC).
    by
        ``"channel"`` or ``"campaign"`` (rows without a campaign are left out).

    Returns
    -------
    polars.DataFrame
        ``<by>, spend``, one row per value with spend in the window, largest first.

    Examples
    --------
    >>> from datetime import datetime
    >>> s = pl.DataFrame({"channel": ["event"], "campaign": [None],
    ...     "period_start": [datetime(2025, 1, 1)], "period_end": [datetime(2025, 1, 11)],
    ...     "amount": [100.0]}).with_columns(pl.col("^period_.*$").dt.replace_time_zone("UTC"))
    >>> spend_in_window(s, datetime(2025, 1, 6), datetime(2025, 2, 1)).rows()
    [('event', 50.0)]
    """
    if by not in (CHANNEL, CAMPAIGN):
        raise ParameterError(f"by must be 'channel' or 'campaign', got {by!r}")
    start, end = utc(start), utc(end)
    if end <= start:
        raise ParameterError(f"the window must end after it starts; got {start} to {end}")
    lo = pl.max_horizontal(pl.col(PERIOD_START), pl.lit(start))
    hi = pl.min_horizontal(pl.col(PERIOD_END), pl.lit(end))
    length = (pl.col(PERIOD_END) - pl.col(PERIOD_START)).dt.total_microseconds()
    overlap = (hi - lo).dt.total_microseconds().clip(lower_bound=0)
    return (
        spend.lazy()
        .filter(pl.col(by).is_not_null())
        .with_columns((pl.col(AMOUNT) * overlap / length).alias(SPEND))
        .filter(pl.col(SPEND) > 0)
        .group_by(by)
        .agg(pl.col(SPEND).sum())
        .sort(SPEND, by, descending=[True, False])
        .collect()
    )
