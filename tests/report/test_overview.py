"""The one-page overview: headline, team involvement, revenue by month, findings, top paths."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl
import pytest
from helpers import make_opportunities, make_touches
from hypothesis import given, settings
from hypothesis import strategies as st

import attribution as at
from attribution._markdown import unescape
from attribution.report import findings as rank
from attribution.report import overview
from attribution.report.overview import INVOLVEMENT_LEVELS, MIN_DEALS

BASE = datetime(2025, 1, 1)


def _day(d: float) -> str:
    return (BASE + timedelta(days=d)).isoformat(sep=" ")


def _hand_made() -> pl.DataFrame:
    """Four closed deals, one per involvement, and an open one."""
    touches = make_touches(
        [
            ("t1", "a1", _day(1), "marketing", "webinar"),
            ("t2", "a1", _day(2), "sales", "demo"),
            ("t3", "a2", _day(3), "marketing", "email"),
            ("t4", "a3", _day(4), "sales", "sales_call"),
            ("t5", "a5", _day(5), "sales", "sales_call"),
        ]
    )
    opps = make_opportunities(
        [
            ("o1", "a1", _day(10), True, 100.0, _day(20)),  # marketing and sales
            ("o2", "a2", _day(10), True, 50.0, _day(40)),  # marketing only
            ("o3", "a3", _day(10), False, 70.0, _day(30)),  # sales only, lost
            ("o4", "a4", _day(10), True, 25.0, _day(50)),  # no touches
            ("o5", "a5", _day(10), False, 999.0, None),  # open
        ]
    )
    ds = at.validate({"touches": touches, "opportunities": opps})
    return at.journeys(ds, lookback_days=30, as_of=BASE + timedelta(days=60))


def test_hand_made_involvement_and_headline() -> None:
    j = _hand_made()
    t = overview.team_involvement(j)
    assert t.to_dicts() == [
        {"involvement": "marketing and sales", "won_deals": 1, "won_revenue": 100.0,
         "revenue_share": 100 / 175, "closed_deals": 1, "win_rate": 1.0},
        {"involvement": "marketing only", "won_deals": 1, "won_revenue": 50.0,
         "revenue_share": 50 / 175, "closed_deals": 1, "win_rate": 1.0},
        {"involvement": "sales only", "won_deals": 0, "won_revenue": 0.0,
         "revenue_share": 0.0, "closed_deals": 1, "win_rate": 0.0},
        {"involvement": "no touches", "won_deals": 1, "won_revenue": 25.0,
         "revenue_share": 25 / 175, "closed_deals": 1, "win_rate": 1.0},
    ]  # fmt: skip
    h = overview.headline(j)
    assert (h.won_revenue, h.won_deals, h.lost_deals, h.open_deals) == (175.0, 3, 1, 1)
    assert h.open_pipeline == 999.0 and h.win_rate == 0.75
    assert h.median_cycle_days == 30.0 and h.lookback_days == 30.0
    text = h.markdown(currency="€")
    assert "**€175 of won revenue**" in text and "**75% win rate** (3 won of 4 closed)" in text
    assert "from **3 won deals**" in text and "Still open: 1 deal worth €999." in text


def test_revenue_by_month_and_summary_rows() -> None:
    j = _hand_made()
    s = overview.opportunity_summary(j)
    assert s.height == 5 and s.get_column("opportunity_id").is_unique().all()
    assert s.filter(pl.col("opportunity_id") == "o1").row(0, named=True)["channels"] == [
        "webinar",
        "demo",
    ]
    r = overview.revenue_by_month(j)
    assert r.get_column("won_revenue").sum() == 175.0
    assert r.get_column("month").dt.day().unique().to_list() == [1]


@st.composite
def datasets(draw: st.DrawFn) -> pl.DataFrame:
    n_opps = draw(st.integers(1, 8))
    opps = []
    for i in range(n_opps):
        created = draw(st.integers(0, 100))
        status = draw(st.sampled_from(["won", "lost", "open"]))
        closed = None if status == "open" else _day(created + draw(st.integers(0, 60)))
        amount = draw(st.floats(0, 1e6, allow_nan=False, allow_infinity=False))
        account = f"a{draw(st.integers(1, 4))}"
        opps.append((f"o{i}", account, _day(created), status == "won", amount, closed))
    n_touches = draw(st.integers(1, 25))
    touches = [
        (
            f"t{k}",
            f"a{draw(st.integers(1, 4))}",
            _day(draw(st.integers(0, 170))),
            draw(st.sampled_from(["marketing", "sales"])),
            draw(st.sampled_from(["email", "webinar", "demo", "sales_call"])),
        )
        for k in range(n_touches)
    ]
    ds = at.validate({"touches": make_touches(touches), "opportunities": make_opportunities(opps)})
    return at.journeys(ds, lookback_days=draw(st.sampled_from([0, 30, 365])))


@settings(max_examples=60, deadline=None)
@given(datasets())
def test_every_won_dollar_is_counted_once(j: pl.DataFrame) -> None:
    won = (
        j.group_by("opportunity_id")
        .agg(pl.col("status").first(), pl.col("amount").first())
        .filter(pl.col("status") == "won")
    )
    total = won.get_column("amount").sum()
    t = overview.team_involvement(j)
    assert t.get_column("involvement").to_list() == list(INVOLVEMENT_LEVELS)
    assert t.get_column("won_revenue").sum() == pytest.approx(total)
    assert t.get_column("won_deals").sum() == won.height
    assert (t.get_column("won_revenue") >= 0).all()
    if total > 0:
        assert t.get_column("revenue_share").sum() == pytest.approx(1.0)
    assert overview.revenue_by_month(j).get_column("won_revenue").sum() == pytest.approx(total)
    assert overview.headline(j).won_revenue == pytest.approx(total)
    s = overview.opportunity_summary(j)
    both = (s.get_column("marketing_touches") > 0) & (s.get_column("sales_touches") > 0)
    assert (s.filter(both).get_column("involvement") == "marketing and sales").all()
    for f in rank.findings(j, n=5):
        assert 0 <= f.weight <= 1 and f.text


@settings(max_examples=30, deadline=None)
@given(datasets())
def test_overview_ignores_row_order(j: pl.DataFrame) -> None:
    shuffled = j.sample(fraction=1.0, shuffle=True, seed=1)
    assert overview.team_involvement(shuffled).equals(overview.team_involvement(j))
    assert overview.headline(shuffled) == overview.headline(j)


def test_findings_are_ranked_and_computed_from_the_data(demo_medium: at.Dataset) -> None:
    j = at.journeys(demo_medium)
    found = rank.findings(j, currency="€", n=5)
    assert len(found) >= 3
    weights = [f.weight for f in found]
    assert weights == sorted(weights, reverse=True)
    assert [f.key for f in rank.findings(j, n=3)] == [f.key for f in found[:3]]
    by_key = {f.key: f for f in found}
    rates = {
        r["involvement"]: r["win_rate"] for r in overview.team_involvement(j).iter_rows(named=True)
    }
    joint = by_key["joint_work"].text
    assert f"won {rates['marketing and sales']:.0%} of the time" in joint
    assert "does not by itself prove" in joint
    md = rank.findings_markdown(found[:3])
    assert md.startswith("1. **") and md.count("\n") == 2


def test_small_data_gives_fewer_findings_and_never_quotes_thin_rates() -> None:
    j = _hand_made()
    keys = [f.key for f in rank.findings(j, n=5)]
    assert keys == ["coverage"]  # fewer than MIN_DEALS closed deals behind every rate
    (coverage,) = rank.findings(j)
    assert coverage.weight == pytest.approx(25 / 175)
    assert "14% of won revenue ($25 from 1 of 3 won deals)" in unescape(coverage.text)
    assert MIN_DEALS == 20
    assert rank.findings_markdown([]).startswith("_The data is too small")


def test_findings_refuse_a_bad_count() -> None:
    with pytest.raises(at.ParameterError, match="n must be a positive"):
        rank.findings(_hand_made(), n=0)


def test_top_paths_of_won_deals(demo_small: at.Dataset) -> None:
    j = at.journeys(demo_small)
    top = overview.top_paths(j, n=4)
    assert top.height == 4 and top.columns == [
        "path",
        "won_deals",
        "won_revenue",
        "lost_deals",
        "win_rate",
    ]
    assert top.get_column("won_deals").is_sorted(descending=True)
    assert (
        top.get_column("win_rate") == top["won_deals"] / (top["won_deals"] + top["lost_deals"])
    ).all()
    assert " > " in "".join(top.get_column("path").to_list())
    with pytest.raises(at.ParameterError):
        overview.top_paths(j, n=0)


def test_a_tiny_total_still_gives_shares_that_add_up() -> None:
    # polars divides by a scalar through its reciprocal: 1 / 5e-324 overflows to inf
    touches = make_touches([("t1", "a1", _day(1), "marketing", "email")])
    opps = make_opportunities([("o1", "a1", _day(5), True, 5e-324, _day(9))])
    j = at.journeys(at.validate({"touches": touches, "opportunities": opps}), lookback_days=30)
    shares = overview.team_involvement(j).get_column("revenue_share")
    assert shares.to_list() == [0.0, 1.0, 0.0, 0.0]


def test_top_paths_can_merge_repeats_and_keep_the_first_steps() -> None:
    touches = make_touches(
        [
            ("t1", "a1", _day(1), "marketing", "email"),
            ("t2", "a1", _day(2), "marketing", "email"),
            ("t3", "a1", _day(3), "sales", "demo"),
            ("t4", "a2", _day(1), "marketing", "email"),
            ("t5", "a2", _day(2), "sales", "demo"),
            ("t6", "a2", _day(3), "sales", "sales_call"),
            ("t7", "a3", _day(1), "marketing", "webinar"),
        ]
    )
    opps = make_opportunities(
        [
            ("o1", "a1", _day(10), True, 100.0, _day(20)),
            ("o2", "a2", _day(10), True, 50.0, _day(20)),
            ("o3", "a3", _day(10), False, 70.0, _day(20)),
        ]
    )
    j = at.journeys(at.validate({"touches": touches, "opportunities": opps}), lookback_days=30)
    plain = overview.top_paths(j)
    assert plain["path"].to_list() == ["email > email > demo", "email > demo > sales_call"]
    merged = overview.top_paths(j, collapse=True, steps=2)
    assert merged.rows() == [("email > demo", 2, 150.0, 0, 1.0)]
    teams = overview.top_paths(j, by="team", collapse=True)
    assert teams.rows() == [("marketing > sales", 2, 150.0, 0, 1.0)]
    with pytest.raises(at.ParameterError, match="steps"):
        overview.top_paths(j, steps=0)
