"""The demo's spend table: what each channel and campaign cost, month by month.

The demo draws a cost per marketing touch (:data:`attribution.data.demo.catalog.COST`);
its ``spend`` table adds those costs up by channel, campaign and calendar month (UTC), so
the spend a report divides by is the same money the touches carry, only in the shape an
ad platform or a campaign cost export has.
"""

from __future__ import annotations

import polars as pl

from attribution.data.schema import (
    AMOUNT,
    CAMPAIGN,
    CHANNEL,
    COST,
    OCCURRED_AT,
    PERIOD_END,
    PERIOD_START,
)

__all__ = ["monthly_spend"]


def monthly_spend(touches: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Sum the touches' costs by channel, campaign and calendar month: a spend table.

    Parameters
    ----------
    touches
        Touches with ``channel``, ``campaign``, ``occurred_at`` and ``cost``.

    Returns
    -------
    polars.DataFrame
        ``channel, campaign, period_start, period_end, amount``: one row per channel,
        campaign and month with a positive cost; ``period_end`` is the next month's start.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> t = pl.DataFrame({"channel": ["event", "event", "email"],
    ...     "campaign": ["Summit", "Summit", None], "cost": [100.0, 60.0, 0.0],
    ...     "occurred_at": [datetime(2025, 1, d, tzinfo=timezone.utc) for d in (3, 20, 5)]})
    >>> monthly_spend(t).select("channel", "amount").rows()
    [('event', 160.0)]
    """
    month = pl.col(OCCURRED_AT).dt.truncate("1mo")
    return (
        touches.lazy()
        .filter(pl.col(COST).fill_null(0.0) > 0)
        .group_by(CHANNEL, CAMPAIGN, month.alias(PERIOD_START))
        .agg(pl.col(COST).sum().round(2).alias(AMOUNT))  # cents: the same on every run
        .with_columns(pl.col(PERIOD_START).dt.offset_by("1mo").alias(PERIOD_END))
        .select(CHANNEL, CAMPAIGN, PERIOD_START, PERIOD_END, AMOUNT)
        .sort(PERIOD_START, CHANNEL, CAMPAIGN, nulls_last=True)
        .collect()
    )
