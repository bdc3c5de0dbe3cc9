"""Pipeline credit: every model conserves created and pending pipeline; periods reconcile."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import attribution as at
from attribution.estimates.win_probability import win_probability
from attribution.money.pipeline import pipeline_by, pipeline_credits, reconcile

START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
CHANNELS = ["email", "webinar", "sales_call", "demo"]
OPTIONS: dict[str, dict] = {
    "custom": {"weights": {"lead_creation": 1.0, "close": 0.5}},
    "markov": {"order": 2},
}


@st.composite
def datasets(draw: st.DrawFn) -> at.Dataset:
    touches, opps = [], []
    for a in range(draw(st.integers(1, 5))):
        for t in range(draw(st.integers(1 if a == 0 else 0, 6))):
            channel = draw(st.sampled_from(CHANNELS))
            team = "sales" if channel in ("sales_call", "demo") else "marketing"
            day = START + dt.timedelta(days=draw(st.integers(0, 60)))
            touches.append((f"t{a}_{t}", f"a{a}", day, team, channel))
        for o in range(draw(st.integers(1, 2))):
            created = START + dt.timedelta(days=draw(st.integers(0, 70)))
            status = draw(st.sampled_from(["won", "lost", "open"]))
            closed = None if status == "open" else created + dt.timedelta(days=10)
            amount = draw(st.floats(1, 1e6, allow_nan=False))
            opps.append((f"o{a}_{o}", f"a{a}", created, status == "won", amount, closed))
    if not any(o[3] for o in opps):  # the data-driven models need a win to value channels
        opps[0] = (*opps[0][:3], True, opps[0][4], opps[0][2] + dt.timedelta(days=5))
    tables = {
        "touches": pl.DataFrame(
            touches,
            orient="row",
            schema=["touch_id", "account_id", "occurred_at", "team", "channel"],
        ),
        "opportunities": pl.DataFrame(
            opps,
            orient="row",
            schema=["opportunity_id", "account_id", "created_at", "is_won", "amount", "closed_at"],
        ).with_columns(pl.col("closed_at").cast(pl.Datetime("us", "UTC"))),
    }
    return at.validate(tables)


@pytest.mark.parametrize("model", sorted(at.MODELS))
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ds=datasets(), team=st.sampled_from([None, "marketing"]))
def test_every_model_conserves_created_and_pending_pipeline(
    model: str, ds: at.Dataset, team: str | None
) -> None:
    j = at.journeys(ds, lookback_days=30)
    options = OPTIONS.get(model, {})
    created = pipeline_credits(j, model, team=team, **options)
    opps = ds.opportunities
    assert isinstance(opps, pl.DataFrame)
    per_deal = created.group_by("opportunity_id").agg(pl.col("credit", "revenue").sum())
    joined = opps.join(per_deal, on="opportunity_id", how="left")
    assert joined["credit"].to_list() == pytest.approx([1.0] * opps.height, abs=1e-9)
    assert joined["revenue"].to_list() == pytest.approx(joined["amount"].to_list(), rel=1e-9)
    # a touch after the deal was opened never takes created credit
    when = created.join(ds.touches.select("touch_id", "occurred_at"), on="touch_id")
    assert (when["occurred_at"] <= when["closed_at"]).all()

    with warnings.catch_warnings():  # few deals: the historical win rate stands in
        warnings.simplefilter("ignore", at.EstimateWarning)
        win = win_probability(ds, j, draws=20)
    pending = pipeline_credits(j, model, kind="pending", win=win, team=team, **options)
    assert pending["revenue"].sum() == pytest.approx(win.open["expected"].sum(), rel=1e-9)
    assert set(pending["opportunity_id"]) <= set(win.open["opportunity_id"])
    t = reconcile(opps, created)
    assert t["difference"].abs().max() == pytest.approx(0.0, abs=1e-6 * opps["amount"].sum())


def test_reconcile_by_hand() -> None:
    jan, feb = START, START + dt.timedelta(days=40)
    opps = pl.DataFrame(
        {
            "opportunity_id": ["o1", "o2", "o3", "o4"],
            "created_at": [jan, jan, jan, feb],
            "is_won": [True, False, False, False],
            "closed_at": [feb, feb, None, None],
            "amount": [100.0, 50.0, 25.0, 10.0],
        }
    )
    created = pl.DataFrame({"closed_at": [jan, jan, feb], "revenue": [150.0, 25.0, 10.0]})
    t = reconcile(opps, created)
    assert t.select("created", "won", "lost", "open", "credited").rows() == [
        (175.0, 100.0, 50.0, 25.0, 175.0),
        (10.0, 0.0, 0.0, 10.0, 10.0),
    ]


def test_pipeline_by_channel_adds_up_with_intervals_on_the_demo() -> None:
    ds = at.demo.generate(n_accounts=600, seed=2)
    j = at.journeys(ds)
    win = win_probability(ds, j, draws=100)
    created = pipeline_credits(j, "w_shaped")
    pending = pipeline_credits(j, "w_shaped", kind="pending", win=win)
    t = pipeline_by(created, pending, win)
    assert t["created"].sum() == pytest.approx(ds.opportunities["amount"].sum())
    assert t["pending"].sum() == pytest.approx(win.open["expected"].sum())
    open_amount = ds.opportunities.filter(pl.col("closed_at").is_null())["amount"].sum()
    assert t["open_amount"].sum() == pytest.approx(open_amount)
    assert (t["pending_low"] <= t["pending_high"]).all()
    team = pipeline_by(created, pending, win, by="team")
    assert set(team["team"]) <= {"marketing", "sales", "(no touch)"}
    with pytest.raises(at.ParameterError, match="win="):
        pipeline_credits(j, "linear", kind="pending")
    with pytest.raises(at.ParameterError, match="kind"):
        pipeline_credits(j, "linear", kind="won")  # type: ignore[arg-type]


def test_win_probability_falls_back_to_the_win_rate_with_few_deals() -> None:
    ds = at.demo.generate(n_accounts=40, seed=1)
    with pytest.warns(at.EstimateWarning):
        w = win_probability(ds, at.journeys(ds), draws=30)
    assert not w.supported and "historical win rate" in w.reason
    assert w.p_draws.shape == (w.open.height, 30)
    assert np.all((w.p_draws >= 0) & (w.p_draws <= 1))


def test_win_probability_is_the_fitted_logit_and_its_intervals_hold_it() -> None:
    ds = at.demo.generate(n_accounts=600, seed=2)
    w = win_probability(ds, at.journeys(ds), draws=100)
    assert w.supported and w.model is not None
    closed = w.table.filter(pl.col("status") != "open")
    assert closed["p_win"].to_numpy() == pytest.approx(np.asarray(w.model.predict()), rel=1e-9)
    assert (w.table["p_low"] <= w.table["p_high"]).all()
    assert w.diagnostics.calibration.height > 0
