"""Calibration by experiments: precision weighting, the model's lift and its error, intervals."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import attribution as at
from attribution.models.compare.incremental import FittedIncremental, incremental_boot
from attribution.models.compare.resample import Resamples
from attribution.models.credits import BASELINE, NO_TOUCH
from attribution.models.incremental import Incremental, fit_incremental
from attribution.models.incremental.calibrate import MAX_SCALE, factor_of, rescale, weigh
from attribution.models.incremental.design import build_design
from attribution.models.incremental.fit import fit_win_model
from attribution.models.incremental.implied import (
    design_rows,
    implied_lift,
    implied_lift_se,
    information,
)
from attribution.models.incremental.priors import newton
from attribution.models.incremental.split import win_probability

lifts = st.floats(-1.0, 1.0, allow_nan=False)
errors = st.floats(1e-4, 1.0, allow_nan=False)


def _old_factor(measured: float, implied: float) -> float:
    """The factor before precision weighting: the measured lift taken as the truth."""
    if measured <= 0:
        return 0.0
    if implied <= 0:
        return 1.0
    return min(measured / implied, MAX_SCALE)


@settings(max_examples=200, deadline=None)
@given(measured=lifts, implied=lifts, se_e=errors, se_m=errors)
def test_the_calibrated_lift_lies_between_the_two_and_the_weight_follows_precision(
    measured: float, implied: float, se_e: float, se_m: float
) -> None:
    weight, calibrated = weigh(*(np.array([v]) for v in (measured, se_e, implied, se_m)))
    low, high = sorted([measured, implied])
    assert 0.0 <= weight[0] <= 1.0
    assert low - 1e-12 <= calibrated[0] <= high + 1e-12
    noisier, _ = weigh(*(np.array([v]) for v in (measured, 2 * se_e, implied, se_m)))
    assert noisier[0] <= weight[0]
    factor = factor_of(np.array([implied]), calibrated)[0]
    assert 0.0 <= factor <= MAX_SCALE and np.isfinite(factor)


@settings(max_examples=200, deadline=None)
@given(measured=lifts, implied=lifts, se_m=errors)
def test_a_precise_experiment_recovers_the_old_factor_and_a_noisy_one_the_model(
    measured: float, implied: float, se_m: float
) -> None:
    exact_weight, exact = weigh(*(np.array([v]) for v in (measured, 0.0, implied, se_m)))
    assert exact_weight[0] == 1.0 and exact[0] == measured
    assert factor_of(np.array([implied]), exact)[0] == _old_factor(measured, implied)
    sharp, _ = weigh(*(np.array([v]) for v in (measured, se_m * 1e-6, implied, se_m)))
    assert sharp[0] == pytest.approx(1.0, abs=1e-9)
    vague, calibrated = weigh(*(np.array([v]) for v in (measured, se_m * 1e6, implied, se_m)))
    assert vague[0] == pytest.approx(0.0, abs=1e-9)
    assert calibrated[0] == pytest.approx(implied, abs=1e-9)


def test_a_lift_without_uncertainty_decides_only_against_a_noisy_one() -> None:
    weight, calibrated = weigh(
        np.array([3.0, 3.0]), np.array([1.0, 0.0]), np.array([1.0, 1.0]), np.array([0.0, 0.0])
    )
    assert weight.tolist() == [0.0, 1.0] and calibrated.tolist() == [1.0, 3.0]


@settings(max_examples=100, deadline=None)
@given(
    shares=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6),
    scale=st.lists(st.floats(0.0, MAX_SCALE), min_size=6, max_size=6),
)
def test_rescaling_keeps_every_deal_whole(shares: list[float], scale: list[float]) -> None:
    row = np.array(shares) / max(1.0, sum(shares))
    baseline = np.array([1.0 - row.sum()])
    scaled, rest = rescale(row[None, :].copy(), baseline, np.array(scale[: len(shares)]))
    assert (scaled >= 0).all() and (rest >= 0).all()
    assert scaled.sum() + rest[0] == pytest.approx(1.0)


@pytest.fixture(scope="module")
def demo() -> tuple[at.Dataset, pl.DataFrame]:
    ds = at.demo.generate(n_accounts=3_000, seed=0, experiments=["webinar"])
    return ds, at.journeys(ds)


@pytest.mark.parametrize("exposure", ["log", "presence"])
def test_design_rows_give_the_model_s_log_odds_with_any_touches(
    demo: tuple[at.Dataset, pl.DataFrame], exposure: str
) -> None:
    ds, j = demo
    design = build_design(j, controls=ds, exposure=exposure)  # type: ignore[arg-type]
    fit = fit_win_model(design)
    rows = np.arange(design.deals.height)
    assert design.group is not None and design.speed is not None
    without = design.counts.copy()
    without[:, fit.players[:3]] = 0.0
    for counts in (design.counts, without):
        z = design_rows(design, fit, rows, counts)
        p = 0.5 * (1.0 + np.tanh(0.5 * (z @ fit.params)))
        assert p == pytest.approx(win_probability(design, fit, rows, counts), abs=1e-12)


def test_the_model_s_lift_error_is_the_laplace_posterior_s(
    demo: tuple[at.Dataset, pl.DataFrame],
) -> None:
    """The delta method's se against the spread of the lift over posterior draws."""
    ds, j = demo
    design = build_design(j, controls=ds, exposure="log")
    fit = fit_win_model(design)
    n = design.deals.height
    info = information(design, fit)
    _, at_optimum = newton(fit.exog, design.won.astype(float), fit.alpha * n, fit.params, steps=1)
    assert info == pytest.approx(at_optimum, rel=1e-9)
    rows, channel = np.arange(min(n, 600)), int(fit.players[0])
    se = implied_lift_se(design, fit, rows, channel, info)
    without = design.counts[rows].copy()
    without[:, channel] = 0.0
    z_all = design_rows(design, fit, rows, design.counts[rows])
    z_out = design_rows(design, fit, rows, without)
    draws = np.random.default_rng(0).multivariate_normal(
        fit.params, np.linalg.inv(info), size=4_000
    )
    lift = (
        0.5 * (1.0 + np.tanh(0.5 * (draws @ z_all.T)))
        - 0.5 * (1.0 + np.tanh(0.5 * (draws @ z_out.T)))
    ).sum(axis=1)
    # the lift is not linear in the coefficients: its mean over draws is near, not at, the
    # plug-in value; its spread is what the delta method gives
    assert implied_lift(design, fit, rows, channel) == pytest.approx(lift.mean(), rel=0.15)
    assert se == pytest.approx(lift.std(), rel=0.1)


def _calibration(ds: at.Dataset, **columns: float) -> pl.DataFrame:
    return at.lift(ds).calibration.with_columns(
        **{name: pl.lit(value, dtype=pl.Float64) for name, value in columns.items()}
    )


def test_precise_and_noisy_experiments_and_every_deal_still_conserved(
    demo: tuple[at.Dataset, pl.DataFrame],
) -> None:
    ds, j = demo
    plain = fit_incremental(j, controls=ds)
    webinar = plain.design.channels.index("webinar")
    for se, weight in ((0.0, 1.0), (1e3, 0.0)):
        table = _calibration(ds, lift=0.05, se=se)
        model = fit_incremental(j, controls=ds, calibrate=table)
        assert model.combined is not None
        assert model.combined.weight[0] == pytest.approx(weight, abs=1e-9)
        implied = model.combined.implied[0]
        assert implied > 0  # this demo's model gives webinar an effect to scale
        expected = _old_factor(0.05, implied) if se == 0 else 1.0
        assert model.scale[webinar] == pytest.approx(expected, rel=1e-9)
        assert (model.shares.sum(axis=1) + model.baseline) == pytest.approx(1.0)
        credits = at.attribute(j, "incremental", controls=ds, calibrate=table)
        by_deal = credits.group_by("opportunity_id").agg(pl.col("credit").sum())
        assert by_deal["credit"].to_numpy() == pytest.approx(1.0)
        shown = at.incremental(j, controls=ds, calibrate=table).calibration
        assert shown is not None and shown.null_count().sum_horizontal().item() == 0
        assert np.isfinite(shown.select(pl.exclude("experiment", "channel")).to_numpy()).all()


def test_edge_cases_say_what_they_did(demo: tuple[at.Dataset, pl.DataFrame]) -> None:
    ds, j = demo
    missing = at.incremental(j, controls=ds, calibrate=_calibration(ds, se=float("nan")))
    assert missing.calibration is None
    assert any("no usable standard error" in n for n in missing.notes)
    assert "experiment" not in set(missing.table["evidence"])
    exact = at.incremental(j, controls=ds, calibrate=_calibration(ds, se=0.0))
    assert any("taken as exact" in n for n in exact.notes)
    floored = at.incremental(j, controls=ds, calibrate=_calibration(ds, lift=-1.0, se=1e-9))
    webinar = floored.table.filter(pl.col("channel") == "webinar").row(0, named=True)
    assert webinar["scale"] == 0.0 and webinar["revenue"] == 0.0
    assert webinar["evidence"] == "experiment"
    assert any("floored at 0" in n for n in floored.notes)
    vague = at.incremental(j, controls=ds, calibrate=_calibration(ds, se=1e3))
    assert any("weight 0.00" in n for n in vague.notes)


@pytest.fixture(scope="module")
def larger() -> tuple[at.Dataset, pl.DataFrame]:
    """A demo large enough that the model's webinar lift is well away from 0."""
    ds = at.demo.generate(n_accounts=12_000, seed=0, experiments=["webinar"])
    return ds, at.journeys(ds)


def _boot_width(model: Incremental, j: pl.DataFrame, draws: int = 40) -> float:
    frame = Resamples(j, "channel", draws, seed=0)
    groups = [*model.design.channels, BASELINE, NO_TOUCH]
    out = incremental_boot(FittedIncremental(model, j), frame, groups, pl.col("channel"))
    low, high = np.quantile(out[:, groups.index("webinar")], [0.05, 0.95])
    return float(high - low)


def test_a_noisier_experiment_widens_the_calibrated_channel_s_interval(
    larger: tuple[at.Dataset, pl.DataFrame],
) -> None:
    """At the same weight, the measured lift's noise reaches the credit's interval."""
    ds, j = larger
    model = fit_incremental(j, controls=ds, calibrate=at.lift(ds))
    assert model.combined is not None and model.calibration is not None
    widths = []
    for se in (0.0, 0.5 * float(model.calibration.lift[0])):
        cal = copy.copy(model.calibration)
        cal.se = np.array([se])
        combined = dataclasses.replace(model.combined, weight=np.ones(1))
        held = dataclasses.replace(model, calibration=cal, combined=combined)
        widths.append(_boot_width(held, j))
    assert widths[1] > 1.2 * widths[0]


def test_the_measured_lift_s_draws_leave_the_resamples_alone(
    demo: tuple[at.Dataset, pl.DataFrame],
) -> None:
    """A zero factor in every resample leaves the other channels' intervals as they were."""
    ds, j = demo

    def intervals(**options: object) -> pl.DataFrame:
        cmp = at.compare(j, {"incremental": {"controls": ds, **options}}, level=0.9, draws=40)
        assert cmp.intervals is not None
        return cmp.intervals

    zero = intervals(calibrate=_calibration(ds, lift=-1.0, se=1e-9))
    plain = intervals()
    assert zero.filter(pl.col("channel") == "webinar")["ci_high"].sum() == 0.0
    others = ~pl.col("channel").is_in(["webinar", "(baseline)"])
    assert zero.filter(others)["ci_low"].to_list() == plain.filter(others)["ci_low"].to_list()


def test_the_model_lift_is_taken_over_the_deals_the_experiment_counted(
    demo: tuple[at.Dataset, pl.DataFrame],
) -> None:
    from attribution.models.incremental.calibrate import Calibration, calibration_table

    ds, j = demo
    # a window of one quarter inside the data: only deals closed in it count
    closed = ds.opportunities["closed_at"].drop_nulls().sort()
    start, end = closed[len(closed) // 3], closed[len(closed) // 2]
    experiments = ds.experiments.with_columns(
        pl.lit(start).alias("start"), pl.lit(end).alias("end")
    )
    windowed = dataclasses.replace(ds, experiments=experiments)
    table = at.lift(windowed).calibration
    design = build_design(j, controls=ds)
    chosen, _ = calibration_table(table, design)
    rows = Calibration(chosen, design).rows[0]
    treated = set(table["accounts"][0])
    in_window = ds.opportunities.filter(
        pl.col("account_id").is_in(list(treated))
        & pl.col("closed_at").is_between(start, end)
        & pl.col("opportunity_id").is_in(design.deals["opportunity_id"].implode())
    )
    assert 0 < len(rows) == in_window.height
    assert set(design.deals["opportunity_id"].gather(rows)) == set(in_window["opportunity_id"])
    # a table without the window's deals falls back to every deal of the treated accounts
    everything = Calibration(chosen.drop("deals"), design).rows[0]
    assert len(everything) > len(rows)


@settings(max_examples=500, deadline=None)
@given(
    implied=st.floats(allow_nan=False, allow_infinity=False),
    calibrated=st.floats(allow_nan=False, allow_infinity=False),
)
def test_the_factor_is_exact_and_bounded_for_any_finite_lifts(
    implied: float, calibrated: float
) -> None:
    # subnormal and huge lifts once overflowed (an error under the tests' warning filter)
    factor = factor_of(np.array([implied]), np.array([calibrated]))[0]
    if calibrated <= 0:
        assert factor == 0.0
    elif implied <= 0:
        assert factor == 1.0
    elif calibrated / MAX_SCALE >= implied:
        assert factor == MAX_SCALE
    else:
        assert factor == min(calibrated / implied, MAX_SCALE)
