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

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from attribution._time import DEFAULT_LOOKBACK_DAYS
from attribution.data.dataset import Dataset
from attribution.data.load import load

__all__ = ["load_for_report", "write_model_credits"]


def write_model_credits(
    tables: object,
    path: str,
    *,
    models: Mapping[str, Mapping[str, Any]],
    lookback_days: float,
    as_of: datetime | None,
) -> Path:
    """Credits of every model in ``models`` (name: options) on Spark, as Parquet in ``path``."""
    from pyspark.sql import functions as sf

    from attribution.spark.credits import attribute
    from attribution.spark.journeys import journeys
    from attribution.spark.output import write_credits

    j = journeys(
        tables,  # type: ignore[arg-type]
        lookback_days=lookback_days,
        as_of=as_of,
    ).cache()
    try:
        parts = [
            attribute(j, name, **options).select("*", sf.lit(name).alias("model"))
            for name, options in models.items()
        ]
        credits = parts[0]
        for part in parts[1:]:
            credits = credits.unionByName(part)
        return write_credits(credits, path)
    finally:
        j.unpersist()


def load_for_report(
    tables: Mapping[str, str],
    scratch: Path,
    *,
    master: str | None = None,
    credits_parquet: str | None = None,
    models: Mapping[str, Mapping[str, Any]] | None = None,
    lookback_days: float = DEFAULT_LOOKBACK_DAYS,
    as_of: datetime | None = None,
) -> Dataset:
    """Check the Spark tables, write the credits if asked, and return them as a Dataset.

    ``tables`` names the Spark tables (``{touches: db.touches, ...}``). With
    ``credits_parquet``, the credits of every model in ``models`` (name: options) are
    written there first. The tables are exported by Spark into ``scratch`` (Parquet parts)
    and read back lazily with :func:`attribution.load`, so they are validated like any
    other source; delete ``scratch`` once the dataset has been written elsewhere.
    """
    from attribution.spark.session import load_tables, session

    spark = session(master)
    checked = load_tables(dict(tables), spark=spark)
    if credits_parquet is not None:
        write_model_credits(
            checked,
            credits_parquet,
            models=models or {},
            lookback_days=lookback_days,
            as_of=as_of,
        )
    scratch.mkdir(parents=True, exist_ok=True)
    for name, frame in checked.tables().items():
        frame.write.mode("overwrite").parquet((scratch / name).as_uri())
    dataset = load(scratch, lazy=True)
    return dataclasses.replace(dataset, source=f"spark: {checked.source}")
