"""How far models agree: rank correlations against scipy, spreads, top groups, time, specs."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import kendalltau, spearmanr

import attribution as at
from attribution.models.compare import Comparison


@pytest.fixture(scope="module")
def j(demo_small: at.Dataset) -> pl.DataFrame:
    return at.journeys(demo_small)


@pytest.fixture(scope="module")
def by_channel(j: pl.DataFrame) -> Comparison:
    return at.compare(j, ["first_touch", "last_touch", "linear", "markov", "shapley"], level=0.9,
                      draws=20)  # fmt: skip


def _wide(rows: dict[str, list[float]], groups: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"channel": groups, **rows})


def test_agreement_matches_scipy_on_every_pair(by_channel: Comparison) -> None:
    a = at.agreement(by_channel)
    models = by_channel.table.columns[1:]
    assert a.height == len(models) ** 2
    ranked = by_channel.table.filter(pl.col("channel") != "(no touch)")
    assert (a["groups"] == ranked.height).all()
    for row in a.iter_rows(named=True):
        x, y = ranked[row["model_a"]].to_numpy(), ranked[row["model_b"]].to_numpy()
        assert row["spearman"] == pytest.approx(spearmanr(x, y).statistic, abs=1e-12)
        assert row["kendall"] == pytest.approx(kendalltau(x, y).statistic, abs=1e-12)


def test_agreement_is_symmetric_with_ones_on_the_diagonal(by_channel: Comparison) -> None:
    a = at.agreement(by_channel)
    swapped = a.select(
        pl.col("model_b").alias("model_a"), pl.col("model_a").alias("model_b"), "spearman"
    )
    joined = a.join(swapped, on=["model_a", "model_b"], suffix="_t")
    assert joined["spearman"].to_list() == pytest.approx(joined["spearman_t"].to_list())
    diagonal = a.filter(pl.col("model_a") == pl.col("model_b"))
    assert diagonal["spearman"].to_list() == [1.0] * diagonal.height
    assert diagonal["kendall"].to_list() == [1.0] * diagonal.height


def test_the_no_touch_group_is_left_out_of_rankings() -> None:
    # identical rankings of the channels; a huge (no touch) row must not change anything
    t = _wide(
        {"m1": [3.0, 2.0, 1.0, 100.0], "m2": [1.0, 2.0, 3.0, 100.0]},
        ["a", "b", "c", "(no touch)"],
    )
    a = at.agreement(t).filter((pl.col("model_a") == "m1") & (pl.col("model_b") == "m2"))
    assert a["spearman"][0] == pytest.approx(-1.0) and a["groups"][0] == 3


def test_too_few_groups_or_a_constant_model_give_empty_correlations() -> None:
    two = at.agreement(_wide({"m1": [1.0, 2.0], "m2": [2.0, 1.0]}, ["a", "b"]))
    assert two["spearman"].null_count() == 4
    flat = at.agreement(_wide({"m1": [1.0, 2.0, 3.0], "m2": [5.0, 5.0, 5.0]}, ["a", "b", "c"]))
    m2 = flat.filter((pl.col("model_a") == "m2") | (pl.col("model_b") == "m2"))
    assert m2["spearman"].null_count() == m2.height and m2["kendall"].null_count() == m2.height
    m1 = flat.filter((pl.col("model_a") == "m1") & (pl.col("model_b") == "m1"))
    assert m1["spearman"][0] == 1.0


@settings(max_examples=30, deadline=None)
@given(
    values=st.lists(
        st.tuples(st.integers(0, 50), st.integers(0, 50), st.integers(0, 10**6)),
        min_size=3,
        max_size=12,
    ),
    seed=st.integers(0, 1000),
)
def test_agreement_ignores_row_order_and_monotone_rescaling(
    values: list[tuple[int, int, int]], seed: int
) -> None:
    t = (
        pl.DataFrame(values, schema=["m1", "m2", "m3"], orient="row")
        .with_columns(pl.Series("channel", [f"c{i}" for i in range(len(values))]))
        .select("channel", "m1", "m2", "m3")
    )
    shuffled = t.sample(fraction=1.0, shuffle=True, seed=seed)
    rescaled = t.with_columns(pl.col("m1") * 3 + 7)  # monotone: ranks unchanged
    base = at.agreement(t)
    for other in (shuffled, rescaled):
        got = at.agreement(other)
        assert got.select("model_a", "model_b").equals(base.select("model_a", "model_b"))
        for column in ("spearman", "kendall"):
            a, b = base[column].to_numpy(), got[column].to_numpy()
            assert np.allclose(a, b, equal_nan=True, atol=1e-9)
    finite = base["spearman"].drop_nulls()
    assert ((finite >= -1 - 1e-12) & (finite <= 1 + 1e-12)).all()


def test_disagreement_by_hand() -> None:
    t = _wide(
        {
            "first_touch": [60.0, 30.0, 10.0, 100.0],
            "last_touch": [10.0, 30.0, 60.0, 100.0],
            "markov": [50.0, 30.0, 20.0, 100.0],
        },
        ["email", "demo", "call", "(no touch)"],
    )
    d = at.disagreement(t)
    assert d["channel"].to_list() == ["email", "call", "demo"]
    email = d.row(0, named=True)
    assert email["min_share"] == pytest.approx(10 / 200) and email["min_model"] == "last_touch"
    assert email["max_share"] == pytest.approx(60 / 200) and email["max_model"] == "first_touch"
    assert email["spread"] == pytest.approx(50 / 200)
    assert email["mean_share"] == pytest.approx((60 + 10 + 50) / 600)
    assert email["ranked_first"] == 2 and email["models"] == 3
    assert d.filter(pl.col("channel") == "call")["ranked_first"][0] == 1
    assert d.filter(pl.col("channel") == "demo")["spread"][0] == pytest.approx(0.0)


def test_disagreement_on_a_comparison(by_channel: Comparison) -> None:
    d = at.disagreement(by_channel)
    assert "(no touch)" not in d["channel"].to_list()
    assert (d["min_share"] <= d["mean_share"]).all() and (d["mean_share"] <= d["max_share"]).all()
    assert d["spread"].is_sorted(descending=True)
    assert d["ranked_first"].sum() >= len(by_channel.table.columns) - 1


def test_top_groups_keeps_the_largest_groups_and_their_intervals(j: pl.DataFrame) -> None:
    full = at.compare(j, ["linear", "first_touch"], by="campaign", level=0.9, draws=20)
    top = at.top_groups(full, n=4)
    means = (
        full.table.filter(~pl.col("campaign").is_in(["(no touch)", "(none)"]))
        .with_columns(((pl.col("linear") + pl.col("first_touch")) / 2).alias("m"))
        .sort("m", "campaign", descending=[True, False])
    )
    assert set(top.table["campaign"]) == set(means["campaign"].head(4))
    assert top.intervals is not None and top.intervals.height == 8
    assert top.level == full.level and top.draws == full.draws
    with pytest.raises(at.ParameterError, match="n must be"):
        at.top_groups(full, n=0)


def test_a_table_that_is_not_a_comparison_is_refused() -> None:
    with pytest.raises(at.ParameterError, match="Comparison"):
        at.agreement(pl.DataFrame({"channel": ["a"]}))
    with pytest.raises(at.ParameterError, match="numbers"):
        at.disagreement(pl.DataFrame({"channel": ["a"], "m": ["x"]}))


def test_credit_over_time_reconciles_with_compare(j: pl.DataFrame) -> None:
    models = {"linear": {}, "markov_2": {"model": "markov", "order": 2}}
    over = at.credit_over_time(j, models, by="channel", every="quarter")
    assert over.columns == ["model", "period", "channel", "revenue"]
    assert over["model"].unique(maintain_order=True).to_list() == ["linear", "markov_2"]
    assert (over["period"].dt.day() == 1).all() and (over["period"].dt.month() % 3 == 1).all()
    table = at.compare(j, models).table
    per_channel = over.group_by("model", "channel").agg(pl.col("revenue").sum())
    for label in models:
        got = dict(per_channel.filter(pl.col("model") == label).select("channel", "revenue").rows())
        want = dict(table.select("channel", label).rows())
        assert got.keys() == {k for k, v in want.items() if v > 0}
        for channel, revenue in got.items():
            assert revenue == pytest.approx(want[channel])
    by_team = at.credit_over_time(j, ["first_touch"], every="week")
    assert set(by_team["team"]) <= {"marketing", "sales", "(no touch)"}
    with pytest.raises(at.ParameterError, match="every"):
        at.credit_over_time(j, ["linear"], every="day")  # type: ignore[arg-type]
    with pytest.raises(at.ParameterError, match="by must"):
        at.credit_over_time(j, ["linear"], by="rep")  # type: ignore[arg-type]


def test_model_specs_from_report_parameters() -> None:
    specs = at.model_specs(
        ["custom", "markov", "time_decay"],
        markov_order=3,
        half_life_days=2.5,
        custom_weights={"first": 1.0, "close": 1.0},
    )
    assert specs == {
        "custom": {"weights": {"first": 1.0, "close": 1.0}},
        "markov": {"order": 3},
        "time_decay": {"half_life_days": 2.5},
    }
    with pytest.raises(at.ParameterError, match="unknown attribution model 'linaer'"):
        at.model_specs(["linaer"])
    with pytest.raises(at.ParameterError, match="more than once"):
        at.model_specs(["linear", "linear"])
    with pytest.raises(at.ParameterError, match="at least one"):
        at.model_specs([])
