"""Plausible values: impossible dates, absurd amounts and non-UTF-8 files are problems."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import attribution as at
from attribution.data.schema import validate
from attribution.data.schema.plausible import EARLIEST, MAX_MONEY, Plausible

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _tables(touch_at: datetime, amount: float = 1000.0) -> dict[str, pl.DataFrame]:
    touches = pl.DataFrame(
        {
            "touch_id": ["t1", "t2"],
            "account_id": ["a1", "a1"],
            "occurred_at": [datetime(2026, 1, 2, tzinfo=UTC), touch_at],
            "team": ["marketing", "sales"],
            "channel": ["webinar", "call"],
        }
    )
    opportunities = pl.DataFrame(
        {
            "opportunity_id": ["o1"],
            "account_id": ["a1"],
            "created_at": [datetime(2026, 1, 10, tzinfo=UTC)],
            "is_won": [True],
            "amount": [amount],
            "closed_at": [datetime(2026, 2, 1, tzinfo=UTC)],
        }
    )
    return {"touches": touches, "opportunities": opportunities}


def _messages(tables: dict[str, pl.DataFrame], **kwargs: object) -> list[str]:
    with pytest.raises(at.DataError) as info:
        validate(tables, plausible=Plausible(now=NOW, **kwargs))  # type: ignore[arg-type]
    return [p.render() for p in info.value.problems]


@pytest.mark.parametrize("year", [1900, 1989, 2200])
def test_a_timestamp_outside_the_plausible_range_is_a_problem(year: int) -> None:
    (found,) = _messages(_tables(datetime(year, 1, 1, tzinfo=UTC)))
    assert found.startswith("touches.occurred_at: timestamps outside the plausible range")
    assert "1990-01-01 to 2027-06-02" in found and "(1 row)" in found
    assert "touch_id='t2'" in found


def test_the_range_is_configurable() -> None:
    old = _tables(datetime(1985, 6, 1, tzinfo=UTC))
    assert validate(old, plausible=Plausible(earliest=datetime(1980, 1, 1), now=NOW))
    soon = _tables(NOW + timedelta(days=40))
    (found,) = _messages(soon, future_days=30)
    assert "to 2026-07-01" in found
    assert validate(soon, plausible=Plausible(future_days=60, now=NOW))


def test_params_carry_the_range(tmp_path: Path) -> None:
    from attribution.report.params import parse_params

    p = parse_params({"source": {"path": "x", "earliest": "2015-01-01", "future_days": 30}})
    assert p.source.earliest == datetime(2015, 1, 1, tzinfo=UTC) and p.source.future_days == 30
    assert parse_params({"source": {"path": "x"}}).source.earliest == EARLIEST


@settings(max_examples=40, deadline=None)
@given(st.datetimes(min_value=datetime(1800, 1, 1), max_value=datetime(2400, 1, 1)))
def test_exactly_the_timestamps_outside_the_range_are_refused(moment: datetime) -> None:
    when = moment.replace(tzinfo=UTC)
    plausible = Plausible(now=NOW)
    inside = EARLIEST <= when <= plausible.latest()
    try:
        validate(_tables(when), plausible=plausible)
    except at.DataError as exc:
        assert not inside and "plausible range" in str(exc)
    else:
        assert inside


@pytest.mark.parametrize("amount", [1e300, MAX_MONEY])
def test_absurd_amounts_are_a_problem(amount: float) -> None:
    (found,) = _messages(_tables(datetime(2026, 1, 3, tzinfo=UTC), amount))
    assert found.startswith("opportunities.amount: implausibly large amounts")


def test_a_latin1_csv_is_an_error_naming_its_line_not_silently_garbled(tmp_path: Path) -> None:
    folder = at.demo.write(at.demo.generate(n_accounts=60, seed=2), tmp_path / "src", fmt="csv")
    touches = pl.read_csv(folder / "touches.csv", infer_schema=False)
    touches = touches.with_columns(
        pl.when(pl.int_range(pl.len()).is_in([1, 4]))
        .then(pl.lit("Médiä"))
        .otherwise(pl.col("channel"))
        .alias("channel")
    )
    (folder / "touches.csv").write_bytes(touches.write_csv().encode("latin-1"))
    with pytest.raises(at.SchemaError) as info:
        at.load(folder)
    text = str(info.value)
    assert "touches (from touches.csv)" in text
    assert "touches.csv: not utf-8 text: byte 0xe9 at line 3" in text  # row 2 after the header
    assert "csv: {encoding: latin-1}" in text  # and how to read it as it is
    (folder / "touches.csv").write_text(touches.write_csv(), encoding="utf-8")
    assert "Médiä" in at.load(folder).touches["channel"].to_list()  # as UTF-8 it loads
