"""The incremental model: exact Shapley kernel, conservation, and accuracy against known truth.

The accuracy tests use the second simulator (``truthgen``), not the demo's generator, so
the model is not checked against the very process it was designed on.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from math import factorial

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from models import truthgen

import attribution as at
from attribution._coalitions import MAX_PLAYERS, row_shapley
from attribution.models.incremental import fit_incremental, summarise
from attribution.models.incremental.split import deal_shares

PATH_MODELS = ("markov", "shapley", "linear", "last_touch", "first_touch", "time_decay")
N_DEALS = 20_000
"""Deals of the accuracy tests (the size the thresholds are stated for; ~15 s to build)."""


def _brute_shapley(present: np.ndarray, parts: np.ndarray, value) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Shapley values by the textbook formula, one row and one coalition at a time."""
    out = np.zeros(present.shape)
    for r in range(present.shape[0]):
        players = np.flatnonzero(present[r])
        k = len(players)
        for j in players:
            others = [p for p in players if p != j]
            for size in range(k):
                for subset in itertools.combinations(others, size):
                    w = factorial(size) * factorial(k - size - 1) / factorial(k)
                    base = parts[r, list(subset)].sum(axis=0)
                    with_j = base + parts[r, j]
                    gain = value(with_j[:, None, None]) - value(base[:, None, None])
                    out[r, j] += w * float(gain.squeeze())
    return out


@settings(max_examples=40, deadline=None)
@given(
    present=hnp.arrays(bool, st.tuples(st.integers(1, 6), st.integers(1, 5))),
    seed=st.integers(0, 2**31 - 1),
)
def test_row_shapley_equals_the_textbook_formula(present: np.ndarray, seed: int) -> None:
    rng = np.random.default_rng(seed)
    parts = rng.normal(size=(*present.shape, 2))

    def value(sums: np.ndarray) -> np.ndarray:
        out: np.ndarray = 1.0 / (1.0 + np.exp(-(sums[0] + sums[0] * sums[1])))
        return out

    got = row_shapley(present, parts, lambda sums, rows: value(sums))
    want = _brute_shapley(present, parts, value)
    assert got == pytest.approx(want, abs=1e-12)
    assert (got[~present] == 0).all()
    full = parts.copy()
    full[~present] = 0.0
    efficiency = value(full.sum(axis=1).T[:, :, None])[:, 0] - value(np.zeros((2, 1, 1)))[0, 0]
    assert got.sum(axis=1) == pytest.approx(efficiency, abs=1e-12)


def test_row_shapley_refuses_too_many_players() -> None:
    present = np.ones((1, MAX_PLAYERS + 1), dtype=bool)
    with pytest.raises(at.ParameterError, match="group the channels"):
        row_shapley(present, np.zeros((1, MAX_PLAYERS + 1, 1)), lambda s, r: s[0])


@pytest.fixture(scope="module")
def independent() -> tuple[truthgen.Simulated, at.Dataset, pl.DataFrame]:
    sim = truthgen.simulate(N_DEALS, seed=0)
    ds = at.validate(sim.tables)
    return sim, ds, at.journeys(ds)


def _tv(shares: pl.DataFrame, truth: pl.DataFrame) -> float:
    joined = truth.join(shares, on="channel", how="full", coalesce=True).fill_null(0.0)
    return 0.5 * float((joined["share"] - joined["estimate"]).abs().sum())


def _shares(credits: pl.DataFrame) -> pl.DataFrame:
    by = (
        credits.filter(~pl.col("channel").is_in(["(baseline)", "(no touch)"]))
        .group_by("channel")
        .agg(pl.col("revenue").sum())
    )
    return by.select("channel", (pl.col("revenue") / pl.col("revenue").sum()).alias("estimate"))


def test_incremental_is_close_to_the_truth_and_far_closer_than_path_models(
    independent: tuple[truthgen.Simulated, at.Dataset, pl.DataFrame],
) -> None:
    sim, ds, j = independent
    ours = _tv(_shares(at.attribute(j, "incremental", controls=ds)), sim.truth)
    best_path = min(_tv(_shares(at.attribute(j, name)), sim.truth) for name in PATH_MODELS)
    assert ours < 0.15
    assert ours <= best_path / 2


def test_a_useless_ubiquitous_channel_gets_almost_nothing(
    independent: tuple[truthgen.Simulated, at.Dataset, pl.DataFrame],
) -> None:
    sim, ds, j = independent
    assert sim.present[:, 0].mean() > 0.9  # ads: in most journeys, no effect
    result = at.incremental(j, controls=ds)
    ads = result.table.filter(pl.col("channel") == "ads")
    assert ads["share"].item() < 0.04
    assert result.table["share"].sum() == pytest.approx(1.0)


def test_each_won_deal_is_conserved_and_the_baseline_reported(
    independent: tuple[truthgen.Simulated, at.Dataset, pl.DataFrame],
) -> None:
    _, ds, j = independent
    model = fit_incremental(j, controls=ds)
    assert (model.shares >= 0).all() and (model.baseline >= -1e-12).all()
    assert (model.shares.sum(axis=1) + model.baseline) == pytest.approx(1.0)
    result = summarise(model)
    credited = result.table["revenue"].sum() + result.baseline_revenue
    assert credited == pytest.approx(result.won_revenue, rel=1e-9)
    assert 0 < result.baseline_share < 1
    assert set(result.table["evidence"]) <= {"model", "presence only"}


def test_a_channel_only_in_won_deals_is_presence_only() -> None:
    sim = truthgen.simulate(3_000, seed=5)
    tables = dict(sim.tables)
    won = tables["opportunities"].filter("is_won")
    extra = won.select(
        ("x" + pl.col("opportunity_id")).alias("touch_id"),
        "account_id",
        (pl.col("closed_at") - pl.duration(days=1)).alias("occurred_at"),
        pl.lit("sales").alias("team"),
        pl.lit("contract_sent").alias("channel"),
    )
    tables["touches"] = pl.concat([tables["touches"], extra.select(tables["touches"].columns)])
    result = at.incremental(at.journeys(at.validate(tables)))
    row = result.table.filter(pl.col("channel") == "contract_sent").row(0, named=True)
    assert row["evidence"] == "presence only" and row["revenue"] == 0
    assert row["reason"] == "in only 0 lost deal(s)"


def test_deal_shares_split_the_predicted_probability(
    independent: tuple[truthgen.Simulated, at.Dataset, pl.DataFrame],
) -> None:
    _, _, j = independent
    model = fit_incremental(j, exposure="log")
    rows = model.rows[:200]
    shares, baseline, floored = deal_shares(model.design, model.fit, rows)
    assert (shares + 0 >= 0).all() and (floored <= 0).all()
    assert shares.sum(axis=1) + baseline == pytest.approx(1.0)


def test_intervals_come_from_refitting_on_account_resamples(
    independent: tuple[truthgen.Simulated, at.Dataset, pl.DataFrame],
) -> None:
    _, _, j = independent
    cmp = at.compare(j, ["incremental"], level=0.9, draws=20)
    iv = cmp.intervals
    assert (iv["ci_low"] <= iv["ci_high"]).all()
    webinar = iv.filter(pl.col("channel") == "webinar").row(0, named=True)
    assert webinar["ci_low"] < webinar["revenue"] < webinar["ci_high"]
    assert "(baseline)" in iv["channel"].to_list()


def test_model_checks_support_the_model_that_predicts_held_out_wins(
    independent: tuple[truthgen.Simulated, at.Dataset, pl.DataFrame],
) -> None:
    _, ds, j = independent
    checks = at.model_checks(
        j, ["linear", "markov", "shapley", "incremental"], controls=ds, draws=20
    )
    table = checks.table
    assert table["model"].to_list() == ["linear", "markov", "shapley", "incremental"]
    assert table.filter(pl.col("model") == "linear")["auc"].is_nan().all()  # predicts nothing
    assert checks.supported == "incremental" and "held-out" in checks.reason
    assert (table["excess_channels"] == 0).all()
    assert set(checks.placebo.columns) >= {"channel", "present_won", "present_lost", "placebo"}
    assert "does not prove" in checks.note


def test_the_shapley_conversion_rate_note_says_what_its_conversions_are() -> None:
    paths = pl.DataFrame(
        {
            "path": ["a > b", "a", "b"],
            "conversions": [5, 1, 0],
            "nulls": [1, 3, 9],
            "value": [5.0, 1, 0],
        }
    )
    rate = at.shapley(paths)
    assert "a share, not a count" in rate.note
    assert "a share, not a count" not in at.shapley(paths, value="conversions").note


@pytest.mark.parametrize("exposure", ["log", "presence"])
def test_the_win_models_columns_are_what_its_formula_would_build(
    independent: tuple[truthgen.Simulated, at.Dataset, pl.DataFrame], exposure: str
) -> None:
    import pandas as pd
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    from attribution.models.incremental.design import build_design
    from attribution.models.incremental.fit import _columns

    for ds in (independent[1], at.demo.generate(n_accounts=2_000, seed=3)):
        design = replace(build_design(at.journeys(ds), controls=ds), exposure=exposure)
        columns, terms = _columns(design, np.flatnonzero(design.estimable))
        frame = {k: v for k, v in columns.items() if k != "Intercept" and not k.startswith("C(")}
        frame["won"] = design.won.astype(float)
        for i, name in enumerate(design.controls.columns):
            frame[f"k{i}"] = design.controls[name].to_list()
        rhs = [*terms.controls, *terms.team, *terms.channel, *terms.segment]
        formula = smf.glm(
            "won ~ " + " + ".join(rhs), pd.DataFrame(frame), family=sm.families.Binomial()
        )
        assert tuple(formula.exog_names) == tuple(columns)
        assert np.array_equal(np.asarray(formula.exog), np.column_stack(list(columns.values())))
