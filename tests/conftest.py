"""Shared fixtures: small demo datasets and hand-made tables."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pgserver
import pytest
from helpers import ROOT, plant_previous_run

import attribution as at
from attribution.report import runner as report


@pytest.fixture(scope="session")
def demo_small() -> at.Dataset:
    """A small demo dataset (400 accounts), generated once per session."""
    return at.demo.generate(n_accounts=400, seed=11)


@pytest.fixture(scope="session")
def demo_medium() -> at.Dataset:
    """A medium demo dataset (3,000 accounts) for plausibility checks."""
    return at.demo.generate(n_accounts=3_000, seed=5)


@dataclass(frozen=True)
class CiRun:
    """The report set built once per session from params/ci.yaml."""

    result: report.RunResult
    out: Path
    log: str


@pytest.fixture(scope="session")
def ci_run(tmp_path_factory: pytest.TempPathFactory) -> CiRun:
    """Run every notebook with params/ci.yaml (two at a time) into a temporary outputs folder.

    An older run's folder (its manifest and a stale file) is planted first: the new run
    must replace the folder as a whole.
    """
    out = tmp_path_factory.mktemp("outputs")
    plant_previous_run(out / "ci", {"stale.txt": "left by an older run\n"})
    log = io.StringIO()
    result = report.run(ROOT / "params" / "ci.yaml", out=out, jobs=2, progress=False, log=log)
    return CiRun(result=result, out=out, log=log.getvalue())


@pytest.fixture(scope="session")
def postgres() -> Iterator[pgserver.Server]:
    """A throwaway PostgreSQL server on 127.0.0.1 (see tests/pgserver.py), stopped at the end."""
    if os.environ.get(pgserver.SKIP_ENV) == "1":
        pytest.skip(f"{pgserver.SKIP_ENV}=1: PostgreSQL tests skipped")
    with pgserver.running() as server:
        yield server


@dataclass(frozen=True)
class SparkDemo:
    """Demo data on both engines: the polars dataset and journeys, the Spark tables."""

    dataset: at.Dataset
    journeys: object  # polars.DataFrame
    tables: object  # attribution.spark.SparkDataset
    spark_journeys: object  # pyspark.sql.DataFrame (cached)


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    """One local[2] SparkSession for the Spark engine's tests (stopped at the end)."""
    import sys

    os.environ["PYSPARK_PYTHON"] = sys.executable
    from attribution.spark.session import session

    spark = session("local[2]")
    spark.conf.set("spark.sql.shuffle.partitions", "4")
    spark.sparkContext.setLogLevel("ERROR")
    try:
        yield spark
    finally:
        spark.stop()


@pytest.fixture(scope="session")
def spark_demo(spark: object) -> SparkDemo:
    """500 demo accounts as Spark tables, with journeys built by both engines."""
    from attribution.spark import load_tables

    ds = at.demo.generate(n_accounts=500, seed=3)
    frames = ds.collect().tables()
    tables = load_tables(
        {
            n: spark.createDataFrame(frames[n].to_arrow())
            for n in ("touches", "opportunities", "contacts")
        }  # type: ignore[attr-defined]
    )
    spark_journeys = at.journeys(tables, engine="spark").cache()
    return SparkDemo(ds, at.journeys(ds), tables, spark_journeys)
