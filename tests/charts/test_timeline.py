"""One deal on a time line: lanes per team, a colour and shape per channel, milestones on
rows of their own, credits on hover, field names never taken from the data."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl
import vl_convert as vlc

import attribution as at
from attribution import charts
from attribution.money.deal import deal_journey, largest_deals


def _deal() -> tuple[pl.DataFrame, list[str]]:
    ds = at.demo.generate(n_accounts=300, seed=0)
    j = at.journeys(ds)
    deal = largest_deals(ds.opportunities, n=1)["opportunity_id"][0]
    credits = {"linear": at.attribute(j, "linear"), "markov": at.attribute(j, "markov")}
    events = deal_journey(
        j, deal, credits=credits, stage_history=ds.stage_history, contacts=ds.contacts
    )
    return events, ["credit linear", "credit markov"]


def _values(spec: dict, layer: dict) -> list[dict]:
    data = layer["data"]
    return data["values"] if "values" in data else spec["datasets"][data["name"]]


def test_a_deal_draws_with_its_milestones_on_rows_of_their_own() -> None:
    events, credits = _deal()
    chart = charts.timeline(events, credits=credits, title="Won deal")
    spec = chart.to_dict()
    upper, lower = spec["vconcat"]
    milestones = events.filter(pl.col("event") != "touch")
    labels = {v["milestone"] for layer in upper["layer"][1:] for v in _values(spec, layer)}
    assert {"lead created", "MQL", "opportunity created", "won"} <= labels
    assert len(labels) <= milestones.height
    rows = [v["row"] for layer in upper["layer"][1:] for v in _values(spec, layer)]
    assert sorted(rows) == list(range(milestones.height))  # one row per label: no collision
    dots = lower["layer"][1]
    assert dots["encoding"]["y"]["scale"]["domain"][:2] == ["marketing", "sales"]
    tips = [t["field"] for t in dots["encoding"]["tooltip"]]
    assert {"credit_0", "credit_1", "channel", "campaign"} <= set(tips)
    titles = [t["title"] for t in dots["encoding"]["tooltip"]]
    assert "credit markov (share of the deal)" in titles
    vlc.vegalite_to_svg(spec)  # the spec compiles and draws


def test_a_channel_keeps_its_colour_and_shape_across_deals() -> None:
    events, credits = _deal()
    channels = ["zz_first", *sorted(events["channel"].drop_nulls().unique().to_list())]
    spec = charts.timeline(events, credits=credits, channels=channels).to_dict()
    color = spec["vconcat"][1]["layer"][1]["encoding"]["color"]["scale"]
    shape = spec["vconcat"][1]["layer"][1]["encoding"]["shape"]["scale"]
    assert color["domain"][0] == "zz_first" and color["domain"] == shape["domain"]
    pairs = list(zip(color["range"], shape["range"], strict=True))
    assert len(set(pairs)) == len(pairs)  # colour and shape together tell every channel apart


def test_a_hostile_name_is_data_and_never_a_field() -> None:
    bad = "</script><img src=x onerror=alert(1)>.a[0]"
    t = datetime(2026, 1, 5, tzinfo=UTC)
    frame = pl.DataFrame(
        {
            "at": [t, t],
            "event": ["touch", f"stage: {bad}"],
            "team": ["marketing", None],
            "channel": [bad, None],
            f"credit {bad}": [1.0, None],
        }
    )
    spec = charts.timeline(frame, credits=[f"credit {bad}"], title=bad).to_dict()
    fields = json.dumps([layer.get("encoding") for v in spec["vconcat"] for layer in v["layer"]])
    assert '"field": "credit_0"' in fields and f'"field": "credit {bad}"' not in fields
    assert spec["title"] == bad
