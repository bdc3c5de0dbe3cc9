"""The data contract: conversions, and one clear error listing every problem."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest
from helpers import make_opportunities, make_touches

import attribution as at
from attribution.data.schema import TABLES, TIMESTAMP, validate

UTC = dt.UTC


def good_tables() -> dict[str, pl.DataFrame]:
    return {
        "touches": make_touches(
            [
                ("t1", "a1", "2024-01-02 10:00:00", "marketing", "webinar"),
                ("t2", "a1", "2024-01-05 09:00:00", "sales", "sales_call"),
            ]
        ),
        "opportunities": make_opportunities(
            [
                ("o1", "a1", "2024-01-10", "true", "1000", "2024-02-01"),
            ]
        ),
        "accounts": pl.DataFrame({"account_id": ["a1"], "segment": ["SMB"]}),
    }


def problems_of(excinfo: pytest.ExceptionInfo[at.AttributionError]) -> list:
    return excinfo.value.problems


def test_valid_tables_convert_to_contract_types() -> None:
    ds = validate(good_tables())
    assert ds.touches.schema["occurred_at"] == TIMESTAMP
    assert ds.opportunities.schema["amount"] == pl.Float64
    assert ds.opportunities.schema["is_won"] == pl.Boolean
    assert ds.opportunities["closed_at"][0] == dt.datetime(2024, 2, 1, tzinfo=UTC)
    # optional contract columns that were absent are present and empty
    assert ds.touches["campaign"].null_count() == ds.touches.height
    assert ds.contacts is None


def test_extra_columns_are_kept_and_ints_become_floats() -> None:
    tables = good_tables()
    tables["opportunities"] = tables["opportunities"].with_columns(
        pl.lit(7).alias("my_field"), pl.lit(1000).alias("amount")
    )
    ds = validate(tables)
    assert ds.opportunities["my_field"].to_list() == [7]
    assert ds.opportunities["amount"].to_list() == [1000.0]


def test_team_is_case_insensitive_and_whitespace_trimmed() -> None:
    tables = good_tables()
    tables["touches"] = tables["touches"].with_columns(pl.Series("team", [" Marketing", "SALES "]))
    assert validate(tables).touches["team"].to_list() == ["marketing", "sales"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01", dt.datetime(2024, 3, 1, tzinfo=UTC)),
        ("2024-03-01 14:30", dt.datetime(2024, 3, 1, 14, 30, tzinfo=UTC)),
        ("2024-03-01T14:30:05", dt.datetime(2024, 3, 1, 14, 30, 5, tzinfo=UTC)),
        ("2024-03-01T14:30:05.250", dt.datetime(2024, 3, 1, 14, 30, 5, 250000, tzinfo=UTC)),
    ],
)
def test_naive_timestamps_are_read_as_utc(text: str, expected: dt.datetime) -> None:
    tables = good_tables()
    tables["touches"] = tables["touches"].with_columns(pl.lit(text).alias("occurred_at"))
    tables["touches"] = tables["touches"].with_columns(pl.Series("touch_id", ["t1", "t2"]))
    assert validate(tables).touches["occurred_at"][0] == expected


def test_offsets_are_converted_to_utc() -> None:
    tables = good_tables()
    tables["touches"] = tables["touches"].with_columns(
        pl.Series("occurred_at", ["2024-03-01T14:30:00+02:00", "2024-03-01 10:00:00Z"])
    )
    got = validate(tables).touches["occurred_at"].to_list()
    assert got == [
        dt.datetime(2024, 3, 1, 12, 30, tzinfo=UTC),
        dt.datetime(2024, 3, 1, 10, 0, tzinfo=UTC),
    ]


def test_naive_timestamps_in_a_given_zone() -> None:
    tables = good_tables()
    ds = validate(tables, time_zone="America/New_York")
    # 2024-01-02 10:00 in New York (EST, UTC-5) is 15:00 UTC
    assert ds.touches["occurred_at"][0] == dt.datetime(2024, 1, 2, 15, 0, tzinfo=UTC)


def test_native_datetime_columns_naive_and_aware() -> None:
    tables = good_tables()
    naive = pl.Series("occurred_at", [dt.datetime(2024, 1, 2, 10), dt.datetime(2024, 1, 5, 9)])
    tables["touches"] = tables["touches"].with_columns(naive)
    assert validate(tables, time_zone="Europe/Berlin").touches["occurred_at"][0] == (
        dt.datetime(2024, 1, 2, 9, 0, tzinfo=UTC)
    )
    aware = naive.dt.replace_time_zone("Asia/Tokyo").dt.cast_time_unit("ns")
    tables["touches"] = tables["touches"].with_columns(aware)
    got = validate(tables).touches
    assert got.schema["occurred_at"] == TIMESTAMP
    assert got["occurred_at"][0] == dt.datetime(2024, 1, 2, 1, 0, tzinfo=UTC)
    tables["touches"] = tables["touches"].with_columns(naive.cast(pl.Date))
    assert validate(tables).touches["occurred_at"][0] == dt.datetime(2024, 1, 2, tzinfo=UTC)


def test_timestamp_that_does_not_exist_in_the_zone_is_reported() -> None:
    tables = good_tables()
    # clocks in Berlin jump from 02:00 to 03:00 on 2024-03-31
    tables["touches"] = tables["touches"].with_columns(
        pl.Series("occurred_at", ["2024-03-31 02:30:00", "2024-03-30 09:00"])
    )
    with pytest.raises(at.DataError) as excinfo:
        validate(tables, time_zone="Europe/Berlin")
    assert "touches.occurred_at" in str(excinfo.value)
    assert "Europe/Berlin" in str(excinfo.value)


def test_mixed_time_zone_offsets_are_an_error() -> None:
    tables = good_tables()
    tables["touches"] = tables["touches"].with_columns(
        pl.Series("occurred_at", ["2024-03-01T14:30:00+02:00", "2024-03-01 10:00:00"])
    )
    with pytest.raises(at.DataError, match=r"touches\.occurred_at: mixes timestamps"):
        validate(tables)


def test_unknown_time_zone_parameter() -> None:
    with pytest.raises(at.ParameterError, match="Mars/Olympus"):
        validate(good_tables(), time_zone="Mars/Olympus")


def test_every_problem_is_listed_in_one_error() -> None:
    tables = {
        "touches": make_touches(
            [
                ("t1", "a1", "2024-01-02 10:00", "marketing", "webinar"),
                ("t1", "a1", "2024-01-03 10:00", "Marketingg", "email"),  # duplicate, bad team
                ("t3", "a9", "not a date", "sales", "sales_call"),  # unknown account, bad ts
                ("t4", "a1", "2024-01-03 10:00", None, "email"),  # null team
            ]
        ),
        "opportunities": make_opportunities(
            [
                ("o1", "a1", "2024-01-10", "yes", "-5", "2024-02-01"),  # negative amount
                ("o2", "a1", "2024-01-10", "yes", "10", None),  # won without closed_at
                ("o3", "a1", "2024-03-10", "no", "inf", "2024-02-01"),  # closed before created
                ("o4", "a1", "2024-03-10", "maybe", "x", None),  # bad bool, bad number
            ]
        ),
        "accounts": pl.DataFrame({"account_id": ["a1"]}),
    }
    with pytest.raises(at.DataError) as excinfo:
        validate(tables, source="crm-export/")
    found = {
        (p.table, p.column, p.message.split(";")[0].split(" (")[0]) for p in problems_of(excinfo)
    }
    expected = {
        ("touches", "touch_id", "duplicate ids"),
        ("touches", "team", "unknown team"),
        ("touches", "team", "required value is empty"),
        (
            "touches",
            "occurred_at",
            "values cannot be read as an ISO 8601 timestamp such as "
            "2024-03-01 14:30:00 or 2024-03-01T14:30:00+02:00",
        ),
        ("touches", "account_id", "ids not found in accounts.account_id"),
        ("opportunities", "amount", "negative or non-finite amounts"),
        ("opportunities", "closed_at", "won opportunities without closed_at"),
        ("opportunities", "closed_at", "closed_at is before created_at"),
        ("opportunities", "is_won", "values cannot be read as true/false"),
        ("opportunities", "amount", "values cannot be read as a number"),
    }
    assert expected <= found, found
    message = str(excinfo.value)
    assert "crm-export/" in message
    assert "nothing was loaded" in message
    # examples name the row and show the offending value as given
    assert "row 2: touch_id='t1', team='marketingg'" in message.lower()
    assert "occurred_at='not a date'" in message
    assert "is_won='maybe'" in message


def test_examples_are_capped_at_five_rows_with_the_full_count() -> None:
    tables = good_tables()
    n = 12
    tables["touches"] = make_touches(
        [(f"t{i}", "a1", "2024-01-02", "partner", "email") for i in range(n)]
    )
    with pytest.raises(at.DataError) as excinfo:
        validate(tables)
    (problem,) = problems_of(excinfo)
    assert problem.count == n
    assert problem.examples.height == 5
    assert f"({n} rows)" in str(excinfo.value)


def test_missing_table_and_column_are_schema_errors() -> None:
    tables = good_tables()
    del tables["opportunities"]
    tables["touches"] = tables["touches"].drop("channel")
    with pytest.raises(at.SchemaError) as excinfo:
        validate(tables)
    message = str(excinfo.value)
    assert "opportunities: required table is missing" in message
    assert "touches.channel: required column is missing" in message
    assert "the table has: touch_id, account_id, occurred_at, team" in message


def test_unconvertible_column_type_is_a_schema_error_not_a_polars_traceback() -> None:
    tables = good_tables()
    tables["opportunities"] = tables["opportunities"].with_columns(
        pl.Series("amount", [[1, 2]]), pl.Series("is_won", [dt.date(2024, 1, 1)])
    )
    with pytest.raises(at.SchemaError) as excinfo:
        validate(tables)
    message = str(excinfo.value)
    assert "opportunities.amount: has type List(Int64)" in message
    assert "opportunities.is_won: has type Date" in message


def test_empty_tables_are_an_error() -> None:
    tables = good_tables()
    tables["touches"] = tables["touches"].head(0)
    tables["contacts"] = pl.DataFrame(
        schema={"contact_id": pl.String, "account_id": pl.String, "created_at": pl.String}
    )
    with pytest.raises(at.DataError) as excinfo:
        validate(tables)
    message = str(excinfo.value)
    assert "touches: table is empty" in message
    assert "contacts: table is empty" in message


def test_unknown_table_name_is_reported() -> None:
    tables = good_tables()
    tables["touchs"] = tables["touches"]
    with pytest.raises(at.SchemaError, match="touchs: is not a contract table"):
        validate(tables)


def test_contact_and_stage_history_keys_are_checked() -> None:
    tables = good_tables()
    tables["touches"] = tables["touches"].with_columns(pl.Series("contact_id", ["c1", "c404"]))
    tables["contacts"] = pl.DataFrame(
        {"contact_id": ["c1"], "account_id": ["a1"], "created_at": ["2024-01-01"]}
    )
    tables["stage_history"] = pl.DataFrame(
        {
            "opportunity_id": ["o1", "o9"],
            "stage": ["Discovery", "Won"],
            "entered_at": ["2024-01-10", "2024-02-01"],
        }
    )
    with pytest.raises(at.DataError) as excinfo:
        validate(tables)
    message = str(excinfo.value)
    assert "touches.contact_id: ids not found in contacts.contact_id (1 row)" in message
    assert "stage_history.opportunity_id: ids not found in opportunities.opportunity_id" in message


def test_non_finite_amounts_from_native_floats() -> None:
    tables = good_tables()
    tables["opportunities"] = tables["opportunities"].with_columns(pl.Series("amount", [math.nan]))
    with pytest.raises(at.DataError, match=r"opportunities\.amount: negative or non-finite"):
        validate(tables)


def test_integral_float_ids_are_converted_without_loss() -> None:
    tables = good_tables()
    tables["accounts"] = pl.DataFrame({"account_id": [1.0]})
    tables["touches"] = tables["touches"].with_columns(pl.lit(1).alias("account_id"))
    tables["opportunities"] = tables["opportunities"].with_columns(pl.lit(1).alias("account_id"))
    ds = validate(tables)
    assert ds.accounts["account_id"].to_list() == ["1"]
    assert ds.touches["account_id"].to_list() == ["1", "1"]


def test_lazy_validation_matches_eager() -> None:
    tables = good_tables()
    eager = validate(tables)
    lazy = validate({k: v.lazy() for k, v in tables.items()}, lazy=True)
    assert lazy.is_lazy
    for name, frame in eager.tables().items():
        assert lazy.lazy(name).collect().equals(frame)
    with pytest.raises(at.DataError):
        bad = {k: v.lazy() for k, v in tables.items()}
        bad["touches"] = bad["touches"].with_columns(pl.lit("nobody").alias("team"))
        validate(bad, lazy=True)


def test_contract_tables_are_complete() -> None:
    assert set(TABLES) == {
        "touches", "opportunities", "contacts", "accounts", "stage_history", "experiments",
        "spend", "opportunity_contacts",
    }  # fmt: skip
    assert TABLES["touches"].required_columns == (
        "touch_id",
        "account_id",
        "occurred_at",
        "team",
        "channel",
    )
    assert all(
        c.dtype == TIMESTAMP for t in TABLES.values() for c in t.columns if c.name.endswith("_at")
    )


def test_demo_data_passes_validation(demo_small: at.Dataset) -> None:
    again = validate(demo_small.tables())
    for name, frame in demo_small.tables().items():
        assert again.lazy(name).collect().equals(frame), name


def test_empty_optional_ids_are_missing_not_unknown() -> None:
    tables = good_tables()
    tables["touches"] = tables["touches"].with_columns(pl.Series("contact_id", ["c1", ""]))
    tables["contacts"] = pl.DataFrame(
        {"contact_id": ["c1"], "account_id": ["a1"], "created_at": ["2024-01-01"]}
    )
    ds = validate(tables)
    assert ds.touches["contact_id"].to_list() == ["c1", None]


def test_spend_table_is_checked_for_money_and_periods() -> None:
    touches = pl.DataFrame(
        {
            "touch_id": ["t1"],
            "account_id": ["a1"],
            "occurred_at": ["2024-01-02"],
            "team": ["marketing"],
            "channel": ["event"],
        }
    )
    opps = pl.DataFrame(
        {
            "opportunity_id": ["o1"],
            "account_id": ["a1"],
            "created_at": ["2024-01-10"],
            "is_won": [False],
            "closed_at": pl.Series([None], dtype=pl.String),
        }
    )
    spend = pl.DataFrame(
        {
            "channel": ["event", "event", None],
            "period_start": ["2024-01-01", "2024-02-01", "2024-03-01"],
            "period_end": ["2024-02-01", "2024-01-15", "2024-04-01"],
            "amount": [100.0, -5.0, 10.0],
        }
    )
    with pytest.raises(at.DataError) as err:
        validate({"touches": touches, "opportunities": opps, "spend": spend})
    message = str(err.value)
    assert "spend.amount: negative or non-finite amounts" in message
    assert "spend.period_end: period_end is not after period_start" in message
    assert "spend.channel: required value is empty" in message
    ok = validate({"touches": touches, "opportunities": opps, "spend": spend.head(1)})
    assert ok.spend is not None and ok.spend["campaign"].null_count() == 1
