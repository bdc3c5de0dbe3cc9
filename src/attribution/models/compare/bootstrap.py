"""Bootstrap intervals of a comparison: every model's revenue per group under every resample.

* rule models credit each deal the same way whatever the sample, so a resample only
  reweights accounts: one matrix product per model (resamples × accounts × groups);
* Markov and Shapley are re-fitted on every resample (:mod:`.refit`) and their channel
  weights re-spread over the won deals' touches (:mod:`.respread`).

Intervals are percentile intervals of those resamples.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from attribution._intervals import quantiles
from attribution.data.schema import AMOUNT
from attribution.models import markov as markov_model
from attribution.models import shapley as shapley_model
from attribution.models.compare.incremental import incremental_boot
from attribution.models.compare.onepass import (
    Journeys,
    Pass,
    PlannedModel,
    group_expr,
    one_pass,
    plan,
)
from attribution.models.compare.refit import markov_weights, shapley_weights
from attribution.models.compare.resample import Resamples, codes, reweigh
from attribution.models.compare.respread import Respread
from attribution.models.credits import DEAL, NO_TOUCH, REVENUE

__all__ = ["boot", "data_boot", "interval_table", "rule_boot"]


def rule_boot(credits: pl.DataFrame, frame: Resamples, groups: list[str]) -> np.ndarray:
    """Revenue per group of a credits table under every resample: (resamples, groups)."""
    rows = frame.account_index(credits)
    cols = credits.select(codes(group_expr(frame.by), groups)).to_series().to_numpy()
    return reweigh(rows, cols, credits[REVENUE].to_numpy(), frame, len(groups))


def _fitted_weights(m: PlannedModel, deal_account: np.ndarray, frame: Resamples) -> np.ndarray:
    """Channel weights of a Markov or Shapley model refitted on every resample."""
    if m.name == "markov":
        order = markov_model.check_order(m.options.get("order", 1))
        return markov_weights(m, order, deal_account, frame)
    value = shapley_model.check_value(m.options.get("value", "conversion_rate"))
    return shapley_weights(m, value, deal_account, frame)


def boot(
    done: Pass,
    credits_of: dict[str, pl.DataFrame],
    frame: Resamples,
    groups: list[str],
) -> dict[str, np.ndarray]:
    """Revenue per group of every model under every resample: label -> (resamples, groups)."""
    deal_rows = frame.account_index(done.deals)  # deals are in DEAL order
    touches = done.touches.with_columns(
        pl.Series("_a", deal_rows[done.touches[DEAL].to_numpy()], dtype=pl.Int64),
        codes(pl.col("_group"), groups).alias("_g"),
    )
    done = Pass(touches=touches, deals=done.deals, models=done.models)
    amounts = done.deals[AMOUNT].cast(pl.Float64).to_numpy()
    no_touch = groups.index(NO_TOUCH)
    spreads: dict[tuple[str, ...], Respread] = {}
    out = {}
    for i, m in enumerate(done.models):
        if m.fitted is not None:
            by = group_expr(frame.by)
            out[m.label] = incremental_boot(m.fitted, frame, groups, by)
            continue
        if m.weight is None:
            out[m.label] = rule_boot(credits_of[m.label], frame, groups)
            continue
        untouched = ~done.deals[f"_k{i}"].to_numpy()
        if m.encoded is None:  # a rule model
            credited = done.touches[f"_k{i}"].to_numpy()
            rows = np.concatenate([touches["_a"].to_numpy()[credited], deal_rows[untouched]])
            cols = np.concatenate(
                [touches["_g"].to_numpy()[credited], np.full(untouched.sum(), no_touch)]
            )
            values = np.concatenate([touches[f"_r{i}"].to_numpy()[credited], amounts[untouched]])
            out[m.label] = reweigh(rows, cols, values, frame, len(groups))
            continue
        assert m.paths is not None
        weights = _fitted_weights(m, frame.account_index(m.paths.deals), frame)
        channels = m.encoded.channels
        if channels not in spreads:
            spreads[channels] = Respread(done, channels, frame, len(groups))
        revenue = spreads[channels].revenue(weights)
        revenue[:, no_touch] += frame.weights[:, deal_rows[untouched]] @ amounts[untouched]
        out[m.label] = revenue
    return out


def data_boot(
    journeys: Journeys,
    name: str,
    options: dict[str, Any],
    team: str | None,
    frame: Resamples,
    groups: list[str],
) -> np.ndarray:
    """Bootstrap one Markov or Shapley model (as :func:`compare` does)."""
    models = plan(journeys, [(name, name, options)], team)
    done = one_pass(journeys, models, team, frame.by)
    return boot(done, {}, frame, groups)[name]


def interval_table(
    table: pl.DataFrame,
    boots: dict[str, np.ndarray],
    groups: list[str],
    by: str,
    level: float,
) -> pl.DataFrame:
    """Build the long table of intervals: ``model, <by>, revenue, ci_low, ci_high``.

    Models keep the table's column order; within a model, groups are sorted by revenue,
    largest first.
    """
    lo_q, hi_q = quantiles(level)
    labels = table.columns[1:]
    parts = []
    for label in labels:
        lo, hi = np.quantile(boots[label], [lo_q, hi_q], axis=0)
        parts.append(
            pl.DataFrame(
                {"model": label, by: groups, "ci_low": lo, "ci_high": hi},
                schema={
                    "model": pl.String,
                    by: pl.String,
                    "ci_low": pl.Float64,
                    "ci_high": pl.Float64,
                },
            )
        )
    long = table.unpivot(index=by, variable_name="model", value_name=REVENUE)
    return (
        long.join(pl.concat(parts), on=["model", by], how="left")
        .select("model", by, REVENUE, "ci_low", "ci_high")
        .with_columns(pl.col("model").cast(pl.Enum(labels)))
        .sort("model", pl.col(REVENUE), descending=[False, True])
        .with_columns(pl.col("model").cast(pl.String))
    )
