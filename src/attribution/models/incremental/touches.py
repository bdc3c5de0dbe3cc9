"""The incremental model's credits per touch: each won deal's channel shares on its touches."""

from __future__ import annotations

import numpy as np
import polars as pl

from attribution.data.schema import (
    ACCOUNT_ID,
    AMOUNT,
    CAMPAIGN,
    CHANNEL,
    CLOSED_AT,
    OPPORTUNITY_ID,
    TEAM,
    TOUCH_ID,
)
from attribution.journey.columns import POSITION
from attribution.models.credits import (
    BASELINE,
    CREDIT,
    CREDIT_COLUMNS,
    DEAL,
    EXTRA_COLUMNS,
    REVENUE,
    first_rows,
    no_touch_rows,
    won_frame,
)
from attribution.models.incremental.result import Incremental

__all__ = ["credits_of", "spread_shares"]


def credits_of(model: Incremental, journeys: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Return the credits table of a fitted model (see :func:`credits`)."""
    ids = model.design.deals[OPPORTUNITY_ID].gather(model.rows)
    channels = model.design.channels
    return spread_shares(journeys, ids, channels, model.shares, model.baseline, team=model.team)


def spread_shares(
    journeys: pl.DataFrame | pl.LazyFrame,
    ids: pl.Series,
    channels: tuple[str, ...],
    shares: np.ndarray,
    baseline: np.ndarray,
    *,
    team: str | None,
) -> pl.DataFrame:
    """Credit each won deal's channel shares to its touches; the baseline to one row.

    ``ids`` are won deals' ids in sorted order, ``shares`` their share per channel (rows
    of ``ids``, columns of ``channels``) and ``baseline`` their baseline share; every won
    deal of ``journeys`` must be among ``ids``. A channel's share goes to its touches of
    the deal in equal parts.
    """
    won = won_frame(journeys)
    touched = won.filter(pl.col(TOUCH_ID).is_not_null())
    if team is not None:
        touched = touched.filter(pl.col(TEAM) == team)
    deal_row = ids.search_sorted(touched[OPPORTUNITY_ID]).to_numpy()
    codes = touched[CHANNEL].cast(pl.String).cast(pl.Enum(channels)).to_physical()
    share = shares[deal_row, codes.to_numpy().astype(np.int64)]
    columns = [*CREDIT_COLUMNS, *EXTRA_COLUMNS]
    credited = (
        touched.with_columns(pl.Series("_s", share), pl.Series("_r", deal_row))
        .with_columns((pl.col("_s") / pl.len().over(DEAL, CHANNEL)).alias(CREDIT))
        .filter(pl.col(CREDIT) > 0)
        .with_columns((pl.col(CREDIT) * pl.col(AMOUNT)).alias(REVENUE))
    )
    deals = first_rows(won)
    has_touch = deals[DEAL].is_in(touched[DEAL].unique().implode())
    base_deals = deals.filter(has_touch).with_columns(
        pl.Series("_b", baseline[ids.search_sorted(deals.filter(has_touch)[OPPORTUNITY_ID])])
    )
    base_rows = base_deals.filter(pl.col("_b") > 0).select(
        OPPORTUNITY_ID,
        pl.lit(None, dtype=pl.String).alias(TOUCH_ID),
        pl.lit(BASELINE).alias(CHANNEL),
        pl.lit(BASELINE).alias(TEAM),
        pl.col("_b").alias(CREDIT),
        (pl.col("_b") * pl.col(AMOUNT).cast(pl.Float64)).alias(REVENUE),
        ACCOUNT_ID,
        pl.lit(BASELINE).alias(CAMPAIGN),
        CLOSED_AT,
        pl.lit(0, dtype=pl.Int32).alias(POSITION),
    )
    touches = credited.select(
        *(
            pl.col(c).cast(pl.String) if c in (CHANNEL, TEAM, CAMPAIGN, TOUCH_ID) else c
            for c in columns
        )
    ).with_columns(pl.col(POSITION).cast(pl.Int32))
    untouched = no_touch_rows(deals.filter(~has_touch))
    out = pl.concat([touches, base_rows, untouched], how="vertical_relaxed")
    return out.sort(OPPORTUNITY_ID, POSITION)
