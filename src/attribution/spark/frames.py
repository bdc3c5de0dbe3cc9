"""Between polars and Spark: declared schemas, Arrow batches, buckets of groups.

Per-group work runs the polars kernels inside ``groupBy(...).applyInArrow``. Calling a
polars function once per opportunity would spend its time in call overhead, so rows are
grouped by a *bucket* (a hash of the opportunity or account id modulo the number of
buckets): every opportunity lies wholly in one bucket, and each call handles a bucket's
many opportunities in one vectorised pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import polars as pl
import pyarrow as pa

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

__all__ = ["BUCKET", "arrow_schema", "bucket", "ddl", "n_buckets", "to_arrow", "to_polars"]

BUCKET = "_bucket"
Schema = pl.Schema | Mapping[str, Any]
"""A polars schema, or a mapping of column name to polars type."""


def _spark_type(dtype: Any) -> str:
    if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum):
        return "string"
    if isinstance(dtype, pl.Datetime):
        return "timestamp"
    if isinstance(dtype, pl.List):
        return f"array<{_spark_type(dtype.inner)}>"
    names = {
        pl.Float64: "double",
        pl.Float32: "double",
        pl.Int64: "bigint",
        pl.UInt32: "bigint",
        pl.UInt64: "bigint",
        pl.Int32: "int",
        pl.Boolean: "boolean",
        pl.Null: "string",
    }
    for polars_type, name in names.items():
        if dtype == polars_type:
            return name
    raise TypeError(f"no Spark type for polars {dtype}")  # pragma: no cover


def ddl(schema: Schema) -> str:
    """Spark DDL of a polars schema (the declared output of an Arrow grouped map).

    Examples
    --------
    >>> ddl({"a": pl.String, "n": pl.UInt32, "t": pl.Datetime("us", "UTC")})
    'a string, n bigint, t timestamp'
    """
    return ", ".join(f"{name} {_spark_type(dtype)}" for name, dtype in dict(schema).items())


def _arrow_type(dtype: Any) -> pa.DataType:
    spark = _spark_type(dtype)
    if spark.startswith("array<"):
        assert isinstance(dtype, pl.List)
        return pa.list_(_arrow_type(dtype.inner))
    return {
        "string": pa.string(),
        "timestamp": pa.timestamp("us", tz="UTC"),
        "double": pa.float64(),
        "bigint": pa.int64(),
        "int": pa.int32(),
        "boolean": pa.bool_(),
    }[spark]


def arrow_schema(schema: Schema) -> pa.Schema:
    """Return the Arrow schema Spark expects back for a polars schema (see :func:`ddl`)."""
    return pa.schema([(name, _arrow_type(dtype)) for name, dtype in dict(schema).items()])


def to_arrow(frame: pl.DataFrame, schema: pa.Schema) -> pa.Table:
    """Return ``frame`` as an Arrow table with exactly the declared ``schema``.

    polars writes ``large_string`` and ``uint32`` where Spark declares ``string`` and
    ``bigint``; the cast makes the types match (columns are taken in schema order).
    """
    table = frame.select(schema.names).to_arrow()
    return table.cast(schema)


def to_polars(table: pa.Table) -> pl.DataFrame:
    """Return an Arrow batch from Spark as a polars DataFrame."""
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def n_buckets(frame: DataFrame, buckets: int | None) -> int:
    """Return ``buckets``, or the session's ``spark.sql.shuffle.partitions`` when None."""
    from attribution.errors import ParameterError

    if buckets is None:
        value = frame.sparkSession.conf.get("spark.sql.shuffle.partitions") or "200"
        return max(1, int(value))
    if isinstance(buckets, bool) or not isinstance(buckets, int) or buckets < 1:
        raise ParameterError(f"buckets must be an integer >= 1 or None, got {buckets!r}")
    return buckets


def bucket(key: str, buckets: int) -> Column:
    """Bucket of each row: ``pmod(hash(key), buckets)``."""
    from pyspark.sql import functions as sf

    return sf.pmod(sf.hash(sf.col(key)), sf.lit(buckets)).alias(BUCKET)


def grouped_map(
    frame: DataFrame,
    key: str,
    buckets: int | None,
    fn: Callable[[pl.DataFrame], pl.DataFrame],
    schema: Schema,
) -> DataFrame:
    """Apply a polars function to each bucket of ``frame`` (rows grouped by ``key``).

    ``fn`` gets the bucket's rows (without the bucket column) and returns a frame with the
    columns of ``schema``; the result is a Spark DataFrame with that schema.
    """
    declared = arrow_schema(schema)
    n = n_buckets(frame, buckets)

    def run(batch: pa.Table) -> pa.Table:
        rows = to_polars(batch).drop(BUCKET)
        if rows.is_empty():
            return declared.empty_table()
        return to_arrow(fn(rows), declared)

    with_bucket = frame.select(bucket(key, n), *frame.columns)
    return with_bucket.groupBy(BUCKET).applyInArrow(run, ddl(schema))


def empty(schema: pl.Schema | dict[str, Any]) -> pl.DataFrame:
    """Return an empty polars frame of ``schema``."""
    return pl.DataFrame(schema=schema)
