"""The incremental model on Spark: exposure summed by Spark, the same credits as the core."""

from __future__ import annotations

import polars as pl
import pytest
from conftest import SparkDemo
from polars.testing import assert_frame_equal

import attribution as at
from attribution.errors import ParameterError
from attribution.spark import incremental as spark_incremental

ORDER = ["opportunity_id", "position", "channel", "touch_id"]


def _local(frame: object) -> pl.DataFrame:
    out = pl.from_arrow(frame.toArrow())  # type: ignore[attr-defined]
    assert isinstance(out, pl.DataFrame)
    return out.sort(ORDER)


def _segments(demo: SparkDemo) -> pl.DataFrame:
    return demo.dataset.collect().accounts.select("account_id", "segment")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "options",
    [{}, {"team": "marketing", "exposure": "presence"}, {"exposure": "log", "penalty": 10.0}],
)
def test_credits_equal_the_polars_engine(spark_demo: SparkDemo, options: dict) -> None:
    got = _local(at.attribute(spark_demo.spark_journeys, "incremental", engine="spark", **options))
    want = at.attribute(spark_demo.journeys, "incremental", **options).sort(ORDER)
    assert_frame_equal(got, want, check_exact=False, rel_tol=1e-9, abs_tol=1e-12)
    per_deal = got.group_by("opportunity_id").agg(pl.col("credit").sum())["credit"]
    assert per_deal.to_numpy() == pytest.approx(1.0), "every won deal's amount is conserved"


def test_controls_from_spark_or_polars_and_the_channel_table(
    spark: object, spark_demo: SparkDemo
) -> None:
    segments = _segments(spark_demo)
    on_spark = spark.createDataFrame(segments.to_arrow())  # type: ignore[attr-defined]
    got = spark_incremental(spark_demo.spark_journeys, controls=on_spark)
    want = at.incremental(spark_demo.journeys, controls=segments)
    assert_frame_equal(got.table, want.table, check_exact=False, rel_tol=1e-9, abs_tol=1e-12)
    assert got.baseline_share == pytest.approx(want.baseline_share, rel=1e-9)
    credits = _local(
        at.attribute(spark_demo.spark_journeys, "incremental", engine="spark", controls=segments)
    )
    expected = at.attribute(spark_demo.journeys, "incremental", controls=segments).sort(ORDER)
    assert_frame_equal(credits, expected, check_exact=False, rel_tol=1e-9, abs_tol=1e-12)


def test_compare_with_the_incremental_model(spark_demo: SparkDemo) -> None:
    models = ["linear", "markov", "incremental"]
    got = at.compare(spark_demo.spark_journeys, models, by="team", engine="spark")  # type: ignore[arg-type]
    want = at.compare(spark_demo.journeys, models, by="team")  # type: ignore[arg-type]
    assert_frame_equal(got.table, want.table, check_exact=False, rel_tol=1e-9)


def test_a_dataset_as_controls_is_refused_with_what_to_pass(spark_demo: SparkDemo) -> None:
    with pytest.raises(ParameterError, match="frame keyed by opportunity_id or account_id"):
        spark_incremental(spark_demo.spark_journeys, controls=spark_demo.dataset)
