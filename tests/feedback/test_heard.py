"""What sales hears: reason normalisation, loss and disqualification views, changes."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import attribution as at
from attribution.data.demo.insight import NO_BUDGET_THEME
from attribution.feedback import NOT_RECORDED, normalise_reason

UTC = dt.UTC


def _norm(values: list[str | None], synonyms: dict[str, str] | None = None) -> list[str]:
    frame = pl.DataFrame({"r": values}, schema={"r": pl.String})
    return frame.select(normalise_reason(pl.col("r"), synonyms))["r"].to_list()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Price", "price"),
        ("  PRICE  ", "price"),
        ("Too expensive.", "price"),
        ("went with   Competitor", "competitor"),
        ("Budget", "no budget"),
        ("no budget!", "no budget"),
        ("", NOT_RECORDED),
        ("   ", NOT_RECORDED),
        (None, NOT_RECORDED),
        ("Something New", "something new"),
    ],
)
def test_reasons_are_normalised(raw: str | None, expected: str) -> None:
    assert _norm([raw]) == [expected]


def test_own_synonyms_are_normalised_like_the_reasons() -> None:
    assert _norm(
        ["Too Pricey", "LOST TO ACME"], {" too pricey ": "Price", "lost to acme": "Competitor"}
    ) == [
        "price",
        "competitor",
    ]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(max_size=25) | st.none(), max_size=15))
def test_normalising_is_idempotent_and_keeps_every_row(values: list[str | None]) -> None:
    once = _norm(values)
    assert len(once) == len(values)
    assert all(isinstance(v, str) and v for v in once)
    assert _norm(once) == once  # type: ignore[arg-type]


def _tiny() -> at.Dataset:
    t0 = dt.datetime(2025, 1, 1, tzinfo=UTC)
    day = dt.timedelta(days=1)
    touches = pl.DataFrame(
        {
            "touch_id": ["t1", "t2", "t3", "t4"],
            "account_id": ["a1", "a2", "a3", "a3"],
            "occurred_at": [t0, t0, t0, t0 + day],
            "team": ["marketing", "marketing", "marketing", "sales"],
            "channel": ["webinar", "webinar", "paid_search", "sales_call"],
            "campaign": ["W1", "W1", "S1", None],
            "contact_id": ["c1", "c2", "c3", "c3"],
        }
    )
    opps = pl.DataFrame(
        {
            "opportunity_id": ["o1", "o2", "o3"],
            "account_id": ["a1", "a2", "a3"],
            "created_at": [t0 + 2 * day] * 3,
            "is_won": [False, False, True],
            "amount": [0.0, 0.0, 100.0],
            "closed_at": [t0 + 30 * day] * 3,
            "lost_reason": ["Price", "too expensive", None],
        }
    )
    contacts = pl.DataFrame(
        {
            "contact_id": ["c1", "c2", "c3", "c4"],
            "account_id": ["a1", "a2", "a3", "a3"],
            "created_at": [t0] * 4,
            "mql_at": [t0 + day] * 4,
            "status": ["Disqualified", "Working", "Unqualified", "Recycled"],
            "disqualified_reason": ["No Budget", None, None, "bad timing"],
            "disqualified_at": [t0 + 3 * day, None, t0 + 3 * day, t0 + 3 * day],
        }
    )
    return at.validate({"touches": touches, "opportunities": opps, "contacts": contacts})


def test_hand_made_losses_are_counted_by_first_campaign() -> None:
    table = at.feedback.loss_reasons(_tiny(), by="campaign").table
    assert table.select("campaign", "reason", "lost", "group_lost").rows() == [
        ("W1", "price", 2, 2)
    ]
    assert table["share"].to_list() == [1.0]


def test_hand_made_rejections_and_recycled_leads() -> None:
    ds = _tiny()
    rates = at.feedback.rejection_rates(ds, by="campaign").table
    rows = {r["campaign"]: r for r in rates.iter_rows(named=True)}
    assert (rows["W1"]["leads"], rows["W1"]["disqualified"]) == (2, 1)
    assert rows["W1"]["top_reason"] == "no budget"
    assert rows["S1"]["top_reason"] == NOT_RECORDED  # disqualified by status, no reason
    assert rows["(none)"]["disqualified"] == 1  # c4: no marketing touch
    recycled = at.feedback.recycled_leads(ds).table
    assert recycled.select("reason", "recycled").rows() == [("timing", 1)]


def test_leads_group_by_the_lead_profile_sales_recorded_and_a_hostile_one_stays_text() -> None:
    ds = _tiny()
    hostile = '=HYPERLINK("http://x")<script>alert(1)</script>'
    contacts = ds.lazy("contacts").collect()
    profiled = contacts.with_columns(
        pl.Series("lead_profile", ["Potential Lead", "Potential Lead", hostile, None])
    )
    ds = at.validate({**ds.tables(), "contacts": profiled})
    rates = at.feedback.rejection_rates(ds, by="lead_profile").table
    rows = {r["lead_profile"]: r for r in rates.iter_rows(named=True)}
    assert (rows["Potential Lead"]["leads"], rows["Potential Lead"]["disqualified"]) == (2, 1)
    assert rows[hostile]["disqualified"] == 1  # a value is a group's name, nothing more
    assert rows["(none)"]["leads"] == 1
    reasons = at.feedback.disqualification_reasons(ds, by="lead_profile").table
    assert set(reasons["lead_profile"]) == {"Potential Lead", hostile, "(none)"}


def test_an_unknown_dimension_gets_the_closest_name() -> None:
    with pytest.raises(at.ParameterError, match="did you mean 'campaign'"):
        at.feedback.loss_reasons(_tiny(), by="campain")


def test_the_demo_no_budget_campaigns_top_their_reason(demo_medium: at.Dataset) -> None:
    rates = at.feedback.rejection_rates(demo_medium, by="campaign", min_leads=15).table
    top = rates.row(0, named=True)
    assert NO_BUDGET_THEME in top["campaign"]
    assert top["top_reason"] == "no budget"
    reasons = at.feedback.disqualification_reasons(demo_medium, by="campaign").table
    no_budget = reasons.filter(pl.col("reason") == "no budget", pl.col("group_disqualified") >= 8)
    best = no_budget.sort("share", descending=True).row(0, named=True)
    assert NO_BUDGET_THEME in best["campaign"]


def test_the_demo_competitors_rise_in_the_last_period(demo_medium: at.Dataset) -> None:
    changes = at.feedback.reason_changes(demo_medium, period_days=90).table
    competitor = changes.filter(pl.col("reason") == "competitor").row(0, named=True)
    assert competitor["change_low"] > 0
    assert changes["now"].sum() == changes["now_total"][0]
