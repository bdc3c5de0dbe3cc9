"""The command line: demo data, summary, exit codes."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from attribution.cli import main


def test_demo_then_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", str(tmp_path / "d"), "--accounts", "150", "--seed", "3"]) == 0
    assert "wrote demo source" in capsys.readouterr().out
    assert main(["summary", str(tmp_path / "d"), "--lookback-days", "90"]) == 0
    out = capsys.readouterr().out
    for needle in (
        "Tables",
        "touches",
        "Opportunities and their journeys (90-day lookback)",
        "Most frequent paths",
        "of won revenue has at least one touch",
    ):
        assert needle in out


def test_large_demo_is_written_in_parts(tmp_path: Path) -> None:
    code = main(["demo", str(tmp_path / "d"), "--accounts", "120", "--chunk-accounts", "50"])
    assert code == 0
    assert len(list((tmp_path / "d" / "touches").glob("part-*.parquet"))) == 3


def test_bad_data_exits_2_with_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["demo", str(tmp_path / "d"), "--accounts", "80", "--format", "csv"])
    capsys.readouterr()
    touches = pl.read_csv(tmp_path / "d" / "touches.csv", infer_schema=False)
    touches.with_columns(pl.lit("partner").alias("team")).write_csv(tmp_path / "d" / "touches.csv")
    assert main(["summary", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert "touches.team: unknown team" in err


def test_missing_source_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", str(tmp_path / "nope")]) == 2
    assert "does not exist" in capsys.readouterr().err
