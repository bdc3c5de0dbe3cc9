"""Helpers for hand-made tables in tests."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from attribution.report.exports import CHROMIUM_FLAGS

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REAL_DATA = SHARED / "data" / "real"


def make_touches(rows: list[tuple]) -> pl.DataFrame:
    """Touches from (touch_id, account_id, occurred_at, team, channel) tuples."""
    return pl.DataFrame(
        rows, schema=["touch_id", "account_id", "occurred_at", "team", "channel"], orient="row"
    )


def make_opportunities(rows: list[tuple]) -> pl.DataFrame:
    """Opportunities from (id, account, created_at, is_won, amount, closed_at) tuples."""
    return pl.DataFrame(
        rows,
        schema=["opportunity_id", "account_id", "created_at", "is_won", "amount", "closed_at"],
        orient="row",
    )


def plant_previous_run(folder: Path, files: dict[str, str] | None = None) -> Path:
    """Make ``folder`` look like the output of an earlier ``attribution run``.

    It holds the manifest every run writes (which marks the folder as the package's, so a
    later run may replace it) and the given extra files (``{"stale.txt": "..."}``).
    """
    import json

    folder.mkdir(parents=True, exist_ok=True)
    manifest = {"run_name": folder.name, "versions": {"attribution": "0"}, "notebooks": []}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    for name, text in (files or {}).items():
        (folder / name).write_text(text)
    return folder


# Debian's headless Chromium (never a browser a tool downloads) and the flags every test uses
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", *CHROMIUM_FLAGS]
