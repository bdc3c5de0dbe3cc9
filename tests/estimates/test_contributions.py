"""Team and joint contributions: exact decomposition, recovery of the demo truth, warnings."""

from __future__ import annotations

import itertools
import math
import warnings
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import attribution as at
from attribution.estimates.counterfactual import shapley

SEGMENTS = ("SMB", "Mid-Market", "Enterprise")


@pytest.fixture(scope="module")
def recovery() -> tuple[at.Dataset, at.ContributionResult]:
    """30,000 accounts (~5,800 closed deals). Seed 1000 is the first seed of the 60-seed
    calibration run of scripts/contribution_coverage.py (coverage table in the README)."""
    ds = at.demo.generate(n_accounts=30_000, seed=1000)
    return ds, at.contributions(ds, level=0.95, draws=400)


def true_coefficients(result: at.ContributionResult, ds: at.Dataset) -> tuple[dict, dict]:
    """The demo's generating coefficients, named as the fitted models name their terms."""
    p = ds.truth.params
    names = set(result.model.params.index)
    ref = next(s for s in SEGMENTS if f"segment[T.{s}]" not in names)
    r = SEGMENTS.index(ref)
    win = {
        "Intercept": p.win_intercept + p.win_segment[r],
        "log_marketing": p.win_marketing,
        "log_sales": p.win_sales,
        "log_marketing:log_sales": p.win_joint,
        "speed_to_lead": p.win_speed,
    }
    amount = {"Intercept": math.log(p.amount_mean[r]), "log_sales": p.amount_sales}
    for i, s in enumerate(SEGMENTS):
        if s != ref:
            win[f"segment[T.{s}]"] = p.win_segment[i] - p.win_segment[r]
            amount[f"segment[T.{s}]"] = math.log(p.amount_mean[i] / p.amount_mean[r])
    return win, amount


def test_at_the_true_coefficients_the_split_is_the_demo_truth(recovery) -> None:
    ds, result = recovery
    win, amount = true_coefficients(result, ds)
    split = result.split_at(win, amount)
    truth = ds.truth.contributions
    # features, counterfactual designs and the v(S) algebra reproduce the simulation's own
    # computation (numpy, per deal) to rounding: timestamps are stored to the second
    np.testing.assert_allclose(split["revenue"], truth["revenue"], rtol=1e-6)
    np.testing.assert_allclose(split["share"], truth["share"], atol=1e-7)


def test_estimates_recover_the_true_split(recovery) -> None:
    ds, result = recovery
    assert result.supported and result.diagnostics.warnings == ()
    truth = ds.truth.shares
    for row in result.table.iter_rows(named=True):
        true = truth[row["component"]]
        assert row["ci_low"] <= true <= row["ci_high"], row
        # 2x the RMSE over 60 seeds at this size (the 95th percentile of the worst error)
        assert abs(row["share"] - true) < 0.25, row
    for team, true in ds.truth.shapley_shares.items():
        row = result.shapley.filter(pl.col("component") == team).row(0, named=True)
        assert row["ci_low"] <= true <= row["ci_high"], row
        assert abs(row["share"] - true) < 0.15, row


def test_the_split_conserves_expected_revenue_and_reconciles(recovery) -> None:
    ds, result = recovery
    table, shap = result.table, result.shapley
    v_both = result.reconciliation["value"][0]
    assert table["revenue"].sum() == pytest.approx(v_both, rel=1e-12)
    assert table["share"].sum() == pytest.approx(1.0, abs=1e-12)
    assert shap["revenue"].sum() == pytest.approx(v_both, rel=1e-12)
    per_deal = result.opportunities.select(
        pl.col("v_none", "v_marketing", "v_sales", "v_both").sum()
    )
    assert per_deal["v_both"][0] == pytest.approx(v_both, rel=1e-9)
    assert per_deal["v_none"][0] == pytest.approx(table["revenue"][0], rel=1e-9)
    # v(both) sits next to booked revenue: the logit reproduces the win count exactly
    booked = ds.opportunities.filter(pl.col("is_won") & pl.col("closed_at").is_not_null())
    assert result.reconciliation["value"][1] == pytest.approx(booked["amount"].sum())
    assert abs(result.reconciliation["value"][3]) < 0.05
    assert result.opportunities["p_win"].sum() == pytest.approx(booked.height, rel=1e-6)
    # intervals bracket the point estimates; diagnostics are filled in
    assert ((table["ci_low"] <= table["share"]) & (table["share"] <= table["ci_high"])).all()
    d = result.diagnostics
    assert d.n == ds.truth.opportunities.height and 0.55 < d.auc < 0.75
    assert d.calibration["n"].sum() == d.n and d.calibration.height == 10
    assert "observational" in result.note and "experiment" in result.note
    assert result.formula.startswith("won ~ log_marketing + log_sales + log_marketing:log_sales")


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.floats(-1.0, 1.0), min_size=5, max_size=5),
    st.floats(-3.0, 0.0),
    st.floats(6.0, 12.0),
)
def test_any_coefficients_give_a_conserving_split_matching_statsmodels(
    recovery, effects: list[float], intercept: float, amount_level: float
) -> None:
    """Reference: statsmodels' own Logit predictions on hand-zeroed design columns."""
    _, result = recovery
    terms = ["log_marketing", "log_sales", "log_marketing:log_sales", "speed_to_lead", "no_mql"]
    win = {"Intercept": intercept, **dict(zip(terms, effects, strict=True))}
    split = result.split_at(win, {"Intercept": amount_level})
    assert split["revenue"].sum() == pytest.approx(
        _v(result, win, keep_m=True, keep_s=True) * math.exp(amount_level), rel=1e-9
    )
    v = {
        (m, s): _v(result, win, keep_m=m, keep_s=s) * math.exp(amount_level)
        for m, s in itertools.product((False, True), repeat=2)
    }
    expected = [
        v[False, False],
        v[True, False] - v[False, False],
        v[False, True] - v[False, False],
        v[True, True] - v[True, False] - v[False, True] + v[False, False],
    ]
    np.testing.assert_allclose(split["revenue"], expected, rtol=1e-8, atol=1e-6)


def _v(result: at.ContributionResult, win: dict, *, keep_m: bool, keep_s: bool) -> float:
    model = result.model.model
    names = list(model.exog_names)
    x = np.array(model.exog, dtype=float, copy=True)
    if not keep_m:
        x[:, names.index("log_marketing")] = 0.0
    if not keep_s:
        for term in ("log_sales", "speed_to_lead", "no_mql"):
            x[:, names.index(term)] = 0.0
    if not (keep_m and keep_s):
        x[:, names.index("log_marketing:log_sales")] = 0.0
    params = np.array([win.get(n, 0.0) for n in names])
    return float(model.predict(params, x).sum())


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda k: st.tuples(st.just(k), st.lists(st.floats(-10, 10), min_size=2**k, max_size=2**k))
    )
)
def test_shapley_values_match_the_permutation_definition(game: tuple[int, list[float]]) -> None:
    k, values = game
    players = [f"p{i}" for i in range(k)]
    subsets = [frozenset(c) for n in range(k + 1) for c in itertools.combinations(players, n)]
    v = {s: np.array([x]) for s, x in zip(subsets, values, strict=True)}
    phi = shapley(players, v)
    brute = dict.fromkeys(players, 0.0)
    orders = list(itertools.permutations(players))
    for order in orders:
        seen: frozenset[str] = frozenset()
        for p in order:
            brute[p] += (v[seen | {p}][0] - v[seen][0]) / len(orders)
            seen = seen | {p}
    for p in players:
        assert phi[p][0] == pytest.approx(brute[p], abs=1e-9)
    total = v[frozenset(players)][0] - v[frozenset()][0]
    assert sum(phi[p][0] for p in players) == pytest.approx(total, abs=1e-9)


def test_channel_groups_share_the_team_lift(recovery) -> None:
    ds, _ = recovery
    groups = {"paid": ["paid_search", "paid_social"], "field": ["event", "webinar"]}
    result = at.contributions(ds, channel_groups=groups, draws=100)
    g = result.groups
    assert g is not None
    assert g["group"].to_list() == ["paid", "field", "other marketing", "other sales"]
    assert g["team"].to_list() == ["marketing", "marketing", "marketing", "sales"]
    lift = result.table.filter(pl.col("component") != "baseline")["revenue"].sum()
    assert g["revenue"].sum() == pytest.approx(lift, rel=1e-9)
    assert "log_g0" in result.formula and "log_marketing:log_sales" in result.formula
    assert result.table["share"].sum() == pytest.approx(1.0)


def test_bootstrap_intervals_resample_accounts(recovery) -> None:
    ds, simulated = recovery
    result = at.contributions(ds, interval="bootstrap", draws=40, level=0.95, seed=3)
    assert result.draws == 40 and "bootstrap" in result.note
    table = result.table
    assert table["share"].to_list() == pytest.approx(simulated.table["share"].to_list())
    width = (table["ci_high"] - table["ci_low"]).to_numpy()
    sim_width = (simulated.table["ci_high"] - simulated.table["ci_low"]).to_numpy()
    assert np.all((width > 0.4 * sim_width) & (width < 2.5 * sim_width))


def test_same_seed_same_result_and_row_order_does_not_matter(demo_medium: at.Dataset) -> None:
    kwargs = {"draws": 60, "controls": ("segment",)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", at.EstimateWarning)
        a = at.contributions(demo_medium, **kwargs)
        b = at.contributions(demo_medium, **kwargs)
        shuffled = at.Dataset(
            touches=demo_medium.touches.sample(fraction=1.0, shuffle=True, seed=1),
            opportunities=demo_medium.opportunities.sample(fraction=1.0, shuffle=True, seed=2),
            contacts=demo_medium.contacts,
            accounts=demo_medium.accounts.sample(fraction=1.0, shuffle=True, seed=3),
        )
        c = at.contributions(shuffled, **kwargs)
    assert a.table.equals(b.table)
    for col in ("revenue", "share", "ci_low", "ci_high"):
        np.testing.assert_allclose(a.table[col], c.table[col], rtol=1e-9)


def test_small_samples_warn(demo_small: at.Dataset) -> None:
    ds = at.demo.generate(n_accounts=1_500, seed=4)
    with pytest.warns(at.EstimateWarning, match="events per parameter"):
        result = at.contributions(ds, draws=50)
    assert any("events per parameter" in w for w in result.diagnostics.warnings)
    with pytest.warns(at.EstimateWarning, match="too few"):
        tiny = at.contributions(demo_small, draws=50)
    assert not tiny.supported and tiny.table["share"].null_count() == 4


def _sales_only_on_won(ds: at.Dataset) -> at.Dataset:
    winners = ds.opportunities.filter(pl.col("is_won"))["account_id"].implode()
    keep = (pl.col("team") == "marketing") | pl.col("account_id").is_in(winners)
    return at.Dataset(
        touches=ds.touches.filter(keep),
        opportunities=ds.opportunities,
        contacts=ds.contacts,
        accounts=ds.accounts,
    )


def _one_touch_per_deal(ds: at.Dataset) -> at.Dataset:
    """Like a lead list: one marketing touch per deal, when the opportunity was opened."""
    sales = ds.touches.filter(pl.col("team") == "sales").select(
        "touch_id", "account_id", "occurred_at", "team", "channel"
    )
    marketing = ds.opportunities.select(
        ("m-" + pl.col("opportunity_id")).alias("touch_id"),
        "account_id",
        pl.col("created_at").alias("occurred_at"),
        pl.lit("marketing").alias("team"),
        pl.lit("landing_page").alias("channel"),
    )
    return at.validate(
        {
            "touches": pl.concat([marketing, sales]),
            "opportunities": ds.opportunities,
            "accounts": ds.accounts,
        }
    )


def _caught(fn) -> tuple[Any, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    assert all(issubclass(w.category, at.EstimateWarning) for w in caught)
    return result, [str(w.message) for w in caught]


def test_unsupported_data_warns_and_returns_no_numbers(recovery) -> None:
    ds, _ = recovery
    result, messages = _caught(lambda: at.contributions(_sales_only_on_won(ds), draws=50))
    assert not result.supported and result.model is None
    assert any("recorded only for won deals" in m for m in messages)
    assert result.table["revenue"].null_count() == 4 and "not estimated" in repr(result)
    assert "recorded only for won deals" in result.reason
    assert str(result.summary()).startswith("Not estimated: ")  # the reason, not an error
    with pytest.raises(at.ParameterError, match="not supported"):
        result.split_at({}, {})
    result, messages = _caught(lambda: at.contributions(_one_touch_per_deal(ds), draws=50))
    assert not result.supported
    assert any("one recorded touch per lead" in m for m in messages)
    no_amounts = at.Dataset(
        touches=ds.touches,
        opportunities=ds.opportunities.with_columns(pl.lit(0.0).alias("amount")),
        contacts=ds.contacts,
        accounts=ds.accounts,
    )
    result, messages = _caught(lambda: at.contributions(no_amounts, draws=50))
    assert not result.supported and any("no amount" in m for m in messages)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"controls": "segment"}, "controls"),
        ({"controls": ("region",)}, "controls"),
        ({"interval": "jackknife"}, "interval"),
        ({"amount_model": "tweedie"}, "amount_model"),
        ({"level": 95}, "level"),
        ({"draws": 5}, "draws"),
    ],
)
def test_bad_parameters_are_parameter_errors(demo_small: at.Dataset, kwargs, message) -> None:
    with pytest.raises(at.ParameterError, match=message):
        at.contributions(demo_small, **kwargs)


def test_log_ols_amount_model_gives_a_similar_split(recovery) -> None:
    ds, gamma = recovery
    result = at.contributions(ds, amount_model="log_ols", draws=100)
    assert result.amount_formula.startswith("np.log(amount)")
    np.testing.assert_allclose(result.table["share"], gamma.table["share"], atol=0.05)


def test_where_splits_one_slice_of_the_deals(demo_medium: at.Dataset) -> None:
    big = pl.col("segment") != "SMB"
    result, _ = _caught(lambda: at.contributions(demo_medium, where=big, draws=40))
    j = at.journeys(demo_medium, include=["segment"])
    closed = j.filter(big & pl.col("status").is_in(["won", "lost"])).unique("opportunity_id")
    assert result.diagnostics.n == closed.height
    assert set(result.opportunities["opportunity_id"]) == set(closed["opportunity_id"])
    assert "segment[T.SMB]" not in result.model.params.index
    assert "Logit Regression Results" in str(result.summary())
    with pytest.raises(at.ParameterError, match="column of a touch"):
        at.contributions(demo_medium, where=pl.col("channel") == "email")
