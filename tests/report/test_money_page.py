"""The money page: its views on the demo, without spend or accounts, and hostile names."""

from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path

import polars as pl
import pytest

import attribution as at
from attribution.report import runner
from attribution.report.findings import findings
from attribution.report.money_texts import (
    change_text,
    pipeline_text,
    return_findings,
    returns_text,
)
from attribution.report.money_views import latest_period, money_views
from attribution.report.shared import RunData, open_run

HOSTILE = '<img src=x onerror="alert(1)">`**x**'


@pytest.fixture(scope="module")
def run() -> RunData:
    return open_run(
        None,
        {
            "source": {"demo": {"accounts": 500, "seed": 2}},
            "intervals": {"draws": 40},
            "models": {"models": ["linear", "markov"]},
            "money": {"revenue_months": 12},
        },
    )


def test_every_view_on_the_demo(run: RunData) -> None:
    m = money_views(run)
    returns = m.returns()
    assert not returns.is_empty() and returns["payback_months"].is_not_null().any()
    assert "Best return per dollar" in returns_text(run)
    assert set(m.roas_by_model()["model"]) == {"linear", "markov"}
    assert (m.reconciliation()["difference"] == 0).all()
    assert "pending" in pipeline_text(run)
    pipeline = m.pipeline("team")
    assert pipeline["created"].sum() == pytest.approx(run.dataset.opportunities["amount"].sum())
    assert "against" in change_text(run, "credits", "team")
    assert set(m.segments()["segment"]) == {"SMB", "Mid-Market", "Enterprise"}
    assert m.segment_note() == ""
    journeys = m.journeys_of_largest()
    assert journeys["opportunity_id"].n_unique() == m.largest().height


def test_the_summary_finds_the_best_and_worst_return_per_dollar(run: RunData) -> None:
    (found,) = return_findings(run)
    assert found.key == "return_per_dollar" and 0 < found.weight <= 1
    assert "returned the most" in found.text and "association" in found.text
    keys = [f.key for f in findings(run.journeys, n=10, extra=[found])]
    assert "return_per_dollar" in keys


def test_without_spend_or_accounts_each_section_says_so() -> None:
    ds = at.demo.generate(n_accounts=300, seed=1)
    bare = dataclasses.replace(ds, spend=None, accounts=None, touches=ds.touches.drop("cost"))
    run = RunData(open_run(None, {"intervals": {"draws": 40}}).params, bare)
    m = money_views(run)
    assert "spend table" in run.needs("spend")
    assert m.returns().is_empty() and "roas_low" in m.returns().columns
    assert returns_text(run) == "" and m.roas_by_model().is_empty()
    assert return_findings(run) == []
    assert m.segments().is_empty() and "segment" in m.segment_note()


def test_period_settings_are_checked(run: RunData) -> None:
    start, end = latest_period(run.dataset.as_of, "month")
    assert start.day == 1 and end.day == 1 and end <= run.dataset.as_of
    odd = dataclasses.replace(
        run.params, money=dataclasses.replace(run.params.money, period_start=start)
    )
    with pytest.raises(at.ParameterError, match="period_end"):
        money_views(RunData(odd, run.dataset)).windows()


@pytest.mark.slow
def test_hostile_channel_and_campaign_names_stay_text(tmp_path: Path) -> None:
    ds = at.demo.generate(n_accounts=400, seed=4)
    rename = pl.when(pl.col("channel") == "event").then(pl.lit(HOSTILE)).otherwise("channel")
    touches = ds.touches.with_columns(rename.alias("channel"), pl.lit(HOSTILE).alias("campaign"))
    spend = ds.spend
    assert isinstance(spend, pl.DataFrame)
    spend = spend.with_columns(rename.alias("channel"), pl.lit(HOSTILE).alias("campaign"))
    source = tmp_path / "exports"
    source.mkdir()
    touches.write_parquet(source / "touches.parquet")
    spend.write_parquet(source / "spend.parquet")
    for name in ("opportunities", "accounts", "contacts"):
        getattr(ds, name).write_parquet(source / f"{name}.parquet")
    params = tmp_path / "params.yaml"
    params.write_text("run_name: hostile\nsource: {path: exports}\nintervals: {draws: 30}\n")
    result = runner.run(params, only=["05_money"], out=tmp_path / "out", progress=False)
    assert [r.status for r in result.notebooks] == ["ok"], result.notebooks
    page = (result.run_dir / "05_money.html").read_text(encoding="utf-8")
    # chart specs carry the name as JSON data inside their script (drawn as SVG text);
    # everywhere else it must arrive escaped, as text
    markup = re.sub(r"<script\b.*?</script>", "", page, flags=re.DOTALL)
    assert "<img" not in markup  # escaped: &lt;img ... shows as text, never an element
    shown = html.unescape(re.sub(r"<[^>]+>", " ", markup))
    assert "img src=x" in shown  # the name is shown as text


def test_the_funnel_and_the_sla_of_the_two_periods(run: RunData) -> None:
    from attribution.report import period_views as pv

    now, before = pv._windows(run)
    change = money_views(run).change()
    assert (now, before) == (change.current, change.previous)  # the same two periods
    funnel = pv.funnel_periods(run)
    assert funnel is not None and funnel.follow_days is not None and funnel.follow_days >= 1
    assert set(pv.funnel_rate_changes(run)["measure"]) == {"conversion"}
    shown = pv.funnel_periods_table(run)
    assert shown.height == funnel.table.height and "interval" in shown.columns
    assert "same time to convert" in pv.funnel_periods_text(run)
    sla = pv.sla_periods(run)
    assert sla is not None and sla.table["measure"].to_list() == [
        "mqls",
        "within_sla",
        "median_hours",
    ]
    assert f"{sla.sla_hours:g}-hour SLA" in pv.sla_periods_text(run)
    assert pv.sla_periods(run) is sla  # computed once per run


def test_the_largest_deals_link_to_their_time_lines(run: RunData) -> None:
    from attribution.report.deal_views import deal_anchor, deal_timelines, largest_deals_links

    deals = money_views(run).largest()
    links = largest_deals_links(run)
    lines = deal_timelines(run)
    assert len(lines) == deals.height
    for deal, (heading, chart) in zip(deals["opportunity_id"], lines, strict=True):
        assert f"(#{deal_anchor(deal)})" in links
        assert f'<a id="{deal_anchor(deal)}"></a>' in heading
        assert f"deal {deal}: " in chart.to_dict()["title"]


def test_a_period_without_leads_is_named_not_compared() -> None:
    from datetime import UTC, datetime

    from attribution.handoff.periods import funnel_change
    from attribution.report.period_views import _empty_window

    q1 = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC))
    q3 = (datetime(2025, 7, 1, tzinfo=UTC), datetime(2025, 10, 1, tzinfo=UTC))
    stages = pl.DataFrame({"lead": [datetime(2025, 2, 1, tzinfo=UTC)], "mql": [None]})
    table = funnel_change(stages, current=q3, previous=q1).table
    said = _empty_window(table, q3, q1, "first lead")
    assert "Not compared" in said and "2025\\-07\\-01" in said and "2025\\-01\\-01" not in said
    assert _empty_window(funnel_change(stages, current=q1, previous=q1).table, q1, q1, "x") == ""
