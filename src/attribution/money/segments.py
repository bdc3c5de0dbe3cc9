"""The segments of a run side by side: one row per value of an account or opportunity column.

:func:`segment_summary` answers, for each value of ``by`` (segment, region, owner...):
how many accounts, opportunities and won deals it has, its won revenue, its win rate (won
of closed deals, with a Wilson interval), how one model splits its credited revenue
between the teams, and its top channel. Every number comes from the **whole data's**
journeys and one model's credits on them, so the segments' revenues and won deals add up to
the whole run's, exactly. (A segment's own pages fit data-driven models on its deals alone,
so their credits can differ from its row here; rule models give the same.)

The rows are descriptions, not comparisons of cause: a segment that wins more may differ in
many ways besides its touches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import polars as pl

from attribution._intervals import DEFAULT_LEVEL, check_level
from attribution.data.dataset import Dataset
from attribution.data.schema import (
    CHANNEL,
    CLOSED_AT,
    IS_WON,
    MARKETING,
    OPPORTUNITY_ID,
    SALES,
    TEAM,
)
from attribution.journey.build import journeys
from attribution.journey.subsets import NO_VALUE, segment_attribute, segment_values
from attribution.models.credits import NO_TOUCH, REVENUE
from attribution.models.registry import attribute
from attribution.results import Result

__all__ = ["SegmentSummary", "segment_summary"]

_COLUMNS = (
    "value",
    "accounts",
    "opportunities",
    "won",
    "closed",
    "revenue",
    "win_rate",
    "win_rate_low",
    "win_rate_high",
    "marketing_share",
    "sales_share",
    "no_touch_share",
    "top_channel",
)


@dataclass(frozen=True, kw_only=True, repr=False)
class SegmentSummary(Result):
    """Each value of a column with its deals, revenue, win rate, team split and top channel.

    ``table``: ``value, accounts, opportunities, won, closed, revenue, win_rate,
    win_rate_low, win_rate_high, marketing_share, sales_share, no_touch_share,
    top_channel`` (shares of the value's credited revenue). ``channels``: ``value, channel,
    revenue``, the credited revenue of every channel in each value.
    """

    by: str
    """The column the values come from."""
    model: str
    """The model whose credits give the team split and the channels."""
    channels: pl.DataFrame
    """Credited revenue per value and channel."""


def _wilson(won: np.ndarray, closed: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    from statsmodels.stats.proportion import proportion_confint

    safe = np.where(closed > 0, closed, 1.0)
    low, high = proportion_confint(won, safe, alpha=1 - level, method="wilson")
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)


def _deals(j: pl.DataFrame, name: str) -> pl.DataFrame:
    """One row per deal of the journeys: its value, whether it closed and whether it won."""
    return (
        j.lazy()
        .filter(pl.col(OPPORTUNITY_ID).is_first_distinct())
        .group_by(pl.col(name).cast(pl.String).fill_null(NO_VALUE).alias("value"))
        .agg(
            pl.col(CLOSED_AT).is_not_null().sum().cast(pl.Int64).alias("closed"),
            (pl.col(IS_WON) & pl.col(CLOSED_AT).is_not_null()).sum().cast(pl.Int64).alias("won"),
        )
        .collect()
    )


def _team_split(credits: pl.DataFrame) -> pl.DataFrame:
    total = pl.col(REVENUE).sum()
    share = {
        "marketing_share": MARKETING,
        "sales_share": SALES,
        "no_touch_share": NO_TOUCH,
    }
    return credits.group_by("value").agg(
        total.alias("revenue"),
        *(
            (pl.col(REVENUE).filter(pl.col(TEAM) == team).sum() / total).alias(name)
            for name, team in share.items()
        ),
    )


def segment_summary(
    dataset: Dataset,
    by: str,
    *,
    model: str = "linear",
    options: dict[str, Any] | None = None,
    lookback_days: float | None = None,
    as_of: datetime | None = None,
    level: float = DEFAULT_LEVEL,
) -> SegmentSummary:
    """Set the values of ``by`` side by side (see the module docstring).

    Parameters
    ----------
    dataset
        The whole data.
    by
        An account or opportunity column (:func:`attribution.journey.subsets.subset`).
    model, options
        The model whose credits split each value's revenue, and its options.
    lookback_days, as_of
        The journey window (defaults as :func:`attribution.journeys`).
    level
        Coverage of the win rate's Wilson interval.

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=300, seed=0)
    >>> s = segment_summary(ds, "segment", model="linear")
    >>> whole = at.attribute(at.journeys(ds), "linear")["revenue"].sum()
    >>> abs(s.table["revenue"].sum() - whole) < 1e-6, s.table["value"].to_list()
    (True, ['SMB', 'Mid-Market', 'Enterprise'])
    """
    check_level(level)
    found = segment_attribute(dataset, by)
    window: dict[str, Any] = {"as_of": as_of}
    if lookback_days is not None:
        window["lookback_days"] = lookback_days
    j = journeys(dataset, include=[by], **window)
    labels = j.lazy().select(
        OPPORTUNITY_ID, pl.col(found.name).cast(pl.String).fill_null(NO_VALUE).alias("value")
    )
    credits = (
        attribute(j, model, **(options or {}))
        .lazy()
        .join(labels.unique(OPPORTUNITY_ID), on=OPPORTUNITY_ID, how="left")
        .collect()
    )
    counts = segment_values(dataset, by).drop("won")  # won and closed as the journeys see them
    table = (
        counts.join(_deals(j, found.name), on="value", how="left")
        .join(_team_split(credits), on="value", how="left")
        .join(_top_channel(credits), on="value", how="left")
        .with_columns(pl.col("won", "closed", "revenue").fill_null(0))
    )
    won = table["won"].cast(pl.Float64).to_numpy()
    closed = table["closed"].cast(pl.Float64).to_numpy()
    low, high = _wilson(won, closed, level)
    has = pl.Series(closed > 0)
    table = table.with_columns(
        pl.when(has).then(pl.Series(won / np.where(closed > 0, closed, 1.0))).alias("win_rate"),
        pl.when(has).then(pl.Series(low)).alias("win_rate_low"),
        pl.when(has).then(pl.Series(high)).alias("win_rate_high"),
    ).select(_COLUMNS)
    channels = (
        credits.group_by("value", CHANNEL)
        .agg(pl.col(REVENUE).sum().alias("revenue"))
        .sort(["value", "revenue"], descending=[False, True])
    )
    note = (
        f"Each value of {by}: won revenue and the team split of its credits by the "
        f"{model} model, from the whole data's journeys (the values add up to the whole); "
        f"win rate is won of closed deals, with a {level:.0%} Wilson interval. A "
        "description, not a cause: segments differ in more than their touches."
    )
    return SegmentSummary(
        table=table, note=note, level=level, by=by, model=model, channels=channels
    )


def _top_channel(credits: pl.DataFrame) -> pl.DataFrame:
    """Return the channel with the most credited revenue in each value (touches only)."""
    return (
        credits.filter(pl.col(CHANNEL) != NO_TOUCH)
        .group_by("value", CHANNEL)
        .agg(pl.col(REVENUE).sum())
        .sort(["value", REVENUE, CHANNEL], descending=[False, True, False])
        .group_by("value", maintain_order=True)
        .first()
        .select("value", pl.col(CHANNEL).alias("top_channel"))
    )
