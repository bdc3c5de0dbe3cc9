"""The ideal customer profile: tables, the model, the sentence, marketing's reach."""

from __future__ import annotations

import polars as pl
import pytest

import attribution as at


def test_profile_tables_add_up_to_the_closed_deals(demo_small: at.Dataset) -> None:
    closed = demo_small.opportunities.filter(pl.col("closed_at").is_not_null())  # type: ignore[union-attr]
    for by in at.feedback.FIRMOGRAPHICS:
        table = at.feedback.profile_table(demo_small, by=by).table
        assert table["closed"].sum() == closed.height, by
        assert table["won"].sum() == closed["is_won"].sum(), by


def test_an_unknown_dimension_is_named() -> None:
    with pytest.raises(at.ParameterError, match="did you mean 'region'"):
        at.feedback.profile_table(at.demo.generate(n_accounts=50, seed=1), by="regoin")


def test_region_has_no_effect_in_the_demo_and_is_never_the_profile(
    demo_medium: at.Dataset,
) -> None:
    estimate = at.feedback.ideal_customer_profile(demo_medium, level=0.95)
    assert estimate.supported
    region = estimate.table.filter(pl.col("dimension") == "region")
    assert region.height > 0
    assert ((region["low"] <= 1) & (region["high"] >= 1)).all()
    assert "region" not in estimate.profile
    assert estimate.sentence
    assert estimate.evidence["deals"].to_list() == ["inside the profile", "all closed deals"]


def test_a_planted_profile_is_found_and_stated_with_its_evidence() -> None:
    ds = at.demo.generate(n_accounts=2500, seed=8)
    opps, accounts = ds.opportunities, ds.accounts
    assert isinstance(opps, pl.DataFrame) and isinstance(accounts, pl.DataFrame)
    retail = accounts.filter(pl.col("industry") == "Retail")["account_id"].implode()
    # every closed Retail deal is won, half of the others lost
    planted = opps.with_columns(
        pl.when(pl.col("account_id").is_in(retail) & pl.col("closed_at").is_not_null())
        .then(pl.lit(True))
        .otherwise(pl.col("is_won"))
        .alias("is_won")
    )
    ds2 = at.validate({**ds.tables(), "opportunities": planted})  # type: ignore[dict-item]
    estimate = at.feedback.ideal_customer_profile(ds2)
    assert estimate.profile.get("industry") == "Retail"
    assert "industry Retail" in estimate.sentence
    reach = at.feedback.profile_reach(ds2, estimate.profile).table
    rows = {r["measure"]: r for r in reach.iter_rows(named=True)}
    assert 0 < rows["MQLs"]["share"] < 1
    assert rows["closed deals"]["total"] == estimate.evidence["closed"][1]
