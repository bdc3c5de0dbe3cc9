"""Deal ids and channel names are data: on the money page's deal table, its anchors and its
time lines they stay text, and no id can name or break an anchor."""

from __future__ import annotations

import dataclasses
import json
import re

import polars as pl
from security.hostile import attack

import attribution as at
from attribution.report.deal_views import deal_anchor, deal_timelines, largest_deals_links
from attribution.report.embed import chart_html
from attribution.report.shared import RunData, open_run

ANCHOR = re.compile(r"deal-[0-9a-f]{16}")
ELEMENTS = re.compile(r"<\s*(script|img|svg|iframe|style|link)\b", re.I)


def _hostile_run() -> RunData:
    ds = at.demo.generate(n_accounts=300, seed=5)
    ids = ds.opportunities["opportunity_id"].to_list()
    poison = {d: f"{d}{attack('deal')}" for d in ids}
    channel = pl.when(pl.col("channel") == "email").then(pl.lit(attack("channel")))
    stages = ds.stage_history
    assert stages is not None
    bad = dataclasses.replace(
        ds,
        opportunities=ds.opportunities.with_columns(pl.col("opportunity_id").replace(poison)),
        touches=ds.touches.with_columns(
            pl.col("opportunity_id").replace(poison), channel.otherwise("channel").alias("channel")
        ),
        stage_history=stages.with_columns(pl.col("opportunity_id").replace(poison)),
    )
    params = open_run(None, {"intervals": {"draws": 20}, "models": {"models": ["linear"]}}).params
    return RunData(params, bad)


def _html(markdown: str) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return str(markdown2html_mistune(markdown))


def test_hostile_deal_ids_stay_text_in_the_table_the_anchors_and_the_charts() -> None:
    run = _hostile_run()
    table = _html(largest_deals_links(run))
    assert not ELEMENTS.search(table)
    links = re.findall(r'href="([^"]*)"', table)
    assert links and all(re.fullmatch("#" + ANCHOR.pattern, h) for h in links)
    assert "alert('deal')" in table  # the id is on the page, as text
    lines = deal_timelines(run)
    assert lines
    channels_drawn = False
    for heading, chart in lines:
        shown = _html(heading)
        assert not ELEMENTS.search(shown)
        assert re.findall(r'id="([^"]*)"', shown) == [m.group(0) for m in ANCHOR.finditer(shown)]
        page = chart_html(chart.to_dict(), {})
        block = re.search(r"application/json[^>]*>(.*?)</script>", page, re.S)
        assert block and not any(c in block.group(1) for c in "<>&")
        spec = json.loads(block.group(1))["spec"]
        assert "alert('deal')" in spec["title"]
        channels_drawn |= "alert('channel')" in json.dumps(spec)
    assert channels_drawn  # the hostile channel is drawn, as chart data


def test_an_anchor_is_the_same_for_the_same_id_and_never_carries_the_id() -> None:
    hostile = attack("anchor")
    assert deal_anchor(hostile) == deal_anchor(hostile)
    assert ANCHOR.fullmatch(deal_anchor(hostile)) and deal_anchor("a") != deal_anchor("b")
