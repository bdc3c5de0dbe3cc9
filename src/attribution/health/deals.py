"""Opportunities seen through their journeys: touch coverage, touches per deal, deals by month.

Each view reads journeys (:func:`attribution.journeys`), one row per opportunity and touch,
and first reduces them to one row per opportunity (:func:`per_opportunity`).
"""

from __future__ import annotations

import polars as pl

from attribution.data.dataset import Frame
from attribution.data.schema import AMOUNT, MARKETING, OPPORTUNITY_ID, SALES, TEAM
from attribution.errors import ParameterError
from attribution.journey.columns import N_TOUCHES, OPPORTUNITY_CREATED_AT, STATUS

__all__ = [
    "coverage",
    "opportunities_by_month",
    "per_opportunity",
    "status_rank",
    "touch_histogram",
]

_STATUS_ORDER = {"won": 0, "lost": 1, "open": 2, "total": 3}


def per_opportunity(journeys: Frame, *columns: str, also: tuple[pl.Expr, ...] = ()) -> pl.LazyFrame:
    """One row per opportunity: ``opportunity_id``, then ``columns`` and ``also``.

    ``columns`` are per-opportunity journey columns (``status``, ``amount``...), taken from
    the opportunity's first row; ``also`` are further aggregations over its rows.

    Examples
    --------
    >>> import polars as pl
    >>> j = pl.DataFrame({"opportunity_id": ["a", "a"], "status": ["won", "won"]})
    >>> per_opportunity(j, "status").collect().rows()
    [('a', 'won')]
    """
    return (
        journeys.lazy().group_by(OPPORTUNITY_ID).agg(*[pl.col(c).first() for c in columns], *also)
    )


def status_rank() -> pl.Expr:
    """Rank ``status`` for sorting: won, lost, open, then a ``total`` row."""
    return pl.col(STATUS).replace_strict(_STATUS_ORDER, return_dtype=pl.Int8)


def coverage(journeys: Frame) -> pl.DataFrame:
    """How many opportunities, and how much of their value, have touches in their window.

    Parameters
    ----------
    journeys
        Output of :func:`attribution.journeys`.

    Returns
    -------
    polars.DataFrame
        One row per status (``won``, ``lost``, ``open``) and a ``total`` row: number of
        opportunities, how many have at least one touch (and any marketing or sales touch),
        their amount, the share of the amount on opportunities with touches
        (``value_coverage``), and the mean and median touches per opportunity.

    Examples
    --------
    >>> import attribution as at
    >>> c = coverage(at.journeys(at.demo.generate(n_accounts=50)))
    >>> c.get_column("status").to_list()[-1]
    'total'
    """
    per_opp = per_opportunity(
        journeys,
        STATUS,
        AMOUNT,
        N_TOUCHES,
        also=(
            (pl.col(TEAM) == MARKETING).any().fill_null(False).alias("has_marketing"),
            (pl.col(TEAM) == SALES).any().fill_null(False).alias("has_sales"),
        ),
    )
    aggs = [
        pl.len().alias("opportunities"),
        (pl.col(N_TOUCHES) > 0).sum().alias("with_touches"),
        pl.col("has_marketing").sum().alias("with_marketing"),
        pl.col("has_sales").sum().alias("with_sales"),
        pl.col(AMOUNT).sum().alias("amount"),
        pl.col(AMOUNT).filter(pl.col(N_TOUCHES) > 0).sum().alias("amount_with_touches"),
        pl.col(N_TOUCHES).mean().alias("mean_touches"),
        pl.col(N_TOUCHES).median().alias("median_touches"),
    ]
    by_status = per_opp.group_by(STATUS).agg(aggs)
    total = per_opp.select(pl.lit("total").alias(STATUS), *aggs)
    return (
        pl.concat([by_status, total], how="vertical_relaxed")
        .with_columns(
            (pl.col("amount_with_touches") / pl.col("amount"))
            .fill_nan(None)
            .alias("value_coverage")
        )
        .sort(status_rank())
        .collect()
    )


def opportunities_by_month(journeys: Frame) -> pl.DataFrame:
    """Opportunities by the month they were created and their status at ``as_of``.

    Parameters
    ----------
    journeys
        Output of :func:`attribution.journeys`.

    Returns
    -------
    polars.DataFrame
        ``month`` (first day), ``status`` (won, lost, open), ``opportunities``, ``amount``.

    Examples
    --------
    >>> import attribution as at
    >>> at.health.opportunities_by_month(at.journeys(at.demo.generate(n_accounts=50))).columns
    ['month', 'status', 'opportunities', 'amount']
    """
    return (
        per_opportunity(journeys, OPPORTUNITY_CREATED_AT, STATUS, AMOUNT)
        .group_by(
            pl.col(OPPORTUNITY_CREATED_AT).dt.truncate("1mo").dt.date().alias("month"), STATUS
        )
        .agg(pl.len().cast(pl.Int64).alias("opportunities"), pl.col(AMOUNT).sum())
        .sort("month", status_rank())
        .collect()
    )


def touch_histogram(journeys: Frame, *, cap: int = 30) -> pl.DataFrame:
    """How many touches opportunities have in their window, by status.

    Parameters
    ----------
    journeys
        Output of :func:`attribution.journeys`.
    cap
        Counts above ``cap`` are grouped into ``cap`` (shown as "cap or more").

    Returns
    -------
    polars.DataFrame
        ``touches`` (0..cap), ``status``, ``opportunities``; sorted.

    Examples
    --------
    >>> import attribution as at
    >>> h = at.health.touch_histogram(at.journeys(at.demo.generate(n_accounts=50)), cap=5)
    >>> h.get_column("touches").max() <= 5
    True
    """
    if cap < 1:
        raise ParameterError(f"cap must be at least 1, got {cap!r}")
    return (
        per_opportunity(journeys, N_TOUCHES, STATUS)
        .group_by(pl.col(N_TOUCHES).clip(upper_bound=cap).cast(pl.Int64).alias("touches"), STATUS)
        .agg(pl.len().cast(pl.Int64).alias("opportunities"))
        .sort("touches", status_rank())
        .collect()
    )
