"""Experiments: the lift of simulated holdouts against their known true lift, calibration, plans."""

from __future__ import annotations

import polars as pl
import pytest

import attribution as at

SEEDS = range(20)


def _covered(seed: int) -> dict[str, bool]:
    ds = at.demo.generate(n_accounts=1_500, seed=seed, experiments=["webinar"])
    got = at.lift(ds, level=0.9).table
    truth = ds.truth.experiments
    joined = got.join(truth, on=["experiment", "outcome"])
    return {
        row["outcome"]: row["ci_low"] <= row["true_lift"] <= row["ci_high"]
        for row in joined.iter_rows(named=True)
    }


def test_lift_intervals_cover_the_true_lift_at_about_their_level() -> None:
    covered = [_covered(seed) for seed in SEEDS]
    for outcome in ("opportunity", "win", "revenue"):
        rate = sum(c[outcome] for c in covered) / len(covered)
        assert rate >= 0.75, (outcome, rate)  # 90% nominal; 20 seeds: sd about 0.07


def test_calibration_moves_a_demand_capture_channel_toward_its_true_credit() -> None:
    ds = at.demo.generate(
        n_accounts=20_000, seed=1, scenario="demand_capture", experiments=["paid_search"]
    )
    j = at.journeys(ds)
    truth = ds.truth.channels.filter(pl.col("channel") == "paid_search")["share"].item()
    plain = at.incremental(j, controls=ds)
    measured = at.lift(ds)
    calibrated = at.incremental(j, controls=ds, calibrate=measured)

    def share(r: at.models.incremental.IncrementalResult) -> float:
        return float(r.table.filter(pl.col("channel") == "paid_search")["share"].item())

    assert abs(share(calibrated) - truth) < abs(share(plain) - truth)
    evidence = dict(calibrated.table.select("channel", "evidence").iter_rows())
    assert evidence["paid_search"] == "experiment"
    assert set(evidence.values()) <= {"experiment", "model", "presence only"}
    credits = at.attribute(j, "incremental", controls=ds, calibrate=measured)
    by_deal = credits.group_by("opportunity_id").agg(pl.col("credit").sum())
    assert by_deal["credit"].to_list() == pytest.approx([1.0] * by_deal.height)


def test_lift_needs_experiments_with_both_arms() -> None:
    ds = at.demo.generate(n_accounts=300, seed=0)
    with pytest.raises(at.DataError, match="experiments table"):
        at.lift(ds)
    with_exp = at.demo.generate(n_accounts=300, seed=0, experiments=["webinar"])
    assert with_exp.experiments is not None
    one_arm = with_exp.experiments.lazy().collect().filter(pl.col("arm") == "treatment")
    broken = at.Dataset(
        touches=with_exp.touches, opportunities=with_exp.opportunities, experiments=one_arm
    )
    with pytest.raises(at.DataError, match="lack a treatment or a holdout arm"):
        at.lift(broken)


def test_plan_experiment_sizes_a_holdout_and_picks_the_disputed_channel() -> None:
    ds = at.demo.generate(n_accounts=2_000, seed=0)
    j = at.journeys(ds)
    comparison = at.compare(j, ["linear", "markov", "incremental"])
    plan = at.plan_experiment(ds, comparison=comparison, lift=0.2, months=[3, 6])
    assert plan.channel == plan.disagreement["channel"][0]
    assert plan.disagreement["spread"].is_sorted(descending=True)
    small = at.plan_experiment(ds, plan.channel, lift=0.5, months=[6])
    large = at.plan_experiment(ds, plan.channel, lift=0.1, months=[6])
    assert small.table["accounts_needed"][0] < large.table["accounts_needed"][0]
    with pytest.raises(at.ParameterError, match="give a channel"):
        at.plan_experiment(ds)
    with pytest.raises(at.ParameterError, match="between 0 and 1"):
        at.plan_experiment(ds, "webinar", holdout_share=1.5)


def test_an_unknown_arm_is_one_clear_error() -> None:
    ds = at.demo.generate(n_accounts=200, seed=0, experiments=["webinar"])
    tables = {name: frame.lazy().collect() for name, frame in ds.tables().items()}
    tables["experiments"] = tables["experiments"].with_columns(
        pl.when(pl.int_range(pl.len()) < 3).then(pl.lit("=cmd|' /C calc'!A0")).otherwise("arm")
        .alias("arm")
    )  # fmt: skip
    with pytest.raises(at.DataError, match="unknown arm"):
        at.validate(tables)
