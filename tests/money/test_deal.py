"""One deal's journey: its events in order, every model's credit per touch."""

from __future__ import annotations

import polars as pl
import pytest

import attribution as at
from attribution.money.deal import deal_journey, largest_deals


def test_the_largest_won_deal_reads_in_order_with_credits() -> None:
    ds = at.demo.generate(n_accounts=400, seed=3)
    j = at.journeys(ds)
    deals = largest_deals(ds.opportunities, n=3)
    assert deals.filter(status="won")["amount"].is_sorted(descending=True)
    won = deals.filter(status="won")["opportunity_id"][0]
    models = {m: at.attribute(j, m) for m in ("first_touch", "linear", "markov")}
    t = deal_journey(j, won, credits=models, stage_history=ds.stage_history)
    assert t["at"].is_sorted()
    events = t["event"].to_list()
    assert events.count("created") == 1 and events[-1] == "won"
    assert any(e.startswith("stage: ") for e in events)
    touches = t.filter(pl.col("event") == "touch")
    for model in models:
        assert touches[f"credit {model}"].sum() == pytest.approx(1.0)
    assert touches["credit first_touch"][0] == pytest.approx(1.0)
    assert t.filter(pl.col("event") != "touch")["credit linear"].is_null().all()


def test_an_unknown_deal_names_the_closest() -> None:
    ds = at.demo.generate(n_accounts=100, seed=3)
    j = at.journeys(ds)
    real = j["opportunity_id"][0]
    with pytest.raises(at.ParameterError, match="did you mean"):
        deal_journey(j, real[:-1] + "9")
    with pytest.raises(at.ParameterError, match="positive"):
        largest_deals(ds.opportunities, n=0)
