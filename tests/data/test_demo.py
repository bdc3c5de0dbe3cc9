"""Demo data: deterministic, plausible, and its truth consistent with the journeys."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

import attribution as at
from attribution.data.demo import REPS, DemoParams


def test_same_seed_same_data_and_different_seed_different_data() -> None:
    a = at.demo.generate(n_accounts=300, seed=4)
    b = at.demo.generate(n_accounts=300, seed=4)
    c = at.demo.generate(n_accounts=300, seed=5)
    for name, frame in a.tables().items():
        assert frame.equals(b.lazy(name).collect()), name
    assert a.truth.contributions.equals(b.truth.contributions)
    assert not a.touches.equals(c.touches)


def test_seed_gives_the_data_it_always_gave() -> None:
    # a change in the order of the random draws would change these figures
    ds = at.demo.generate(n_accounts=300, seed=4)
    assert {k: v.height for k, v in ds.tables().items()} == {
        "touches": 3554,
        "opportunities": 83,
        "contacts": 480,
        "accounts": 300,
        "stage_history": 319,
        "spend": 304,
    }
    assert ds.opportunities["amount"].sum() == 6_264_300.0
    assert ds.contacts["score"].sum() == 17_652.0
    assert ds.touches["touch_id"][-1] == "A0000299-T003"
    assert ds.truth.shares["sales"] == pytest.approx(0.313332053226, abs=1e-9)


def test_chunked_generation_is_deterministic_and_ids_unique() -> None:
    first = list(at.demo.iter_chunks(n_accounts=250, seed=9, chunk_accounts=100))
    second = list(at.demo.iter_chunks(n_accounts=250, seed=9, chunk_accounts=100))
    assert len(first) == 3
    for (t1, _), (t2, _) in zip(first, second, strict=True):
        assert t1["touches"].equals(t2["touches"])
    touches = pl.concat([t["touches"] for t, _ in first])
    accounts = pl.concat([t["accounts"] for t, _ in first])
    assert touches["touch_id"].is_unique().all()
    assert accounts["account_id"].to_list() == [f"A{i:07d}" for i in range(250)]


def test_all_tables_and_relations(demo_medium: at.Dataset) -> None:
    ds = demo_medium
    assert set(ds.tables()) == {
        "touches",
        "opportunities",
        "contacts",
        "accounts",
        "stage_history",
        "spend",
    }
    assert set(ds.touches["team"].unique()) == {"marketing", "sales"}
    marketing = set(ds.touches.filter(pl.col("team") == "marketing")["channel"].unique())
    assert {
        "paid_search",
        "paid_social",
        "organic_search",
        "email",
        "webinar",
        "content",
        "event",
        "review_site",
        "direct",
    } <= marketing
    assert set(ds.touches.filter(pl.col("team") == "sales")["channel"].unique()) == {
        "sales_call",
        "sales_email",
        "meeting",
        "demo",
    }
    assert ds.touches.filter(pl.col("team") == "marketing")["campaign"].null_count() < (
        ds.touches.filter(pl.col("team") == "marketing").height * 0.3
    )
    assert ds.touches.filter(pl.col("team") == "sales")["rep"].null_count() == 0
    # some accounts never open an opportunity; some deals are open, lost and won
    assert ds.opportunities["account_id"].n_unique() < ds.accounts.height * 0.5
    closed = ds.opportunities["closed_at"].is_not_null()
    assert (~closed).sum() > 0 and ds.opportunities["is_won"].sum() > 0
    assert (closed & ~ds.opportunities["is_won"]).sum() > 0
    # every stage history ends no later than the data, and won deals end "Closed Won"
    last = ds.stage_history.group_by("opportunity_id").agg(pl.col("stage").last())
    won_ids = ds.opportunities.filter(pl.col("is_won"))["opportunity_id"]
    assert set(last.filter(pl.col("opportunity_id").is_in(won_ids.implode()))["stage"]) == {
        "Closed Won"
    }
    assert ds.stage_history["entered_at"].max() <= ds.as_of


def test_rates_sizes_and_delays_are_plausible(demo_medium: at.Dataset) -> None:
    ds = demo_medium
    opps = ds.opportunities.join(ds.accounts, on="account_id")
    closed = opps.filter(pl.col("closed_at").is_not_null())
    win_rate = closed["is_won"].mean()
    assert 0.15 < win_rate < 0.40
    cycle = (closed["closed_at"] - closed["created_at"]).dt.total_days()
    assert 20 <= cycle.median() <= 80
    size = opps.group_by("segment").agg(pl.col("amount").median()).sort("amount")
    assert size["segment"].to_list() == ["SMB", "Mid-Market", "Enterprise"]
    assert 5_000 < size["amount"][0] < 25_000 and size["amount"][2] > 80_000
    mql_share = ds.contacts["mql_at"].is_not_null().mean()
    assert 0.1 < mql_share < 0.6
    assert (
        ds.contacts.filter(pl.col("mql_at").is_not_null())
        .select((pl.col("mql_at") >= pl.col("created_at")).all())
        .item()
    )
    # response delay: hours from MQL to first sales touch, by rep, spans fast and slow reps
    mql = ds.contacts.group_by("account_id").agg(pl.col("mql_at").min()).drop_nulls()
    first_sales = (
        ds.touches.filter(pl.col("team") == "sales")
        .join(mql, on="account_id")
        .filter(pl.col("occurred_at") >= pl.col("mql_at"))
        .group_by("account_id")
        .agg(pl.col("occurred_at").min(), pl.col("rep").first(), pl.col("mql_at").first())
        .with_columns(
            ((pl.col("occurred_at") - pl.col("mql_at")).dt.total_seconds() / 3600).alias("hours")
        )
    )
    by_rep = first_sales.group_by("rep").agg(pl.col("hours").median(), pl.len())
    by_rep = by_rep.filter(pl.col("len") >= 5)
    assert by_rep["hours"].min() < 3 and by_rep["hours"].max() > 24
    assert set(by_rep["rep"]) <= set(REPS)


def test_truth_is_consistent(demo_medium: at.Dataset) -> None:
    truth = demo_medium.truth
    shares = truth.shares
    assert list(shares) == ["baseline", "marketing", "sales", "joint"]
    assert math.isclose(sum(shares.values()), 1.0)
    assert all(0.05 < s < 0.6 for s in shares.values())
    shapley = truth.shapley_shares
    assert math.isclose(shapley["marketing"] + shapley["sales"] + shares["baseline"], 1.0)
    t = truth.opportunities
    # v(both) is each deal's expected revenue; over many deals it tracks booked revenue
    booked = demo_medium.opportunities.filter(pl.col("is_won"))["amount"].sum()
    assert t["v_both"].sum() == pytest.approx(booked, rel=0.25)
    # marketing never hurts a deal; sales helps in total, but a very slow first response
    # can cost a deal more than the sales touches add (the speed-to-lead penalty)
    assert (t["v_none"] <= t["v_marketing"]).all()
    assert t["v_sales"].sum() > t["v_none"].sum()
    hurt = t.filter(pl.col("v_sales") < pl.col("v_none"))
    assert (hurt["speed_hours"] > 24).all()
    closed = demo_medium.opportunities.filter(pl.col("closed_at").is_not_null())
    assert set(t["opportunity_id"]) == set(closed["opportunity_id"])


def test_truth_exposures_equal_what_the_journeys_show(demo_medium: at.Dataset) -> None:
    lookback = demo_medium.truth.params.lookback_days
    j = at.journeys(demo_medium, lookback_days=lookback)
    counts = j.group_by("opportunity_id").agg(
        (pl.col("team") == "marketing").sum().alias("m_j"),
        (pl.col("team") == "sales").sum().alias("s_j"),
    )
    both = demo_medium.truth.opportunities.join(counts, on="opportunity_id")
    assert both.height == demo_medium.truth.opportunities.height
    assert (both["m"] == both["m_j"]).all()
    assert (both["s"] == both["s_j"]).all()


def test_win_probability_follows_the_stated_model(demo_medium: at.Dataset) -> None:
    p = demo_medium.truth.params
    t = demo_medium.truth.opportunities.join(
        demo_medium.opportunities.select("opportunity_id", "account_id"), on="opportunity_id"
    ).join(demo_medium.accounts.select("account_id", "segment"), on="account_id")
    seg = t["segment"].replace_strict({"SMB": 0, "Mid-Market": 1, "Enterprise": 2}).to_numpy()
    lm, ls = np.log1p(t["m"].to_numpy()), np.log1p(t["s"].to_numpy())
    hours = t["speed_hours"].fill_null(np.nan).to_numpy()
    speed = np.where((t["s"].to_numpy() > 0) & np.isfinite(hours), np.log1p(hours / 24), 0.0)
    eta = (
        p.win_intercept
        + np.asarray(p.win_segment)[seg]
        + p.win_marketing * lm
        + p.win_sales * ls
        + p.win_joint * lm * ls
        + p.win_speed * speed
    )
    np.testing.assert_allclose(t["p_win"].to_numpy(), 1 / (1 + np.exp(-eta)), rtol=1e-12)


def test_bad_sizes_are_parameter_errors() -> None:
    with pytest.raises(at.ParameterError, match="n_accounts"):
        at.demo.generate(n_accounts=0)
    with pytest.raises(at.ParameterError, match="chunk_accounts"):
        list(at.demo.iter_chunks(n_accounts=10, chunk_accounts=0))


def test_params_round_trip_to_plain_values() -> None:
    d = DemoParams().to_dict()
    assert d["start"].startswith("2025-01-01") and isinstance(d["score_points"], dict)


def test_demo_spend_is_the_touches_costs_by_channel_and_month() -> None:
    ds = at.demo.generate(n_accounts=300, seed=4)
    touches, spend = ds.touches, ds.spend
    assert isinstance(touches, pl.DataFrame) and isinstance(spend, pl.DataFrame)
    by_touch = touches.group_by("channel").agg(pl.col("cost").sum()).filter(pl.col("cost") > 0)
    by_spend = spend.group_by("channel").agg(pl.col("amount").sum())
    joined = by_touch.join(by_spend, on="channel", how="full", coalesce=True)
    assert joined.height == by_touch.height
    assert (joined["cost"] - joined["amount"]).abs().max() < 0.01 * spend.height  # type: ignore[operator]
    assert (spend["period_end"] > spend["period_start"]).all()
    assert spend["period_start"].dt.day().unique().to_list() == [1]
