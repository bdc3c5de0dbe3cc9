"""Diagnostics: AUC against brute force, calibration tables, the warning class."""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import attribution as at
from attribution.errors import emit
from attribution.estimates.diagnostics import Diagnostics, auc, calibration_table


def brute_force_auc(y: list[int], s: list[float]) -> float:
    pos = [b for a, b in zip(y, s, strict=True) if a == 1]
    neg = [b for a, b in zip(y, s, strict=True) if a == 0]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(pos, neg))
    return wins / (len(pos) * len(neg))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 1), st.integers(0, 6)),
        min_size=2,
        max_size=40,
    )
)
def test_auc_equals_the_pairwise_definition(rows: list[tuple[int, int]]) -> None:
    y = [r[0] for r in rows]
    s = [float(r[1]) for r in rows]  # few distinct values: many ties
    if len(set(y)) < 2:
        assert math.isnan(auc(y, s))
    else:
        assert auc(y, s) == pytest.approx(brute_force_auc(y, s))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 9)), min_size=1, max_size=60))
def test_calibration_table_counts_everything_and_ignores_row_order(
    rows: list[tuple[int, int]],
) -> None:
    y = np.array([r[0] for r in rows], dtype=float)
    p = np.array([r[1] / 10 for r in rows])
    table = calibration_table(y, p)
    assert table["n"].sum() == len(rows)
    assert table.select((pl.col("n") * pl.col("observed")).sum()).item() == pytest.approx(y.sum())
    order = np.random.default_rng(0).permutation(len(rows))
    assert table.equals(calibration_table(y[order], p[order]))
    assert (table["low"] <= table["observed"] + 1e-12).all()
    assert (table["observed"] <= table["high"] + 1e-12).all()


def test_diagnostics_summarise_and_warnings_are_catchable() -> None:
    d = Diagnostics(n=100, events=20, parameters=4, pseudo_r2=0.1, auc=0.7, warnings=("x",))
    assert d.events_per_parameter == 5
    assert d.table().filter(pl.col("metric") == "AUC")["value"][0] == 0.7
    assert "warning: x" in str(d)
    with pytest.warns(at.EstimateWarning, match="thin ice"):
        emit(["thin ice"])
    assert issubclass(at.EstimateWarning, UserWarning)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        emit([])
    assert caught == []
