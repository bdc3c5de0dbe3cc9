"""Buying groups: hand-made counts, the decision-maker estimate against the demo's truth."""

from __future__ import annotations

import datetime as dt
import math
import warnings

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

import attribution as at
from attribution.data.demo.insight import decision_maker_log_odds_ratio
from attribution.data.roles import ROLES
from attribution.feedback.frames import deal_roles

UTC = dt.UTC
T0 = dt.datetime(2025, 1, 1, tzinfo=UTC)
DAY = dt.timedelta(days=1)


def _deal_dataset() -> at.Dataset:
    touches = pl.DataFrame(
        {
            "touch_id": ["t1", "t2", "t3", "t4", "t5", "t6"],
            "account_id": ["a1", "a1", "a1", "a1", "a2", "a1"],
            "occurred_at": [T0, T0 + DAY, T0 + DAY, T0 + 2 * DAY, T0, T0 + 60 * DAY],
            "team": ["marketing", "sales", "sales", "sales", "marketing", "sales"],
            "channel": ["webinar", "call", "call", "meeting", "email", "call"],
            # c1 twice, c2 once, an anonymous touch, c9 after the close (not engaged)
            "contact_id": ["c1", "c1", "c2", None, "c3", "c9"],
        }
    )
    opps = pl.DataFrame(
        {
            "opportunity_id": ["o1", "o2"],
            "account_id": ["a1", "a2"],
            "created_at": [T0 + 3 * DAY, T0 + 3 * DAY],
            "is_won": [True, False],
            "amount": [10.0, 0.0],
            "closed_at": [T0 + 30 * DAY, None],
        }
    )
    contacts = pl.DataFrame(
        {
            "contact_id": ["c1", "c2", "c3", "c9"],
            "account_id": ["a1", "a1", "a2", "a1"],
            "created_at": [T0] * 4,
            "title": ["VP Sales", "Analyst", "CFO", "CEO"],
            "role": [None, "Champion", None, None],
        }
    )
    return at.validate({"touches": touches, "opportunities": opps, "contacts": contacts})


def test_hand_made_buying_groups_are_counted_by_role() -> None:
    groups = at.feedback.buying_groups(_deal_dataset())
    rows = {r["opportunity_id"]: r for r in groups.iter_rows(named=True)}
    assert rows["o1"]["engaged"] == 2  # c1 counted once; c9 came after the close
    assert (rows["o1"]["decision_maker"], rows["o1"]["champion"], rows["o1"]["user"]) == (1, 1, 0)
    assert rows["o1"]["has_decision_maker"] is True
    assert (rows["o2"]["engaged"], rows["o2"]["finance"], rows["o2"]["status"]) == (1, 1, "open")
    thin = at.feedback.thin_open_deals(_deal_dataset()).table
    assert thin["opportunity_id"].to_list() == ["o2"]


def test_a_deal_level_role_comes_before_the_contacts_own() -> None:
    ds = _deal_dataset()
    listed = pl.DataFrame(
        {
            # c1 (a VP: decision maker by title) is only a user on o1, listed twice;
            # c2 (a champion) is the economic buyer; c3 on o2 has no role on the deal;
            # a hostile role is read as a role's words, never shown as given
            "opportunity_id": ["o1", "o1", "o1", "o2", "o9"],
            "contact_id": ["c1", "c1", "c2", "c3", "c1"],
            "role": ["Business User", "Other", "Economic Buyer", None, "=cmd|' /C calc'!A0"],
        }
    )
    with_roles = at.validate({**ds.tables(), "opportunity_contacts": listed})
    rows = {
        r["opportunity_id"]: r for r in at.feedback.buying_groups(with_roles).iter_rows(named=True)
    }
    o1 = rows["o1"]
    assert (o1["engaged"], o1["decision_maker"], o1["champion"], o1["user"]) == (2, 1, 0, 1)
    assert o1["has_decision_maker"] is True  # c2, as the deal's economic buyer
    assert (rows["o2"]["finance"], rows["o2"]["user"]) == (1, 0)  # contact level: a CFO
    assert set(deal_roles(with_roles).collect()["deal_role"]) <= set(ROLES)
    # without the table every role is the contact's own, as before
    assert at.feedback.buying_groups(ds)["decision_maker"].to_list() == [1, 0]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["won", "lost", "open"]), st.integers(0, 6)),
        min_size=1,
        max_size=40,
    )
)
def test_win_rates_by_group_size_count_every_closed_deal_once(
    deals: list[tuple[str, int]],
) -> None:
    frame = pl.DataFrame(
        {"status": [d[0] for d in deals], "group_band": [str(min(d[1], 4)) for d in deals]}
    )
    table = at.feedback.win_rate_by_group_size(frame).table
    closed = sum(1 for s, _ in deals if s != "open")
    assert table["closed"].sum() == closed
    assert table["won"].sum() == sum(1 for s, _ in deals if s == "won")
    assert (
        (table["win_rate_low"] <= table["win_rate"]) & (table["win_rate"] <= table["win_rate_high"])
    ).all()


def test_the_decision_maker_interval_covers_the_demo_truth(demo_medium: at.Dataset) -> None:
    effect = at.feedback.decision_maker_effect(demo_medium, level=0.95)
    assert effect.supported
    row = effect.table.row(0, named=True)
    truth = math.exp(decision_maker_log_odds_ratio())
    assert row["low"] <= truth <= row["high"]
    assert row["win_rate_with"] > row["win_rate_without"]
    assert set(effect.controls) == {"segment", "size"}
    assert "not the effect" in effect.note or "association" in effect.note.lower()


def test_without_roles_the_effect_says_why_instead_of_a_number() -> None:
    ds = at.demo.generate(n_accounts=300, seed=4)
    assert isinstance(ds.contacts, pl.DataFrame)
    bare = at.validate(
        {**ds.tables(), "contacts": ds.contacts.drop("role", "title")}  # type: ignore[dict-item]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        effect = at.feedback.decision_maker_effect(bare)
    assert not effect.supported
    assert "decision maker" in effect.reason
    assert effect.table.height == 0
