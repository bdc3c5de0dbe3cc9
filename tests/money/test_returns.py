"""Return on spend: a hand-worked case, the window's pro-rating, and conservation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import attribution as at
from attribution.money.returns import returns
from attribution.money.spend import spend_in_window, spend_table


def _at(month: int, day: int = 1) -> datetime:
    return datetime(2025, month, day, tzinfo=UTC)


def _credits() -> pl.DataFrame:
    # o1 and o3 are account a1's deals (o1 its first win), o2 is account a2's only win
    return pl.DataFrame(
        {
            "opportunity_id": ["o1", "o1", "o2", "o3"],
            "touch_id": ["t1", "t2", "t3", "t4"],
            "channel": ["A", "B", "A", "A"],
            "team": ["marketing"] * 4,
            "credit": [0.5, 0.5, 1.0, 1.0],
            "revenue": [500.0, 500.0, 200.0, 300.0],
            "account_id": ["a1", "a1", "a2", "a1"],
            "campaign": ["x", "y", "x", "x"],
            "closed_at": [_at(2, 1), _at(2, 1), _at(2, 5), _at(3, 1)],
        }
    )


def _touches() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "touch_id": ["t1", "t2", "t3", "t4"],
            "occurred_at": [_at(1, 5), _at(1, 6), _at(1, 7), _at(1, 20)],
        }
    )


def _spend() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "channel": ["A", "B"],
            "campaign": ["x", "y"],
            "period_start": [_at(1), _at(1)],
            "period_end": [_at(2), _at(2)],
            "amount": [100.0, 50.0],
        }
    )


def test_roas_roi_cac_and_payback_by_hand() -> None:
    pipeline = pl.DataFrame(
        {"touch_id": ["t1", "t2", "t3", "t4", "t1"], "channel": ["A", "B", "A", "A", "A"]}
    ).with_columns(credit=pl.Series([0.5, 0.5, 1.0, 1.0, 2.0]))
    r = returns(_credits(), _spend(), _touches(), pipeline=pipeline, revenue_months=12, draws=50)
    a = r.table.filter(channel="A").row(0, named=True)
    assert a["spend"] == 100.0 and a["revenue"] == 1000.0
    assert a["roas"] == pytest.approx(10.0) and a["roi"] == pytest.approx(9.0)
    assert a["won_deals"] == pytest.approx(2.5) and a["cost_per_won_deal"] == pytest.approx(40.0)
    # new customers: o1 (a1's first win, half credited to A) and o2 (a2's only win)
    assert a["new_customers"] == pytest.approx(1.5) and a["cac"] == pytest.approx(100 / 1.5)
    assert a["payback_months"] == pytest.approx(100 * 12 / 700)
    assert a["opportunities"] == pytest.approx(4.5)
    assert a["cost_per_opportunity"] == pytest.approx(100 / 4.5)
    b = r.table.filter(channel="B").row(0, named=True)
    assert b["roas"] == pytest.approx(10.0) and b["cac"] == pytest.approx(100.0)
    total = r.overall.row(0, named=True)
    assert total["spend"] == 150.0 and total["revenue"] == 1500.0
    assert total["roas_low"] <= total["roas"] <= total["roas_high"]


def test_touches_outside_the_window_and_spend_partly_inside() -> None:
    r = returns(_credits(), _spend(), _touches(), start=_at(1, 10), end=_at(2, 1), draws=50)
    a = r.table.filter(channel="A").row(0, named=True)
    # only t4 (Jan 20) is inside; 22 of January's 31 days of spend
    assert a["revenue"] == 300.0
    assert a["spend"] == pytest.approx(100 * 22 / 31)
    assert r.table.filter(channel="B")["revenue"].item() == 0.0


def test_by_campaign_and_without_pipeline() -> None:
    r = returns(_credits(), _spend(), _touches(), by="campaign", draws=50)
    assert r.table["campaign"].to_list() == ["x", "y"]
    assert r.table["cost_per_opportunity"].is_null().all()
    assert r.table["payback_months"].is_null().all()


def test_bad_parameters_are_clear() -> None:
    with pytest.raises(at.ParameterError, match="revenue_months"):
        returns(_credits(), _spend(), _touches(), revenue_months=-1)
    with pytest.raises(at.ParameterError, match="by must be"):
        returns(_credits(), _spend(), _touches(), by="team")
    with pytest.raises(at.ParameterError, match="level"):
        returns(_credits(), _spend(), _touches(), level=95)
    with pytest.raises(at.ParameterError, match="end after"):
        returns(_credits(), _spend(), _touches(), start=_at(3), end=_at(2))


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 12), st.integers(1, 40), st.floats(0, 1e6)),
        min_size=1,
        max_size=12,
    ),
    st.integers(1, 12),
)
def test_window_spend_adds_up_to_the_spend_it_covers(
    rows: list[tuple[int, int, float]], first: int
) -> None:
    spend = pl.DataFrame(
        {
            "channel": [f"c{i % 3}" for i in range(len(rows))],
            "campaign": [None] * len(rows),
            "period_start": [_at(m) for m, _, _ in rows],
            "period_end": [_at(m) + timedelta(days=d) for m, d, _ in rows],
            "amount": [a for _, _, a in rows],
        }
    )
    whole = spend_in_window(spend, _at(1), datetime(2027, 1, 1, tzinfo=UTC))
    assert whole["spend"].sum() == pytest.approx(spend["amount"].sum(), rel=1e-9, abs=1e-6)
    # two adjacent windows split the spend exactly
    cut = datetime(2025, first, 15, tzinfo=UTC)
    left = spend_in_window(spend, _at(1), cut)["spend"].sum()
    right = spend_in_window(spend, cut, datetime(2027, 1, 1, tzinfo=UTC))["spend"].sum()
    assert left + right == pytest.approx(spend["amount"].sum(), rel=1e-9, abs=1e-6)


def test_revenue_of_spent_and_unspent_channels_adds_up_on_the_demo() -> None:
    ds = at.demo.generate(n_accounts=300, seed=3)
    credits = at.attribute(at.journeys(ds), "w_shaped")
    spend = spend_table(ds)
    r = returns(credits, spend, ds.touches, draws=40)
    touched = credits.join(ds.touches.select("touch_id", "occurred_at"), on="touch_id")
    inside = touched.filter((pl.col("occurred_at") >= r.start) & (pl.col("occurred_at") < r.end))[
        "revenue"
    ].sum()
    assert r.table["revenue"].sum() + r.unmatched_revenue == pytest.approx(inside)
    assert r.overall["spend"].item() == pytest.approx(spend["amount"].sum())
    assert r.level == 0.9 and r.draws == 40
