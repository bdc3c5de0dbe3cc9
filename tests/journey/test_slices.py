"""Slicing: deal attributes on journeys (include=) and deals kept by a condition (where=)."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import attribution as at
from attribution.journey.slices import attributes, restrict


@pytest.fixture(scope="module")
def ds() -> at.Dataset:
    return at.demo.generate(n_accounts=400, seed=13)


@pytest.fixture(scope="module")
def j_all(ds: at.Dataset) -> pl.DataFrame:
    return at.journeys(ds, include="all")


def test_attributes_are_the_deals_own(ds: at.Dataset, j_all: pl.DataFrame) -> None:
    plain = at.journeys(ds)
    assert j_all.columns[: len(plain.columns)] == plain.columns
    own = ("stage", "source", "owner", "lost_reason", "segment", "industry", "employees", "region")
    assert j_all.drop(own).equals(plain)
    opps = ds.opportunities.select(
        "opportunity_id", "stage", "source", pl.col("rep").alias("owner")
    )
    accounts = ds.accounts.select("account_id", "segment", "industry", "employees")
    expected = (
        plain.select("opportunity_id", "account_id")
        .join(opps, on="opportunity_id", how="left", maintain_order="left")
        .join(accounts, on="account_id", how="left", maintain_order="left")
    )
    assert j_all.select(expected.columns).equals(expected)


def test_names_resolve_with_an_owner_and_qualified_columns(ds: at.Dataset) -> None:
    names = [a.name for a in attributes(ds, ["owner", "opportunities.rep", "accounts.segment"])]
    assert names == ["owner", "opportunity_rep", "segment"]
    assert at.journeys(ds, include="segment").columns[-1] == "segment"
    assert attributes(ds, None) == []


@pytest.mark.parametrize(
    ("include", "match"),
    [
        (["segmnet"], "no attribute 'segmnet'; did you mean 'segment'"),
        (["rep"], "already a journey column .the deal's owner is 'owner'"),
        (["channel"], "already a journey column"),
        (["accounts.stage"], "'accounts.stage' is not an attribute"),
        (["segment", "accounts.segment"], "more than once"),
    ],
)
def test_bad_names_are_one_clear_error(ds: at.Dataset, include: list[str], match: str) -> None:
    with pytest.raises(at.ParameterError, match=match):
        at.journeys(ds, include=include)


def test_a_name_both_tables_have_must_be_qualified() -> None:
    ds = at.demo.generate(n_accounts=60, seed=2)
    twice = at.validate(
        {
            **ds.tables(),
            "opportunities": ds.opportunities.with_columns(pl.lit("EU").alias("region")),
            "accounts": ds.accounts.with_columns(pl.lit("US").alias("region")),
        }
    )
    with pytest.raises(at.ParameterError, match="both opportunities and accounts have 'region'"):
        at.journeys(twice, include=["region"])
    j = at.journeys(twice, include=["accounts.region"])
    assert j["region"].unique().to_list() == ["US"]
    both = at.journeys(twice, include="all")
    assert {"opportunity_region", "account_region"} <= set(both.columns)


@settings(max_examples=15, deadline=None)
@given(threshold=st.floats(min_value=0, max_value=200_000), keep_open=st.booleans())
def test_where_keeps_exactly_the_deals_it_names(
    ds: at.Dataset, threshold: float, keep_open: bool
) -> None:
    condition = (pl.col("amount") > threshold) | (pl.lit(keep_open) & (pl.col("status") == "open"))
    plain = at.journeys(ds)
    assert at.journeys(ds, where=condition).equals(plain.filter(condition))
    assert restrict(plain, condition).equals(plain.filter(condition))


def test_where_may_name_an_attribute_it_does_not_carry(ds: at.Dataset, j_all: pl.DataFrame) -> None:
    smb = at.journeys(ds, where=pl.col("segment") == "SMB")
    assert "segment" not in smb.columns and smb.height > 0
    assert smb.equals(j_all.filter(pl.col("segment") == "SMB").select(smb.columns))


def test_where_evaluates_aggregations_over_deals_not_touches(j_all: pl.DataFrame) -> None:
    big = restrict(j_all, pl.col("amount") >= pl.col("amount").median())
    deals = j_all.unique("opportunity_id")
    median = deals["amount"].median()
    assert big["opportunity_id"].n_unique() == deals.filter(pl.col("amount") >= median).height


@pytest.mark.parametrize(
    ("where", "match"),
    [
        (pl.col("channel") == "email", "'channel' is a column of a touch"),
        (pl.col("segmnet") == "SMB", "no column 'segmnet' .did you mean 'segment'"),
        (pl.col("amount") * 2, "true or false per deal; it gives Float64"),
        (pl.col("segment").str.len_chars() > "a", "cannot evaluate it on the deals"),
        ("segment == 'SMB'", "must be a polars expression"),
    ],
)
def test_bad_conditions_are_one_clear_error(ds: at.Dataset, where: object, match: str) -> None:
    with pytest.raises(at.ParameterError, match=match):
        at.journeys(ds, where=where)  # type: ignore[arg-type]


def test_where_on_journeys_needs_the_attribute_carried(ds: at.Dataset) -> None:
    with pytest.raises(at.ParameterError, match="include="):
        restrict(at.journeys(ds), pl.col("segment") == "SMB")


def test_paths_and_credits_take_where(j_all: pl.DataFrame) -> None:
    smb = pl.col("segment") == "SMB"
    assert at.paths(j_all, where=smb).equals(at.paths(j_all.filter(smb)))
    credits = at.attribute(j_all, "linear", where=smb)
    assert credits.equals(at.attribute(j_all.filter(smb), "linear"))
    won = j_all.filter(smb & (pl.col("status") == "won")).unique("opportunity_id")
    assert credits["revenue"].sum() == pytest.approx(won["amount"].sum())


def test_spark_journeys_refuse_include_and_where(ds: at.Dataset) -> None:
    with pytest.raises(at.ParameterError, match="polars engine only"):
        at.journeys(ds, include=["segment"], engine="spark")
