"""Touches that count for more than one deal: accounts whose deals overlap in time.

A touch not linked to a deal (no ``touches.opportunity_id``) belongs to the journey of every
deal of its account whose window holds it. Where an account has several deals open at
once, each of those deals' journeys takes the others' touches too, and each is credited
with them. :func:`shared_touches` names those accounts and how much of their touches are
shared; :func:`linked_touches` counts the touches linked to a deal, and those linked to a
deal the data does not hold.
"""

from __future__ import annotations

import polars as pl

from attribution.data.dataset import Dataset, Frame
from attribution.data.schema import ACCOUNT_ID, OPPORTUNITY_ID, TOUCH_ID
from attribution.journey.columns import N_TOUCHES

__all__ = ["SHARED_COLUMNS", "linked_touches", "shared_touches"]

SHARED_COLUMNS: tuple[str, ...] = (
    ACCOUNT_ID,
    "deals",
    "touches",
    "shared_touches",
    "share_shared",
    "median_deals_per_touch",
)
"""Columns of :func:`shared_touches`, in order."""


def shared_touches(journeys: Frame, *, top: int | None = None) -> pl.DataFrame:
    """Name the accounts whose deals' journeys share touches, most shared first.

    Parameters
    ----------
    journeys
        Journeys (:func:`attribution.journeys`).
    top
        Keep only this many accounts (default: all).

    Returns
    -------
    polars.DataFrame
        One row per account with a touch in more than one deal's journey:
        ``account_id``, ``deals`` (with touches in their window), ``touches`` (distinct, in
        any of its deals' journeys), ``shared_touches`` (in two or more), ``share_shared``
        and ``median_deals_per_touch``.

    Examples
    --------
    >>> import polars as pl
    >>> j = pl.DataFrame({"opportunity_id": ["o1", "o2", "o2", "o3"], "account_id": ["a"] * 3
    ...     + ["b"], "touch_id": ["t1", "t1", "t2", "t3"], "n_touches": [1, 2, 2, 1]})
    >>> shared_touches(j).row(0)
    ('a', 2, 2, 1, 0.5, 1.5)
    """
    rows = (
        journeys.lazy().filter(pl.col(N_TOUCHES) > 0).select(ACCOUNT_ID, OPPORTUNITY_ID, TOUCH_ID)
    )
    per_touch = rows.group_by(ACCOUNT_ID, TOUCH_ID).agg(pl.len().alias("deals_per_touch"))
    per_account = per_touch.group_by(ACCOUNT_ID).agg(
        pl.len().alias("touches"),
        (pl.col("deals_per_touch") > 1).sum().alias("shared_touches"),
        pl.col("deals_per_touch").median().alias("median_deals_per_touch"),
    )
    deals = rows.group_by(ACCOUNT_ID).agg(pl.col(OPPORTUNITY_ID).n_unique().alias("deals"))
    out = (
        per_account.join(deals, on=ACCOUNT_ID)
        .filter(pl.col("shared_touches") > 0)
        .with_columns(
            (pl.col("shared_touches") / pl.col("touches")).alias("share_shared"),
            pl.col("deals", "touches", "shared_touches").cast(pl.Int64),
        )
        .sort(["shared_touches", ACCOUNT_ID], descending=[True, False])
        .select(SHARED_COLUMNS)
    )
    return (out.head(top) if top is not None else out).collect()


def linked_touches(dataset: Dataset) -> dict[str, int]:
    """Count touches linked to a deal, and those whose deal the data does not hold.

    Examples
    --------
    >>> import attribution as at
    >>> counts = linked_touches(at.demo.generate(n_accounts=50, seed=0))
    >>> counts["linked"] > 0, counts["unknown_deal"]  # the demo logs sales work on its deals
    (True, 0)
    """
    touches = dataset.lazy("touches")
    if OPPORTUNITY_ID not in touches.collect_schema().names():
        return {"touches": int(touches.select(pl.len()).collect().item()), "linked": 0,
                "unknown_deal": 0}  # fmt: skip
    deals = dataset.lazy("opportunities").select(OPPORTUNITY_ID, pl.lit(True).alias("_known"))
    row = (
        touches.select(TOUCH_ID, OPPORTUNITY_ID)
        .join(deals, on=OPPORTUNITY_ID, how="left")
        .select(
            pl.len().alias("touches"),
            pl.col(OPPORTUNITY_ID).is_not_null().sum().alias("linked"),
            (pl.col(OPPORTUNITY_ID).is_not_null() & pl.col("_known").is_null())
            .sum()
            .alias("unknown_deal"),
        )
        .collect()
        .row(0, named=True)
    )
    return {k: int(v) for k, v in row.items()}
