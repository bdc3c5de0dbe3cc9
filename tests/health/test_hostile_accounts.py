"""Account names reach the data health page (overlapping deals): escaped where they enter HTML."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

import attribution as at
from attribution.report.notebook import table

EVIL = '<img src=x onerror="alert(1)">'


def test_account_names_in_the_shared_touches_views_are_escaped() -> None:
    day = datetime(2024, 1, 1, tzinfo=UTC)
    touches = pl.DataFrame(
        {
            "touch_id": ["t1", "t2"],
            "account_id": [EVIL, EVIL],
            "occurred_at": [day, day + timedelta(days=2)],
            "team": ["marketing", "sales"],
            "channel": ["=cmd|' /C calc'!A0", "call"],
        }
    )
    opps = pl.DataFrame(
        {
            "opportunity_id": ["o1", "o2"],
            "account_id": [EVIL, EVIL],
            "created_at": [day + timedelta(days=3)] * 2,
            "is_won": [True, False],
            "amount": [10.0, 5.0],
            "closed_at": [day + timedelta(days=9)] * 2,
        }
    )
    ds = at.validate({"touches": touches, "opportunities": opps})
    j = at.journeys(ds)
    for frame in (at.health.shared_touches(j), at.health.checks(ds, j)):
        page = table(frame).html
        assert "<img" not in page and "&lt;img" in page
