"""Sourced vs influenced: the pipeline and revenue each channel started and took part in.

*Sourced* credits each opportunity to the first touch of its journey window; *influenced*
credits it to every channel with a touch in the window. Both sit side by side in one table
so marketing and sales read the same figures.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import polars as pl

from attribution._time import DEFAULT_LOOKBACK_DAYS
from attribution.data.dataset import Dataset, Frame
from attribution.data.schema import AMOUNT, CAMPAIGN, CHANNEL, OPPORTUNITY_ID, TEAM
from attribution.errors import ParameterError
from attribution.journey.build import journeys as build_journeys
from attribution.journey.columns import POSITION, STATUS

__all__ = ["sourced_influenced"]

_COUNTS = ("opportunities", "won")
_AMOUNTS = ("pipeline", "revenue")
_SIDES = ("sourced", "influenced")


def sourced_influenced(
    dataset: Dataset,
    *,
    by: Literal["channel", "campaign"] = "channel",
    lookback_days: float = DEFAULT_LOOKBACK_DAYS,
    as_of: datetime | None = None,
    journeys: Frame | None = None,
) -> pl.DataFrame:
    """Pipeline and revenue each channel sourced (first touch) and influenced (any touch).

    *Sourced* credits each opportunity to the first touch of its journey window;
    *influenced* credits it to every channel with a touch in the window (so influenced
    figures add up to more than the total). Opportunities without a touch appear as
    ``(no touch)``, so the sourced columns add up to the totals.

    Parameters
    ----------
    dataset
        A validated dataset.
    by
        ``channel`` or ``campaign``.
    lookback_days, as_of, journeys
        The journey window (see :func:`attribution.journeys`), or journeys already built.

    Returns
    -------
    polars.DataFrame
        One row per team and channel: ``sourced_opportunities``, ``sourced_pipeline``
        (amount of all its opportunities), ``sourced_won``, ``sourced_revenue`` and the
        same four ``influenced_*`` columns, plus ``sourced_revenue_share`` and
        ``influenced_revenue_share`` of all won revenue; sorted by influenced revenue.

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=500, seed=1)
    >>> t = at.sourced_influenced(ds)
    >>> t["sourced_opportunities"].sum() == ds.opportunities.height
    True
    """
    if by not in (CHANNEL, CAMPAIGN):
        raise ParameterError(f"sourced_influenced: by must be 'channel' or 'campaign'; got {by!r}")
    j = (
        journeys.lazy()
        if journeys is not None
        else build_journeys(dataset, lookback_days=lookback_days, as_of=as_of, lazy=True)
    )
    rows = _deal_rows(j, by)
    firsts = rows.filter(pl.col(POSITION) <= 1)
    sourced = _tally(firsts, by, "sourced")
    influenced = _tally(
        rows.filter(pl.col(POSITION) >= 1).unique([OPPORTUNITY_ID, TEAM, by]), by, "influenced"
    )
    total = firsts.select(pl.col("_amount").filter(pl.col("_won")).sum()).collect().item()
    return _side_by_side(sourced, influenced, by, total).collect()


def _deal_rows(journeys: pl.LazyFrame, by: str) -> pl.LazyFrame:
    """Each journey row's deal, team, channel (``(no touch)`` for untouched deals), outcome."""
    label = pl.col(by).fill_null("(none)")
    return journeys.select(
        OPPORTUNITY_ID,
        pl.col(TEAM),
        pl.when(pl.col(POSITION) == 0).then(pl.lit("(no touch)")).otherwise(label).alias(by),
        POSITION,
        (pl.col(STATUS) == "won").alias("_won"),
        pl.col(AMOUNT).fill_null(0.0).alias("_amount"),
    )


def _tally(frame: pl.LazyFrame, by: str, prefix: str) -> pl.LazyFrame:
    """Opportunities, pipeline, won deals and revenue per team and ``by``, named by side."""
    return frame.group_by(TEAM, by).agg(
        pl.len().cast(pl.Int64).alias(f"{prefix}_opportunities"),
        pl.col("_amount").sum().alias(f"{prefix}_pipeline"),
        pl.col("_won").sum().cast(pl.Int64).alias(f"{prefix}_won"),
        pl.col("_amount").filter(pl.col("_won")).sum().alias(f"{prefix}_revenue"),
    )


def _side_by_side(
    sourced: pl.LazyFrame, influenced: pl.LazyFrame, by: str, total: float
) -> pl.LazyFrame:
    """Join both sides (0 where a side has no row), add revenue shares, sort by revenue."""

    def share(side: str) -> pl.Expr:
        value = pl.col(f"{side}_revenue") / total if total else pl.lit(None, pl.Float64)
        return value.alias(f"{side}_revenue_share")

    return (
        sourced.join(influenced, on=[TEAM, by], how="full", coalesce=True, nulls_equal=True)
        .with_columns(
            pl.col(f"{side}_{what}" for side in _SIDES for what in _COUNTS).fill_null(0),
            pl.col(f"{side}_{what}" for side in _SIDES for what in _AMOUNTS).fill_null(0.0),
        )
        .with_columns(share(side) for side in _SIDES)
        .sort(
            ["influenced_revenue", "sourced_revenue", TEAM, by],
            descending=[True, True, False, False],
            nulls_last=True,
        )
    )
