"""Credits on Spark: every model's polars code run per bucket of won deals.

Rule models credit each deal from its own touches, so each bucket of won deals goes
through :func:`attribution.attribute` as it is. Markov and Shapley first fit their channel
weights from counts summed by Spark (:mod:`attribution.spark.counts`); the small weight
table then travels to the workers with the function, where the shared spread kernel
(:func:`attribution.models.spread.spread`) credits each bucket's touches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

from attribution.data.schema import OPPORTUNITY_ID
from attribution.errors import ParameterError
from attribution.journey.columns import STATUS
from attribution.models import attribute as polars_attribute
from attribution.models import lookup, model_options
from attribution.models.compare import DEFAULT_MODELS, NO_GROUP, Comparison, _specs
from attribution.models.compare import compare as polars_compare
from attribution.models.credits import REVENUE, check_options, check_team
from attribution.models.rules import RULE_MODELS
from attribution.models.spread import spread
from attribution.spark import counts
from attribution.spark.frames import grouped_map, to_polars
from attribution.spark.incremental import incremental_credits, incremental_fit
from attribution.spark.journeys import journey_schema

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["attribute", "compare", "credit_schema", "fitted_weights"]

_FITTED = ("markov", "shapley")


def credit_schema() -> pl.Schema:
    """Return the polars schema of a credits table (from the polars code on empty journeys)."""
    return polars_attribute(pl.DataFrame(schema=journey_schema()), "linear").schema


def _won(journeys: Any) -> DataFrame:
    from pyspark.sql import functions as sf

    sdf = counts._journeys(journeys)
    return sdf.filter(sf.col(STATUS) == "won")


def fitted_weights(
    journeys: Any, model: str, options: Mapping[str, Any], team: str | None, buckets: int | None
) -> dict[str, float]:
    """Channel weights of Markov (removal effects) or Shapley (values), fitted in Spark."""
    opts = dict(options)
    if opts.get("extra_nulls") is not None:
        raise ParameterError(
            "markov's extra_nulls is not available with engine='spark'; add those paths "
            "to the journeys' lost deals, or use the polars engine"
        )
    opts.pop("extra_nulls", None)
    if model == "markov":
        return counts.markov_weights(journeys, team=team, buckets=buckets, **opts)
    return counts.shapley_weights(journeys, team=team, buckets=buckets, **opts)


def attribute(
    journeys: Any,
    model: str,
    *,
    team: str | None = None,
    buckets: int | None = None,
    **options: Any,
) -> DataFrame:
    """Credit won revenue to touches in Spark; the rows :func:`attribution.attribute` gives.

    Parameters are those of :func:`attribution.attribute`, plus ``buckets`` (deals are
    processed in this many groups, default ``spark.sql.shuffle.partitions``).

    Returns
    -------
    pyspark.sql.DataFrame
        The credits table (same columns and types; row order not defined).
    """
    lookup(model)
    check_options(str(model), options, model_options(str(model)))
    check_team(team)
    if model == "incremental":
        fitted = incremental_fit(journeys, team=team, **options)
        return incremental_credits(journeys, fitted, credit_schema(), buckets)
    won = _won(journeys)
    if model in _FITTED:
        weights = fitted_weights(journeys, model, options, team, buckets)

        def per_bucket(batch: pl.DataFrame) -> pl.DataFrame:
            return spread(batch, weights, team=team)

    else:

        def per_bucket(batch: pl.DataFrame) -> pl.DataFrame:
            return polars_attribute(batch, model, team=team, engine="polars", **options)

    return grouped_map(won, OPPORTUNITY_ID, buckets, per_bucket, credit_schema())


def compare(
    journeys: Any,
    models: Sequence[str] | Mapping[str, Mapping[str, Any]] = DEFAULT_MODELS,
    *,
    by: str = "channel",
    team: str | None = None,
    level: float | None = None,
    buckets: int | None = None,
) -> Comparison:
    """Revenue per group of several models, as :func:`attribution.compare`, in one pass.

    Markov and Shapley weights are fitted first (Spark sums); then each bucket of won deals
    runs the polars :func:`attribution.compare` for the rule models and the spread kernel
    for the fitted ones, and Spark adds the per-bucket sums by model and group. The
    ``incremental`` model is fitted on exposure summed by Spark
    (:mod:`attribution.spark.incremental`) and its credits added up the same way.
    Bootstrap intervals (``level``) need every account's deals together and are not offered.
    """
    from pyspark.sql import functions as sf

    if level is not None:
        raise ParameterError(
            "level (bootstrap intervals) is not available with engine='spark'; run compare on "
            "the polars engine for intervals, or pass level=None"
        )
    if by not in ("channel", "team", "campaign"):
        raise ParameterError(f"by must be one of ('channel', 'team', 'campaign'), got {by!r}")
    check_team(team)
    specs = _specs(models)
    for _, name, options in specs:
        lookup(name)
        check_options(name, options, model_options(name))
    rules = {
        label: {**options, "model": name} for label, name, options in specs if name in RULE_MODELS
    }
    incremental = {
        label: incremental_credits(
            journeys, incremental_fit(journeys, team=team, **options), credit_schema(), buckets
        )
        for label, name, options in specs
        if name == "incremental"
    }
    fitted = {
        label: fitted_weights(journeys, name, options, team, buckets)
        for label, name, options in specs
        if name in _FITTED
    }
    group = pl.col(by).cast(pl.String).fill_null(NO_GROUP)

    def per_bucket(batch: pl.DataFrame) -> pl.DataFrame:
        parts = []
        if rules:
            table = polars_compare(batch, rules, by=by, team=team).table
            parts.append(table.unpivot(index=by, variable_name="model", value_name=REVENUE))
        for label, weights in fitted.items():
            credits = spread(batch, weights, team=team)
            parts.append(
                credits.group_by(group.alias(by))
                .agg(pl.col(REVENUE).sum())
                .select(pl.lit(label).alias("model"), by, REVENUE)
            )
        return pl.concat([p.select("model", by, REVENUE) for p in parts])

    schema = {"model": pl.String, by: pl.String, REVENUE: pl.Float64}
    partial = grouped_map(_won(journeys), OPPORTUNITY_ID, buckets, per_bucket, schema)
    for label, credited in incremental.items():
        partial = partial.unionByName(
            credited.select(
                sf.lit(label).alias("model"),
                sf.coalesce(sf.col(by), sf.lit(NO_GROUP)).alias(by),
                sf.col(REVENUE),
            )
        )
    summed = partial.groupBy("model", by).agg(sf.sum(REVENUE).alias(REVENUE))
    long = to_polars(summed.toArrow())
    labels = [label for label, _, _ in specs]
    present = set(long["model"].to_list())
    table = long.pivot(on="model", index=by, values=REVENUE).with_columns(
        pl.lit(None, dtype=pl.Float64).alias(c) for c in labels if c not in present
    )
    table = (
        table.select(pl.col(by).cast(pl.String), *labels)
        .with_columns(pl.col(labels).fill_null(0.0).cast(pl.Float64))
        .sort([labels[0], by], descending=[True, False])
    )
    return Comparison(table=table)
