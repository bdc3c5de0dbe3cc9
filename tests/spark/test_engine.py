"""The Spark engine gives the polars engine's numbers (local[2] Spark on demo data)."""

from __future__ import annotations

import subprocess
import sys

import polars as pl
import pytest
from conftest import SparkDemo
from polars.testing import assert_frame_equal

import attribution as at
from attribution.errors import AttributionError, ParameterError, SchemaError
from attribution.journey.columns import JOURNEY_COLUMNS

FITTED = ("markov", "shapley", "incremental")


def _local(frame: object) -> pl.DataFrame:
    out = pl.from_arrow(frame.toArrow())  # type: ignore[attr-defined]
    assert isinstance(out, pl.DataFrame)
    return out


def test_journeys_equal_the_polars_engine(spark_demo: SparkDemo) -> None:
    got = _local(spark_demo.spark_journeys).sort("opportunity_id", "position")
    assert got.columns == list(JOURNEY_COLUMNS)
    assert_frame_equal(got, spark_demo.journeys, check_exact=True)


def test_journeys_from_a_mapping_of_table_names_and_an_as_of(
    spark: object, spark_demo: SparkDemo
) -> None:
    from datetime import datetime

    for name, frame in spark_demo.tables.tables().items():  # type: ignore[attr-defined]
        frame.createOrReplaceTempView(f"demo_{name}")
    moment = datetime(2025, 6, 1)
    tables = {n: f"demo_{n}" for n in ("touches", "opportunities")}  # no contacts table
    got = _local(at.journeys(tables, as_of=moment, engine="spark")).sort(
        "opportunity_id", "position"
    )
    ds = at.Dataset(spark_demo.dataset.touches, spark_demo.dataset.opportunities)
    assert_frame_equal(got, at.journeys(ds, as_of=moment), check_exact=True)


@pytest.mark.parametrize("model", list(at.MODELS))
def test_credits_of_every_model_equal_the_polars_engine(spark_demo: SparkDemo, model: str) -> None:
    options = {"weights": {"first": 0.5, "close": 0.3, "rest": 0.2}} if model == "custom" else {}
    got = _local(at.attribute(spark_demo.spark_journeys, model, engine="spark", **options))
    want = at.attribute(spark_demo.journeys, model, **options)
    got = got.sort("opportunity_id", "position")
    if model in FITTED:
        assert_frame_equal(got, want, check_exact=False, rel_tol=1e-9, abs_tol=1e-12)
    else:
        assert_frame_equal(got, want, check_exact=True)


@pytest.mark.parametrize(
    ("model", "options"),
    [("markov", {"order": 3}), ("shapley", {"value": "conversions"}), ("time_decay", {})],
)
def test_credits_of_one_team_with_options(spark_demo: SparkDemo, model: str, options: dict) -> None:
    got = _local(
        at.attribute(spark_demo.spark_journeys, model, team="sales", engine="spark", **options)
    ).sort("opportunity_id", "position")
    want = at.attribute(spark_demo.journeys, model, team="sales", **options)
    assert_frame_equal(got, want, check_exact=False, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("team", [None, "marketing"])
def test_paths_equal(spark_demo: SparkDemo, team: str | None) -> None:
    got = at.paths(spark_demo.spark_journeys, team=team, include_open=True, engine="spark")
    want = at.paths(spark_demo.journeys, team=team, include_open=True)
    assert_frame_equal(got.drop("value"), want.drop("value"), check_exact=True)
    assert_frame_equal(got, want, check_exact=False, rel_tol=1e-12)


@pytest.mark.parametrize("order", [1, 3])
def test_markov_results_equal(spark_demo: SparkDemo, order: int) -> None:
    got = at.markov(spark_demo.spark_journeys, order=order, engine="spark")
    want = at.markov(spark_demo.journeys, order=order)
    assert got.n_states == want.n_states
    assert got.conversion_probability == pytest.approx(want.conversion_probability, rel=1e-9)
    assert_frame_equal(got.table, want.table, check_exact=False, rel_tol=1e-9)
    assert_frame_equal(
        got.transition_matrix, want.transition_matrix, check_exact=False, rel_tol=1e-9
    )


@pytest.mark.parametrize("value", ["conversion_rate", "conversions"])
def test_shapley_results_equal(spark_demo: SparkDemo, value: str) -> None:
    got = at.shapley(spark_demo.spark_journeys, value=value, ordered=True, engine="spark")  # type: ignore[arg-type]
    want = at.shapley(spark_demo.journeys, value=value, ordered=True)  # type: ignore[arg-type]
    assert_frame_equal(got.table, want.table, check_exact=False, rel_tol=1e-9)
    assert_frame_equal(got.coalitions, want.coalitions, check_exact=False, rel_tol=1e-9)
    assert got.positions is not None and want.positions is not None
    assert_frame_equal(got.positions, want.positions, check_exact=False, rel_tol=1e-9)


@pytest.mark.parametrize("by", ["channel", "team", "campaign"])
def test_compare_tables_equal(spark_demo: SparkDemo, by: str) -> None:
    models = {
        **{m: {} for m in at.models.compare.DEFAULT_MODELS},
        "markov_3": {"model": "markov", "order": 3},
    }
    got = at.compare(spark_demo.spark_journeys, models, by=by, engine="spark")  # type: ignore[arg-type]
    want = at.compare(spark_demo.journeys, models, by=by)  # type: ignore[arg-type]
    assert got.intervals is None
    assert_frame_equal(got.table, want.table, check_exact=False, rel_tol=1e-9)


def test_a_missing_column_on_a_spark_table_is_named(spark: object, spark_demo: SparkDemo) -> None:
    from attribution.spark import load_tables

    touches = spark_demo.tables.touches.drop("channel")  # type: ignore[attr-defined]
    with pytest.raises(SchemaError, match=r"touches\.channel: required column\(s\) missing"):
        load_tables({"touches": touches, "opportunities": spark_demo.tables.opportunities})  # type: ignore[attr-defined]


def test_bad_team_values_are_counted_with_examples(spark: object, spark_demo: SparkDemo) -> None:
    from pyspark.sql import functions as sf

    from attribution.errors import DataError
    from attribution.spark import load_tables

    touches = spark_demo.tables.touches.withColumn(  # type: ignore[attr-defined]
        "team", sf.when(sf.col("channel") == "webinar", sf.lit("mktg")).otherwise(sf.col("team"))
    )
    n = touches.filter(sf.col("team") == "mktg").count()
    with pytest.raises(
        DataError, match=rf"touches\.team: must be one of marketing, sales \({n:,} rows\)"
    ) as err:
        load_tables({"touches": touches, "opportunities": spark_demo.tables.opportunities})  # type: ignore[attr-defined]
    assert "e.g. " in str(err.value) and "'mktg'" in str(err.value)


def test_unknown_engine_and_spark_only_limits(spark_demo: SparkDemo) -> None:
    with pytest.raises(ParameterError, match="unknown engine 'sprak'; did you mean 'spark'"):
        at.journeys(spark_demo.dataset, engine="sprak")  # type: ignore[call-overload]
    with pytest.raises(ParameterError, match=r"level .* not available with engine='spark'"):
        at.compare(spark_demo.spark_journeys, ["linear"], level=0.9, engine="spark")
    with pytest.raises(ParameterError, match="give a Spark DataFrame or a table name"):
        at.attribute(spark_demo.journeys, "linear", engine="spark")


def test_import_without_pyspark_works_and_the_engine_names_the_extra() -> None:
    code = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "pyspark" or name.startswith("pyspark."):
            raise ImportError("blocked for the test")
sys.meta_path.insert(0, Block())
import attribution as at
assert "pyspark" not in sys.modules
import attribution.spark  # the subpackage imports pyspark only when used
ds = at.demo.generate(n_accounts=30, seed=0)
try:
    at.journeys(ds, engine="spark")
except at.AttributionError as exc:
    print(exc)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'attribution[spark]'" in out.stdout
    assert issubclass(AttributionError, Exception)
