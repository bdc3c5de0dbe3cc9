"""The sales-insight views on public data: Maven's accounts, X Education's lead dispositions."""

from __future__ import annotations

import polars as pl
import pytest
from helpers import REAL_DATA

import attribution as at


def _load(folder: str, mapping: str) -> at.Dataset:
    path = REAL_DATA / folder
    if not path.is_dir():
        pytest.skip(f"{path} is not here")
    return at.load(path, mapping=mapping)


def test_maven_accounts_give_a_profile_view() -> None:
    ds = _load("maven_crm_sales_opportunities", "maven")
    by_region = at.feedback.profile_table(ds, by="region").table
    assert by_region.filter(pl.col("region") == "United States")["accounts"].item() > 50
    assert by_region["closed"].sum() == 6_711  # every closed deal with an account
    estimate = at.feedback.ideal_customer_profile(ds)
    assert estimate.supported
    # the segment is made from employees in the mapping: the model says so and leaves it out
    assert "segment is left out: size determines it" in estimate.diagnostics.warnings
    assert set(estimate.table["dimension"]) <= {"industry", "region", "size"}
    assert estimate.sentence.endswith(".")


def test_x_education_tags_feed_the_disqualification_view() -> None:
    ds = _load("x_education_leads", "x_education")
    contacts = ds.contacts
    assert isinstance(contacts, pl.DataFrame)
    assert contacts.filter(pl.col("status") == "disqualified").height == 1_587
    rates = at.feedback.rejection_rates(ds, by="lead_source", min_leads=100).table
    assert rates["leads"].sum() <= 9_240
    top = {r["lead_source"]: r for r in rates.iter_rows(named=True)}
    # leads who came by reference are rarely turned away; direct traffic often, as students
    assert top["Reference"]["rate_high"] < top["Direct Traffic"]["rate_low"]
    assert top["Direct Traffic"]["top_reason"] == "already a student"
    reasons = at.feedback.disqualification_reasons(ds, by=None).table
    assert reasons["disqualified"].sum() == 1_587
    assert any(r.startswith("lead quality: ") for r in reasons["reason"].to_list())  # no tag
