"""Shapley: the closed form against brute-force enumeration of orderings, and the axioms."""

from __future__ import annotations

import itertools
import math

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import attribution as at

rows = st.lists(
    st.tuples(
        st.lists(st.sampled_from("abcdef"), min_size=1, max_size=5),
        st.integers(0, 6),
        st.integers(0, 6),
    ).filter(lambda r: r[1] + r[2] > 0),
    min_size=1,
    max_size=10,
).filter(lambda rs: sum(r[1] for r in rs) > 0)


def table(rs: list) -> pl.DataFrame:
    return pl.DataFrame(
        {"path": [r[0] for r in rs], "conversions": [r[1] for r in rs], "nulls": [r[2] for r in rs]}
    )


def worth_function(rs: list, value: str):
    """worth(S) straight from the definition: sum over journeys whose channels lie in S."""
    groups: dict[frozenset, list[int]] = {}
    for path, conv, null in rs:
        g = groups.setdefault(frozenset(path), [0, 0])
        g[0] += conv
        g[1] += null

    def worth(s: frozenset) -> float:
        total = 0.0
        for coalition, (conv, null) in groups.items():
            if coalition <= s:
                total += conv if value == "conversions" else conv / (conv + null)
        return total

    return worth


def brute_force(players: list[str], worth) -> dict[str, float]:
    """Average marginal contribution over every ordering of the players."""
    phi = dict.fromkeys(players, 0.0)
    orders = list(itertools.permutations(players))
    for order in orders:
        seen: frozenset = frozenset()
        for p in order:
            phi[p] += worth(seen | {p}) - worth(seen)
            seen = seen | {p}
    return {p: v / len(orders) for p, v in phi.items()}


@settings(max_examples=40, deadline=None)
@given(rs=rows, value=st.sampled_from(["conversion_rate", "conversions"]))
def test_closed_form_equals_enumeration_of_orderings(rs: list, value: str) -> None:
    result = at.shapley(table(rs), value=value)
    players = result.table["channel"].to_list()
    expected = brute_force(players, worth_function(rs, value))
    got = dict(result.table.select("channel", "shapley_value").rows())
    for p in players:
        assert got[p] == pytest.approx(expected[p], abs=1e-9)
    # efficiency: the values add up to the worth of the grand coalition
    assert sum(got.values()) == pytest.approx(worth_function(rs, value)(frozenset(players)))
    conversions = result.table["conversions"].sum()
    assert conversions == pytest.approx(sum(r[1] for r in rs))


def test_symmetry_and_null_player() -> None:
    t = pl.DataFrame(
        {
            "path": [["a", "b"], ["b", "a"], ["a"], ["b"], ["c", "a", "b"], ["c"]],
            "conversions": [3, 1, 2, 2, 0, 0],
            "nulls": [1, 3, 2, 2, 5, 4],
        }
    )
    for value in ("conversion_rate", "conversions"):
        phi = dict(at.shapley(t, value=value).table.select("channel", "shapley_value").rows())
        assert phi["a"] == pytest.approx(phi["b"])  # a and b are interchangeable
        assert phi["c"] == 0.0  # c never adds worth to any coalition


def test_value_attribution_and_hand_example() -> None:
    t = pl.DataFrame(
        {
            "path": ["a > b", "a", "b > b"],
            "total_conversions": [2, 1, 0],
            "total_conversion_value": [30.0, 6.0, 0.0],
            "total_null": [2, 1, 4],
        }
    )
    r = at.shapley(t, value="conversions")
    # {a,b}: 2 conversions split 1/1, value 15/15; {a}: 1 conversion, value 6
    assert r.table.select("channel", "conversions", "value").rows() == [
        ("a", 2.0, 21.0),
        ("b", 1.0, 15.0),
    ]
    rate = at.shapley(t)  # rates: {a,b} 0.5 -> 0.25 each, {a} 0.5, {b} 0
    assert rate.table["shapley_value"].to_list() == pytest.approx([0.75, 0.25])
    assert rate.coalitions["coalition"].to_list() == [["a", "b"], ["a"], ["b"]]


def test_many_channels_are_exact_and_fast() -> None:
    # 40 channels: 2^40 coalitions would be hopeless; the closed form is exact
    names = [f"ch{i:02d}" for i in range(40)]
    paths = [names[i : i + 3] for i in range(38)]
    t = pl.DataFrame({"path": paths, "conversions": [1] * 38, "nulls": [1] * 38})
    r = at.shapley(t, value="conversions")
    expected = {n: 0.0 for n in names}
    for p in paths:
        for n in p:
            expected[n] += 1 / 3
    got = dict(r.table.select("channel", "shapley_value").rows())
    assert got == pytest.approx(expected)
    assert math.isclose(sum(got.values()), 38)


def test_bad_value_function() -> None:
    with pytest.raises(at.ParameterError, match="value must be one of"):
        at.shapley(pl.DataFrame({"path": ["a"], "conversions": [1]}), value="revenue")


def positions_by_hand(rs: list, value: str) -> dict[tuple[str, int], float]:
    """Each coalition's dividend: equal parts per channel, then per journey by conversions,
    at the rank where the channel first appears among the journey's distinct channels."""
    groups: dict[frozenset, list[int]] = {}
    for path, conv, null in rs:
        g = groups.setdefault(frozenset(path), [0, 0])
        g[0] += conv
        g[1] += null
    out: dict[tuple[str, int], float] = {}
    for path, conv, _ in rs:
        coalition = frozenset(path)
        c, n = groups[coalition]
        if not conv or not c:
            continue
        dividend = c if value == "conversions" else c / (c + n)
        distinct = list(dict.fromkeys(path))
        for rank, channel in enumerate(distinct, 1):
            share = dividend / len(coalition) * conv / c
            out[(channel, rank)] = out.get((channel, rank), 0.0) + share
    return out


@settings(max_examples=40, deadline=None)
@given(rs=rows, value=st.sampled_from(["conversion_rate", "conversions"]))
def test_ordered_variant_breaks_values_down_by_position(rs: list, value: str) -> None:
    result = at.shapley(table(rs), value=value, ordered=True)
    assert result.positions is not None
    got = {(ch, pos): v for ch, pos, v in result.positions.select(
        "channel", "position", "shapley_value").rows()}  # fmt: skip
    expected = positions_by_hand(rs, value)
    assert got.keys() == {k for k, v in expected.items() if v > 0}
    for k, v in got.items():
        assert v == pytest.approx(expected[k], abs=1e-12)
    per_channel = result.positions.group_by("channel").agg(pl.col("shapley_value").sum())
    phi = dict(result.table.select("channel", "shapley_value").rows())
    for ch, total in per_channel.rows():
        assert total == pytest.approx(phi[ch])
    assert result.positions["conversions"].sum() == pytest.approx(sum(r[1] for r in rs))
