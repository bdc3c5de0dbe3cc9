"""sla_cost: counts of late follow-up, the estimated cost, and data that cannot support it."""

from __future__ import annotations

import dataclasses
import warnings
from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pytest
from helpers import make_opportunities, make_touches

import attribution as at
from attribution.estimates.speed import NEVER


@pytest.fixture(scope="module")
def demo() -> at.Dataset:
    return at.demo.generate(n_accounts=6000, seed=4)


@pytest.fixture(scope="module")
def cost(demo: at.Dataset) -> at.SlaCost:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", at.EstimateWarning)
        return at.sla_cost(demo, sla_hours=24, draws=200)


def test_counts_match_the_response_times(demo: at.Dataset, cost: at.SlaCost) -> None:
    r = at.response_times(demo, sla_hours=24).filter(~pl.col("pending"))
    late = r.filter(pl.col("followed_up") & (pl.col("response_hours") > 24))
    expected = (
        r.group_by("rep")
        .agg(
            pl.len().alias("mqls"),
            (pl.col("followed_up") & (pl.col("response_hours") > 24)).sum().alias("late"),
            (~pl.col("followed_up")).sum().alias("never"),
        )
        .sort("rep")
    )
    got = cost.table.sort("rep")
    assert got["rep"].to_list() == expected["rep"].to_list()
    assert got["mqls"].to_list() == expected["mqls"].to_list()
    assert got["late"].to_list() == expected["late"].to_list()
    assert got["never_followed_up"].to_list() == expected["never"].to_list()
    total = cost.total.row(0, named=True)
    assert total["rep"] == "all" and total["late"] == late.height
    assert total["mqls"] == r.height
    assert got.filter(pl.col("rep") == "(no response)")["late"][0] == 0


def test_the_cost_adds_up_and_is_valued_per_win(cost: at.SlaCost) -> None:
    assert cost.supported and cost.sla_hours == 24 and cost.level == 0.9
    assert cost.value_per_win is not None and cost.value_per_win > 0
    table, total = cost.table, cost.total.row(0, named=True)
    assert table["lost_wins"].sum() == pytest.approx(total["lost_wins"])
    assert table["lost_revenue"].sum() == pytest.approx(total["lost_revenue"])
    assert (table["lost_revenue"] - table["lost_wins"] * cost.value_per_win).abs().max() < 1e-6
    assert (table["ci_low"] <= table["lost_revenue"] + 1e-9).all()
    assert (table["lost_revenue"] <= table["ci_high"] + 1e-9).all()
    # MQLs never answered late cost nothing here (they are counted, not costed)
    assert table.filter(pl.col("late") == 0)["lost_wins"].abs().max() == 0
    assert table["lost_revenue"].is_sorted(descending=True, nulls_last=True)


def test_the_cost_is_the_difference_of_the_models_adjusted_rates(cost: at.SlaCost) -> None:
    """Recompute the total from the effect table (its adjusted rates are point predictions)."""
    effect = cost.effect.table.filter(pl.col("bin") != NEVER)
    bins = effect["bin"].to_list()
    assert "4h-24h" in bins and "24h-3d" in bins, "the SLA is a bin edge"
    rate = dict(effect.select("bin", "adjusted_rate").rows())
    inside = bins[: bins.index("4h-24h") + 1]
    late = [b for b in bins if b not in inside]
    demo_r = cost.effect  # the late MQLs per bin, from the effect's own counts
    counts = dict(demo_r.table.select("bin", "mqls").rows())
    expected = sum(counts[b] * (rate["4h-24h"] - rate[b]) for b in late)
    assert cost.total["lost_wins"][0] == pytest.approx(expected, rel=1e-9)
    assert np.isfinite(cost.total["ci_low"][0]) and cost.total["ci_low"][0] > 0


def test_the_sla_becomes_a_bin_edge(demo: at.Dataset) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", at.EstimateWarning)
        c = at.sla_cost(demo, sla_hours=8, bins_hours=(1, 24), by="lead_source", draws=50)
    assert c.effect.table["bin"].to_list()[:4] == ["< 1h", "1h-8h", "8h-24h", ">= 24h"]
    assert c.table.columns[0] == "lead_source"
    r = at.response_times(demo, sla_hours=8).filter(~pl.col("pending"))
    assert c.total["late"][0] == r.filter(pl.col("response_hours") > 8).height


def test_seeded(demo: at.Dataset) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", at.EstimateWarning)
        a = at.sla_cost(demo, draws=50, seed=3)
        b = at.sla_cost(demo, draws=50, seed=3)
    assert a.table.equals(b.table)


def test_bad_parameters_are_refused(demo: at.Dataset) -> None:
    with pytest.raises(at.ParameterError, match="sla_hours"):
        at.sla_cost(demo, sla_hours=0)
    with pytest.raises(at.ParameterError, match="by must be"):
        at.sla_cost(demo, by="team")  # type: ignore[arg-type]
    with pytest.raises(at.ParameterError, match="one grouping"):
        at.sla_cost(demo, by=["rep", "month"])  # type: ignore[arg-type]
    with pytest.raises(at.ParameterError, match="bins_hours"):
        at.sla_cost(demo, bins_hours=["1h", "4h"])  # type: ignore[list-item]
    with pytest.raises(at.ParameterError, match="bins_hours"):
        at.speed_to_lead_effect(demo, bins_hours=["1h"])  # type: ignore[list-item]


def _sales_only_on_won() -> at.Dataset:
    """Sixty MQLs; sales touches exist only for the accounts that won."""
    base = datetime(2025, 1, 1)
    touches, opps, contacts = [], [], []
    for i in range(60):
        account, day = f"a{i}", base + timedelta(days=i)
        won = i % 3 == 0
        contacts.append((f"c{i}", account, day, day))
        touches.append((f"m{i}", account, day, "marketing", "email"))
        if won:
            touches.append((f"s{i}", account, day + timedelta(hours=30), "sales", "call"))
        opps.append((f"o{i}", account, day, won, 100.0, day + timedelta(days=20)))
    contact_frame = pl.DataFrame(
        contacts, schema=["contact_id", "account_id", "created_at", "mql_at"], orient="row"
    )
    return at.validate(
        {
            "touches": make_touches(touches).with_columns(pl.lit("Rep").alias("rep")),
            "opportunities": make_opportunities(opps),
            "contacts": contact_frame,
        }
    )


def test_follow_up_recorded_only_for_wins_gives_no_numbers() -> None:
    ds = _sales_only_on_won()
    with pytest.warns(at.EstimateWarning, match="recorded only for accounts that won"):
        c = at.sla_cost(ds, draws=50)
    assert not c.supported
    for frame in (c.table, c.total):
        assert frame["mqls"].sum() == 60
        for column in ("late", "never_followed_up", "share_late", "lost_wins", "lost_revenue"):
            assert frame[column].null_count() == frame.height, column


def test_no_late_mql_costs_nothing_and_a_missing_estimate_says_why() -> None:
    ds = at.demo.generate(n_accounts=6000, seed=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", at.EstimateWarning)
        generous = at.sla_cost(ds, sla_hours=100_000, draws=50)  # nobody answers that late
        no_amounts = at.sla_cost(
            dataclasses.replace(ds, opportunities=ds.opportunities.with_columns(amount=None)),
            draws=50,
        )
    assert generous.total["late"][0] == 0
    assert not no_amounts.supported and "no won deal has an amount" in no_amounts.reason
