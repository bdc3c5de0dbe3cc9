"""Every model of a comparison on the same journeys, evaluated in one pass.

Every model is a per-touch weight plus one shared allocation step, so the won deals'
creditable touches and their roles are computed once, each model adds its weight and
credit columns, and one group-by sums them all. Markov and Shapley are fitted once per set
of journey paths (built once), and their channel weights spread to the touches in the same
pass. The numbers are those of :func:`attribution.attribute` summed by group, to the last
bit. A model of no known family runs through :func:`attribution.attribute`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from attribution.data.schema import ACCOUNT_ID, AMOUNT, CHANNEL
from attribution.models import incremental as incremental_model
from attribution.models import markov as markov_model
from attribution.models import rules as rules_model
from attribution.models import shapley as shapley_model
from attribution.models.compare.incremental import FittedIncremental
from attribution.models.compare.specs import Spec
from attribution.models.credits import (
    DEAL,
    NO_TOUCH,
    REVENUE,
    WeightFn,
    check_options,
    credit_expr,
    first_rows,
    roles,
    weight_expr,
    won_frame,
)
from attribution.models.pathtable import EncodedPaths
from attribution.models.registry import attribute, lookup, model_options
from attribution.models.spread import JourneyPaths, journey_paths, spread_weight

__all__ = ["NO_GROUP", "Pass", "PlannedModel", "credit_table", "group_expr", "one_pass", "plan"]

NO_GROUP = "(none)"
"""The group of touches without one (e.g. without a campaign)."""

Journeys = pl.DataFrame | pl.LazyFrame


def group_expr(by: str) -> pl.Expr:
    """Return the group of every row: ``by`` as text, ``(none)`` where it is missing.

    Examples
    --------
    >>> f = pl.DataFrame({"campaign": ["spring", None]})
    >>> f.select(group_expr("campaign")).to_series().to_list()
    ['spring', '(none)']
    """
    return pl.col(by).cast(pl.String).fill_null(NO_GROUP)


@dataclass
class PlannedModel:
    """One column of the comparison and how it is evaluated."""

    label: str
    name: str
    options: dict[str, Any]
    weight: WeightFn | None = None  # None: through attribute() (a model of no known family)
    paths: JourneyPaths | None = None  # Markov and Shapley: the journey paths fitted
    encoded: EncodedPaths | None = None  # ... with any extra paths
    fitted: FittedIncremental | None = None  # the incremental model, fitted once


def plan(journeys: Journeys, specs: list[Spec], team: str | None) -> list[PlannedModel]:
    """Check every model's name and options and build its weight function."""
    journey_paths_of: dict[bool, JourneyPaths] = {}

    def paths(include_open: object) -> JourneyPaths:
        if include_open not in journey_paths_of:  # a bad value raises in JourneyPaths
            jp = journey_paths(journeys, team=team, include_open=include_open)  # type: ignore[arg-type]
            journey_paths_of[bool(include_open)] = jp
        return journey_paths_of[bool(include_open)]

    models = []
    for label, name, options in specs:
        fn = lookup(name)
        check_options(name, options, model_options(name))
        model = PlannedModel(label, name, options)
        if name in rules_model.RULE_MODELS and fn is getattr(rules_model, name):
            model.weight = rules_model.rule_weight(name, **options)
        elif name == "markov" and fn is markov_model.credits:
            order = markov_model.check_order(options.get("order", 1))
            model.paths = paths(options.get("include_open", False))
            model.encoded, weights = markov_model.journey_weights(
                model.paths, order=order, extra_nulls=options.get("extra_nulls")
            )
            model.weight = spread_weight(weights)
        elif name == "shapley" and fn is shapley_model.credits:
            value = shapley_model.check_value(options.get("value", "conversion_rate"))
            model.paths = paths(options.get("include_open", False))
            model.encoded, weights = shapley_model.journey_weights(model.paths, value=value)
            model.weight = spread_weight(weights)
        elif name == "incremental" and fn is incremental_model.credits:
            fit = incremental_model.fit_incremental(journeys, team=team, **options)
            model.fitted = FittedIncremental(fit, journeys)
        models.append(model)
    return models


@dataclass
class Pass:
    """Every model's credits on the creditable touches, computed in one pass."""

    touches: pl.DataFrame  # DEAL, account, amount, channel, _group, then _r<i>, _k<i> per model
    deals: pl.DataFrame  # one row per won deal: DEAL, account, amount, then _k<i> per model
    models: list[PlannedModel]

    def in_pass(self) -> list[int]:
        """Positions of the models evaluated in the pass (not through attribute())."""
        return [i for i, m in enumerate(self.models) if m.weight is not None]


def one_pass(journeys: Journeys, models: list[PlannedModel], team: str | None, by: str) -> Pass:
    """Credit the won deals' touches by every model of a known family at once."""
    won = won_frame(journeys)
    touches = roles(won, team)
    index = [i for i, m in enumerate(models) if m.weight is not None]
    frame = (
        touches.with_columns(
            weight_expr(models[i].weight(touches)).alias(f"_w{i}")  # type: ignore[misc]
            for i in index
        )
        .with_columns(credit_expr(f"_w{i}").alias(f"_c{i}") for i in index)
        .select(
            DEAL,
            ACCOUNT_ID,
            AMOUNT,
            pl.col(CHANNEL).cast(pl.String).alias("_channel"),
            group_expr(by).alias("_group"),
            # as in allocate: revenue = credit * amount; zero-credit rows add exact zeros
            *[(pl.col(f"_c{i}") * pl.col(AMOUNT)).alias(f"_r{i}") for i in index],
            *[(pl.col(f"_c{i}") > 0).alias(f"_k{i}") for i in index],
        )
        .collect()
    )
    credited = frame.group_by(DEAL).agg(pl.col(f"_k{i}").any() for i in index)
    deals = (
        first_rows(won)
        .select(DEAL, ACCOUNT_ID, AMOUNT)
        .join(credited, on=DEAL, how="left", maintain_order="left")
        .with_columns(pl.col(f"_k{i}").fill_null(False) for i in index)
    )
    return Pass(touches=frame, deals=deals, models=models)


def _pass_sums(done: Pass, by: str) -> pl.DataFrame:
    """Revenue per group of the models in the pass, ``(no touch)`` included."""
    index = done.in_pass()
    # running sums add up sequentially, in credits order: the same bits as summing the
    # credits table of each model (zero-credit touches add exact zeros)
    sums = (
        done.touches.group_by("_group")
        .agg(
            *[pl.col(f"_r{i}").cum_sum().last().alias(done.models[i].label) for i in index],
            pl.any_horizontal(pl.col(f"_k{i}").any() for i in index).alias("_credited"),
        )
        .filter("_credited")
        .drop("_credited")
        .rename({"_group": by})
    )
    untouched = done.deals.select(
        pl.col(AMOUNT).cast(pl.Float64).filter(~pl.col(f"_k{i}")).cum_sum().last()
        .alias(done.models[i].label)
        for i in index
    )  # fmt: skip
    if done.deals.select((~pl.all_horizontal(f"_k{i}" for i in index)).any()).item():
        no_touch = untouched.select(pl.lit(NO_TOUCH).alias(by), pl.all().fill_null(0.0))
        sums = pl.concat([sums, no_touch.select(sums.columns)])
    return sums


def credit_table(
    journeys: Journeys, done: Pass, team: str | None, by: str
) -> tuple[pl.DataFrame, dict[str, pl.DataFrame]]:
    """Build the wide table; return it with the credits of models run through attribute()."""
    tables = [_pass_sums(done, by)] if done.in_pass() else []
    credits_of = {}
    for m in done.models:
        if m.weight is None:
            if m.fitted is not None:  # fitted once in plan()
                credits = incremental_model.credits_of(m.fitted.model, journeys)
            else:
                credits = attribute(journeys, m.name, team=team, **m.options)
            credits_of[m.label] = credits
            tables.append(
                credits.group_by(group_expr(by).alias(by)).agg(
                    pl.col(REVENUE).cum_sum().last().alias(m.label)
                )
            )
    table = tables[0]
    for other in tables[1:]:
        table = table.join(other, on=by, how="full", coalesce=True)
    labels = [m.label for m in done.models]
    table = (
        table.select(by, *labels)
        .with_columns(pl.col(labels).fill_null(0.0).cast(pl.Float64))
        .sort([labels[0], by], descending=[True, False])
    )
    return table, credits_of
