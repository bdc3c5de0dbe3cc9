"""The demo's sales-insight columns: present, typed by the contract, consistent."""

from __future__ import annotations

import polars as pl

import attribution as at
from attribution.data.demo.insight import REGIONS, decision_maker_log_odds_ratio
from attribution.data.roles import ROLE_PATTERNS, USER, first_match


def test_the_demo_carries_every_sales_insight_column(demo_small: at.Dataset) -> None:
    opps, contacts, accounts = demo_small.opportunities, demo_small.contacts, demo_small.accounts
    assert isinstance(opps, pl.DataFrame) and isinstance(contacts, pl.DataFrame)
    assert isinstance(accounts, pl.DataFrame)
    lost = opps.filter(~pl.col("is_won") & pl.col("closed_at").is_not_null())
    assert lost["lost_reason"].null_count() == 0
    assert opps.filter(pl.col("is_won"))["lost_reason"].null_count() == opps["is_won"].sum()
    disqualified = contacts.filter(pl.col("disqualified_reason").is_not_null())
    assert disqualified.height > 0
    assert (disqualified["disqualified_at"] >= disqualified["mql_at"]).all()
    assert disqualified["sql_at"].null_count() == disqualified.height  # rejected MQLs only
    assert set(accounts["region"].unique()) <= set(REGIONS)


def test_the_titles_give_the_roles_the_crm_recorded(demo_small: at.Dataset) -> None:
    contacts = demo_small.contacts
    assert isinstance(contacts, pl.DataFrame)
    on_deals = contacts.filter(pl.col("role").is_not_null())
    derived = on_deals.select(first_match(pl.col("title"), ROLE_PATTERNS, USER).alias("r"))["r"]
    assert derived.to_list() == on_deals["role"].to_list()


def test_the_same_seed_gives_the_same_insight_columns() -> None:
    a = at.demo.generate(n_accounts=150, seed=5)
    b = at.demo.generate(n_accounts=150, seed=5)
    assert isinstance(a.contacts, pl.DataFrame) and isinstance(b.contacts, pl.DataFrame)
    assert a.contacts.equals(b.contacts)
    assert a.opportunities.equals(b.opportunities)  # type: ignore[union-attr, arg-type]
    assert decision_maker_log_odds_ratio() > 1
