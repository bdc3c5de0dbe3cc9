"""Spark sessions and tables: the pyspark import, the :class:`SparkDataset`, its checks.

Nothing here imports pyspark at module import time: :func:`require` does, when the Spark
engine is asked for, and raises an :class:`~attribution.errors.AttributionError` naming the
``spark`` extra when it is not installed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

import polars as pl

from attribution.data.schema import AMOUNT, TABLES, TEAM, TEAMS, Problem, raise_problems
from attribution.errors import AttributionError, ParameterError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["SparkDataset", "as_frame", "check_table", "load_tables", "require", "session"]

INSTALL = "pip install 'attribution[spark]'"
_EXAMPLES = 3


def require() -> ModuleType:
    """Import pyspark, or raise :class:`AttributionError` saying how to install it.

    Examples
    --------
    >>> require().__name__
    'pyspark'
    """
    try:
        import pyspark
        import pyspark.sql
    except ImportError as exc:
        raise AttributionError(
            f"engine='spark' needs pyspark, which is not installed ({exc}); install the "
            f"Spark extra: {INSTALL}"
        ) from None
    return pyspark


def session(master: str | None = None, *, app_name: str = "attribution") -> SparkSession:
    """Return the active SparkSession, or start one (``master``, e.g. ``"local[2]"``).

    A session started here runs its Python workers with this interpreter (so they find
    polars and pyarrow), keeps timestamps in UTC, writes Parquet timestamps as microseconds
    and has the web UI off. An active session is returned as it is (``master`` must then
    match it or be ``None``).
    """
    require()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        if master is not None and active.sparkContext.master != master:
            raise ParameterError(
                f"a SparkSession with master {active.sparkContext.master!r} is already "
                f"running; cannot start one with master {master!r}"
            )
        return active
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    if master is not None:
        builder = builder.master(master)
    for key, value in SESSION_CONFIG.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


SESSION_CONFIG: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
}
"""Settings of a session started by :func:`session`."""


def as_frame(table: Any, *, name: str = "table") -> DataFrame:
    """Return ``table`` if it is a Spark DataFrame, or the table it names (active session)."""
    require()
    from pyspark.sql import DataFrame, SparkSession

    if isinstance(table, DataFrame):
        return table
    if isinstance(table, str):
        spark = SparkSession.getActiveSession()
        if spark is None:
            raise ParameterError(
                f"{name}: {table!r} names a Spark table but no SparkSession is active; "
                "start one (attribution.spark.session()) or pass a Spark DataFrame"
            )
        return spark.table(table)
    raise ParameterError(
        f"{name}: with engine='spark' give a Spark DataFrame or a table name, "
        f"got {type(table).__name__}"
    )


# ------------------------------------------------------------------------------ checks
_SPARK_TYPES: dict[Any, tuple[str, ...]] = {
    pl.String(): ("string",),
    pl.Float64(): ("double", "float", "int", "bigint", "smallint", "tinyint", "decimal"),
    pl.Int64(): ("int", "bigint", "smallint", "tinyint"),
    pl.Boolean(): ("boolean",),
}
_TIMESTAMP_TYPES = ("timestamp", "timestamp_ntz")
_SPARK_CAST = {pl.String(): "string", pl.Float64(): "double", pl.Int64(): "bigint"}


def _accepts(dtype: pl.DataType, spark_type: str) -> bool:
    if isinstance(dtype, pl.Datetime):
        return spark_type in _TIMESTAMP_TYPES
    base = spark_type.split("(")[0]
    return base in _SPARK_TYPES.get(dtype, ())


def check_table(frame: DataFrame, name: str, *, check_values: bool = True) -> DataFrame:
    """Check a Spark table against the contract; return it with contract types and columns.

    Checks, as :func:`attribution.data.schema.validate` does (one error listing every problem,
    each naming the table and column): required columns are present, columns have a type
    the contract's converts from without loss, and (``check_values``) required columns have
    no missing values and ``touches.team`` is ``marketing`` or ``sales``. The value checks
    are Spark aggregations; only a few example rows come to the driver. Optional contract
    columns that are absent are added as typed nulls; numbers are cast to the contract's
    types and ``timestamp_ntz`` is read as UTC.
    """
    from pyspark.sql import functions as sf

    spec = TABLES[name]
    types = dict(frame.dtypes)
    problems: list[Problem] = []
    # count-only data (no amounts) is read by the polars engine only
    required = [*spec.required_columns, *([AMOUNT] if name == "opportunities" else [])]
    missing = [c for c in required if c not in types]
    if missing:
        problems.append(
            Problem(
                name,
                ", ".join(missing),
                f"required column(s) missing; the table has: {', '.join(types)}",
                0,
                kind="schema",
            )
        )
    for column in spec.columns:
        if column.name in types and not _accepts(column.dtype, types[column.name]):
            problems.append(
                Problem(
                    name,
                    column.name,
                    f"has Spark type {types[column.name]}, expected {column.dtype}",
                    0,
                    kind="schema",
                )
            )
    raise_problems(problems, source=f"Spark table {name}")
    out = []
    for column in spec.columns:
        if column.name not in types:
            spark_type = "timestamp" if isinstance(column.dtype, pl.Datetime) else None
            spark_type = spark_type or _SPARK_CAST.get(column.dtype, "boolean")
            out.append(sf.lit(None).cast(spark_type).alias(column.name))
        elif isinstance(column.dtype, pl.Datetime):
            out.append(sf.col(column.name).cast("timestamp").alias(column.name))
        elif column.dtype in _SPARK_CAST:
            out.append(sf.col(column.name).cast(_SPARK_CAST[column.dtype]).alias(column.name))
        else:
            out.append(sf.col(column.name))
    extra = [sf.col(c) for c in frame.columns if c not in {col.name for col in spec.columns}]
    checked = frame.select(*out, *extra)
    if check_values:
        _check_values(checked, name)
    return checked


def _check_values(frame: DataFrame, name: str) -> None:
    """Missing required values and unknown teams, counted in one Spark aggregation."""
    from pyspark.sql import functions as sf

    spec = TABLES[name]
    rules: dict[tuple[str, str], Any] = {
        (c, "must not be missing"): sf.col(c).isNull() for c in spec.required_columns
    }
    if name == "touches":
        rules[(TEAM, f"must be one of {', '.join(TEAMS)}")] = sf.col(TEAM).isNotNull() & ~sf.col(
            TEAM
        ).isin(*TEAMS)
    counts = frame.agg(
        *[
            sf.sum(sf.when(rule, 1).otherwise(0)).alias(f"_{i}")
            for i, rule in enumerate(rules.values())
        ]
    ).first()
    problems = []
    for i, ((column, message), rule) in enumerate(rules.items()):
        n = int(counts[f"_{i}"] or 0) if counts is not None else 0
        if n:
            rows = frame.filter(rule).limit(_EXAMPLES).toArrow()
            examples = pl.from_arrow(rows)
            assert isinstance(examples, pl.DataFrame)
            problems.append(
                Problem(name, column, message, n, examples.select(spec.required_columns))
            )
    raise_problems(problems, source=f"Spark table {name}")


# ------------------------------------------------------------------------------ dataset
@dataclass(frozen=True)
class SparkDataset:
    """The contract's tables as Spark DataFrames: the Spark engine's ``Dataset``.

    Build one with :func:`load_tables` (checks the tables); constructing it directly skips
    the checks. Only the tables journeys need are held.

    Attributes
    ----------
    touches, opportunities : pyspark.sql.DataFrame
        The two required tables.
    contacts : pyspark.sql.DataFrame or None
        Optional: gives journeys their lead-creation milestone.
    source : str
        Where the tables came from (their names, or ``<spark>``).
    """

    touches: DataFrame
    opportunities: DataFrame
    contacts: DataFrame | None = None
    source: str = "<spark>"

    def tables(self) -> dict[str, DataFrame]:
        """Return the tables that are present, by canonical name."""
        out = {"touches": self.touches, "opportunities": self.opportunities}
        if self.contacts is not None:
            out["contacts"] = self.contacts
        return out


_DATASET_TABLES = ("touches", "opportunities", "contacts")


def load_tables(
    tables: Mapping[str, Any],
    *,
    spark: SparkSession | None = None,
    check_values: bool = True,
) -> SparkDataset:
    """Resolve and check Spark tables: ``{"touches": "db.touches", ...}`` -> SparkDataset.

    Parameters
    ----------
    tables
        Canonical table name (``touches``, ``opportunities``, optional ``contacts``) to a
        Spark DataFrame or a table name resolved with ``spark`` (default: the active
        session).
    spark
        The session that resolves table names.
    check_values
        Also count missing required values and unknown teams (one aggregation per table).

    Raises
    ------
    ParameterError
        An unknown or missing table name.
    SchemaError, DataError
        A table breaks the contract (all problems listed, as :func:`attribution.validate`).
    """
    require()
    unknown = [t for t in tables if t not in _DATASET_TABLES]
    if unknown:
        raise ParameterError(
            f"spark tables: unknown table(s) {unknown}; the Spark engine reads "
            f"{', '.join(_DATASET_TABLES)}"
        )
    absent = [t for t in ("touches", "opportunities") if t not in tables]
    if absent:
        raise ParameterError(f"spark tables: missing required table(s) {absent}")
    frames = {}
    for name, table in tables.items():
        if isinstance(table, str) and spark is not None:
            table = spark.table(table)
        frames[name] = check_table(as_frame(table, name=name), name, check_values=check_values)
    named = [f"{k}={v}" for k, v in tables.items() if isinstance(v, str)]
    return SparkDataset(
        touches=frames["touches"],
        opportunities=frames["opportunities"],
        contacts=frames.get("contacts"),
        source=", ".join(named) if named else "<spark>",
    )
