"""Marketing's reach into a profile: MQLs, spend, deals and won revenue on its accounts."""

from __future__ import annotations

import polars as pl

from attribution.data.dataset import Dataset
from attribution.feedback.frames import account_firmographics, closed_deals
from attribution.results import Result

__all__ = ["profile_reach"]

_REACH_NOTE = (
    "Share of MQLs, marketing spend, closed deals and won revenue on accounts inside the "
    "profile. Where marketing's share is below the profile's share of won revenue, marketing "
    "reaches the winners less than sales wins them."
)


def profile_reach(dataset: Dataset, profile: dict[str, str]) -> Result:
    """Return how much of marketing reaches the profile: MQLs, spend and won revenue inside it.

    One row per measure (``MQLs``, ``marketing spend``, ``closed deals``, ``won revenue``):
    ``inside``, ``total``, ``share``. Spend is the touches' ``cost``; a measure the data
    does not hold has a total of 0 and no share.

    Examples
    --------
    >>> import attribution as at
    >>> r = profile_reach(at.demo.generate(n_accounts=300, seed=2), {"segment": "Enterprise"})
    >>> r.table["measure"].to_list()
    ['MQLs', 'marketing spend', 'closed deals', 'won revenue']
    """
    inside = pl.all_horizontal(
        [pl.col(d).cast(pl.String) == v for d, v in profile.items()] or [pl.lit(False)]
    )
    accounts = (
        account_firmographics(dataset)
        .with_columns(inside.fill_null(False).alias("inside"))
        .select("account_id", "inside")
    )
    parts: list[pl.LazyFrame] = []
    if (
        dataset.contacts is not None
        and "mql_at" in dataset.lazy("contacts").collect_schema().names()
    ):
        mqls = (
            dataset.lazy("contacts")
            .filter(pl.col("mql_at").is_not_null())
            .select("account_id", pl.lit(1.0).alias("value"))
        )
        parts.append(mqls.with_columns(pl.lit("MQLs").alias("measure")))
    touches = dataset.lazy("touches")
    if "cost" in touches.collect_schema().names():
        spend = touches.filter(pl.col("team") == "marketing").select(
            "account_id", pl.col("cost").fill_null(0.0).alias("value")
        )
        parts.append(spend.with_columns(pl.lit("marketing spend").alias("measure")))
    deals = closed_deals(dataset).lazy()
    parts.append(
        deals.select(
            "account_id", pl.lit(1.0).alias("value"), pl.lit("closed deals").alias("measure")
        )
    )
    parts.append(
        deals.filter(pl.col("is_won")).select(
            "account_id", pl.col("amount").alias("value"), pl.lit("won revenue").alias("measure")
        )
    )
    rows = pl.concat(
        [p.select("measure", "account_id", pl.col("value").cast(pl.Float64)) for p in parts]
    )
    got = (
        rows.join(accounts, on="account_id", how="left")
        .group_by("measure")
        .agg(
            pl.col("value").filter(pl.col("inside").fill_null(False)).sum().alias("inside"),
            pl.col("value").sum().alias("total"),
        )
        .collect()
    )
    order = pl.DataFrame({"measure": ["MQLs", "marketing spend", "closed deals", "won revenue"]})
    table = order.join(got, on="measure", how="left").with_columns(
        pl.col("inside", "total").fill_null(0.0)
    )
    table = table.with_columns(
        pl.when(pl.col("total") > 0).then(pl.col("inside") / pl.col("total")).alias("share")
    )
    note = _REACH_NOTE
    return Result(table=table, note=note)
