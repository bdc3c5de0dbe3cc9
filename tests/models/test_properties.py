"""One property suite over the whole registry (scikit-learn's estimator-checks idea).

For every model, on random small journeys: the credits of each won deal sum to 1 and its
revenue to its amount, no credit is negative, only won deals are credited, and the result
does not depend on input row order and is the same on every run.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import attribution as at

CHANNELS = ["email", "webinar", "paid_search", "sales_call", "demo"]
OPTIONS: dict[str, dict] = {
    "custom": {"weights": {"lead_creation": 1.0, "close": 0.5}},
    "markov": {"order": 2},
}
START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


@st.composite
def journeys(draw: st.DrawFn) -> pl.DataFrame:
    n_accounts = draw(st.integers(1, 5))
    touches, opps, contacts = [], [], []
    for a in range(n_accounts):
        for t in range(draw(st.integers(1 if a == 0 else 0, 6))):
            channel = draw(st.sampled_from(CHANNELS))
            team = "sales" if channel in ("sales_call", "demo") else "marketing"
            day = draw(st.integers(0, 60))
            touches.append((f"t{a}_{t}", f"a{a}", START + dt.timedelta(days=day), team, channel))
        if draw(st.booleans()):
            contacts.append((f"c{a}", f"a{a}", START + dt.timedelta(days=draw(st.integers(0, 60)))))
        for o in range(draw(st.integers(1, 2))):
            created = draw(st.integers(0, 70))
            status = draw(st.sampled_from(["won", "lost", "open"]))
            closed = None if status == "open" else START + dt.timedelta(days=created + 10)
            amount = draw(st.floats(1, 1e6, allow_nan=False))
            created_at = START + dt.timedelta(days=created)
            opps.append((f"o{a}_{o}", f"a{a}", created_at, status == "won", amount, closed))
    ts = pl.Datetime("us", "UTC")
    touch_schema = ["touch_id", "account_id", "occurred_at", "team", "channel"]
    opp_schema = ["opportunity_id", "account_id", "created_at", "is_won", "amount", "closed_at"]
    tables = {
        "touches": pl.DataFrame(touches, orient="row", schema=touch_schema),
        "opportunities": pl.DataFrame(opps, orient="row", schema=opp_schema).with_columns(
            pl.col("closed_at").cast(ts), pl.col("amount").cast(pl.Float64)
        ),
        "contacts": pl.DataFrame(
            contacts, orient="row", schema=["contact_id", "account_id", "created_at"]
        ),
    }
    if not contacts:
        del tables["contacts"]
    return at.journeys(at.validate(tables), lookback_days=30)


@pytest.mark.parametrize("model", sorted(at.MODELS))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(j=journeys(), team=st.sampled_from([None, "marketing", "sales"]), seed=st.integers(0, 999))
def test_model_properties(model: str, j: pl.DataFrame, team: str | None, seed: int) -> None:
    options = OPTIONS.get(model, {})
    credits = at.attribute(j, model, team=team, **options)

    won = (
        j.filter(pl.col("status") == "won").group_by("opportunity_id").agg(pl.col("amount").first())
    )
    per_deal = credits.group_by("opportunity_id").agg(
        pl.col("credit").sum(), pl.col("revenue").sum()
    )
    joined = won.join(per_deal, on="opportunity_id", how="full", coalesce=True)
    assert joined.height == won.height, "only won deals are credited, each of them"
    assert joined["credit"].to_list() == pytest.approx([1.0] * joined.height, abs=1e-9)
    assert joined["revenue"].to_list() == pytest.approx(joined["amount"].to_list(), rel=1e-9)
    assert (credits["credit"] >= 0).all() and (credits["credit"] <= 1 + 1e-12).all()
    if team is not None:
        assert set(credits["team"]) <= {team, "(no touch)", "(baseline)"}

    shuffled = j.sample(fraction=1.0, shuffle=True, seed=seed)
    again = at.attribute(shuffled, model, team=team, **options)
    assert again.equals(credits), "credits depend on input row order"
    assert at.attribute(j, model, team=team, **options).equals(credits), "not deterministic"


@pytest.mark.parametrize("model", sorted(at.MODELS))
def test_models_on_demo_data(demo_small: at.Dataset, model: str) -> None:
    j = at.journeys(demo_small)
    credits = at.attribute(j, model, **OPTIONS.get(model, {}))
    won = j.filter(pl.col("status") == "won").unique("opportunity_id")
    assert credits["revenue"].sum() == pytest.approx(won["amount"].sum())
    assert credits["opportunity_id"].n_unique() == won.height
    lazy = at.attribute(j.lazy(), model, **OPTIONS.get(model, {}))
    assert lazy.equals(credits)
