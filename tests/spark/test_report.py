"""The params switch: Spark tables in, credits Parquet (by closing month) out."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from conftest import SparkDemo
from polars.testing import assert_frame_equal

import attribution as at
from attribution.report.params import parse_params


def test_spark_source_writes_credits_by_month_and_a_checked_dataset(
    spark: object, spark_demo: SparkDemo, tmp_path: Path
) -> None:
    from attribution.report.runner import _load_spark

    for name, frame in spark_demo.tables.tables().items():  # type: ignore[attr-defined]
        frame.createOrReplaceTempView(f"report_{name}")
    out = tmp_path / "credits"
    out.mkdir()
    (out / "_SUCCESS").write_text("")  # Spark's mark: an older run's output...
    (out / "old.txt").write_text("an older run's output is replaced whole")  # ...replaced whole
    params = parse_params(
        {
            "source": {
                "spark": {
                    "tables": {n: f"report_{n}" for n in ("touches", "opportunities", "contacts")},
                    "master": "local[2]",
                    "credits_parquet": str(out),
                }
            },
            "models": {"models": ["linear", "markov"], "markov_order": 2},
        }
    )
    scratch = tmp_path / "scratch"
    dataset = _load_spark(params, scratch)

    months = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert months and all(m.startswith("closed_month=") and len(m) == 20 for m in months)
    assert not (out / "old.txt").exists()
    assert not list(tmp_path.glob(".credits.*"))  # the temporary folder was renamed away
    written = pl.read_parquet(out / "*" / "*.parquet", hive_partitioning=True)
    expected_month = pl.col("closed_at").dt.strftime("%Y-%m")
    assert written.select((pl.col("closed_month").cast(pl.String) == expected_month).all()).item()
    for model, options in (("linear", {}), ("markov", {"order": 2})):
        got = (
            written.filter(pl.col("model") == model)
            .drop("model", "closed_month")
            .sort("opportunity_id", "position")
        )
        want = at.attribute(spark_demo.journeys, model, **options)
        assert_frame_equal(got, want, check_exact=False, rel_tol=1e-9, abs_tol=1e-12)

    # the notebooks' snapshot: the same tables, validated like any other source
    assert dataset.source.startswith("spark: touches=report_touches")
    collected = dataset.collect()
    assert collected.touches.sort("touch_id").equals(  # type: ignore[union-attr]
        spark_demo.dataset.collect().touches.sort("touch_id")  # type: ignore[union-attr]
    )


def test_params_name_the_spark_tables_they_need() -> None:
    with pytest.raises(at.ParameterError) as err:
        parse_params({"source": {"spark": {"tables": {"touches": "t"}}, "demo": {}}})
    text = str(err.value)
    assert "source: give one of demo, path, url_env or spark" in text
    assert "source.spark.tables.opportunities: required" in text


def test_attribution_run_reads_spark_tables_end_to_end(
    spark: object, spark_demo: SparkDemo, tmp_path: Path
) -> None:
    """The scheduled report: params name Spark tables; the page renders from them."""
    from helpers import ROOT

    from attribution.report import runner as report

    for name, frame in spark_demo.tables.tables().items():  # type: ignore[attr-defined]
        frame.createOrReplaceTempView(f"run_{name}")
    credits = tmp_path / "credits"
    params = parse_params(
        {
            "run_name": "lake",
            "source": {
                "spark": {
                    "tables": {n: f"run_{n}" for n in ("touches", "opportunities", "contacts")},
                    "master": "local[2]",
                    "credits_parquet": str(credits),
                }
            },
            "models": {"models": ["first_touch", "linear"]},
            "notebooks": ["01_data_health"],
            "notebooks_dir": str(ROOT / "notebooks"),
        }
    )
    result = report.run(params, out=tmp_path / "outputs", progress=False)

    assert result.run_dir == tmp_path / "outputs" / "lake"
    assert (result.run_dir / "01_data_health.html").is_file()
    assert not list((tmp_path / "outputs").glob(".lake.*")), "scratch and temporary folders gone"
    written = pl.read_parquet(credits / "*" / "*.parquet", hive_partitioning=True)
    assert set(written["model"]) == {"first_touch", "linear"}
    won = spark_demo.journeys.filter(pl.col("status") == "won")
    revenue = won.unique("opportunity_id")["amount"].sum()
    for model in ("first_touch", "linear"):
        part = written.filter(pl.col("model") == model)
        assert part["revenue"].sum() == pytest.approx(revenue, rel=1e-9), "credits conserve"
