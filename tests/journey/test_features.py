"""Per-opportunity exposures: counts, hand-off timing and channel groups."""

from __future__ import annotations

import math

import polars as pl
import pytest
from helpers import make_opportunities, make_touches

import attribution as at
from attribution.journey.features import FEATURE_COLUMNS, opportunity_features


def tiny() -> at.Dataset:
    """Two accounts, one deal each; times chosen so every rule is visible."""
    touches = make_touches(
        [
            ("t1", "a1", "2024-01-01 09:00", "marketing", "webinar"),
            ("t2", "a1", "2024-01-03 09:00", "sales", "sales_call"),  # before the MQL
            ("t3", "a1", "2024-01-05 15:00", "sales", "sales_email"),  # first response: 6 h
            ("t4", "a1", "2024-01-20 09:00", "marketing", "email"),
            ("t5", "a1", "2024-03-01 09:00", "sales", "meeting"),  # after the close
            ("t6", "a2", "2023-01-01 09:00", "marketing", "event"),  # before the window
            ("t7", "a2", "2024-02-02 09:00", "sales", "demo"),
        ]
    )
    opps = make_opportunities(
        [
            ("o1", "a1", "2024-01-10", True, 500.0, "2024-02-01"),
            ("o2", "a2", "2024-02-01", False, 100.0, "2024-02-10"),
        ]
    )
    contacts = pl.DataFrame(
        {
            "contact_id": ["c1", "c2", "c3"],
            "account_id": ["a1", "a1", "a2"],
            "created_at": ["2024-01-01", "2024-01-02", "2023-12-01"],
            "mql_at": ["2024-01-05 09:00", "2024-01-04 09:00", "2024-03-01"],
        }
    )
    accounts = pl.DataFrame({"account_id": ["a1", "a2"], "segment": ["SMB", None]})
    return at.validate(
        {"touches": touches, "opportunities": opps, "contacts": contacts, "accounts": accounts}
    )


def test_counts_hand_off_and_controls_on_a_hand_made_case() -> None:
    f = opportunity_features(tiny(), lookback_days=90, period="month")
    assert f.columns == list(FEATURE_COLUMNS)
    a, b = f.row(0, named=True), f.row(1, named=True)
    # o1: window 2023-10-12 .. 2024-02-01 holds t1..t4; the first MQL of a1 is c2's (Jan 4)
    assert (a["marketing_touches"], a["sales_touches"]) == (2, 2)
    assert a["mql_at"].isoformat().startswith("2024-01-04T09:00")
    assert math.isclose(a["speed_to_lead_hours"], 30.0)  # Jan 4 09:00 -> Jan 5 15:00
    assert (a["segment"], a["period"], a["status"]) == ("SMB", "2024-01", "won")
    # o2: the event is before its window; its MQL comes after creation, so no hand-off
    assert (b["marketing_touches"], b["sales_touches"]) == (0, 1)
    assert b["mql_at"] is None and b["speed_to_lead_hours"] is None
    assert b["segment"] == "unknown"


def test_exposures_and_speed_equal_the_demo_truth(demo_medium: at.Dataset) -> None:
    truth = demo_medium.truth.opportunities
    f = opportunity_features(demo_medium, lookback_days=demo_medium.truth.params.lookback_days)
    both = truth.join(f, on="opportunity_id")
    assert both.height == truth.height
    assert (both["m"] == both["marketing_touches"]).all()
    assert (both["s"] == both["sales_touches"]).all()
    gap = (both["speed_hours"] - both["speed_to_lead_hours"]).abs()
    # timestamps are rounded to the second, so hours agree to well under a minute
    assert gap.max() < 0.01
    assert (both["speed_hours"].is_null() == both["speed_to_lead_hours"].is_null()).all()


def test_channel_groups_add_up_to_team_totals(demo_small: at.Dataset) -> None:
    groups = {"paid": ["paid_search", "paid_social"], "field": ["event", "meeting"]}
    with pytest.raises(at.ParameterError, match="mixes marketing and sales"):
        opportunity_features(demo_small, channel_groups=groups)
    groups = {"paid": ["paid_search", "paid_social"], "field": ["event", "webinar"]}
    f = opportunity_features(demo_small, channel_groups=groups)
    marketing = f["touches_paid"] + f["touches_field"] + f["touches_other_marketing"]
    assert (marketing == f["marketing_touches"]).all()
    assert (f["touches_other_sales"] == f["sales_touches"]).all()


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ({"a": ["email"], "b": ["email"]}, "in two channel groups"),
        ({"a": ["telepathy"]}, "none of its channels"),
        ({"a": "email"}, "non-empty list"),
        ({"Paid": ["email"], "paid": ["webinar"]}, "too similar"),
    ],
)
def test_bad_channel_groups_are_parameter_errors(
    demo_small: at.Dataset, groups: dict, message: str
) -> None:
    with pytest.raises(at.ParameterError, match=message):
        opportunity_features(demo_small, channel_groups=groups)


def test_features_do_not_depend_on_row_order(demo_small: at.Dataset) -> None:
    shuffled = at.Dataset(
        touches=demo_small.touches.sample(fraction=1.0, shuffle=True, seed=1),
        opportunities=demo_small.opportunities.sample(fraction=1.0, shuffle=True, seed=2),
        contacts=demo_small.contacts.sample(fraction=1.0, shuffle=True, seed=3),
        accounts=demo_small.accounts,
    )
    assert opportunity_features(shuffled).equals(opportunity_features(demo_small))


def test_journeys_can_be_passed_in_and_must_be_journeys(demo_small: at.Dataset) -> None:
    j = at.journeys(demo_small)
    assert opportunity_features(demo_small, journeys=j).equals(opportunity_features(demo_small))
    with pytest.raises(at.ParameterError, match=r"output of attribution\.journeys"):
        opportunity_features(demo_small, journeys=demo_small.touches)
    with pytest.raises(at.ParameterError, match="period"):
        opportunity_features(demo_small, period="week")  # type: ignore[arg-type]


def test_lazy_sources_give_the_same_features(demo_small: at.Dataset, tmp_path) -> None:
    at.demo.write(demo_small, tmp_path / "src")
    lazy = at.load(tmp_path / "src", lazy=True)
    assert lazy.is_lazy
    assert opportunity_features(lazy).equals(opportunity_features(demo_small))
