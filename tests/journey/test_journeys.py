"""Journeys: windows, ordering, milestones and path tables on hand-made cases."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from helpers import make_opportunities, make_touches
from hypothesis import given, settings
from hypothesis import strategies as st

import attribution as at

UTC = dt.UTC


def dataset(
    touches: list[tuple], opps: list[tuple], contacts: list[tuple] | None = None
) -> at.Dataset:
    tables = {"touches": make_touches(touches), "opportunities": make_opportunities(opps)}
    if contacts is not None:
        tables["contacts"] = pl.DataFrame(
            contacts, orient="row", schema=["contact_id", "account_id", "created_at"]
        )
    return at.validate(tables)


TOUCHES = [
    ("t0", "a1", "2023-12-01 00:00", "marketing", "paid_search"),  # before the lookback
    ("t1", "a1", "2024-01-01 00:00", "marketing", "paid_search"),  # exactly at window start
    ("t2", "a1", "2024-01-15 00:00", "marketing", "webinar"),  # lead creation (form fill)
    ("t4", "a1", "2024-01-20 00:00", "sales", "sales_call"),
    ("t3", "a1", "2024-01-20 00:00", "marketing", "email"),  # tie: t3 before t4
    ("t5", "a1", "2024-01-31 00:00", "sales", "meeting"),  # exactly at creation
    ("t6", "a1", "2024-02-20 00:00", "sales", "demo"),  # exactly at close
    ("t7", "a1", "2024-02-21 00:00", "marketing", "email"),  # after close
    ("u1", "a2", "2024-03-01 00:00", "marketing", "event"),
]
OPPS = [
    ("o1", "a1", "2024-01-31", "true", "100", "2024-02-20"),
    ("o2", "a2", "2024-03-05", "false", "50", None),  # open
    ("o3", "a3", "2024-03-05", "false", "70", "2024-03-20"),  # lost, no touches
]
CONTACTS = [("c1", "a1", "2024-01-15"), ("c2", "a1", "2024-02-01")]


@pytest.fixture
def j() -> pl.DataFrame:
    return at.journeys(dataset(TOUCHES, OPPS, CONTACTS), lookback_days=30)


def test_window_is_inclusive_and_ordered(j: pl.DataFrame) -> None:
    o1 = j.filter(pl.col("opportunity_id") == "o1")
    assert o1["touch_id"].to_list() == ["t1", "t2", "t3", "t4", "t5", "t6"]
    assert o1["position"].to_list() == [1, 2, 3, 4, 5, 6]
    assert o1["n_touches"].unique().to_list() == [6]
    assert o1["days_before_close"].to_list() == [50.0, 36.0, 31.0, 31.0, 20.0, 0.0]
    assert o1["status"].unique().to_list() == ["won"]


def test_milestones(j: pl.DataFrame) -> None:
    o1 = j.filter(pl.col("opportunity_id") == "o1")
    flags = {
        m: o1.filter(pl.col(m))["touch_id"].to_list()
        for m in ("is_first", "is_lead_creation", "is_opportunity_creation", "is_close")
    }
    assert flags == {
        "is_first": ["t1"],
        "is_lead_creation": ["t2"],
        "is_opportunity_creation": ["t5"],
        "is_close": ["t6"],
    }


def test_open_opportunity_window_ends_at_as_of(j: pl.DataFrame) -> None:
    o2 = j.filter(pl.col("opportunity_id") == "o2")
    assert o2["status"].to_list() == ["open"]
    assert o2["touch_id"].to_list() == ["u1"]
    # default as_of is the latest timestamp in the data: o3's close, 2024-03-20
    assert o2["window_end"].to_list() == [dt.datetime(2024, 3, 20, tzinfo=UTC)]
    assert not o2["is_close"].any()
    assert o2["is_lead_creation"].to_list() == [False]  # no contacts for a2


def test_opportunity_without_touches_is_kept_once(j: pl.DataFrame) -> None:
    o3 = j.filter(pl.col("opportunity_id") == "o3")
    assert o3.height == 1
    assert o3["n_touches"].to_list() == [0]
    assert o3["touch_id"].to_list() == [None]
    assert o3["status"].to_list() == ["lost"]
    assert j["opportunity_id"].n_unique() == 3


def test_as_of_before_close_sees_the_deal_as_open() -> None:
    ds = dataset(TOUCHES, OPPS, CONTACTS)
    j = at.journeys(ds, lookback_days=30, as_of=dt.datetime(2024, 2, 10))
    o1 = j.filter(pl.col("opportunity_id") == "o1")
    assert o1["status"].unique().to_list() == ["open"]
    assert o1["touch_id"].to_list() == ["t1", "t2", "t3", "t4", "t5"]
    assert not o1["is_won"].any()
    # opportunities created after as_of are not known yet
    assert set(j["opportunity_id"]) == {"o1"}


def test_every_touch_of_the_account_counts_for_each_of_its_opportunities() -> None:
    opps = [
        ("o1", "a1", "2024-01-10", "false", "1", "2024-01-25"),
        ("o2", "a1", "2024-01-20", "true", "2", "2024-02-25"),
    ]
    ds = dataset(TOUCHES[1:7], opps)
    j = at.journeys(ds, lookback_days=10)
    per = j.group_by("opportunity_id").agg(pl.col("touch_id")).sort("opportunity_id")
    # o1: 2023-12-31 .. 2024-01-25; o2: 2024-01-10 .. 2024-02-25 (the windows overlap)
    assert per["touch_id"].to_list() == [["t1", "t2", "t3", "t4"], ["t2", "t3", "t4", "t5", "t6"]]


def test_lead_creation_without_a_touch_before_it_is_not_flagged() -> None:
    ds = dataset(TOUCHES[1:7], OPPS[:1], [("c1", "a1", "2023-06-01")])
    j = at.journeys(ds, lookback_days=30)
    assert not j["is_lead_creation"].any()


def test_lookback_must_be_non_negative() -> None:
    with pytest.raises(at.ParameterError, match="lookback_days"):
        at.journeys(dataset(TOUCHES, OPPS), lookback_days=-1)


def test_paths_table(j: pl.DataFrame) -> None:
    table = at.paths(j)
    assert table.columns == ["path", "conversions", "value", "nulls"]
    assert table.to_dicts() == [
        {
            "path": ["paid_search", "webinar", "email", "sales_call", "meeting", "demo"],
            "conversions": 1,
            "value": 100.0,
            "nulls": 0,
        }
    ]
    marketing = at.paths(j, team="marketing", include_open=True)
    assert marketing.sort("conversions")["path"].to_list() == [
        ["event"],
        ["paid_search", "webinar", "email"],
    ]
    assert marketing.sort("conversions")["nulls"].to_list() == [1, 0]
    assert at.paths(j, by="team")["path"].to_list() == [
        ["marketing", "marketing", "marketing", "sales", "sales", "sales"]
    ]


def test_paths_counts_match_journeys(demo_small: at.Dataset) -> None:
    j = at.journeys(demo_small)
    table = at.paths(j)
    closed = j.filter(pl.col("status") != "open", pl.col("n_touches") > 0)
    per_opp = closed.group_by("opportunity_id").agg(
        pl.col("status").first(), pl.col("amount").first()
    )
    assert table["conversions"].sum() == per_opp.filter(pl.col("status") == "won").height
    assert table["nulls"].sum() == per_opp.filter(pl.col("status") == "lost").height
    assert table["value"].sum() == pytest.approx(
        per_opp.filter(pl.col("status") == "won")["amount"].sum()
    )


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_journeys_do_not_depend_on_input_row_order(demo_small: at.Dataset, seed: int) -> None:
    shuffled = at.Dataset(
        touches=demo_small.touches.sample(fraction=1.0, shuffle=True, seed=seed),
        opportunities=demo_small.opportunities.sample(fraction=1.0, shuffle=True, seed=seed),
        contacts=demo_small.contacts.sample(fraction=1.0, shuffle=True, seed=seed),
    )
    base = at.Dataset(
        touches=demo_small.touches,
        opportunities=demo_small.opportunities,
        contacts=demo_small.contacts,
    )
    assert at.journeys(shuffled).equals(at.journeys(base))


def test_lazy_journeys_equal_eager(demo_small: at.Dataset) -> None:
    lazy = at.journeys(demo_small, lazy=True)
    assert isinstance(lazy, pl.LazyFrame)
    assert lazy.collect().equals(at.journeys(demo_small))


def test_each_journey_has_one_first_touch_and_ordered_positions(demo_small: at.Dataset) -> None:
    j = at.journeys(demo_small)
    touched = j.filter(pl.col("n_touches") > 0)
    check = touched.group_by("opportunity_id").agg(
        pl.col("is_first").sum().alias("firsts"),
        pl.col("is_close").sum().alias("closes"),
        pl.col("is_opportunity_creation").sum().alias("creations"),
        (pl.col("position").diff().drop_nulls() == 1).all().alias("consecutive"),
        (pl.col("occurred_at").diff().drop_nulls().dt.total_microseconds() >= 0)
        .all()
        .alias("sorted"),
        pl.col("status").first(),
    )
    assert check["firsts"].to_list() == [1] * check.height
    assert check["consecutive"].all() and check["sorted"].all()
    assert check["creations"].max() == 1
    closed = check.filter(pl.col("status") != "open")
    assert closed["closes"].to_list() == [1] * closed.height
