"""The funnel and the SLA of two periods: hand-worked figures, a known change found, a null
change flagged about as often as the interval's level allows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import attribution as at
from attribution.errors import ParameterError
from attribution.handoff.funnel import account_stages
from attribution.handoff.periods import CHANGE_COLUMNS, funnel_change, sla_change

Q1 = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC))
Q2 = (datetime(2025, 4, 1, tzinfo=UTC), datetime(2025, 7, 1, tzinfo=UTC))
NULL_SEEDS = 200


def _cohorts(seed: int, mql_rate: tuple[float, float], n: int = 400) -> pl.DataFrame:
    """``n`` first leads a quarter; each becomes an MQL 5 days later with the quarter's rate,
    half the MQLs an SQL 10 days after the lead."""
    rng = np.random.default_rng(seed)
    parts = []
    for (start, _), rate in zip((Q1, Q2), mql_rate, strict=True):
        lead = [start + timedelta(days=int(d)) for d in rng.integers(0, 85, n)]
        mql = rng.random(n) < rate
        sql = mql & (rng.random(n) < 0.5)
        parts.append(
            pl.DataFrame(
                {
                    "lead": lead,
                    "mql": [
                        d + timedelta(days=5) if m else None for d, m in zip(lead, mql, strict=True)
                    ],
                    "sql": [
                        d + timedelta(days=10) if s else None
                        for d, s in zip(lead, sql, strict=True)
                    ],
                },
                schema={c: pl.Datetime("us", "UTC") for c in ("lead", "mql", "sql")},
            )
        )
    return pl.concat(parts)


def _row(table: pl.DataFrame, **where: str) -> dict:
    rows = table.filter(*(pl.col(k) == v for k, v in where.items()))
    assert rows.height == 1, rows
    return rows.row(0, named=True)


def test_funnel_change_by_hand() -> None:
    # Q1: 4 leads, 2 MQLs, 1 SQL; Q2: 2 leads, 2 MQLs (one 40 days after its lead), 0 SQLs
    d = lambda q, day: (Q1, Q2)[q][0] + timedelta(days=day)  # noqa: E731
    stages = pl.DataFrame(
        {
            "lead": [d(0, 1), d(0, 2), d(0, 3), d(0, 4), d(1, 1), d(1, 2)],
            "mql": [d(0, 2), d(0, 3), None, None, d(1, 2), d(1, 42)],
            "sql": [d(0, 5), None, None, None, None, None],
            "opportunity": [None] * 6,
        },
        schema={c: pl.Datetime("us", "UTC") for c in ("lead", "mql", "sql", "opportunity")},
    )
    r = funnel_change(stages, current=Q2, previous=Q1)
    t = r.table
    assert t.columns == ["stage", "step", *CHANGE_COLUMNS]
    assert set(t["stage"]) == {"lead", "mql", "sql"}  # no opportunity dates: left out
    lead = _row(t, stage="lead", measure="accounts")
    assert (lead["current"], lead["previous"], lead["change"]) == (2.0, 4.0, -2.0)
    mql = _row(t, stage="mql", measure="conversion")
    assert (mql["current"], mql["previous"], mql["change"]) == (1.0, 0.5, 0.5)
    assert (mql["current_base"], mql["previous_base"]) == (2, 4)
    sql = _row(t, stage="sql", measure="conversion")
    assert (sql["current"], sql["previous"]) == (0.0, 0.5)
    # the same cohorts, counting only what happened within 30 days of the first lead
    short = funnel_change(stages, current=Q2, previous=Q1, follow_days=30).table
    assert _row(short, stage="mql", measure="conversion")["current"] == 0.5
    assert "within 30 days" in funnel_change(stages, current=Q2, previous=Q1, follow_days=30).note
    for row in t.iter_rows(named=True):
        assert row["change_low"] <= row["change"] <= row["change_high"]


def test_a_known_funnel_change_is_found() -> None:
    t = funnel_change(_cohorts(1, (0.2, 0.4)), current=Q2, previous=Q1).table
    mql = _row(t, stage="mql", measure="conversion")
    assert mql["beyond_noise"] and mql["change_low"] > 0.1
    assert not _row(t, stage="sql", measure="conversion")["beyond_noise"]  # 50% both times


def test_a_null_funnel_change_is_flagged_at_about_one_minus_the_level() -> None:
    flags = [
        _row(
            funnel_change(_cohorts(seed, (0.3, 0.3)), current=Q2, previous=Q1).table,
            stage="mql",
            measure="conversion",
        )["beyond_noise"]
        for seed in range(NULL_SEEDS)
    ]
    rate = float(np.mean(flags))
    assert 0.04 <= rate <= 0.17, rate  # 0.10 expected at level 0.9; 200 seeds: sd 0.021


def _responses(seed: int, within: tuple[float, float], hours: tuple[float, float]) -> pl.DataFrame:
    """300 MQLs a quarter; answered in time with the quarter's share; response hours
    exponential with the quarter's median."""
    rng = np.random.default_rng(seed)
    parts = []
    for (start, _), share, median in zip((Q1, Q2), within, hours, strict=True):
        n = 300
        at_ = [start + timedelta(days=int(d)) for d in rng.integers(0, 85, n)]
        parts.append(
            pl.DataFrame(
                {
                    "mql_at": at_,
                    "pending": [False] * n,
                    "followed_up": [True] * n,
                    "within_sla": rng.random(n) < share,
                    "response_hours": rng.exponential(median / np.log(2), n),
                },
                schema_overrides={"mql_at": pl.Datetime("us", "UTC")},
            )
        )
    return pl.concat(parts)


def test_sla_change_finds_a_known_change_and_not_a_null_one() -> None:
    t = sla_change(
        _responses(3, (0.5, 0.7), (10.0, 20.0)), current=Q2, previous=Q1, sla_hours=24, draws=300
    ).table
    assert _row(t, measure="within_sla")["beyond_noise"]
    assert _row(t, measure="median_hours")["change_low"] > 0
    assert not _row(t, measure="mqls")["beyond_noise"]  # 300 both times


def test_a_null_sla_change_is_flagged_at_about_one_minus_the_level() -> None:
    tables = [
        sla_change(
            _responses(seed, (0.6, 0.6), (10.0, 10.0)),
            current=Q2,
            previous=Q1,
            sla_hours=24,
            draws=200,
            seed=seed,
        ).table
        for seed in range(NULL_SEEDS)
    ]
    for measure in ("within_sla", "median_hours"):
        rate = float(np.mean([_row(t, measure=measure)["beyond_noise"] for t in tables]))
        assert 0.04 <= rate <= 0.17, (measure, rate)


def test_an_empty_window_gives_no_interval_and_no_flag() -> None:
    later = (datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 4, 1, tzinfo=UTC))
    t = sla_change(_responses(0, (0.5, 0.5), (5, 5)), current=later, previous=Q1, sla_hours=4).table
    share = _row(t, measure="within_sla")
    assert share["current"] is None and share["change_low"] is None
    assert not share["beyond_noise"]
    assert _row(t, measure="mqls")["current"] == 0.0


def test_bad_windows_and_tables_are_named() -> None:
    with pytest.raises(ParameterError, match="current window must end after it starts"):
        funnel_change(_cohorts(0, (0.2, 0.2)), current=(Q2[1], Q2[0]), previous=Q1)
    with pytest.raises(ParameterError, match=r"no column.*'pending'"):
        sla_change(pl.DataFrame({"mql_at": []}), current=Q2, previous=Q1, sla_hours=4)


def test_account_stages_agree_with_the_funnel() -> None:
    ds = at.demo.generate(n_accounts=400, seed=2)
    stages = account_stages(ds)
    funnel = at.funnel(ds)
    assert stages.height == funnel["accounts"][0]
    assert stages["mql"].is_not_null().sum() <= funnel["accounts"][1]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans()), min_size=1, max_size=40))
def test_swapping_the_periods_mirrors_every_change(leads: list[tuple[bool, bool, bool]]) -> None:
    """Each lead: in Q2 (else Q1), reached MQL, reached SQL (only after an MQL)."""
    rows = [
        ((Q2 if late else Q1)[0] + timedelta(days=i % 80), mql, mql and sql)
        for i, (late, mql, sql) in enumerate(leads)
    ]
    stages = pl.DataFrame(
        {
            "lead": [r[0] for r in rows],
            "mql": [r[0] + timedelta(days=1) if r[1] else None for r in rows],
            "sql": [r[0] + timedelta(days=2) if r[2] else None for r in rows],
        },
        schema={c: pl.Datetime("us", "UTC") for c in ("lead", "mql", "sql")},
    )
    ahead = funnel_change(stages, current=Q2, previous=Q1).table
    back = funnel_change(stages, current=Q1, previous=Q2).table
    assert ahead.select("stage", "measure").equals(back.select("stage", "measure"))
    assert ahead["current"].equals(back["previous"])
    flipped = -back["change"]
    assert ((ahead["change"] - flipped).abs().fill_null(0) < 1e-12).all()
    assert ahead["beyond_noise"].equals(back["beyond_noise"])
    inside = ahead.filter(pl.col("change_low").is_not_null())
    assert (inside["change_low"] <= inside["change"] + 1e-9).all()
    assert (inside["change"] <= inside["change_high"] + 1e-9).all()
