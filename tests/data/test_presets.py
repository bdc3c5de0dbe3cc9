"""Mapping presets for CRM exports, on small hand-made exports in each CRM's layout.

``tests/fixtures/salesforce`` holds Data Loader-style CSV files (API field names, every value
quoted, empty values as ``""``, UTC timestamps with ``Z``, dates without time);
``tests/fixtures/hubspot`` holds HubSpot-style exports (property labels as headers, naive
timestamps in the portal's zone, associations as ``;``-separated ids).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import dbload
import pgserver
import polars as pl
import pytest
from helpers import ROOT

import attribution as at
from attribution.data.mapping import load_mapping, presets

UTC = dt.UTC
DATA = ROOT / "tests" / "fixtures"
SALESFORCE = DATA / "salesforce"
HUBSPOT = DATA / "hubspot"


def copy(folder: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(folder, tmp_path / folder.name))


def sort(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(pl.all())


def test_presets_ship_with_the_package_and_the_repository_links_them() -> None:
    found = presets()
    package = Path(at.__file__).parent / "data" / "mapping"
    assert found["salesforce"] == package / "presets" / "salesforce.yaml"
    assert found["hubspot"] == package / "presets" / "hubspot.yaml"
    assert found["maven"] == package / "examples" / "maven.yaml"
    for name in ("salesforce", "hubspot", "olist"):  # one copy: params/mappings links to it
        assert (ROOT / "params" / "mappings" / f"{name}.yaml").resolve() == found[name]
    assert load_mapping("salesforce").name == "salesforce"
    with pytest.raises(at.ParameterError, match="did you mean 'salesforce'"):
        load_mapping("salesforse")


# ---------------------------------------------------------------------------- Salesforce
def test_salesforce_export(tmp_path: Path) -> None:
    ds = at.load(SALESFORCE, mapping="salesforce", time_zone="America/Los_Angeles")
    touches = ds.touches.sort("touch_id")
    # responded campaign members with an account (via Contact, or the converted Lead),
    # completed tasks with an account, and events; the rest is left out
    assert touches["touch_id"].to_list() == [
        "00T000000000001AAA",
        "00T000000000002AAA",
        "00T000000000005AAA",
        "00U000000000001AAA",
        "00U000000000002AAA",
        "00v000000000001AAA",
        "00v000000000004AAA",
        "00v000000000005AAA",
    ]
    assert touches["team"].to_list() == ["sales"] * 5 + ["marketing"] * 3
    assert touches["channel"].to_list() == [
        "sales_call",
        "sales_email",
        "sales_email",
        "meeting",
        "meeting",
        "webinar",
        "Review Site",  # a custom Campaign Type passes through unchanged
        "email",
    ]
    webinar = touches.row(5, named=True)
    assert webinar["campaign"] == "Q1 Webinar: Pipeline Math"
    assert webinar["activity"] == "Attended"
    # a date-only response is midnight in the org's zone; task times are UTC already
    assert webinar["occurred_at"] == dt.datetime(2025, 2, 12, 8, tzinfo=UTC)
    assert touches.row(0, named=True)["occurred_at"] == dt.datetime(2025, 2, 13, 16, tzinfo=UTC)
    review = touches.row(6, named=True)
    assert review["account_id"] == "001000000000002AAA"  # from the converted lead
    assert review["contact_id"] is None

    opps = ds.opportunities.sort("opportunity_id")
    assert opps["is_won"].to_list() == [True, False, False]
    assert opps["amount"].to_list() == [48000.0, 0.0, 20000.0]  # the lost deal had no Amount
    # a closed deal closes at the end of its CloseDate, in the org's zone
    assert opps["closed_at"].to_list() == [
        dt.datetime(2025, 4, 16, 6, 59, 59, tzinfo=UTC),
        dt.datetime(2025, 5, 3, 6, 59, 59, tzinfo=UTC),
        None,
    ]
    assert opps["opportunity_type"].to_list() == ["New Business"] * 3

    assert ds.contacts is not None
    contacts = ds.contacts.sort("contact_id")
    # when the person entered the CRM: the lead's creation, not the conversion
    assert contacts["created_at"].to_list() == [
        dt.datetime(2025, 1, 20, 14, 5, tzinfo=UTC),
        dt.datetime(2025, 2, 25, 8, 30, tzinfo=UTC),
    ]
    assert ds.accounts is not None and ds.accounts["employees"].to_list() == [180, 2400]
    assert ds.stage_history is not None and ds.stage_history.height == 5

    journey = at.journeys(ds).filter(pl.col("opportunity_id") == "006000000000001AAA")
    assert journey["channel"].to_list() == [
        "webinar",
        "sales_call",
        "sales_email",
        "meeting",
        "email",
    ]


def test_salesforce_export_without_optional_history(tmp_path: Path) -> None:
    export = copy(SALESFORCE, tmp_path)
    (export / "OpportunityHistory.csv").unlink()
    (export / "OpportunityContactRole.csv").unlink()
    ds = at.load(export, mapping="salesforce")
    assert ds.stage_history is None and ds.opportunity_contacts is None


def test_salesforce_export_missing_a_column_or_a_file(tmp_path: Path) -> None:
    export = copy(SALESFORCE, tmp_path)
    opps = pl.read_csv(export / "Opportunity.csv", infer_schema=False)
    opps.drop("IsWon").write_csv(export / "Opportunity.csv")
    (export / "Event.csv").unlink()
    with pytest.raises(at.SchemaError) as excinfo:
        at.load(export, mapping="salesforce")
    message = str(excinfo.value)
    assert "2 problems found" in message
    assert "opportunities (from Opportunity.csv).IsWon: mapping " in message
    assert "salesforce.yaml reads column 'IsWon' (for is_won, amount), which Opportunity.csv" in (
        message
    )
    assert "touches: mapping " in message and "reads 'Event', which the source does not have" in (
        message
    )


def test_the_salesforce_preset_reads_the_same_objects_from_a_database(
    tmp_path: Path, postgres: pgserver.Server
) -> None:
    """The preset's SQL is portable: the same export loaded as tables gives the same data."""
    tables = {p.stem: pl.read_csv(p, infer_schema=False) for p in SALESFORCE.glob("*.csv")}
    expected = at.load(SALESFORCE, mapping="salesforce")
    ddb = dbload.to_duckdb(tmp_path / "sfdc.duckdb", tables)
    dbload.to_postgres(postgres.url(), tables, schema="sfdc")
    for url, options in ((f"duckdb:///{ddb}", {}), (postgres.url(), {"schema": "sfdc"})):
        got = at.load(url, mapping="salesforce", **options)
        for name, frame in expected.tables().items():
            assert sort(got.lazy(name).collect()).equals(sort(frame.lazy().collect())), (url, name)


# ---------------------------------------------------------------------------- HubSpot
def test_hubspot_export() -> None:
    ds = at.load(HUBSPOT, mapping="hubspot", time_zone="America/New_York")
    touches = ds.touches.sort("occurred_at")
    assert touches["channel"].to_list() == [
        "form",
        "email",
        "sales_call",
        "sales_email",
        "form",
        "meeting",
        "email",
        "sales_call",
    ]
    # notes, tasks, activities without a company, submissions and clicks of unknown people
    # or people without a company are left out; a repeated click row counts once
    assert touches.height == 8
    first = touches.row(0, named=True)
    assert first["occurred_at"] == dt.datetime(2025, 1, 10, 14, 15, tzinfo=UTC)  # 09:15 EST
    assert first["campaign"] == "Contact us" and first["contact_id"] == "501"
    meeting = touches.filter(pl.col("touch_id") == "engagement-8003").row(0, named=True)
    assert meeting["account_id"] == "9001"  # the first associated company
    assert meeting["rep"] == "Eli Brown"
    ebook = touches.row(4, named=True)
    assert ebook["account_id"] == "9002"  # email matched ignoring case

    opps = ds.opportunities.sort("opportunity_id")
    assert opps["is_won"].to_list() == [True, False, False]
    assert opps["amount"].to_list() == [36000.0, 0.0, 50000.0]
    assert opps["closed_at"].to_list() == [
        dt.datetime(2025, 3, 28, 21, 30, tzinfo=UTC),
        dt.datetime(2025, 4, 10, 16, tzinfo=UTC),
        None,  # not in a closed stage, whatever its Close Date says
    ]
    assert ds.contacts is not None
    contacts = ds.contacts.sort("contact_id")
    assert contacts["contact_id"].to_list() == ["501", "502"]
    assert contacts["mql_at"].to_list() == [
        dt.datetime(2025, 1, 20, 15, tzinfo=UTC),
        dt.datetime(2025, 2, 10, 13, tzinfo=UTC),
    ]
    assert contacts["score"].to_list() == [62.0, 40.0]

    journey = at.journeys(ds).filter(pl.col("opportunity_id") == "7001")
    assert journey["channel"].to_list() == ["form", "email", "sales_call", "sales_email", "meeting"]
    # the form fill that created the lead is the lead-creation touch
    assert journey["is_lead_creation"].to_list() == [True, False, False, False, False]


def test_hubspot_export_missing_a_column(tmp_path: Path) -> None:
    export = copy(HUBSPOT, tmp_path)
    deals = pl.read_csv(export / "deals.csv", infer_schema=False)
    deals.drop("Deal owner").write_csv(export / "deals.csv")
    with pytest.raises(at.SchemaError) as excinfo:
        at.load(export, mapping="hubspot")
    message = str(excinfo.value)
    assert "opportunities (from deals.csv).Deal owner: mapping " in message
    assert "reads column 'Deal owner' (for column rep), which deals.csv does not have" in message
    assert "did you mean 'Deal Name'?" in message


def test_a_won_deal_without_amount_is_reported(tmp_path: Path) -> None:
    export = copy(HUBSPOT, tmp_path)
    deals = pl.read_csv(export / "deals.csv", infer_schema=False)
    deals.with_columns(pl.lit(None, dtype=pl.String).alias("Amount")).write_csv(
        export / "deals.csv"
    )
    with pytest.raises(at.DataError, match=r"opportunities\.amount: required value is empty"):
        at.load(export, mapping="hubspot")


@pytest.mark.parametrize("preset", ["salesforce", "hubspot"])
def test_the_readme_lists_every_column_a_preset_reads_from_a_file(preset: str) -> None:
    readme = (ROOT / "README.md").read_text()
    rows = {
        line.split("|")[1].strip().split()[0].strip("`"): line
        for line in readme.splitlines()
        if line.startswith("| `")
    }
    for rules in load_mapping(preset).tables.values():
        for rule in rules:
            if rule.from_ is None:
                continue
            line = rows[f"{rule.from_}.csv"]
            for column_rule in rule.columns.values():
                if column_rule.column is not None:
                    assert f"`{column_rule.column}`" in line, (rule.from_, column_rule.column)


def test_presets_read_the_sales_insight_fields_where_the_export_has_them(tmp_path: Path) -> None:
    hub = at.load(HUBSPOT, mapping="hubspot", time_zone="America/New_York")
    assert sort(hub.opportunities)["lost_reason"].to_list() == [None, "no BUDGET", None]
    people = sort(hub.contacts)
    assert people["title"].to_list() == ["Head of Data", "Marketing Manager"]
    assert people["role"].to_list() == ["decision_maker", "champion"]
    assert people["status"].to_list() == ["Connected", "Unqualified"]
    assert sort(hub.accounts)["region"].to_list() == ["United States", "Germany"]
    sf = at.load(SALESFORCE, mapping="salesforce")
    assert sort(sf.contacts)["role"].to_list() == ["decision_maker", "finance"]
    assert sort(sf.opportunities)["lost_reason"].to_list()[1] == "Price"
    # an export without these columns still loads: the columns stay empty
    export = copy(HUBSPOT, tmp_path)
    frame = pl.read_csv(export / "contacts.csv").drop("Job Title", "Lead Status")
    frame.write_csv(export / "contacts.csv")
    assert at.load(export, mapping="hubspot").contacts["role"].null_count() == 2  # type: ignore[index]


def test_salesforce_contact_roles_give_each_deal_its_buying_group_roles() -> None:
    """OpportunityContactRole.Role is the person's role on that deal, before the title's."""
    ds = at.load(SALESFORCE, mapping="salesforce")
    listed = sort(ds.opportunity_contacts)  # type: ignore[arg-type]
    assert listed.columns == ["opportunity_id", "contact_id", "role"]
    assert listed["role"].to_list() == ["user", "decision_maker", "champion", None]
    groups = at.feedback.buying_groups(ds).sort("opportunity_id")
    # deal 1: Ana is a VP (decision maker by title) but only a business user on this deal;
    # deal 2: Chen (procurement: finance by title) is its economic buyer; deal 3 lists Chen
    # without a role, so the title's role stands. A contact not exported is not read.
    assert groups["decision_maker"].to_list() == [0, 1, 0]
    assert groups["user"].to_list() == [1, 0, 0]
    assert groups["finance"].to_list() == [0, 0, 1]
    assert groups["has_decision_maker"].to_list() == [False, True, False]
