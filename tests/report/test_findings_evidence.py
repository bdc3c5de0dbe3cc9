"""Findings that draw on the models and the estimates, and on gaps in the records."""

from __future__ import annotations

import dataclasses
import warnings
from datetime import datetime, timedelta

import polars as pl
import pytest
from helpers import make_opportunities, make_touches

import attribution as at
from attribution.models.compare import Comparison
from attribution.report import findings as rank


def quiet(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", at.EstimateWarning)
        return fn(*args, **kwargs)


@pytest.fixture(scope="module")
def demo() -> at.Dataset:
    return at.demo.generate(n_accounts=6000, seed=4)


@pytest.fixture(scope="module")
def j(demo: at.Dataset) -> pl.DataFrame:
    return at.journeys(demo)


def _comparison(rows: dict[str, list[float]], channels: list[str]) -> Comparison:
    return Comparison(table=pl.DataFrame({"channel": channels, **rows}), intervals=None)


def _keys(found: list[rank.Finding]) -> dict[str, rank.Finding]:
    return {f.key: f for f in found}


def test_the_channel_every_model_ranks_first(j: pl.DataFrame) -> None:
    agreed = _comparison(
        {"first_touch": [50.0, 30.0, 20.0], "markov": [40.0, 35.0, 25.0]},
        ["webinar", "email", "demo"],
    )
    found = _keys(rank.findings(j, n=20, comparison=agreed))
    consensus = found["model_consensus"]
    assert consensus.weight == pytest.approx(0.40)
    assert "Every one of the 2 attribution models credits *webinar*" in consensus.text
    assert "between 40% (Markov) and 50% (first touch)" in consensus.text
    split = _comparison(
        {"first_touch": [50.0, 30.0, 20.0], "last_touch": [20.0, 50.0, 30.0]},
        ["webinar", "email", "demo"],
    )
    assert "model_consensus" not in _keys(rank.findings(j, n=20, comparison=split))


def test_where_the_models_disagree_most(j: pl.DataFrame) -> None:
    c = _comparison(
        {
            "first_touch": [70.0, 20.0, 10.0],
            "last_touch": [10.0, 30.0, 60.0],
            "shapley": [30.0, 40.0, 30.0],
        },
        ["webinar", "email", "call"],
    )
    found = _keys(rank.findings(j, n=20, comparison=c))["model_disagreement"]
    assert found.weight == pytest.approx(0.6)
    assert "*webinar* gets depends most on the model: from 10%" in found.text
    assert "(last touch) to 70% (first touch)" in found.text
    assert (
        "The data-driven Shapley model, which learns from lost deals too, gives 30%" in found.text
    )
    real = _keys(rank.findings(j, n=20, comparison=at.compare(j)))
    assert "model_disagreement" in real


def test_joint_work_is_a_finding_only_when_its_interval_excludes_zero(
    demo: at.Dataset, j: pl.DataFrame
) -> None:
    result = quiet(at.contributions, demo, journeys=j, draws=100)
    table = result.table.with_columns(
        pl.when(pl.col("component") == "joint").then(0.3).otherwise(pl.col("share")).alias("share"),
        pl.when(pl.col("component") == "joint")
        .then(0.1)
        .otherwise(pl.col("ci_low"))
        .alias("ci_low"),
        pl.when(pl.col("component") == "joint")
        .then(0.5)
        .otherwise(pl.col("ci_high"))
        .alias("ci_high"),
    )
    clear = dataclasses.replace(result, table=table)
    found = _keys(rank.findings(j, n=20, contributions=clear))["joint_effect"]
    assert found.weight == pytest.approx(0.3)
    assert "30% of expected revenue (90% interval 10% to 50%)" in found.text
    assert "not a proven cause" in found.text
    crossing = dataclasses.replace(
        result, table=table.with_columns(pl.col("ci_low") - 0.2)
    )  # the joint interval now starts at -10%
    assert "joint_effect" not in _keys(rank.findings(j, n=20, contributions=crossing))
    vague = dataclasses.replace(result, table=table.with_columns(pl.col("ci_high") + 1.0))
    assert "joint_effect" not in _keys(rank.findings(j, n=20, contributions=vague))
    unsupported = dataclasses.replace(clear, supported=False)
    assert "joint_effect" not in _keys(rank.findings(j, n=20, contributions=unsupported))


def test_late_follow_up_names_the_cost_and_the_rep(demo: at.Dataset, j: pl.DataFrame) -> None:
    cost = quiet(at.sla_cost, demo, draws=200)
    assert cost.supported and cost.total["ci_low"][0] > 0
    found = _keys(rank.findings(j, n=20, currency="€", sla=cost))["late_follow_up"]
    total = cost.total.row(0, named=True)
    rate = cost.effect.table.filter(pl.col("bin") == cost.reference_bin)["adjusted_rate"][0]
    assert cost.reference_bin == "4h-24h"
    assert found.weight == pytest.approx(total["lost_wins"] / (total["late"] * rate))
    assert 0 < found.weight < 1
    assert f"{total['late']:,} MQLs were first answered after the 24-hour SLA" in found.text
    assert f"€{total['lost_revenue']:,.0f}" in found.text
    assert cost.table["rep"][0] in found.text
    assert "late_follow_up" not in _keys(
        rank.findings(j, n=20, sla=dataclasses.replace(cost, supported=False))
    )


def _sales_recorded_for_wins_only() -> pl.DataFrame:
    base = datetime(2025, 1, 1)
    touches, opps = [], []
    for i in range(80):
        account, day = f"a{i}", base + timedelta(days=i)
        won = i % 4 == 0
        touches.append((f"m{i}", account, day, "marketing", "email" if i % 2 else "webinar"))
        if won:
            touches.append((f"s{i}", account, day + timedelta(days=5), "sales", "sales_call"))
        opps.append((f"o{i}", account, day, won, 100.0, day + timedelta(days=20 + i % 7)))
    ds = at.validate({"touches": make_touches(touches), "opportunities": make_opportunities(opps)})
    return at.journeys(ds)


def test_sales_recorded_for_wins_only_replaces_misleading_comparisons() -> None:
    j = _sales_recorded_for_wins_only()
    found = _keys(rank.findings(j, n=20, comparison=at.compare(j)))
    assert found["recording_gap"].weight == 1.0
    assert "none of the 60 lost deals has a sales touch" in found["recording_gap"].text
    assert "joint_work" not in found and "channel_gap" not in found
    assert "data-driven" not in found["model_disagreement"].text
    ranked = rank.findings(j, n=1)
    assert ranked[0].key == "recording_gap"


def test_demo_data_has_no_recording_gap(j: pl.DataFrame) -> None:
    assert "recording_gap" not in _keys(rank.findings(j, n=20))
