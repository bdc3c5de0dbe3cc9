"""The report runner's Spark source: check the tables, write credits, export a snapshot.

With ``source: {spark: {tables: {...}}}`` in a params file, ``attribution run``:

1. starts (or joins) a SparkSession (``source.spark.master``) and checks the tables with
   :func:`attribution.spark.load_tables` (Spark aggregations);
2. with ``source.spark.credits_parquet``, builds journeys and the credits of every model in
   ``models.models`` on Spark and writes them (one table, a ``model`` column, partitioned by
   ``closed_month``; see :func:`attribution.spark.write_credits`);
3. has Spark write the tables as Parquet parts into a scratch folder, which the runner reads
   lazily into its usual snapshot: the notebooks then run on the snapshot as for any other
   source. The report notebooks are polars code on one machine, so this step needs the
   tables to fit its disk; the credits of step 2 have no such limit.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from attribution.dataset import Dataset

if TYPE_CHECKING:
    from attribution.params import RunParams

__all__ = ["load_for_report", "write_model_credits"]


def write_model_credits(params: RunParams, tables: object, path: str) -> Path:
    """Credits of every model of ``params.models`` on Spark, written as Parquet to ``path``."""
    from pyspark.sql import functions as sf

    from attribution.models.compare import model_specs
    from attribution.spark.credits import attribute
    from attribution.spark.journeys import journeys
    from attribution.spark.output import write_credits

    models = params.models
    specs = model_specs(
        models.models,
        markov_order=models.markov_order,
        half_life_days=models.half_life_days,
        custom_weights=models.custom_weights or None,
    )
    j = journeys(
        tables,  # type: ignore[arg-type]
        lookback_days=params.window.lookback_days,
        as_of=params.window.as_of,
    ).cache()
    try:
        parts = [
            attribute(j, name, **options).select("*", sf.lit(name).alias("model"))
            for name, options in specs.items()
        ]
        credits = parts[0]
        for part in parts[1:]:
            credits = credits.unionByName(part)
        return write_credits(credits, path)
    finally:
        j.unpersist()


def load_for_report(params: RunParams, scratch: Path) -> Dataset:
    """Check the Spark tables, write the credits if asked, and return them as a Dataset.

    The tables are exported by Spark into ``scratch`` (Parquet parts) and read back lazily
    with :func:`attribution.load`, so they are validated like any other source; delete
    ``scratch`` once the dataset has been written elsewhere.
    """
    from attribution.io import load
    from attribution.spark.session import load_tables, session

    source = params.source.spark
    assert source is not None
    spark = session(source.master)
    tables = load_tables(source.tables, spark=spark)
    if source.credits_parquet is not None:
        write_model_credits(params, tables, source.credits_parquet)
    scratch.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.tables().items():
        frame.write.mode("overwrite").parquet((scratch / name).as_uri())
    dataset = load(scratch, lazy=True)
    return Dataset(**dataset.tables(), source=f"spark: {tables.source}")
