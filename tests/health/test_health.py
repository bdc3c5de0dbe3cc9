"""Data-health views used by the data health report: checks, activity, histograms."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl
import pytest
from helpers import make_opportunities, make_touches

import attribution as at

BASE = datetime(2025, 1, 1)


def _day(d: float) -> str:
    return (BASE + timedelta(days=d)).isoformat(sep=" ")


def test_checks_flag_won_revenue_without_touches_and_missing_tables() -> None:
    touches = make_touches(
        [("t1", "a1", _day(1), "marketing", "email"), ("t2", "a1", _day(2), "sales", "demo")]
    )
    opps = make_opportunities(
        [
            ("o1", "a1", _day(5), True, 300.0, _day(9)),
            ("o2", "a2", _day(5), True, 100.0, _day(9)),  # no touch at all
            ("o3", "a2", _day(5), True, 0.0, _day(9)),  # won, amount 0
        ]
    )
    ds = at.validate({"touches": touches, "opportunities": opps})
    c = at.health.checks(ds, at.journeys(ds))
    rows = {r["check"]: r for r in c.iter_rows(named=True)}
    dark = rows["won deals with no touch in their window (share of won revenue)"]
    assert (dark["rows"], dark["share"], dark["status"]) == (2, pytest.approx(0.25), "warning")
    zero = rows["won deals with no amount (missing or 0)"]
    assert (zero["rows"], zero["status"]) == (1, "warning")
    assert rows["touches without a contact (anonymous, account level)"]["rows"] == 2
    assert rows["marketing touches without a cost"]["status"] == "note"
    assert rows["no contacts table"]["meaning"].startswith("not available: lead creation")
    assert "no accounts table" in rows and "no stage_history table" in rows
    assert set(c.get_column("status")) <= {"ok", "note", "warning"}
    assert c.get_column("check").is_unique().all()


def test_checks_on_complete_demo_data_are_mostly_ok(demo_small: at.Dataset) -> None:
    c = at.health.checks(demo_small, at.journeys(demo_small))
    assert "warning" not in c.get_column("status").to_list()
    assert c.filter(pl.col("check") == "contacts.mql_at is filled").height == 1


def test_activity_counts_every_touch(demo_small: at.Dataset) -> None:
    weekly = at.health.activity(demo_small, every="1w")
    assert weekly.get_column("touches").sum() == demo_small.touches.height
    assert set(weekly.get_column("team")) == {"marketing", "sales"}
    assert (weekly.get_column("period").dt.weekday() == 1).all()  # weeks start on Monday


def test_histograms_count_every_opportunity(demo_small: at.Dataset) -> None:
    j = at.journeys(demo_small)
    n_opps = j.get_column("opportunity_id").n_unique()
    hist = at.health.touch_histogram(j, cap=10)
    assert hist.get_column("opportunities").sum() == n_opps
    assert hist.get_column("touches").max() == 10
    by_month = at.health.opportunities_by_month(j)
    assert by_month.get_column("opportunities").sum() == n_opps
    with pytest.raises(at.ParameterError, match="cap"):
        at.health.touch_histogram(j, cap=0)


def test_channel_summary(demo_small: at.Dataset) -> None:
    ch = at.health.channel_summary(demo_small)
    assert ch.get_column("touches").sum() == demo_small.touches.height
    assert ch.get_column("touches").is_sorted(descending=True)
    assert ch.filter(pl.col("channel") == "demo").get_column("team").to_list() == ["sales"]


@pytest.mark.parametrize("name", at.health.__all__)
def test_every_health_view_is_reachable_from_the_package(name: str) -> None:
    assert callable(getattr(at.health, name))
