"""Helpers for hand-made tables in tests."""

from __future__ import annotations

from pathlib import Path

import polars as pl

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
