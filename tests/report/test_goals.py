"""The shared-goals page: the split as one table, and results as sentences (or why not)."""

from __future__ import annotations

import re
import warnings

import polars as pl
import pytest
from helpers import REAL_DATA, ROOT

import attribution as at
from attribution.report import goals

OLIST = REAL_DATA / "olist_marketing_funnel"


def quiet(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", at.EstimateWarning)
        return fn(*args, **kwargs)


@pytest.fixture(scope="module")
def demo() -> at.Dataset:
    return at.demo.generate(n_accounts=20_000, seed=0)


@pytest.fixture(scope="module")
def split(demo: at.Dataset) -> at.ContributionResult:
    return quiet(
        at.contributions,
        demo,
        channel_groups={"paid": ["paid_search", "paid_social"], "field": ["event", "webinar"]},
        draws=200,
    )


@pytest.fixture(scope="module")
def olist() -> at.Dataset:
    if not OLIST.is_dir():
        pytest.skip("needs ../shared/data/real")
    return at.load(OLIST, mapping=ROOT / "params" / "mappings" / "olist.yaml")


def test_split_table_holds_every_view(split: at.ContributionResult) -> None:
    t = goals.split_table(split)
    assert t.columns == [
        "view", "component", "team", "revenue", "revenue_ci_low", "revenue_ci_high", "share",
        "ci_low", "ci_high",
    ]  # fmt: skip
    assert t["view"].unique(maintain_order=True).to_list() == list(goals.VIEWS)
    components = t.filter(pl.col("view") == goals.VIEWS[0])
    assert components["component"].to_list() == ["baseline", "marketing", "sales", "joint"]
    assert components["share"].sum() == pytest.approx(1.0)
    shapley = t.filter(pl.col("view") == goals.VIEWS[1])
    assert shapley["share"].sum() == pytest.approx(1.0)
    assert shapley["team"].to_list() == shapley["component"].to_list()
    groups = t.filter(pl.col("view") == goals.VIEWS[2])
    assert set(groups["team"]) == {"marketing", "sales"}
    assert {"paid", "field"} <= set(groups["component"])


def test_split_markdown_quotes_the_shapley_shares(split: at.ContributionResult) -> None:
    text = goals.split_markdown(split, currency="€")
    for team in ("marketing", "sales"):
        row = split.shapley.filter(pl.col("component") == team).row(0, named=True)
        assert f"{row['share']:.0%}** ({row['ci_low']:.0%} to {row['ci_high']:.0%})" in text
    assert "90% intervals" in text and "associations" in text and "€" in text
    assert "not informative" not in text


def test_diagnostics_markdown(split: at.ContributionResult) -> None:
    text = goals.diagnostics_markdown(split)
    d = split.diagnostics
    assert f"Fitted on {d.n:,} closed deals ({d.events:,} won)" in text
    assert f"AUC of {d.auc:.2f}" in text


def test_a_tiny_sample_is_called_uninformative() -> None:
    small = quiet(at.contributions, at.demo.generate(n_accounts=1000, seed=3), draws=100)
    assert small.supported
    assert "not informative yet" in goals.split_markdown(small)


def test_sla_markdown_names_the_cost_and_the_largest_part(demo: at.Dataset) -> None:
    cost = quiet(at.sla_cost, demo, draws=100)
    text = goals.sla_markdown(cost, currency="$")
    total = cost.total.row(0, named=True)
    assert f"**{total['late']:,} of {total['mqls']:,} MQLs**" in text
    assert f"${total['lost_revenue']:,.0f}" in text
    top = cost.table.row(0, named=True)
    assert f"rep **{top['rep']}**" in text


def test_score_markdown(demo: at.Dataset) -> None:
    score = quiet(at.lead_score_weights, demo)
    text = goals.score_markdown(score)
    learned = score.auc.filter(pl.col("score") == "learned").row(0, named=True)
    assert f"AUC of {learned['auc']:.2f}" in text and "current score" in text


def test_olist_gives_plain_statements_instead_of_numbers(olist: at.Dataset) -> None:
    split = quiet(at.contributions, olist)
    t = goals.split_table(split)
    assert t["share"].null_count() == t.height
    assert goals.split_markdown(split).startswith("**Not estimated.**")
    assert goals.diagnostics_markdown(split).startswith("Not fitted: 8,000 closed deals")
    cost = quiet(at.sla_cost, olist)
    text = goals.sla_markdown(cost)
    assert "cannot be judged" in text and not re.search(r"\d+ more would have won", text)
    every = quiet(at.lead_score_weights, olist)
    assert goals.score_markdown(every).startswith("**Not estimated.**")
