"""Markov: exact removal effects against a dense reference, ChannelAttribution's numbers."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from helpers import REAL_DATA, ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from attribution.models.markov import markov

CA_DATA = REAL_DATA / "channelattribution_pathdata" / "Data.csv"
CA_RESULTS = ROOT / "tests" / "results" / "channelattribution_markov.csv"


def dense_reference(
    rows: list[tuple[list[str], float, float, float]], order: int
) -> dict[str, tuple[float, float]]:
    """Removal effects (conversion, value) by plain Python + a dense numpy solve.

    Written from the definition, independently of the package: states are the runs of
    `order` channels (a shorter path is one state), consecutive repeats merged; each
    removal solves the absorbing chain on the states that do not hold the channel.
    """

    def states(path: list[str]) -> list[tuple[str, ...]]:
        if len(path) < order:
            seq = [tuple(path)]
        else:
            seq = [tuple(path[i : i + order]) for i in range(len(path) - order + 1)]
        return [s for i, s in enumerate(seq) if i == 0 or s != seq[i - 1]]

    seqs = [(states(p), c, n, v) for p, c, n, v in rows if p]
    names = sorted({s for seq, *_ in seqs for s in seq})
    index = {s: i for i, s in enumerate(names)}
    k = len(names)
    counts = np.zeros((k + 1, k + 2))  # rows: states + start; cols: states + conv + null
    value_end = np.zeros(k)
    for seq, c, n, v in seqs:
        prev = k  # start
        for s in seq:
            counts[prev, index[s]] += c + n
            prev = index[s]
        counts[prev, k] += c
        counts[prev, k + 1] += n
        value_end[prev] += v
    out = counts[:k].sum(axis=1)
    q = counts[:k, :k] / out[:, None]
    conv = counts[:k, k] / out
    reward = value_end / out
    start = counts[k, :k] / counts[k].sum()

    def absorb(keep: np.ndarray) -> np.ndarray:
        idx = np.flatnonzero(keep)
        system = np.eye(len(idx)) - q[np.ix_(idx, idx)]
        rhs = np.column_stack([conv[idx], reward[idx]])
        return start[idx] @ np.linalg.solve(system, rhs)

    base = absorb(np.ones(k, dtype=bool))
    channels = sorted({ch for s in names for ch in s})
    result = {}
    for ch in channels:
        keep = np.array([ch not in s for s in names])
        removed = absorb(keep) if keep.any() else np.zeros(2)
        result[ch] = tuple(1 - r / b if b > 0 else 0.0 for r, b in zip(removed, base, strict=True))
    return result


path_rows = st.lists(
    st.tuples(
        st.lists(st.sampled_from("abcd"), min_size=1, max_size=6),
        st.integers(0, 5),
        st.integers(0, 5),
        st.floats(0, 100),
    ).filter(lambda r: r[1] + r[2] > 0),
    min_size=1,
    max_size=12,
).filter(lambda rows: sum(r[1] for r in rows) > 0)


def table(rows: list[tuple[list[str], float, float, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "path": [r[0] for r in rows],
            "conversions": [r[1] for r in rows],
            "nulls": [r[2] for r in rows],
            "value": [r[3] if r[1] else 0.0 for r in rows],
        }
    )


@settings(max_examples=60, deadline=None)
@given(rows=path_rows, order=st.integers(1, 4))
def test_removal_effects_equal_a_dense_solve(rows: list, order: int) -> None:
    rows = [(p, c, n, v if c else 0.0) for p, c, n, v in rows]
    expected = dense_reference(rows, order)
    got = markov(table(rows), order=order).channels
    for ch, re, rev in got.select("channel", "removal_effect", "removal_effect_value").rows():
        assert re == pytest.approx(expected[ch][0], abs=1e-9)
        if sum(r[3] for r in rows) > 0:
            assert rev == pytest.approx(expected[ch][1], abs=1e-9)
