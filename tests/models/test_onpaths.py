"""Models on path tables: the one-pass rule evaluation and compare_paths."""

from __future__ import annotations

import polars as pl
import pytest
from helpers import REAL_DATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import attribution as at
from attribution.models import onpaths

RULES = {
    "first_touch": {},
    "last_touch": {},
    "linear": {},
    "time_decay": {"half_life_days": 2.0},
    "u_shaped": {},
    "w_shaped": {},
    "full_path": {},
    "j_shaped": {},
    "inverse_j": {},
    "custom": {"weights": {"first": 1.0, "lead_creation": 3.0, "close": 0.5, "rest": 2.0}},
}


@pytest.fixture(scope="module")
def ca_data() -> pl.DataFrame:
    return pl.read_csv(REAL_DATA / "channelattribution_pathdata" / "Data.csv", separator=";")


def by_journeys(table: pl.DataFrame, model: str, options: dict) -> pl.DataFrame:
    """The definition: every converting row is a won deal, run through attribute()."""
    journeys = onpaths.journeys_from_paths(table)
    credits = at.attribute(journeys, model, **options)
    per_deal = journeys.group_by("opportunity_id").agg(
        pl.col("amount").first().alias("_conv"), pl.col("_value").first()
    )
    return (
        credits.join(per_deal, on="opportunity_id")
        .group_by("channel")
        .agg(
            (pl.col("credit") * pl.col("_conv")).sum().alias("conversions"),
            (pl.col("credit") * pl.col("_value")).sum().alias("value"),
        )
        .sort("channel")
    )


@st.composite
def path_tables(draw: st.DrawFn) -> pl.DataFrame:
    n = draw(st.integers(1, 25))
    channels = st.sampled_from(["a", "b", "c", "d"])
    rows = [
        (
            draw(st.lists(channels, min_size=1, max_size=7)),
            draw(st.integers(0, 3)),
            draw(st.floats(0, 100, allow_nan=False)),
            draw(st.integers(0, 3)),
        )
        for _ in range(n)
    ]
    if draw(st.booleans()):  # repeated rows: the table is merged before it is encoded
        rows = rows * 2
    return pl.DataFrame(rows, orient="row", schema=["path", "conversions", "value", "nulls"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=path_tables(), model=st.sampled_from(sorted(RULES)))
def test_rules_on_paths_equal_the_journeys_definition(table: pl.DataFrame, model: str) -> None:
    got = at.models.attribute_paths(table, model, **RULES[model])
    expected = by_journeys(table, model, RULES[model])
    assert got["channel"].to_list() == expected["channel"].to_list()
    for column in ("conversions", "value"):
        assert got[column].to_list() == pytest.approx(expected[column].to_list(), rel=1e-12)


def test_compare_paths_sets_every_model_side_by_side(ca_data: pl.DataFrame) -> None:
    models = {**RULES, "markov": {}, "markov_3": {"model": "markov", "order": 3}, "shapley": {}}
    for measure in ("conversions", "value"):
        table = at.models.compare_paths(ca_data, models, measure=measure)
        assert table.columns == ["channel", *models]
        first = table["first_touch"].to_list()
        assert first == sorted(first, reverse=True)
        for label, options in models.items():
            name = options.get("model", label)
            own = {k: v for k, v in options.items() if k != "model"}
            alone = at.models.attribute_paths(ca_data, name, **own)
            joined = table.select("channel", label).join(alone, on="channel")
            assert joined.height == 12
            assert joined[label].to_list() == pytest.approx(joined[measure].to_list(), rel=1e-12)


def test_value_without_conversions_is_not_credited_by_rules() -> None:
    table = pl.DataFrame(
        {"path": ["a > b", "a > b", "b"], "conversions": [1, 0, 0], "value": [10.0, 5.0, 7.0]}
    )
    got = at.models.compare_paths(table, ["linear"], measure="value")
    assert dict(got.rows()) == {"a": 5.0, "b": 5.0}


@pytest.mark.parametrize(
    ("models", "kwargs", "match"),
    [
        (["linear", "markow"], {}, "unknown attribution model"),
        (["custom"], {}, "needs weights"),
        ({"m": {"model": "markov", "include_open": True}}, {}, "include_open"),
        (["linear"], {"measure": "revenue"}, "measure must be"),
    ],
)
def test_compare_paths_checks_its_arguments(
    ca_data: pl.DataFrame, models: object, kwargs: dict, match: str
) -> None:
    with pytest.raises(at.ParameterError, match=match):
        at.models.compare_paths(ca_data, models, **kwargs)  # type: ignore[arg-type]
