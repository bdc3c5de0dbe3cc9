"""Path tables from files, and paths joined with another separator than ' > '."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from helpers import REAL_DATA

import attribution as at

DATA_CSV = REAL_DATA / "channelattribution_pathdata" / "Data.csv"
TABLE = pl.DataFrame(
    {
        "path": ["email > search > demo", "search > demo", "email", "demo > email"],
        "conversions": [2, 1, 0, 1],
        "value": [20.0, 5.0, 0.0, 7.0],
        "nulls": [1, 2, 5, 1],
    }
)


@pytest.mark.skipif(not DATA_CSV.is_file(), reason="the shared real data is not beside the repo")
def test_a_file_path_reads_channelattributions_semicolon_table() -> None:
    expected = at.markov(pl.read_csv(DATA_CSV, separator=";"))
    with pytest.warns(at.DataWarning, match=r"Data\.csv: fields are separated by ';'"):
        from_file = at.markov(str(DATA_CSV))
    assert from_file.table.equals(expected.table)
    with pytest.warns(at.DataWarning):
        assert at.shapley(DATA_CSV).table.height == expected.table.height


def test_a_parquet_file_and_a_comma_csv_read_without_a_warning(tmp_path: Path) -> None:
    TABLE.write_parquet(tmp_path / "paths.parquet")
    TABLE.write_csv(tmp_path / "paths.csv")
    expected = at.markov(TABLE).table
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert at.markov(tmp_path / "paths.parquet").table.equals(expected)
        assert at.markov(tmp_path / "paths.csv").table.equals(expected)


@pytest.mark.parametrize("joiner", [">", "|", ",", ";", "\u2192"])
def test_another_separator_is_detected_with_a_warning(joiner: str) -> None:
    other = TABLE.with_columns(pl.col("path").str.replace_all(" > ", joiner, literal=True))
    expected = at.markov(TABLE).table
    with pytest.warns(at.DataWarning, match=f"joined with {joiner!r}, not ' > '"):
        detected = at.markov(other).table
    assert detected.equals(expected), "the same channels, not one channel per distinct path"
    assert at.markov(other, separator=joiner).table.equals(expected)
    with pytest.warns(at.DataWarning):
        assert at.shapley(other).table.equals(at.shapley(TABLE).table)
    with pytest.warns(at.DataWarning):
        linear = at.models.attribute_paths(other, "linear")
    assert linear.equals(at.models.attribute_paths(TABLE, "linear"))


def test_single_step_paths_need_no_separator() -> None:
    import warnings

    single = pl.DataFrame({"path": ["email", "demo"], "conversions": [1, 0], "nulls": [1, 2]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert at.markov(single).table["channel"].to_list() == ["demo", "email"]


@pytest.mark.parametrize("given", [42, None, [1, 2], Path("/no/such/file.csv")])
def test_anything_else_is_one_clear_error(given: object) -> None:
    with pytest.raises(at.ParameterError) as info:
        at.markov(given)
    assert "AttributeError" not in str(info.value)
