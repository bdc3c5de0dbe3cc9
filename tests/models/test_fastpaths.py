"""The fast internals of the models against the plain computations they replace.

compare() evaluates its models in one pass and batches its bootstrap; journey paths are
encoded straight from ordered rows; Markov solves can start from an earlier solution.
Each is checked here against the straightforward way of computing the same numbers.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import polars as pl
import pytest
from helpers import REAL_DATA

import attribution as at
from attribution.models import markov as markov_module
from attribution.models import shapley as shapley_module
from attribution.models.compare import bootstrap, onepass
from attribution.models.compare.resample import Resamples
from attribution.models.compare.specs import label_specs
from attribution.models.credits import creditable, won_deals
from attribution.models.markov import solver
from attribution.models.pathtable import encode
from attribution.models.spread import journey_paths


@pytest.fixture(scope="module")
def j(demo_small: at.Dataset) -> pl.DataFrame:
    return at.journeys(demo_small)


@pytest.mark.parametrize(("team", "include_open"), [(None, False), ("sales", True)])
def test_journey_paths_from_ordered_rows_equal_the_generic_encoding(
    j: pl.DataFrame, team: str | None, include_open: bool
) -> None:
    fast = journey_paths(j, team=team, include_open=include_open)
    shuffled = j.sample(fraction=1.0, shuffle=True, seed=3)  # out of order: the generic route
    slow = journey_paths(shuffled, team=team, include_open=include_open)
    assert fast.deals.equals(slow.deals)
    assert fast.encoded.channels == slow.encoded.channels
    for name in ("codes", "offsets", "conversions", "nulls", "value"):
        a, b = getattr(fast.encoded, name), getattr(slow.encoded, name)
        assert a.dtype == b.dtype and np.array_equal(a, b), name


def test_warm_started_solves_agree_with_cold_ones() -> None:
    table = pl.read_csv(REAL_DATA / "channelattribution_pathdata" / "Data.csv", separator=";")
    encoded = encode(table)
    chain = markov_module.prepare(encoded, order=3)
    rng = np.random.default_rng(0)
    w = rng.uniform(0.5, 1.5, encoded.n_paths)
    counts = markov_module.count(chain, encoded.conversions * w, encoded.nulls * w, encoded.value)
    with mock.patch.object(solver, "DENSE_STATES", 0):  # the iterative solver
        full = markov_module.solve(chain, markov_module.count(
            chain, encoded.conversions, encoded.nulls, encoded.value
        ))  # fmt: skip
        cold = markov_module.solve(chain, counts)
        warm = markov_module.solve(chain, counts, value=False, guesses=full.systems)
    assert chain.n_states > 500
    np.testing.assert_allclose(warm.removal_effect, cold.removal_effect, rtol=1e-11, atol=1e-14)
    assert np.isnan(warm.removal_effect_value).all()


def spread_by_touch(
    j: pl.DataFrame,
    team: str | None,
    channels: tuple[str, ...],
    channel_weights: np.ndarray,
    account_weights: np.ndarray,
    frame: Resamples,
    groups: list[str],
) -> np.ndarray:
    """One resample's revenue per group, spreading touch by touch (the plain way)."""
    touches = (
        creditable(j, team)
        .select(
            "opportunity_id",
            "account_id",
            "amount",
            pl.col("channel").cast(pl.String),
            onepass.group_expr(frame.by).alias("_g"),
        )
        .collect()
    )
    index = {c: i for i, c in enumerate(channels)}
    tw = np.array([channel_weights[index[c]] if c in index else 0.0 for c in touches["channel"]])
    key = touches.select(pl.concat_str("opportunity_id", "channel", separator="|")).to_series()
    tw = tw / key.to_frame("k").select(pl.len().over("k")).to_series().to_numpy()
    deal = touches["opportunity_id"].to_numpy()
    deal_ids, deal_of = np.unique(deal, return_inverse=True)
    denom = np.bincount(deal_of, weights=tw)[deal_of]
    size = np.bincount(deal_of)[deal_of]
    credit = np.where(denom > 0, tw / np.where(denom > 0, denom, 1.0), 1.0 / size)
    weight = account_weights[frame.account_index(touches)]
    group = np.array([groups.index(g) for g in touches["_g"]])
    out = np.bincount(
        group, weights=credit * touches["amount"].to_numpy() * weight, minlength=len(groups)
    )
    won = (
        won_deals(j).group_by("opportunity_id").agg(pl.col("account_id", "amount").first())
    ).collect()
    untouched = won.filter(~pl.col("opportunity_id").is_in(pl.Series(deal_ids).implode()))
    out[groups.index(at.models.NO_TOUCH)] += (
        untouched["amount"].to_numpy() * account_weights[frame.account_index(untouched)]
    ).sum()
    return out


@pytest.mark.parametrize(
    ("model", "options", "by", "team"),
    [
        ("markov", {}, "channel", None),
        ("markov", {"order": 2, "include_open": True}, "campaign", None),
        ("shapley", {}, "team", "sales"),
        ("shapley", {"value": "conversions"}, "channel", "marketing"),
    ],
)
def test_batched_bootstrap_equals_refitting_every_resample(
    j: pl.DataFrame, model: str, options: dict, by: str, team: str | None
) -> None:
    table = at.compare(j, [model], by=by, team=team).table
    groups = sorted({*table[by].to_list(), at.models.NO_TOUCH})
    frame = Resamples(j, by, 4, seed=2)
    boot = bootstrap.data_boot(j, model, options, team, frame, groups)

    jp = journey_paths(j, team=team, include_open=options.get("include_open", False))
    deal_account = frame.account_index(jp.deals)
    for b, account_weights in enumerate(frame.weights):
        w = account_weights[deal_account]
        e = jp.encoded.with_counts(
            jp.encoded.conversions * w, jp.encoded.nulls * w, jp.encoded.value * w
        )
        if model == "markov":
            weights = markov_module.weights_of(e, order=options.get("order", 1))
        else:
            weights = shapley_module.channel_weights(
                e, value=options.get("value", "conversion_rate")
            )
        expected = spread_by_touch(
            j, team, jp.encoded.channels, weights, account_weights, frame, groups
        )
        np.testing.assert_allclose(boot[b], expected, rtol=1e-9, atol=1e-6)


@pytest.mark.parametrize("by", ["channel", "campaign"])
def test_rule_bootstrap_of_the_one_pass_equals_the_credits_tables(j: pl.DataFrame, by: str) -> None:
    models = {"w_shaped": {}, "decay": {"model": "time_decay", "half_life_days": 3}}
    table = at.compare(j, models, by=by, team="marketing").table
    groups = sorted({*table[by].to_list(), at.models.NO_TOUCH})
    frame = Resamples(j, by, 5, seed=4)
    plan = onepass.plan(j, label_specs(models), "marketing")
    done = onepass.one_pass(j, plan, "marketing", by)
    boots = bootstrap.boot(done, {}, frame, groups)
    for label, (name, options) in {"w_shaped": ("w_shaped", {}), "decay": (
        "time_decay", {"half_life_days": 3})}.items():  # fmt: skip
        credits = at.attribute(j, name, team="marketing", **options)
        expected = bootstrap.rule_boot(credits, frame, groups)
        np.testing.assert_allclose(boots[label], expected, rtol=1e-12, atol=1e-6)


def test_a_model_outside_the_known_families_goes_through_attribute(j: pl.DataFrame) -> None:
    def halves(journeys: pl.DataFrame | pl.LazyFrame, *, team: str | None = None) -> pl.DataFrame:
        return at.attribute(journeys, "linear", team=team)

    with mock.patch.dict(at.MODELS, {"halves": halves}):
        result = at.compare(j, ["halves", "linear"], level=0.9, draws=20)
    assert result.table["halves"].to_list() == result.table["linear"].to_list()
    assert result.intervals is not None
    per_model = result.intervals.partition_by("model", as_dict=True)
    halves_ci, linear_ci = per_model[("halves",)], per_model[("linear",)]
    np.testing.assert_allclose(halves_ci["ci_low"], linear_ci["ci_low"], rtol=1e-12)
