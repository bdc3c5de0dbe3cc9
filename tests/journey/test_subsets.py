"""A dataset cut to one segment: the parts partition the data, and nothing leaks across."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

import attribution as at
from attribution.journey.subsets import NO_VALUE, segment_values, subset


@pytest.fixture(scope="module")
def demo() -> at.Dataset:
    return at.demo.generate(n_accounts=600, seed=5)


def test_account_segments_partition_every_table(demo: at.Dataset) -> None:
    values = segment_values(demo, "segment")["value"].to_list()
    parts = [subset(demo, "segment", v) for v in values]
    for name in ("touches", "opportunities", "contacts", "accounts", "stage_history"):
        assert sum(getattr(p, name).height for p in parts) == getattr(demo, name).height, name
    for value, part in zip(values, parts, strict=True):
        assert part.accounts["segment"].unique().to_list() == [value]
        accounts = set(part.accounts["account_id"])
        assert set(part.touches["account_id"]) <= accounts
        assert set(part.opportunities["account_id"]) <= accounts
        assert set(part.stage_history["opportunity_id"]) <= set(
            part.opportunities["opportunity_id"]
        )
        assert part.spend is None, "spend is not per account: it is not split"


def test_counts_agree_with_the_subsets(demo: at.Dataset) -> None:
    t = segment_values(demo, "region")
    for row in t.iter_rows(named=True):
        part = subset(demo, "region", row["value"])
        assert row["accounts"] == part.accounts.height
        assert row["opportunities"] == part.opportunities.height
        assert row["won"] == part.opportunities["is_won"].sum()


def test_an_opportunity_column_keeps_those_deals_and_their_accounts_touches() -> None:
    at_ = datetime(2025, 3, 1, tzinfo=UTC)
    touches = pl.DataFrame(
        {
            "touch_id": ["t1", "t2", "t3", "t4"],
            "account_id": ["a", "a", "a", "b"],
            "occurred_at": [at_] * 4,
            "team": ["marketing"] * 4,
            "channel": ["email"] * 4,
            "opportunity_id": [None, "o1", "o2", None],
        }
    )
    opps = pl.DataFrame(
        {
            "opportunity_id": ["o1", "o2", "o3"],
            "account_id": ["a", "a", "b"],
            "created_at": [at_] * 3,
            "is_won": [True, False, True],
            "amount": [10.0, 20.0, 30.0],
            "closed_at": [at_] * 3,
            "source": ["inbound", "outbound", None],
        }
    )
    ds = at.Dataset(touches=touches, opportunities=opps)
    inbound = subset(ds, "source", "inbound")
    assert inbound.opportunities["opportunity_id"].to_list() == ["o1"]
    # t3 is logged on o2 (outbound): it belongs to that deal only
    assert inbound.touches["touch_id"].to_list() == ["t1", "t2"]
    none = subset(ds, "source", NO_VALUE)
    assert none.opportunities["opportunity_id"].to_list() == ["o3"]
    assert none.touches["touch_id"].to_list() == ["t4"]
    t = segment_values(ds, "source")
    assert dict(zip(t["value"], t["won"], strict=True)) == {
        "inbound": 1,
        "outbound": 0,
        NO_VALUE: 1,
    }


def test_an_unknown_column_names_the_closest(demo: at.Dataset) -> None:
    with pytest.raises(
        at.ParameterError, match=r"^by: no attribute 'regon'; did you mean 'region'"
    ):
        subset(demo, "regon", "EMEA")


def test_a_lazy_dataset_stays_lazy(demo: at.Dataset) -> None:
    lazy = at.Dataset(**{n: f.lazy() for n, f in demo.tables().items()}, source="lazy")
    part = subset(lazy, "segment", "SMB")
    assert isinstance(part.touches, pl.LazyFrame)
    assert part.collect().touches.height == subset(demo, "segment", "SMB").touches.height
