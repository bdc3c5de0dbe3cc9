"""Mappings: a CRM export's files become the contract's tables."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import polars as pl
import pytest
import yaml

import attribution as at
from attribution.data.mapping import Mapping, load_mapping

UTC = dt.UTC

MAPPING = {
    "name": "tiny-crm",
    "time_zone": "America/New_York",
    "tables": {
        "opportunities": {
            "from": "Deals",
            "where": "Deleted = 'false'",
            "columns": {
                "opportunity_id": "DealId",
                "account_id": "CompanyId",
                "created_at": {"column": "Created", "format": "%m/%d/%Y %I:%M %p"},
                "is_won": {"column": "Stage", "values": {"Closed Won": True}, "default": False},
                "amount": "Value",
                "closed_at": {"expr": "CASE WHEN Stage LIKE 'Closed%' THEN CloseDate END"},
                "deal_type": "Type",  # an extra column, kept
            },
        },
        "touches": [
            {
                "from": "Responses",
                "columns": {
                    "touch_id": {"expr": "'R-' || ResponseId"},
                    "account_id": "CompanyId",
                    "occurred_at": "RespondedAt",
                    "team": {"value": "marketing"},
                    "channel": {
                        "column": "CampaignType",
                        "values": {"Webinar": "webinar", "Email": "email"},
                        "default": "other",
                    },
                    "campaign": "CampaignName",
                },
            },
            {
                "sql": "SELECT a.ActivityId, a.Kind, a.At, c.CompanyId "
                "FROM Activities a JOIN People c ON a.PersonId = c.PersonId",
                "columns": {
                    "touch_id": {"expr": "'A-' || ActivityId"},
                    "account_id": "CompanyId",
                    "occurred_at": "At",
                    "team": {"value": "sales"},
                    "channel": {"column": "Kind", "values": {"Call": "sales_call"}},
                },
            },
        ],
    },
}


def write_export(folder: Path) -> Path:
    folder.mkdir()
    pl.DataFrame(
        {
            "DealId": ["D1", "D2", "D3"],
            "CompanyId": ["C1", "C2", "C1"],
            "Created": ["01/05/2024 09:00 AM", "01/06/2024 02:30 PM", "01/07/2024 10:00 AM"],
            "Stage": ["Closed Won", "Negotiation", "Closed Lost"],
            "Value": ["1200", "800", "50"],
            "CloseDate": ["2024-02-01", "2024-03-01", "2024-02-10"],
            "Deleted": ["false", "false", "true"],
            "Type": ["New", "Upsell", "New"],
        }
    ).write_csv(folder / "Deals.csv")
    pl.DataFrame(
        {
            "ResponseId": ["1", "2"],
            "CompanyId": ["C1", "C2"],
            "RespondedAt": ["2024-01-02 10:00", "2024-01-03 11:00"],
            "CampaignType": ["Webinar", "Banner"],
            "CampaignName": ["Q1 webinar", "Q1 display"],
        }
    ).write_csv(folder / "Responses.csv")
    pl.DataFrame(
        {"ActivityId": ["9"], "PersonId": ["P1"], "Kind": ["Call"], "At": ["2024-01-04 15:00"]}
    ).write_csv(folder / "Activities.csv")
    pl.DataFrame({"PersonId": ["P1"], "CompanyId": ["C1"]}).write_csv(folder / "People.csv")
    return folder


def test_mapping_file_builds_the_contract(tmp_path: Path) -> None:
    src = write_export(tmp_path / "export")
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(MAPPING))
    ds = at.load(src, mapping=tmp_path / "m.yaml")
    opps = ds.opportunities.sort("opportunity_id")
    assert opps["opportunity_id"].to_list() == ["D1", "D2"]  # deleted row filtered
    assert opps["is_won"].to_list() == [True, False]
    assert opps["closed_at"].to_list() == [dt.datetime(2024, 2, 1, 5, tzinfo=UTC), None]
    # 09:00 AM in New York (the mapping's time zone) is 14:00 UTC
    assert opps["created_at"][0] == dt.datetime(2024, 1, 5, 14, tzinfo=UTC)
    assert opps["deal_type"].to_list() == ["New", "Upsell"]
    touches = ds.touches.sort("touch_id")
    assert touches["touch_id"].to_list() == ["A-9", "R-1", "R-2"]
    assert touches["team"].to_list() == ["sales", "marketing", "marketing"]
    assert touches["channel"].to_list() == ["sales_call", "webinar", "other"]
    assert touches["campaign"].to_list() == [None, "Q1 webinar", "Q1 display"]


def test_explicit_time_zone_overrides_the_mapping(tmp_path: Path) -> None:
    src = write_export(tmp_path / "export")
    ds = at.load(src, mapping=MAPPING, time_zone="UTC")
    assert ds.opportunities.sort("opportunity_id")["created_at"][0] == dt.datetime(
        2024, 1, 5, 9, tzinfo=UTC
    )


def test_mapping_against_a_database(tmp_path: Path) -> None:
    export = write_export(tmp_path / "export")
    db = tmp_path / "crm.db"
    with sqlite3.connect(db) as con:
        for csv in export.glob("*.csv"):
            frame = pl.read_csv(csv, infer_schema=False)
            con.execute(f'create table "{csv.stem}" ({", ".join(frame.columns)})')
            con.executemany(
                f'insert into "{csv.stem}" values ({", ".join("?" for _ in frame.columns)})',
                frame.rows(),
            )
    from_db = at.load(f"sqlite:///{db}", mapping=MAPPING)
    from_files = at.load(export, mapping=MAPPING)
    for name in ("touches", "opportunities"):
        a = from_db.lazy(name).collect().sort(pl.first())
        b = from_files.lazy(name).collect().sort(pl.first())
        assert a.equals(b), name


def test_a_mapped_column_missing_from_the_source(tmp_path: Path) -> None:
    src = write_export(tmp_path / "export")
    bad = yaml.safe_load(yaml.safe_dump(MAPPING))
    bad["tables"]["opportunities"]["columns"]["amount"] = "Amount"
    with pytest.raises(at.SchemaError) as excinfo:
        at.load(src, mapping=bad)
    message = str(excinfo.value)
    assert "opportunities (from Deals.csv).Amount: mapping <dict> reads column 'Amount'" in message
    assert "it has: DealId, CompanyId" in message


def test_a_mapped_table_missing_from_the_source(tmp_path: Path) -> None:
    src = write_export(tmp_path / "export")
    bad = yaml.safe_load(yaml.safe_dump(MAPPING))
    bad["tables"]["opportunities"]["from"] = "Deal"
    with pytest.raises(
        at.SchemaError, match="reads 'Deal', which the source does not have; did you mean 'Deals'"
    ):
        at.load(src, mapping=bad)


def test_bad_sql_is_reported_with_the_table(tmp_path: Path) -> None:
    src = write_export(tmp_path / "export")
    bad = yaml.safe_load(yaml.safe_dump(MAPPING))
    bad["tables"]["touches"][1]["sql"] = "SELECT nope FROM Activities"
    with pytest.raises(at.SchemaError) as excinfo:
        at.load(src, mapping=bad)
    message = str(excinfo.value)
    assert "touches (from sql query): mapping <dict>: the query for touches failed" in message
    assert "no column 'nope'" in message and "Resolved plan" not in message


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"tabels": {}}, "unknown key 'tabels'; did you mean 'tables'"),
        ({"tables": {"touchez": {"from": "x"}}}, "not a contract table; did you mean 'touches'"),
        ({"tables": {"touches": {"from": "x", "sql": "y"}}}, "exactly one of 'from'"),
        ({"tables": {"touches": {"from": "x", "colums": {}}}}, "did you mean 'columns'"),
        (
            {"tables": {"touches": {"from": "x", "columns": {"occured_at": "When"}}}},
            "'occured_at' is not a column of touches; did you mean 'occurred_at'",
        ),
        (
            {
                "tables": {
                    "touches": {"from": "x", "columns": {"team": {"value": "s", "expr": "1"}}}
                }
            },
            "exactly one of 'column', 'value' or 'expr'",
        ),
        (
            {"tables": {"touches": {"from": "x", "columns": {"team": {"values": {"a": "b"}}}}}},
            "exactly one of 'column', 'value' or 'expr' (got none)",
        ),
        (
            {"tables": {"touches": {"from": "x", "columns": {"team": 5}}}},
            "expected a source column name",
        ),
    ],
)
def test_malformed_mappings_are_parameter_errors(change: dict, message: str) -> None:
    with pytest.raises(at.ParameterError) as excinfo:
        load_mapping(change)
    assert message in str(excinfo.value)


def test_mapping_file_errors(tmp_path: Path) -> None:
    with pytest.raises(at.ParameterError, match="does not exist"):
        load_mapping(tmp_path / "missing.yaml")
    (tmp_path / "bad.yaml").write_text("tables: [unclosed")
    with pytest.raises(at.ParameterError, match="not valid YAML"):
        load_mapping(tmp_path / "bad.yaml")


def test_mapping_and_shorthand_are_exclusive(tmp_path: Path) -> None:
    src = write_export(tmp_path / "export")
    with pytest.raises(at.ParameterError, match="not both"):
        at.load(src, mapping=MAPPING, columns={"touches": {"a": "b"}})


def test_renames_keep_other_columns() -> None:
    m = Mapping.renames({"touches": {"When": "occurred_at"}}, {"touches": "acts"})
    rule = m.tables["touches"][0]
    assert rule.from_ == "acts" and rule.keep_other_columns
    assert rule.columns["occurred_at"].column == "When"


def test_tables_a_mapping_does_not_mention_are_read_by_their_names(tmp_path: Path) -> None:
    src = write_export(tmp_path / "export")
    pl.DataFrame({"account_id": ["C1", "C2"], "segment": ["SMB", "Enterprise"]}).write_csv(
        src / "accounts.csv"
    )
    ds = at.load(src, mapping=MAPPING)
    assert ds.accounts is not None
    assert ds.accounts.sort("account_id")["segment"].to_list() == ["SMB", "Enterprise"]
    assert ds.contacts is None


def test_stacked_sources_may_write_timestamps_differently(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    pl.DataFrame(
        {"Id": ["r1"], "Account": ["a1"], "On": ["2024-01-05"]}  # a date, read in the zone
    ).write_csv(src / "Responses.csv")
    pl.DataFrame(
        {"Id": ["c1"], "Account": ["a1"], "On": ["2024-01-05T10:00:00.000Z"]}  # UTC
    ).write_csv(src / "Calls.csv")
    pl.DataFrame(
        {"Id": ["o1"], "Account": ["a1"], "Created": ["2024-01-06"], "Won": ["false"]}
    ).write_csv(src / "Deals.csv")
    touch = {"touch_id": "Id", "account_id": "Account", "occurred_at": "On"}
    mapping = {
        "time_zone": "Europe/Berlin",
        "tables": {
            "opportunities": {
                "from": "Deals",
                "columns": {
                    "opportunity_id": "Id",
                    "account_id": "Account",
                    "created_at": "Created",
                    "is_won": "Won",
                    "amount": {"value": 0},
                    "closed_at": {"value": None},
                },
            },
            "touches": [
                {
                    "from": "Responses",
                    "columns": {**touch, "team": {"value": "marketing"}, "channel": {"value": "x"}},
                },
                {
                    "from": "Calls",
                    "columns": {**touch, "team": {"value": "sales"}, "channel": {"value": "y"}},
                },
            ],
        },
    }
    ds = at.load(src, mapping=mapping)
    assert ds.touches.sort("touch_id")["occurred_at"].to_list() == [
        dt.datetime(2024, 1, 5, 10, tzinfo=UTC),
        dt.datetime(2024, 1, 4, 23, tzinfo=UTC),  # midnight in Berlin
    ]
    # a file that itself mixes offsets with naive values is still reported
    pl.DataFrame(
        {"Id": ["c1", "c2"], "Account": ["a1", "a1"], "On": ["2024-01-05T10:00:00Z", "2024-01-06"]}
    ).write_csv(src / "Calls.csv")
    with pytest.raises(at.DataError, match=r"touches\.occurred_at: mixes timestamps with and"):
        at.load(src, mapping=mapping)
