"""The hand-off tables: funnel, sourced vs influenced, speed-to-lead and its effect."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest
from helpers import make_opportunities
from scipy.stats import spearmanr

import attribution as at
from attribution.data.demo import REPS, DemoParams


def handoff() -> at.Dataset:
    """Four accounts whose funnel, journeys and response times are worked out by hand."""
    touches = pl.DataFrame(
        [
            ("t1", "a1", "2024-01-01 08:00", "marketing", "webinar", None),
            ("t2", "a1", "2024-01-03 12:00", "sales", "sales_call", "R1"),  # 3 h after MQL
            ("t3", "a2", "2024-01-02 08:00", "marketing", "paid_search", None),
            ("t4", "a2", "2024-01-03 08:00", "marketing", "email", None),
            ("t5", "a2", "2024-01-06 09:00", "sales", "sales_email", "R2"),  # 48 h after MQL
            ("t6", "a3", "2024-01-03 08:00", "marketing", "paid_search", None),
        ],
        schema=["touch_id", "account_id", "occurred_at", "team", "channel", "rep"],
        orient="row",
    )
    opps = make_opportunities(
        [
            ("o1", "a1", "2024-01-06", True, 100.0, "2024-02-01"),
            ("o2", "a2", "2024-01-10", False, 50.0, "2024-02-02"),
        ]
    )
    contacts = pl.DataFrame(
        [
            ("c1", "a1", "2024-01-01", "webinar", "2024-01-03 09:00", "2024-01-05"),
            ("c2", "a2", "2024-01-02", "paid_search", "2024-01-04 09:00", None),
            ("c3", "a3", "2024-01-03", "paid_search", None, None),
            ("c4", "a4", "2024-01-04", "event", "2024-01-05 09:00", None),
        ],
        schema=["contact_id", "account_id", "created_at", "lead_source", "mql_at", "sql_at"],
        orient="row",
    )
    accounts = pl.DataFrame({"account_id": ["a1", "a2", "a3", "a4"], "segment": ["SMB"] * 4})
    return at.validate(
        {"touches": touches, "opportunities": opps, "contacts": contacts, "accounts": accounts}
    )


def test_funnel_on_a_hand_made_case() -> None:
    f = at.funnel(handoff())
    assert f["stage"].to_list() == ["lead", "mql", "sql", "opportunity", "won"]
    # reached the stage or a later one: a2 skipped SQL but has an opportunity
    assert f["accounts"].to_list() == [4, 3, 2, 2, 1]
    assert f["conversion"].to_list()[1:] == pytest.approx([3 / 4, 2 / 3, 1.0, 1 / 2])
    # lead -> MQL: 2 d 9 h (a1, a2) and 1 d 9 h (a4); MQL -> SQL: a1 only, 1 d 15 h
    assert f["median_days"].to_list()[1:] == pytest.approx([2.375, 1.625, 1.0, 26.0])
    assert f["median_days_from_lead"][4] == pytest.approx(31.0)
    assert f["revenue"].to_list() == [None, None, None, None, 100.0]


def test_funnel_groups_add_up_and_counts_never_grow(demo_medium: at.Dataset) -> None:
    overall = at.funnel(demo_medium)
    by_segment = at.funnel(demo_medium, by="segment")
    sums = by_segment.group_by("stage", maintain_order=True).agg(pl.col("accounts").sum())
    assert sums.sort("stage").equals(overall.select("stage", "accounts").sort("stage"))
    assert (
        by_segment.group_by("segment").agg(pl.col("accounts").diff().max())["accounts"] <= 0
    ).all()
    two = at.funnel(demo_medium, by=["lead_source", "period"], period="year")
    assert set(two.columns[:2]) == {"lead_source", "period"}
    assert (two["conversion"].drop_nulls() <= 1).all()


def test_a_stage_without_dates_is_left_out_with_a_warning() -> None:
    ds = handoff()
    no_sql = at.Dataset(
        touches=ds.touches,
        opportunities=ds.opportunities,
        contacts=ds.contacts.with_columns(
            pl.lit(None, dtype=ds.contacts["sql_at"].dtype).alias("sql_at")
        ),
        accounts=ds.accounts,
    )
    with pytest.warns(at.EstimateWarning, match="no SQL dates"):
        f = at.funnel(no_sql)
    assert "sql" not in f["stage"].to_list()


def test_sourced_and_influenced_on_a_hand_made_case() -> None:
    t = at.sourced_influenced(handoff())
    rows = {r["channel"]: r for r in t.iter_rows(named=True)}
    assert rows["webinar"]["sourced_revenue"] == 100.0 and rows["webinar"]["sourced_won"] == 1
    assert rows["paid_search"]["sourced_pipeline"] == 50.0
    assert rows["paid_search"]["sourced_revenue"] == 0.0
    assert rows["sales_call"]["sourced_opportunities"] == 0
    assert rows["sales_call"]["influenced_revenue"] == 100.0
    assert rows["email"]["influenced_pipeline"] == 50.0
    assert t["sourced_opportunities"].sum() == 2 and t["sourced_revenue_share"].sum() == 1.0


def test_sourced_sums_to_totals_and_influenced_covers_it(demo_medium: at.Dataset) -> None:
    t = at.sourced_influenced(demo_medium)
    opps = demo_medium.opportunities
    assert t["sourced_opportunities"].sum() == opps.height
    assert t["sourced_pipeline"].sum() == pytest.approx(opps["amount"].sum())
    touched = t.filter(pl.col("channel") != "(no touch)")
    assert (touched["influenced_opportunities"] >= touched["sourced_opportunities"]).all()
    assert (touched["influenced_revenue"] >= touched["sourced_revenue"]).all()
    assert at.sourced_influenced(demo_medium, by="campaign")["campaign"].n_unique() > 10
    with pytest.raises(at.ParameterError, match="by must be"):
        at.sourced_influenced(demo_medium, by="rep")  # type: ignore[arg-type]


def test_response_times_and_sla_on_a_hand_made_case() -> None:
    ds = handoff()
    r = at.response_times(ds, sla_hours=24)
    assert r["account_id"].to_list() == ["a1", "a2", "a4"]
    assert r["response_hours"].to_list() == pytest.approx([3.0, 48.0, None], nan_ok=True)
    assert r["within_sla"].to_list() == [True, False, False]
    assert r["opportunity"].to_list() == [True, True, False]
    overall = at.speed_to_lead(ds, sla_hours=24, by=None).row(0, named=True)
    assert overall["mqls"] == 3 and overall["never_followed_up"] == 1
    assert overall["share_within_sla"] == pytest.approx(1 / 3)
    assert overall["median_hours"] == pytest.approx(25.5)
    by_rep = at.speed_to_lead(ds, sla_hours=24, by="rep")
    assert by_rep["rep"].to_list() == ["(no response)", "R1", "R2"]
    assert by_rep["within_sla"].to_list() == [0, 1, 0]
    # seen at noon on Jan 5: a4's MQL is 3 h old (pending), a2 is not followed up yet
    early = at.response_times(ds, as_of=datetime(2024, 1, 5, 12, tzinfo=UTC))
    assert early.filter(pl.col("account_id") == "a4")["pending"].item() is True
    assert early.filter(pl.col("account_id") == "a4")["within_sla"].item() is None
    assert early.filter(pl.col("account_id") == "a2")["followed_up"].item() is False


def test_fast_reps_meet_the_sla_more_often(demo_medium: at.Dataset) -> None:
    t = at.speed_to_lead(demo_medium, sla_hours=8, by="rep").filter(
        pl.col("rep") != "(no response)"
    )
    medians = dict(zip(REPS, DemoParams().rep_median_response_hours, strict=True))
    rho = spearmanr([medians[r] for r in t["rep"]], t["share_within_sla"]).statistic
    assert rho < -0.9
    by_month = at.speed_to_lead(demo_medium, by=["month", "lead_source"])
    assert by_month["mqls"].sum() == at.speed_to_lead(demo_medium, by=None)["mqls"][0]


@pytest.fixture(scope="module")
def demo_large() -> at.Dataset:
    return at.demo.generate(n_accounts=20_000, seed=8)


def test_slower_responses_convert_less(demo_large: at.Dataset) -> None:
    e = at.speed_to_lead_effect(demo_large, draws=200)
    assert e.supported and "response_bin" in e.model.model.formula
    slowest = e.table.filter(pl.col("bin") == ">= 3d").row(0, named=True)
    assert slowest["or_ci_high"] < 1  # the demo's truth: -0.2 per log1p(days) of delay
    rates = e.table.filter(pl.col("bin") != "never followed up")["adjusted_rate"].to_list()
    assert rates[0] > rates[-1]
    assert (e.table["ci_low"].drop_nulls() <= e.table["adjusted_rate"].drop_nulls()).all()
    assert e.diagnostics.n == e.table.filter(pl.col("bin") != "never followed up")["mqls"].sum()
    assert "random" in e.note


def sales_only_on_won(ds: at.Dataset) -> at.Dataset:
    winners = ds.opportunities.filter(pl.col("is_won"))["account_id"].implode()
    touches = ds.touches.filter(
        (pl.col("team") == "marketing") | pl.col("account_id").is_in(winners)
    )
    return at.Dataset(
        touches=touches,
        opportunities=ds.opportunities,
        contacts=ds.contacts,
        accounts=ds.accounts,
    )


def test_sales_recorded_only_for_winners_blanks_the_sla(demo_medium: at.Dataset) -> None:
    ds = sales_only_on_won(demo_medium)
    assert at.funnel.__module__ == "attribution.handoff.funnel"
    with pytest.warns(at.EstimateWarning, match="recorded only for accounts that won"):
        t = at.speed_to_lead(ds, by=None)
    assert t["mqls"][0] > 0 and t["share_within_sla"][0] is None
    with pytest.warns(at.EstimateWarning, match="recorded only for accounts that won"):
        e = at.speed_to_lead_effect(ds)
    assert not e.supported and e.table["mqls"].null_count() == e.table.height


def test_bad_parameters_are_parameter_errors(demo_small: at.Dataset) -> None:
    with pytest.raises(at.ParameterError, match="by must be"):
        at.funnel(demo_small, by="rep")  # type: ignore[arg-type]
    with pytest.raises(at.ParameterError, match="sla_hours"):
        at.speed_to_lead(demo_small, sla_hours=0)
    with pytest.raises(at.ParameterError, match="bins_hours"):
        at.speed_to_lead_effect(demo_small, bins_hours=(4, 1))
    with pytest.raises(at.ParameterError, match="outcome"):
        at.speed_to_lead_effect(demo_small, outcome="mql")  # type: ignore[arg-type]
    no_contacts = at.Dataset(touches=demo_small.touches, opportunities=demo_small.opportunities)
    with pytest.raises(at.ParameterError, match="contacts table"):
        at.funnel(no_contacts)
