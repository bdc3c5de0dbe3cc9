"""No CSV table a run writes can make a spreadsheet run a formula; Parquet keeps exact values."""

from __future__ import annotations

import csv

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from security.hostile import HostileRun

from attribution.report.spreadsheet import FORMULA_START, formula_safe

pytestmark = pytest.mark.slow


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_no_csv_cell_of_a_run_can_start_a_formula(hostile_run: HostileRun) -> None:
    files = sorted((hostile_run.result.run_dir / "tables").rglob("*.csv"))
    assert len(files) > 30
    neutralised = 0
    for file in files:
        with file.open(newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    if cell and cell[0] in FORMULA_START:
                        assert _number(cell), f"{file.name}: {cell[:60]!r}"
                    neutralised += cell.startswith("'=") or cell.startswith("'@")
    assert neutralised > 0, "the hostile formulas reached the tables, neutralised"


def test_parquet_keeps_the_exact_values(hostile_run: HostileRun) -> None:
    formulas = [v for v in hostile_run.maps["channel"].values() if v.startswith("=")]
    channels = pl.read_parquet(
        hostile_run.result.run_dir / "tables" / "01_data_health" / "channels.parquet"
    )["channel"].to_list()
    assert set(formulas) & set(channels), "a formula-like channel, unchanged"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), min_size=1, max_size=20))
def test_neutralising_changes_only_what_could_start_a_formula(values: list[str | None]) -> None:
    safe = formula_safe(pl.DataFrame({"v": values}, schema={"v": pl.String}))["v"].to_list()
    for given_value, shown in zip(values, safe, strict=True):
        if given_value is None:
            assert shown is None
        elif given_value and given_value[0] in FORMULA_START:
            assert shown == "'" + given_value
        else:
            assert shown == given_value


def test_numbers_and_nested_columns_stay_readable() -> None:
    frame = pl.DataFrame({"amount": [-5.0, 2.5], "=header": ["-x", "ok"]})
    safe = formula_safe(frame)
    assert safe.columns == ["amount", "'=header"]
    assert safe["amount"].to_list() == [-5.0, 2.5] and safe["'=header"].to_list() == ["'-x", "ok"]
