"""The mapping language for real exports: CSV options, numbers, dates, one error for all."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import attribution as at
from attribution.data.mapping import load_mapping
from attribution.data.mapping.numbers import clean_number

TOUCHES = "touch_id,account_id,occurred_at,team,channel\nt1,a1,2024-01-02,sales,call\n"


def _folder(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    for name, text in files.items():
        path = folder / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return folder


def _problems(call: object) -> str:
    with pytest.raises(at.AttributionError) as info:
        call()  # type: ignore[operator]
    return str(info.value)


# ------------------------------------------------------------------------------ reading CSV
def test_a_semicolon_file_is_read_by_its_header(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        {
            "touches.csv": TOUCHES.replace(",", ";"),
            "opportunities.csv": "opportunity_id;account_id;created_at;is_won;amount;closed_at\n"
            "o1;a1;2024-01-05;no;0;2024-02-01\n",
        },
    )
    ds = at.load(folder)
    assert ds.touches["channel"].to_list() == ["call"]
    from attribution.data.inspection import inspect_source

    found = inspect_source(folder)
    assert "touches.csv: read with separator ';' (found in its header)" in found.notes


def test_csv_options_top_level_and_per_source(tmp_path: Path) -> None:
    deals = (
        "report of 2024\n\n"  # two lines above the header
        "Id|Company|Created|Won|Value|Closed\n"
        "o1|a1|2024-01-05|yes|1.054,50|2024-02-01\n"
        "o2|a1|2024-01-06|no|n/a|2024-02-02\n"
    ).encode("cp1252")
    folder = _folder(tmp_path, {"touches.csv": TOUCHES, "Deals.csv": deals})
    mapping = {
        "csv": {"thousands": ".", "decimal_comma": True},
        "tables": {
            "opportunities": {
                "from": "Deals",
                "csv": {
                    "separator": "|",
                    "encoding": "cp1252",
                    "skip_rows": 2,
                    "null_values": ["n/a"],
                },
                "columns": {
                    "opportunity_id": "Id",
                    "account_id": "Company",
                    "created_at": "Created",
                    "is_won": "Won",
                    "amount": {"column": "Value", "optional": False},
                    "closed_at": "Closed",
                },
            }
        },
    }
    problem = _problems(lambda: at.load(folder, mapping=mapping))
    assert "opportunities.amount: required value is empty" in problem  # 'n/a' is no value
    deals_ok = deals.replace(b"n/a", b"0")
    (folder / "Deals.csv").write_bytes(deals_ok)
    ds = at.load(folder, mapping=mapping)
    assert ds.opportunities["amount"].to_list() == [1054.5, 0.0]


def test_an_encoding_error_names_the_file_and_the_byte_and_is_never_lossy(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        {
            "touches.csv": (TOUCHES.replace("call", "caf\xe9")).encode("latin-1"),
            "opportunities.csv": "opportunity_id,account_id,created_at,is_won,amount,closed_at\n"
            "o1,a1,2024-01-05,no,0,2024-02-01\n",
        },
    )
    message = _problems(lambda: at.load(folder))
    assert "touches.csv: not utf-8 text: byte 0xe9 at line 2" in message
    assert "csv: {encoding: latin-1}" in message
    ds = at.load(
        folder,
        mapping={
            "csv": {"encoding": "latin-1"},
            "tables": {"touches": {"from": "touches", "keep_other_columns": True}},
        },
    )
    assert ds.touches["channel"].to_list() == ["café"]


def test_empty_files_are_named_by_their_path_and_no_mapping_is_blamed(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        {
            "touches.csv": "",
            "opportunities.csv": "opportunity_id,account_id,created_at,is_won,amount\n",
        },
    )
    message = _problems(lambda: at.load(folder))
    assert f"{folder / 'touches.csv'}: the file is empty (0 bytes)" in message
    assert "mapping" not in message.split("loaded:", 1)[1]
    (folder / "touches.csv").write_text(TOUCHES)
    message = _problems(lambda: at.load(folder))
    assert "opportunities: table is empty (read from opportunities.csv)" in message


# ------------------------------------------------------------------------------ numbers
@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [
        ("$1,054", {"thousands": ","}, 1054.0),
        ("1,054", {"thousands": ","}, 1054.0),
        ("USD 12,500.50", {"thousands": ","}, 12500.5),
        ("1.054,50 €", {"thousands": ".", "decimal_comma": True}, 1054.5),
        ("R$ 10,5", {"decimal_comma": True}, 10.5),
        ("€ 12 500", {"thousands": " "}, 12500.0),
        ("$250", {}, 250.0),
    ],
)
def test_numbers_as_exports_write_them(text: str, options: dict, expected: float) -> None:
    cleaned = pl.DataFrame({"a": [text]}).select(clean_number(pl.col("a"), **options))
    assert float(cleaned.item()) == expected


@settings(max_examples=80, deadline=None)
@given(
    value=st.floats(min_value=0, max_value=1e9, allow_nan=False).map(lambda v: round(v, 2)),
    symbol=st.sampled_from(["", "$", "€ ", "USD ", " EUR"]),
)
def test_a_written_amount_reads_back_as_itself(value: float, symbol: str) -> None:
    written = f"{value:,.2f}"
    text = f"{symbol}{written}" if not symbol.startswith(" ") else f"{written}{symbol}"
    cleaned = pl.DataFrame({"a": [text]}).select(clean_number(pl.col("a"), thousands=","))
    assert float(cleaned.item()) == pytest.approx(value)


def test_a_thousands_separator_left_unsaid_is_reported_with_the_fix(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        {
            "touches.csv": TOUCHES,
            "opportunities.csv": "opportunity_id,account_id,created_at,is_won,amount,closed_at\n"
            'o1,a1,2024-01-05,yes,"$1,054",2024-02-01\n',
        },
    )
    message = _problems(lambda: at.load(folder))
    assert "opportunities.amount: values cannot be read as a number" in message
    assert "csv: {thousands: ','}" in message and "amount='$1,054'" in message


# ------------------------------------------------------------------------------ dates
def test_dates_are_parsed_before_sql_sees_them(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        {
            "touches.csv": TOUCHES,
            "Deals.csv": "Id,Company,Created,Won,Closed\n"
            "o1,a1,12/31/2023,yes,01/15/2024\n"  # created before 2024: filtered out
            "o2,a1,01/05/2024,no,02/01/2024\n",
        },
    )
    mapping = {
        "dates": {"Created": "%m/%d/%Y", "Closed": "%m/%d/%Y"},
        "tables": {
            "opportunities": {
                "from": "Deals",
                "where": "Created >= DATE '2024-01-01'",
                "columns": {
                    "opportunity_id": "Id",
                    "account_id": "Company",
                    "created_at": "Created",
                    "is_won": "Won",
                    "closed_at": {"expr": "CASE WHEN Closed > Created THEN Closed END"},
                },
            }
        },
    }
    ds = at.load(folder, mapping=mapping)
    assert ds.opportunities["opportunity_id"].to_list() == ["o2"]
    assert ds.opportunities["closed_at"].dt.month().to_list() == [2]
    mapping["tables"]["opportunities"]["where"] = "Created >= '2024-01-01'"
    message = _problems(lambda: at.load(folder, mapping=mapping))
    assert "compare them with a date, e.g. CloseDate >= DATE '2024-01-01'" in message


def test_a_column_format_parses_before_where_and_bad_values_are_listed(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        {
            "touches.csv": TOUCHES,
            "Deals.csv": "Id,Company,Created,Won\no1,a1,05.01.2024,no\no2,a1,45.01.2024,no\n",
        },
    )
    mapping = {
        "tables": {
            "opportunities": {
                "from": "Deals",
                "columns": {
                    "opportunity_id": "Id",
                    "account_id": "Company",
                    "created_at": {"column": "Created", "format": "%d.%m.%Y"},
                    "is_won": "Won",
                },
            }
        }
    }
    message = _problems(lambda: at.load(folder, mapping=mapping))
    assert "Created: mapping <dict> reads it as a date in the format '%d.%m.%Y'" in message
    assert "Created='45.01.2024'" in message


# ------------------------------------------------------------------------------ one error
def test_every_problem_of_a_mapping_file_is_listed_at_once() -> None:
    message = _problems(
        lambda: load_mapping(
            {
                "csv": {"seperator": ";"},
                "tables": {
                    "touches": {"from": "a", "colums": {}},
                    "opportunities": {
                        "from": "b",
                        "columns": {"amount": {"column": "x", "thousands": "too long"}},
                    },
                    "contact": {"from": "c"},
                },
            }
        )
    )
    assert message.startswith("4 problems in mapping <dict>; nothing was loaded:")
    assert "csv: unknown key 'seperator'; did you mean 'separator'?" in message
    assert "tables.touches: unknown key 'colums'; did you mean 'columns'?" in message
    assert "columns.amount.thousands: expected one character, got 'too long'" in message
    assert "tables.contact: not a contract table; did you mean 'contacts'?" in message


def test_mapping_and_data_problems_come_in_one_error_without_query_plans(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        {
            "Acts.csv": "Id,Company,When,Kind\nt1,a1,2024-01-02,Call\n",
            "Deals.csv": "Id,Company,Created,Won,Value\no1,a1,2024-01-05,maybe,-3\n",
        },
    )
    mapping = {
        "tables": {
            "touches": {
                "from": "Acts",
                "columns": {
                    "touch_id": "Id",
                    "account_id": "Compnay",
                    "occurred_at": "When",
                    "team": {"value": "sales"},
                    "channel": {"expr": "lower(Knd)"},
                },
            },
            "opportunities": {
                "from": "Deals",
                "columns": {
                    "opportunity_id": "Id",
                    "account_id": "Company",
                    "created_at": "Created",
                    "is_won": "Won",
                    "amount": "Value",
                },
            },
        }
    }
    message = _problems(lambda: at.load(folder, mapping=mapping))
    assert "5 problems found" in message
    assert "reads column 'Compnay' (for column account_id), which Acts.csv does not have; " \
        "did you mean 'Company'?" in message  # fmt: skip
    assert "reads column 'Knd' (for column channel), which Acts.csv does not have; did you " \
        "mean 'Kind'?" in message  # fmt: skip
    assert "opportunities.is_won: values cannot be read as true/false" in message
    assert "opportunities.amount: negative or non-finite amounts" in message
    assert "opportunities.closed_at: column is missing, but it is needed" in message
    assert "Resolved plan" not in message and "FAILED HERE" not in message


def test_a_typo_the_parser_cannot_catch_is_translated_too(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"touches.csv": TOUCHES, "Deals.csv": "Id\no1\n"})
    mapping = {"tables": {"opportunities": {"sql": "SELECT Idd FROM Deals"}}}
    message = _problems(lambda: at.load(folder, mapping=mapping))
    assert "the query for opportunities failed: no column 'Idd'" in message
    assert "Resolved plan" not in message


def test_an_optional_column_rule_leaves_the_column_empty_when_the_source_lacks_it(
    tmp_path: Path,
) -> None:
    folder = _folder(
        tmp_path,
        {
            "Acts.csv": "Id,Company,When\nt1,a1,2024-01-02\n",
            "opportunities.csv": "opportunity_id,account_id,created_at,is_won,amount,closed_at\n"
            "o1,a1,2024-01-05,no,0,2024-02-01\n",
        },
    )
    mapping = {
        "tables": {
            "touches": {
                "from": "Acts",
                "columns": {
                    "touch_id": "Id",
                    "account_id": "Company",
                    "occurred_at": "When",
                    "team": {"value": "sales"},
                    "channel": {"value": "call"},
                    "opportunity_id": {
                        "expr": "CASE WHEN What LIKE '006%' THEN What END",
                        "optional": True,
                    },
                },
            }
        }
    }
    assert at.load(folder, mapping=mapping).touches["opportunity_id"].null_count() == 1
