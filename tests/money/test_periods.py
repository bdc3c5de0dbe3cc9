"""Periods and segments compared: a known change is found, a null change is not."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import attribution as at
from attribution.money.periods import compare_periods, compare_segments, period_windows

Q1 = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC))
Q2 = (datetime(2025, 4, 1, tzinfo=UTC), datetime(2025, 7, 1, tzinfo=UTC))


def _deals(seed: int) -> pl.DataFrame:
    """400 accounts per quarter; channel 'grows' doubles its revenue in Q2, 'flat' does not."""
    rng = np.random.default_rng(seed)
    n = 400
    rows = []
    for q, (start, _) in enumerate((Q1, Q2)):
        for channel, mean in (("grows", 1000.0 * (1 + q)), ("flat", 1000.0)):
            values = rng.exponential(mean, n)
            days = rng.integers(0, 85, n)
            rows.append(
                pl.DataFrame(
                    {
                        "account_id": [f"{q}-{channel}-{i}" for i in range(n)],
                        "channel": channel,
                        "closed_at": [start + np.timedelta64(int(d), "D").item() for d in days],
                        "revenue": values,
                    }
                )
            )
    return pl.concat(rows)


def test_a_known_change_is_found_and_a_null_change_is_not() -> None:
    r = compare_periods(_deals(0), by="channel", date="closed_at", current=Q2, draws=400)
    grows = r.table.filter(channel="grows").row(0, named=True)
    flat = r.table.filter(channel="flat").row(0, named=True)
    assert grows["beyond_noise"] and grows["change_low"] > 0
    assert grows["relative"] == pytest.approx(1.0, abs=0.25)
    assert not flat["beyond_noise"]
    assert flat["change_low"] < 0 < flat["change_high"]
    assert r.previous == Q1 and r.level == 0.9


def test_null_changes_are_rarely_called_real() -> None:
    # across independent data sets with no change, about 10% of 90% intervals miss zero
    called = [
        compare_periods(
            _deals(seed).filter(pl.col("channel") == "flat"),
            by="channel",
            date="closed_at",
            current=Q2,
            draws=200,
        ).table["beyond_noise"][0]
        for seed in range(20)
    ]
    assert sum(called) <= 6


def test_windows() -> None:
    _, prev = period_windows(*Q2, "previous")
    assert prev == Q1
    _, last_year = period_windows(datetime(2024, 2, 29), datetime(2024, 3, 1), "last_year")
    assert last_year[0] == datetime(2023, 2, 28, tzinfo=UTC)
    _, explicit = period_windows(*Q2, Q1)
    assert explicit == Q1
    with pytest.raises(at.ParameterError, match="compare_to"):
        period_windows(*Q2, "yesterday")  # type: ignore[arg-type]
    with pytest.raises(at.ParameterError, match="no column"):
        compare_periods(_deals(0), by="team", date="closed_at", current=Q2)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from(["x", "y"]), st.floats(0, 1e6)),
        min_size=1,
        max_size=30,
    )
)
def test_segment_values_add_up_and_shares_sum_to_one(rows: list[tuple[str, str, float]]) -> None:
    frame = pl.DataFrame(
        {
            "account_id": [f"acc{i % 7}" for i in range(len(rows))],
            "channel": [r[1] for r in rows],
            "revenue": [r[2] for r in rows],
        }
    )
    segments = pl.DataFrame(
        {"account_id": [f"acc{i}" for i in range(7)], "segment": ["SMB", "ENT"] * 3 + ["SMB"]}
    )
    t = compare_segments(frame, segments, by="channel", segment="segment", draws=30).table
    assert t["value"].sum() == pytest.approx(frame["revenue"].sum(), rel=1e-9, abs=1e-6)
    totals = t.group_by("segment").agg(pl.col("share").sum(), pl.col("value").sum())
    positive = totals.filter(pl.col("value") > 0)
    assert positive["share"].to_list() == pytest.approx([1.0] * positive.height)
    assert (t["low"] <= t["high"] + 1e-9).all()


def test_the_demo_team_split_by_quarter_and_segment() -> None:
    ds = at.demo.generate(n_accounts=600, seed=5)
    credits = at.attribute(at.journeys(ds), "w_shaped")
    q = compare_periods(
        credits,
        by="team",
        date="closed_at",
        current=(datetime(2026, 1, 1), datetime(2026, 4, 1)),
        draws=100,
    )
    inside = credits.filter(
        pl.col("closed_at").is_between(pl.lit(q.current[0]), pl.lit(q.current[1]), closed="left")
    )
    assert q.table["current"].sum() == pytest.approx(inside["revenue"].sum())
    assert isinstance(ds.accounts, pl.DataFrame)
    s = compare_segments(credits, ds.accounts, by="team", segment="segment", draws=50)
    assert s.table["value"].sum() == pytest.approx(credits["revenue"].sum())
