"""Shared targets: the file's checks, the periods, and the status rules on hand-made actuals."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from helpers import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

import attribution as at
from attribution.alignment.kpi_catalogue import KPIS
from attribution.alignment.periods import period_bounds
from attribution.alignment.target_status import STATUSES, status
from attribution.alignment.targets import load_targets


def one(**target: object) -> dict:
    base = {"kpi": "mqls", "target": 100, "owner": "marketing", "due": "2026-06-30"}
    return {"targets": [{**base, **target}]}


# ------------------------------------------------------------------------------ the file
def test_the_shipped_targets_are_valid_and_kept_verbatim() -> None:
    t = load_targets(ROOT / "params" / "targets.yaml")
    assert t.on_track == 0.9 and t.history == 6
    assert {x.owner for x in t.targets} == {"marketing", "sales", "joint"}
    assert {x.kpi for x in t.targets} <= set(KPIS)
    assert t.text == (ROOT / "params" / "targets.yaml").read_text()
    table = t.table()
    assert table.height == len(t.targets) and table["label"].null_count() == 0


def test_malformed_targets_list_every_problem_in_one_error() -> None:
    with pytest.raises(at.ParameterError) as info:
        load_targets(
            {
                "targets": [
                    {"kpi": "mql", "target": 10, "owner": "marketing", "due": "2026-06-30"},
                    {"kpi": "mqls", "target": 10, "owner": "finance", "due": "2026-06-30"},
                    {"kpi": "win_rate", "target": -0.1, "owner": "sales", "due": "2026-06-30"},
                    {"kpi": "win_rate", "target": 30, "owner": "joint", "due": "2026-06-30"},
                    {"kpi": "mqls", "target": 10, "owner": "joint", "period": "week"},
                    {"kpi": "mqls", "owner": "joint", "due": "June", "taget": 5},
                ],
                "on_track": 1.5,
            }
        )
    message = str(info.value)
    for expected in (
        "targets[0].kpi: unknown KPI 'mql'; did you mean 'mqls'?",
        "targets[1].owner: expected one of 'marketing', 'sales', 'joint', got 'finance'",
        "targets[2].target: must not be negative, got -0.1",
        "targets[3].target: win_rate is a share between 0 and 1 (0.3 for 30%), got 30",
        "targets[4].period: expected one of 'month', 'quarter', 'year', got 'week'",
        "targets[4].due: missing",
        "targets[5].due: expected a date such as 2026-06-30, got 'June'",
        "targets[5].taget: unknown key; did you mean 'target'?",
        "targets[5].target: missing",
        "on_track: must be at most 1",
    ):
        assert expected in message, expected
    assert "targets[1].owner: missing" not in message, "a wrong owner is reported once"
    assert message.startswith("10 problems in the targets; nothing was run:")


def test_empty_or_repeated_targets_are_refused() -> None:
    with pytest.raises(at.ParameterError, match="give at least one target"):
        load_targets({"targets": []})
    twice = one()["targets"] * 2
    with pytest.raises(at.ParameterError, match=r"repeats targets\[0\]"):
        load_targets({"targets": twice})


# ------------------------------------------------------------------------------ periods
@pytest.mark.parametrize(
    ("due", "period", "start", "end"),
    [
        (date(2026, 6, 30), "month", date(2026, 6, 1), date(2026, 7, 1)),
        (date(2026, 6, 15), "month", date(2026, 6, 1), date(2026, 6, 16)),
        (date(2026, 5, 31), "quarter", date(2026, 4, 1), date(2026, 6, 1)),
        (date(2026, 12, 31), "year", date(2026, 1, 1), date(2027, 1, 1)),
        (date(2027, 1, 31), "quarter", date(2027, 1, 1), date(2027, 2, 1)),
    ],
)
def test_a_target_covers_the_calendar_period_holding_its_due_day(
    due: date, period: str, start: date, end: date
) -> None:
    ((lo, hi),) = period_bounds(due, period)
    assert (lo.date(), hi.date()) == (start, end)


def test_earlier_periods_are_whole_calendar_periods_oldest_first() -> None:
    bounds = period_bounds(date(2026, 2, 10), "quarter", back=2)
    assert [(lo.date().isoformat(), hi.date().isoformat()) for lo, hi in bounds] == [
        ("2025-07-01", "2025-10-01"),
        ("2025-10-01", "2026-01-01"),
        ("2026-01-01", "2026-02-11"),
    ]


# ------------------------------------------------------------------------------ status
def statuses(rows: list[dict], on_track: float = 0.9) -> pl.DataFrame:
    frame = pl.DataFrame(
        rows,
        schema={
            "actual": pl.Float64,
            "target": pl.Float64,
            "elapsed": pl.Float64,
            "higher": pl.Boolean,
            "cumulative": pl.Boolean,
            "ci_low": pl.Float64,
            "ci_high": pl.Float64,
        },
    )
    expected, progress, label = status(
        actual=pl.col("actual"),
        target=pl.col("target"),
        elapsed=pl.col("elapsed"),
        higher_is_better=pl.col("higher"),
        cumulative=pl.col("cumulative"),
        on_track=on_track,
        ci_low=pl.col("ci_low"),
        ci_high=pl.col("ci_high"),
    )
    return frame.with_columns(
        expected.alias("expected"), progress.alias("progress"), label.alias("status")
    )


def row(actual, target=100.0, elapsed=0.5, higher=True, cumulative=True, low=None, high=None):  # type: ignore[no-untyped-def]
    return {
        "actual": actual,
        "target": target,
        "elapsed": elapsed,
        "higher": higher,
        "cumulative": cumulative,
        "ci_low": low,
        "ci_high": high,
    }


def test_counts_are_pro_rated_in_the_current_period() -> None:
    out = statuses(
        [
            row(45.0),  # 45 of 50 expected by mid-period: exactly 90%
            row(44.9),  # just under 90%
            row(100.0),  # the whole target already
            row(0.0, elapsed=0.0),  # the period has not started
            row(None),  # nothing could be measured
            row(100.0, elapsed=1.0),  # a finished period that reached the target
            row(99.0, elapsed=1.0),  # ... and one that fell short
        ]
    )
    assert out["expected"].to_list() == [50.0, 50.0, 50.0, 0.0, 50.0, 100.0, 100.0]
    assert out["status"].to_list() == [
        "on track",
        "behind",
        "met",
        "not started",
        "no data",
        "met",
        "missed",
    ]
    assert out["progress"][0] == pytest.approx(0.9)


def test_rates_compare_directly_and_lower_is_better_mirrors() -> None:
    out = statuses(
        [
            row(0.3, target=0.3, cumulative=False),  # at the target, period still running
            row(0.27, target=0.3, cumulative=False),  # 90% of it
            row(0.26, target=0.3, cumulative=False),
            row(0.31, target=0.3, elapsed=1.0, cumulative=False),
            row(13.0, target=12.0, higher=False, cumulative=False),  # hours: 12/13 = 0.92
            row(14.0, target=12.0, higher=False, cumulative=False),  # 12/14 = 0.86
            row(12.0, target=12.0, higher=False, cumulative=False, elapsed=1.0),
            row(0.0, target=12.0, higher=False, cumulative=False),  # instant answers
        ]
    )
    assert out["expected"][0] == 0.3, "a rate is not pro-rated"
    assert out["status"].to_list() == [
        "on track",
        "on track",
        "behind",
        "met",
        "on track",
        "behind",
        "met",
        "on track",
    ]


def test_an_estimate_is_judged_by_its_whole_interval() -> None:
    out = statuses(
        [
            row(0.3, target=0.2, cumulative=False, low=0.25, high=0.35),
            row(0.3, target=0.2, cumulative=False, low=0.1, high=0.5),  # holds the target
            row(0.1, target=0.2, cumulative=False, low=0.05, high=0.15),
            row(0.1, target=0.2, cumulative=False, low=0.05, high=0.15, elapsed=1.0),
            row(0.3, target=0.2, cumulative=False, low=0.25, high=0.35, elapsed=1.0),
        ]
    )
    assert out["status"].to_list() == ["on track", "unclear", "behind", "missed", "met"]


def test_the_tolerance_is_the_files_on_track_share() -> None:
    assert statuses([row(40.0)], on_track=0.8)["status"][0] == "on track"
    assert statuses([row(40.0)], on_track=0.9)["status"][0] == "behind"


RANK = {s: i for i, s in enumerate(STATUSES)}


@settings(max_examples=150, deadline=None)
@given(
    st.floats(0, 500),
    st.floats(0, 500),
    st.floats(1, 300),
    st.sampled_from([0.25, 0.5, 0.99, 1.0]),
    st.booleans(),
    st.booleans(),
)
def test_more_never_makes_a_status_worse(
    a: float, b: float, target: float, elapsed: float, higher: bool, cumulative: bool
) -> None:
    lo, hi = sorted((a, b))
    if not higher:
        lo, hi = hi, lo  # "more" is less of a lower-is-better KPI
    out = statuses(
        [
            row(lo, target=target, elapsed=elapsed, higher=higher, cumulative=cumulative),
            row(hi, target=target, elapsed=elapsed, higher=higher, cumulative=cumulative),
        ]
    )["status"].to_list()
    assert RANK[out[1]] <= RANK[out[0]], out
    assert set(out) <= {"met", "on track", "behind", "missed"}


def test_an_unknown_period_or_a_file_that_is_no_file_is_a_parameter_error() -> None:
    with pytest.raises(at.ParameterError, match="period must be one of month, quarter, year"):
        period_bounds(date(2026, 6, 30), "week")
    with pytest.raises(at.ParameterError, match="the targets: expected a YAML file, a mapping"):
        load_targets(42)  # type: ignore[arg-type]
