"""`attribution validate SOURCE [--mapping FILE]`: summary of every table, every problem."""

from __future__ import annotations

import re
from pathlib import Path

import dbload
import pgserver
import polars as pl
import pytest
from helpers import ROOT

import attribution as at
from attribution.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["validate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_clean_source(
    demo_small: at.Dataset, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = at.demo.write(demo_small, tmp_path / "src", fmt="csv")
    code, out, _ = run(capsys, str(folder))
    assert code == 0
    assert out.startswith(f"source: {folder}\n")
    for table, rows in demo_small.row_counts().items():
        assert f"│ {table}" in out and f"┆ {rows:,}" in out
    assert "Empty values per column" in out
    # every column of every table has its line
    columns = sum(len(f.columns) for f in demo_small.tables().values())
    assert out.count("┆ true ") + out.count("┆ false ") == columns
    assert "No problems found: every table meets the contract." in out
    readiness = out.split("Report sections this data supports", 1)[1]
    assert "shared_goals  The funnel" in readiness and "no      needs agreed" in readiness
    assert "To show more:" in readiness


def test_problems_are_listed_under_the_summary(
    demo_small: at.Dataset, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = at.demo.write(demo_small, tmp_path / "src", fmt="csv")
    touches = pl.read_csv(folder / "touches.csv", infer_schema=False)
    touches.with_columns(
        pl.when(pl.int_range(pl.len()) < 3)
        .then(None)
        .otherwise(pl.col("occurred_at"))
        .alias("occurred_at"),
        pl.when(pl.int_range(pl.len()) == 5)
        .then(pl.lit("partner"))
        .otherwise("team")
        .alias("team"),
    ).write_csv(folder / "touches.csv")
    code, out, _ = run(capsys, str(folder))
    assert code == 2
    assert "Tables" in out  # the summary of what was read comes first
    assert re.search(r"│ touches +┆ occurred_at +┆ true +┆ 3 +┆", out)  # widths vary
    assert "2 problems found:" in out
    assert "touches.occurred_at: required value is empty (3 rows)" in out
    assert "touches.team: unknown team" in out


def test_a_preset_and_a_window(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        str(ROOT / "tests" / "fixtures" / "salesforce"),
        "--mapping",
        "salesforce",
        "--start",
        "2025-04-01",
        "--end",
        "2025-06-01",
    )
    assert code == 0
    assert "mapping: " in out and "salesforce.yaml" in out
    assert "window: opportunities with closed_at in [2025-04-01 00:00 UTC, 2025-06-01" in out
    # the open deal is outside the window (the column is as wide as the longest table name)
    assert re.search(r"│ opportunities +┆ 2 +┆", out)


def test_a_mapping_naming_a_missing_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "tables:\n  opportunities:\n    from: Opportunity\n    columns:\n"
        "      opportunity_id: OpportunityId\n"
    )
    code, out, _ = run(
        capsys, str(ROOT / "tests" / "fixtures" / "salesforce"), "--mapping", str(mapping)
    )
    assert code == 2
    assert "Tables" not in out  # nothing could be read
    assert "2 problems found:" in out  # the mapping's, and the data's, in one list
    assert "reads column 'OpportunityId' (for column opportunity_id), which Opportunity.csv" in out
    assert "did you mean 'Opportunity" not in out and "touches: required table is missing" in out


def test_a_database_from_the_environment_with_its_password_masked(
    postgres: pgserver.Server,
    demo_small: at.Dataset,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dbload.to_postgres(postgres.url(), demo_small.tables(), schema="cli")
    monkeypatch.setenv("ATTRIBUTION_DB_URL", postgres.url())
    code, out, _ = run(capsys, "--schema", "cli")
    assert code == 0
    assert out.startswith("source: postgresql://attribution_admin:***@127.0.0.1:")
    assert pgserver.ADMIN_PASSWORD not in out

    wrong = postgres.url(password="not-the-password")
    code, out, err = run(capsys, wrong)
    assert code == 2
    assert "password authentication failed" in err and "not-the-password" not in err + out
