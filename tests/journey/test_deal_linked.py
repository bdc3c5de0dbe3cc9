"""Touches linked to a deal belong to that deal's journey only; the others to the account's.

A hand-made account with three deals open at overlapping times, and a property test over
random accounts: a linked touch appears in its own deal's journey (when inside its
window) and nowhere else; an unlinked touch keeps the account-window rule; every model
still gives out exactly each won deal's amount.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import attribution as at

DAY = datetime(2024, 1, 1, tzinfo=UTC)


def day(n: int) -> datetime:
    return DAY + timedelta(days=n)


def _dataset(touches: list[tuple], opps: list[tuple]) -> at.Dataset:
    t = pl.DataFrame(
        touches,
        schema=["touch_id", "account_id", "occurred_at", "team", "channel", "opportunity_id"],
        orient="row",
    )
    o = pl.DataFrame(
        opps,
        schema=["opportunity_id", "account_id", "created_at", "is_won", "amount", "closed_at"],
        orient="row",
    )
    return at.validate({"touches": t, "opportunities": o})


# one account, three deals whose windows overlap (30-day lookback)
HAND = _dataset(
    [
        ("t1", "a", day(5), "marketing", "webinar", None),  # before every deal: all windows
        ("t2", "a", day(12), "sales", "call", "o1"),  # logged on o1
        ("t3", "a", day(14), "sales", "demo", "o2"),  # logged on o2
        ("t4", "a", day(16), "sales", "call", "o3"),  # logged on o3
        ("t5", "a", day(18), "marketing", "email", None),  # unlinked, inside o2 and o3
        ("t6", "a", day(40), "sales", "call", "o1"),  # logged on o1, after o1 closed
        ("t7", "a", day(13), "sales", "call", "o9"),  # logged on a deal the data lacks
    ],
    [
        ("o1", "a", day(10), True, 100.0, day(15)),
        ("o2", "a", day(11), True, 300.0, day(30)),
        ("o3", "a", day(12), False, 50.0, day(35)),
    ],
)


def _members(ds: at.Dataset) -> dict[str, list[str]]:
    j = at.journeys(ds, lookback_days=30).filter(pl.col("n_touches") > 0)
    rows = j.group_by("opportunity_id").agg(pl.col("touch_id").sort_by("position"))
    return dict(zip(rows["opportunity_id"], rows["touch_id"].to_list(), strict=True))


def test_a_linked_touch_joins_its_own_deal_only() -> None:
    assert _members(HAND) == {
        "o1": ["t1", "t2"],  # t6 is o1's but after its close; t3, t4 are other deals'
        "o2": ["t1", "t3", "t5"],
        "o3": ["t1", "t4", "t5"],
    }


def test_without_links_every_deal_takes_the_accounts_touches() -> None:
    unlinked = HAND.touches.with_columns(pl.lit(None, dtype=pl.String).alias("opportunity_id"))
    members = _members(at.Dataset(touches=unlinked, opportunities=HAND.opportunities))
    assert members["o1"] == ["t1", "t2", "t7", "t3"]  # in time order, whoever's they were
    assert members["o2"] == members["o3"] == ["t1", "t2", "t7", "t3", "t4", "t5"]


def test_per_deal_features_count_the_same_touches() -> None:
    features = at.opportunity_features(HAND, lookback_days=30)
    counts = dict(
        zip(
            features["opportunity_id"],
            zip(features["marketing_touches"], features["sales_touches"], strict=True),
            strict=True,
        )
    )
    assert counts == {"o1": (1, 1), "o2": (2, 1), "o3": (2, 1)}
    from_journeys = at.opportunity_features(HAND, journeys=at.journeys(HAND, lookback_days=30))
    assert from_journeys.equals(features)


def test_data_health_names_the_overlap_and_the_unknown_deal() -> None:
    unlinked = HAND.touches.with_columns(pl.lit(None, dtype=pl.String).alias("opportunity_id"))
    plain = at.Dataset(touches=unlinked, opportunities=HAND.opportunities)
    shared = at.health.shared_touches(at.journeys(plain, lookback_days=30))
    assert shared.row(0, named=True)["account_id"] == "a"
    assert shared.row(0, named=True)["deals"] == 3
    checks = at.health.checks(plain, at.journeys(plain, lookback_days=30))
    row = checks.filter(pl.col("check").str.starts_with("touches in more than one deal"))
    assert row["status"][0] == "warning" and "a (3 deals" in row["meaning"][0]
    linked = at.health.checks(HAND, at.journeys(HAND, lookback_days=30))
    unknown = linked.filter(pl.col("check").str.contains("deal the data does not hold"))
    assert unknown["rows"][0] == 1  # t7


def test_a_touch_linked_to_another_accounts_deal_is_an_error() -> None:
    with pytest.raises(at.DataError, match="the deal belongs to another account"):
        _dataset(
            [("t1", "b", day(5), "sales", "call", "o1")],
            [("o1", "a", day(10), True, 100.0, day(15))],
        )


# ------------------------------------------------------------------------------ property
@st.composite
def accounts(draw: st.DrawFn) -> at.Dataset:
    n_deals = draw(st.integers(1, 4))
    opps = []
    for i in range(n_deals):
        created = draw(st.integers(0, 60))
        length = draw(st.integers(0, 40))
        opps.append((f"o{i}", "a", day(created), draw(st.booleans()), 10.0 * (i + 1),
                     day(created + length)))  # fmt: skip
    touches = []
    for k in range(draw(st.integers(0, 12))):
        link = draw(st.one_of(st.none(), st.sampled_from([o[0] for o in opps])))
        team = draw(st.sampled_from(["marketing", "sales"]))
        channel = draw(st.sampled_from(["email", "call", "demo"]))
        touches.append((f"t{k:02d}", "a", day(draw(st.integers(-30, 110))), team, channel, link))
    if not touches:
        touches.append(("t00", "a", day(0), "marketing", "email", None))
    return _dataset(touches, opps)


@settings(max_examples=60, deadline=None)
@given(ds=accounts())
def test_links_only_ever_narrow_a_journey_and_credit_is_conserved(ds: at.Dataset) -> None:
    linked = at.journeys(ds, lookback_days=30).filter(pl.col("n_touches") > 0)
    plain_touches = ds.touches.with_columns(pl.lit(None, dtype=pl.String).alias("opportunity_id"))
    plain = at.journeys(at.Dataset(touches=plain_touches, opportunities=ds.opportunities),
                        lookback_days=30).filter(pl.col("n_touches") > 0)  # fmt: skip
    pairs = set(zip(linked["opportunity_id"], linked["touch_id"], strict=True))
    assert pairs <= set(zip(plain["opportunity_id"], plain["touch_id"], strict=True))
    owner = dict(zip(ds.touches["touch_id"], ds.touches["opportunity_id"], strict=True))
    assert all(owner[t] in (None, o) for o, t in pairs), "a linked touch is its deal's only"
    j = at.journeys(ds, lookback_days=30)
    won = ds.opportunities.filter(pl.col("is_won")).select("opportunity_id", "amount")
    for model in ("linear", "w_shaped", "markov"):
        credits = at.attribute(j, model)
        per_deal = credits.group_by("opportunity_id").agg(pl.col("revenue").sum())
        joined = won.join(per_deal, on="opportunity_id", how="left")
        assert joined["revenue"].to_list() == pytest.approx(joined["amount"].to_list())
