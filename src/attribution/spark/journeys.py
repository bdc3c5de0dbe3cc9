"""Journeys on Spark: :func:`attribution.journeys`' polars code, run per bucket of accounts.

Touches and opportunities are co-grouped by a bucket of their account (every journey lies
within one account), and each bucket's rows go through the same polars
:func:`attribution.journeys` as the local engine. The two global inputs are computed by
Spark first: ``as_of`` (the latest timestamp, one aggregation) and each account's lead
creation (the earliest contact created by ``as_of``, a group-by), joined to the
opportunities.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import polars as pl
import pyarrow as pa

from attribution._time import DEFAULT_LOOKBACK_DAYS, utc
from attribution.data.dataset import Dataset
from attribution.data.schema import (
    ACCOUNT_ID,
    AMOUNT,
    CLOSED_AT,
    CREATED_AT,
    IS_WON,
    OCCURRED_AT,
    OPPORTUNITY_ID,
    TABLES,
)
from attribution.errors import DataError, ParameterError
from attribution.journey.build import _TOUCH_COLUMNS
from attribution.journey.build import journeys as polars_journeys
from attribution.spark.frames import BUCKET, arrow_schema, bucket, ddl, n_buckets, to_arrow
from attribution.spark.frames import to_polars as _to_polars
from attribution.spark.session import SparkDataset, load_tables, require

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

__all__ = ["as_of", "journey_schema", "journeys"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LEAD = "_lead_created_at"
_OPPORTUNITY_COLUMNS = (OPPORTUNITY_ID, ACCOUNT_ID, CREATED_AT, IS_WON, AMOUNT, CLOSED_AT)


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _timestamp(moment: datetime) -> Column:
    """Return an exact Spark timestamp literal (microseconds since the epoch, UTC)."""
    from pyspark.sql import functions as sf

    return sf.timestamp_micros(sf.lit(_micros(moment)))


def as_of(dataset: SparkDataset) -> datetime:
    """Return the latest timestamp in the data (one Spark aggregation per table), as UTC."""
    from pyspark.sql import functions as sf

    touches = dataset.touches.agg(sf.max(sf.unix_micros(OCCURRED_AT)).alias("m")).first()
    opps = dataset.opportunities.agg(
        sf.greatest(sf.max(sf.unix_micros(CREATED_AT)), sf.max(sf.unix_micros(CLOSED_AT))).alias(
            "m"
        )
    ).first()
    values = [r["m"] for r in (touches, opps) if r is not None and r["m"] is not None]
    if not values:
        raise DataError("the Spark tables have no timestamps")
    return _EPOCH + timedelta(microseconds=max(values))


def journey_schema() -> pl.Schema:
    """Return the polars schema of a journeys frame (from the polars code on empty tables)."""
    empty = Dataset(
        touches=pl.DataFrame(schema=TABLES["touches"].schema),
        opportunities=pl.DataFrame(schema=TABLES["opportunities"].schema),
        contacts=pl.DataFrame(schema=TABLES["contacts"].schema),
    )
    return polars_journeys(empty, as_of=_EPOCH).schema


def _as_dataset(dataset: Any) -> SparkDataset:
    if isinstance(dataset, SparkDataset):
        return dataset
    if isinstance(dataset, Mapping):
        return load_tables(dataset)
    raise ParameterError(
        "journeys with engine='spark' takes an attribution.spark.SparkDataset (see "
        "attribution.spark.load_tables) or a mapping of table name to Spark DataFrame or "
        f"table name, got {type(dataset).__name__}"
    )


def journeys(
    dataset: SparkDataset | Mapping[str, Any],
    *,
    lookback_days: float = DEFAULT_LOOKBACK_DAYS,
    as_of: datetime | None = None,
    buckets: int | None = None,
) -> DataFrame:
    """Build every opportunity's journey in Spark; the same rows as the polars engine.

    Parameters
    ----------
    dataset
        A :class:`SparkDataset`, or a mapping of table name to Spark DataFrame or table
        name (checked with :func:`load_tables`).
    lookback_days, as_of
        As for :func:`attribution.journeys`.
    buckets
        Number of account buckets processed by one polars call each (default: the
        session's ``spark.sql.shuffle.partitions``).

    Returns
    -------
    pyspark.sql.DataFrame
        Columns :data:`attribution.journey.build.JOURNEY_COLUMNS` (same types); row order is
        not defined (sort by ``opportunity_id, position`` to compare).
    """
    require()
    from pyspark.sql import functions as sf

    ds = _as_dataset(dataset)
    if not lookback_days >= 0:
        raise ParameterError(f"lookback_days must be >= 0, got {lookback_days!r}")
    moment = _as_of_value(ds, as_of)
    n = n_buckets(ds.touches, buckets)
    opps = ds.opportunities.select(*_OPPORTUNITY_COLUMNS)
    has_contacts = ds.contacts is not None
    if ds.contacts is not None:
        leads = (
            ds.contacts.filter(sf.col(CREATED_AT) <= _timestamp(moment))
            .groupBy(ACCOUNT_ID)
            .agg(sf.min(CREATED_AT).alias(_LEAD))
        )
        opps = opps.join(leads, on=ACCOUNT_ID, how="left")
    else:
        opps = opps.withColumn(_LEAD, sf.lit(None).cast("timestamp"))
    # a touch linked to a deal belongs to that deal's journey only (as in the polars code)
    linked = [OPPORTUNITY_ID] if OPPORTUNITY_ID in ds.touches.columns else []
    touches = ds.touches.select(ACCOUNT_ID, *linked, *_TOUCH_COLUMNS)
    schema = journey_schema()
    declared = arrow_schema(schema)
    days = float(lookback_days)

    def run(touch_batch: pa.Table, opportunity_batch: pa.Table) -> pa.Table:
        opportunities = _to_polars(opportunity_batch)
        if opportunities.is_empty():
            return declared.empty_table()
        contacts = None
        if has_contacts:
            contacts = (
                opportunities.select(ACCOUNT_ID, pl.col(_LEAD).alias(CREATED_AT))
                .drop_nulls()
                .unique(ACCOUNT_ID)
            )
        local = Dataset(
            touches=_to_polars(touch_batch).drop(BUCKET),
            opportunities=opportunities.drop(BUCKET, _LEAD),
            contacts=contacts,
        )
        return to_arrow(polars_journeys(local, lookback_days=days, as_of=moment), declared)

    left = touches.select(bucket(ACCOUNT_ID, n), *touches.columns).groupBy(BUCKET)
    right = opps.select(bucket(ACCOUNT_ID, n), *opps.columns).groupBy(BUCKET)
    return left.cogroup(right).applyInArrow(run, ddl(schema))


def _as_of_value(ds: SparkDataset, moment: datetime | None) -> datetime:
    return as_of(ds) if moment is None else utc(moment)
