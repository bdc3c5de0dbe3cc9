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
    # a lead still being called but rated "Worst" is disqualified for its quality, not "busy"
    assert not {"busy", "ringing"} & set(reasons["reason"].to_list())


def test_x_education_lead_profile_feeds_the_disqualification_view() -> None:
    """Lead Profile, the lead level sales assigned ('Select' = not assigned), groups the view."""
    ds = _load("x_education_leads", "x_education")
    contacts = ds.contacts
    assert isinstance(contacts, pl.DataFrame)
    counts = dict(contacts["lead_profile"].value_counts().iter_rows())
    assert counts[None] == 4_146 + 2_709  # "Select" (left at the form's default) and empty
    assert counts["Potential Lead"] == 1_613 and counts["Student of SomeSchool"] == 241
    rates = at.feedback.rejection_rates(ds, by="lead_profile", min_leads=20).table
    top = {r["lead_profile"]: r for r in rates.iter_rows(named=True)}
    assert top["(none)"]["leads"] == 6_855  # every lead is counted somewhere
    assert rates["disqualified"].sum() == 1_587
    # sales turns away nearly every school student, and them as "already a student";
    # the leads it rated as potential it turns away least
    school = top["Student of SomeSchool"]
    assert (school["disqualified"], school["top_reason"]) == (231, "already a student")
    assert top["Potential Lead"]["rate_high"] < top["Other Leads"]["rate_low"]
    assert top["Other Leads"]["rate_high"] < school["rate_low"]
    # no model reads it: it is not the accounts' segment
    assert ds.accounts is None or ds.accounts["segment"].null_count() == ds.accounts.height
