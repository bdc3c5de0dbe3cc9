"""The Spark engine: journeys, credits and the data-driven models on Apache Spark.

Pass ``engine="spark"`` to :func:`attribution.journeys`, :func:`attribution.attribute`,
:func:`attribution.compare`, :func:`attribution.paths`, :func:`attribution.markov` or
:func:`attribution.shapley`, or call the functions here directly. They take Spark
DataFrames (or table names resolved with the active SparkSession) in the contract's schema
and give the numbers the polars engine gives:

* per-opportunity work (journeys, rule credits, spreading Markov/Shapley weights) runs the
  same polars code inside Spark, one bucket of accounts or deals per call
  (``groupBy(bucket).applyInArrow``);
* global reductions (path counts, Markov transition counts, Shapley coalition counts) are
  Spark aggregations; only their sums come to the driver, where the exact solvers run;
* the ``incremental`` model's per-deal exposure is summed by Spark, its win model fitted
  and every won deal split in the driver, and the deals' shares credited to their touches
  per bucket (:mod:`attribution.spark.incremental`).

Row-level results (journeys, credits) are Spark DataFrames; channel tables, path tables,
Markov and Shapley results are the polars objects of the local engine.

pyspark is an optional extra (``pip install 'attribution[spark]'``): this package imports
it only when it is used.
"""

from __future__ import annotations

from attribution.spark.session import SparkDataset, as_frame, load_tables, require, session

__all__ = [
    "SparkDataset",
    "as_frame",
    "attribute",
    "compare",
    "incremental",
    "journeys",
    "load_for_report",
    "load_tables",
    "markov",
    "paths",
    "require",
    "session",
    "shapley",
    "write_credits",
    "write_model_credits",
]

from attribution.spark.counts import markov, paths, shapley
from attribution.spark.credits import attribute, compare
from attribution.spark.incremental import incremental
from attribution.spark.journeys import journeys
from attribution.spark.output import write_credits
from attribution.spark.report import load_for_report, write_model_credits
