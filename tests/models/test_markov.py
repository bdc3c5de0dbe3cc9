"""Markov: exact removal effects against a dense reference, ChannelAttribution's numbers."""

from __future__ import annotations

from unittest import mock

import numpy as np
import polars as pl
import pytest
from helpers import REAL_DATA, ROOT
from hypothesis import example, given, settings
from hypothesis import strategies as st

import attribution as at
from attribution.models import markov as markov_module
from attribution.models.markov import markov, solver

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
@given(rows=path_rows, order=st.integers(1, 4), iterative=st.booleans())
@example(rows=[(["a"], 1, 0, 2.2250738585e-313), (["b", "a"], 0, 1, 0.0)], order=1, iterative=True)
def test_removal_effects_equal_a_dense_solve(rows: list, order: int, iterative: bool) -> None:
    rows = [(p, c, n, v if c else 0.0) for p, c, n, v in rows]
    expected = dense_reference(rows, order)
    # iterative=True sends even these small chains through the sparse solver
    with mock.patch.object(solver, "DENSE_STATES", 0 if iterative else 500):
        got = markov(table(rows), order=order).table
    for ch, re, rev in got.select("channel", "removal_effect", "removal_effect_value").rows():
        assert re == pytest.approx(expected[ch][0], abs=1e-9)
        if sum(r[3] for r in rows) > 0:
            assert rev == pytest.approx(expected[ch][1], abs=1e-9)


@pytest.fixture(scope="module")
def ca_data() -> pl.DataFrame:
    return pl.read_csv(CA_DATA, separator=";")


@pytest.mark.parametrize("order", [1, 2, 3])
def test_agrees_with_channelattribution_within_its_simulation_noise(
    ca_data: pl.DataFrame, order: int
) -> None:
    """ChannelAttribution 2.2.5, 30 independent seeds (tests/results/README.md).

    Its estimate is a simulation; ours is exact. Ours must lie within 4 standard errors of
    the mean of its 30 runs (sd / sqrt(30)), and inside the range of its runs.
    """
    ref = pl.read_csv(CA_RESULTS).filter(pl.col("order") == order)
    ours = markov(ca_data, order=order).table
    joined = ref.join(ours, on="channel", how="full", coalesce=True)
    assert joined.height == 12 and joined.null_count().sum_horizontal().item() == 0
    for col in ("conversions", "value", "removal_effect", "removal_effect_value"):
        err = (joined[col] - joined[f"{col}_mean"]).abs()
        se = joined[f"{col}_std"] / joined["n_seeds"].sqrt()
        assert (err <= 4 * se + 1e-9).all(), joined.select("channel", col, f"{col}_mean", se)
        assert (joined[col] >= joined[f"{col}_min"] - 1e-9).all()
        assert (joined[col] <= joined[f"{col}_max"] + 1e-9).all()


def test_totals_base_probability_and_transition_matrix(ca_data: pl.DataFrame) -> None:
    r = markov(ca_data, order=1)
    assert r.table["conversions"].sum() == pytest.approx(ca_data["total_conversions"].sum())
    assert r.table["value"].sum() == pytest.approx(ca_data["total_conversion_value"].sum())
    # flow is conserved in every state, so P(conversion) is the observed rate
    rate = ca_data["total_conversions"].sum() / (
        ca_data["total_conversions"].sum() + ca_data["total_null"].sum()
    )
    assert r.conversion_probability == pytest.approx(rate)
    rows = r.transition_matrix.group_by("state_from").agg(pl.col("probability").sum())
    assert rows["probability"].to_list() == pytest.approx([1.0] * rows.height)
    assert set(rows["state_from"]) == {*r.table["channel"], "(start)"}
    assert not r.transition_matrix.filter(pl.col("state_from") == pl.col("state_to")).height


def test_path_table_forms_agree(ca_data: pl.DataFrame) -> None:
    ours = ca_data.rename(
        {
            "total_conversions": "conversions",
            "total_conversion_value": "value",
            "total_null": "nulls",
        }
    )
    as_list = ours.with_columns(pl.col("path").str.split(" > "))
    shuffled = as_list.sample(fraction=1.0, shuffle=True, seed=3)
    a = markov(ca_data, order=2).table
    for other in (ours, as_list, shuffled):
        b = markov(other, order=2).table
        assert b["channel"].to_list() == a["channel"].to_list()
        assert b["removal_effect"].to_list() == pytest.approx(
            a["removal_effect"].to_list(), abs=1e-12
        )


def test_paths_from_journeys_and_prospects(demo_small) -> None:
    from attribution.models.markov import prospect_paths

    j = at.journeys(demo_small)
    r = markov(at.paths(j), order=1)
    won = j.filter(pl.col("status") == "won", pl.col("n_touches") > 0).unique("opportunity_id")
    assert r.table["value"].sum() == pytest.approx(won["amount"].sum())
    prospects = prospect_paths(demo_small)
    assert prospects.height > 0 and prospects["nulls"].sum() == prospects.height
    with_prospects = markov(at.paths(j), extra_nulls=prospects)
    assert with_prospects.conversion_probability < r.conversion_probability
    assert with_prospects.table["conversions"].sum() == pytest.approx(r.table["conversions"].sum())


@pytest.mark.parametrize(
    ("frame", "error", "match"),
    [
        (pl.DataFrame({"conversions": [1]}), at.SchemaError, "missing column"),
        (pl.DataFrame({"path": [1], "conversions": [1]}), at.SchemaError, "list"),
        (pl.DataFrame({"path": ["a"], "conversions": [-1]}), at.DataError, "finite number >= 0"),
        (pl.DataFrame({"path": ["a >  > b"], "conversions": [1]}), at.DataError, "empty step"),
        (pl.DataFrame({"path": ["a", None], "conversions": [1, 2]}), at.DataError, "missing"),
        (
            pl.DataFrame({"path": ["a"], "conversions": [1], "total_conversions": [1]}),
            at.SchemaError,
            "both",
        ),
    ],
)
def test_bad_path_tables(frame: pl.DataFrame, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        markov(frame)


@pytest.mark.parametrize("order", [0, -1, 1.5, True])
def test_order_is_checked(order: object) -> None:
    with pytest.raises(at.ParameterError, match="order"):
        markov(pl.DataFrame({"path": ["a"], "conversions": [1]}), order=order)  # type: ignore[arg-type]


def test_sparse_solver_on_a_large_chain(ca_data: pl.DataFrame) -> None:
    """Order 4 on the example table has ~4,000 states: the sparse path against sparse LU."""
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla

    from attribution.models.pathtable import encode

    e = encode(ca_data)
    chain = markov_module.prepare(e, order=4)
    counts = markov_module.count(chain, e.conversions, e.nulls, e.value)
    assert chain.n_states > 3000
    out = np.asarray(counts.transitions.sum(axis=1)).ravel() + counts.conversion + counts.null
    q = sp.diags(1 / out) @ counts.transitions
    system = (sp.identity(chain.n_states, format="csc") - q).tocsc()
    rhs = np.column_stack([counts.conversion / out, counts.value / out])
    got = solver.solve_system(system, rhs)
    lu = spla.splu(system)
    expected = np.column_stack([lu.solve(rhs[:, 0]), lu.solve(rhs[:, 1])])
    assert np.abs(got - expected).max() < 1e-11


def test_journeys_are_accepted_in_place_of_a_path_table(demo_small) -> None:
    j = at.journeys(demo_small)
    for fit in (at.markov, at.shapley):
        a = fit(j).table
        b = fit(at.paths(j)).table
        assert a.equals(b)
        assert fit(j.lazy()).table.equals(a)


def test_results_share_one_vocabulary(ca_data: pl.DataFrame) -> None:
    """Every result has a table, a note saying what it means, and a readable repr."""
    r = markov(ca_data)
    assert r.channels is r.table  # the name earlier versions used still works
    assert r.to_frame() is r.table and "not what a channel causes" in r.note
    assert repr(r).startswith("MarkovResult: ") and "<table" in r._repr_html_()
    s = at.shapley(ca_data)
    assert s.to_frame() is s.table and repr(s).startswith("ShapleyResult: ")


@settings(max_examples=40, deadline=None)
@given(rows=path_rows, order=st.integers(1, 3))
def test_the_wide_transition_matrix_is_the_long_one_laid_out(rows: list, order: int) -> None:
    result = markov(table(rows), order=order)
    wide = result.wide_transition_matrix()
    long = result.transition_matrix
    assert wide["state_from"][0] == "(start)" and wide.columns[-2:] == ["(conversion)", "(null)"]
    assert wide.height == result.n_states + 1 and wide.width == result.n_states + 3
    sums = wide.select(pl.sum_horizontal(pl.exclude("state_from"))).to_series()
    assert sums.to_list() == pytest.approx([1.0] * wide.height)  # every row is a distribution
    back = wide.unpivot(index="state_from", variable_name="state_to", value_name="probability")
    back = back.filter(pl.col("probability") > 0)
    key = ["state_from", "state_to"]
    assert back.sort(key).equals(long.sort(key).select(back.columns))


def test_no_long_matrix_no_wide_one(ca_data: pl.DataFrame) -> None:
    assert markov(ca_data, transition_matrix=False).wide_transition_matrix().is_empty()
