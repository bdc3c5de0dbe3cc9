"""The ``incremental`` model on Spark: exposure summed by Spark, the fit in the driver.

The win model needs, per closed deal, its touches of every channel: Spark sums them from
the journeys (one row per deal, and one per deal, channel and team with its count), and
only those sums come to the driver, where the core's numpy/statsmodels fit and exact
per-deal Shapley split run unchanged (:func:`attribution.models.incremental.fit_design`).
Each won deal's channel shares then travel back to Spark as a table keyed by the deal,
and every bucket of won deals is credited by the core's own spreading code
(:func:`attribution.models.incremental.touches.spread_shares`), so the credits are the
polars engine's.

The speed-to-lead term needs the contacts of a :class:`~attribution.data.dataset.Dataset`;
on Spark the controls are a frame (polars or Spark) keyed by ``opportunity_id`` or
``account_id`` (e.g. the accounts' ``segment``), and the model has no speed term.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
import pyarrow as pa

from attribution.data.dataset import Dataset
from attribution.data.schema import ACCOUNT_ID, AMOUNT, CHANNEL, OPPORTUNITY_ID, TEAM, TOUCH_ID
from attribution.errors import ParameterError
from attribution.journey.columns import OPPORTUNITY_CREATED_AT, STATUS
from attribution.models.credits import check_team
from attribution.models.incremental import Incremental, IncrementalResult, fit_design, summarise
from attribution.models.incremental.design import Exposure, design_of
from attribution.models.incremental.fit import DEFAULT_PENALTY
from attribution.models.incremental.touches import spread_shares
from attribution.spark import counts
from attribution.spark.frames import BUCKET, arrow_schema, bucket, ddl, n_buckets, to_arrow
from attribution.spark.frames import to_polars as _to_polars

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["incremental", "incremental_credits", "incremental_fit"]

_BASE = "_baseline"


def _controls(controls: Any) -> pl.DataFrame | None:
    """Return the controls as a polars frame (a Spark DataFrame is collected: one row per key)."""
    if controls is None or isinstance(controls, pl.DataFrame):
        return controls
    if isinstance(controls, Dataset):
        raise ParameterError(
            "controls on the Spark engine is a frame keyed by opportunity_id or account_id "
            "(e.g. the accounts' segment: controls=accounts.select('account_id', 'segment')), "
            "not a Dataset; the speed-to-lead term needs the polars engine"
        )
    if hasattr(controls, "toArrow"):
        return _to_polars(controls.toArrow())
    raise ParameterError(
        "controls must be a polars or Spark DataFrame keyed by opportunity_id or account_id; "
        f"got {type(controls).__name__}"
    )


def _sums(journeys: Any) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return the closed deals (by id) and their touches per channel and team, Spark-summed."""
    from pyspark.sql import functions as sf

    sdf = counts._journeys(journeys)
    closed = sdf.filter(sf.col(STATUS).isin("won", "lost"))
    created = (
        sf.first(OPPORTUNITY_CREATED_AT)
        if OPPORTUNITY_CREATED_AT in sdf.columns
        else sf.lit(None).cast("timestamp")
    )
    deals = closed.groupBy(OPPORTUNITY_ID).agg(
        sf.first(ACCOUNT_ID).cast("string").alias(ACCOUNT_ID),
        (sf.first(STATUS) == "won").alias("won"),
        sf.first(AMOUNT).cast("double").alias(AMOUNT),
        created.alias("_created"),
    )
    cells = (
        closed.filter(sf.col(TOUCH_ID).isNotNull() & sf.col(CHANNEL).isNotNull())
        .groupBy(OPPORTUNITY_ID, CHANNEL, TEAM)
        .agg(sf.count(sf.lit(1)).alias("len"))
    )
    local = _to_polars(deals.toArrow()).select(
        pl.col(OPPORTUNITY_ID).cast(pl.String),
        pl.col(ACCOUNT_ID).cast(pl.String),
        pl.col("won").cast(pl.Boolean),
        pl.col(AMOUNT).cast(pl.Float64),
        pl.col("_created").cast(pl.Datetime("us", "UTC")),
    )
    counted = _to_polars(cells.toArrow()).select(
        pl.col(OPPORTUNITY_ID, CHANNEL, TEAM).cast(pl.String), pl.col("len").cast(pl.Int64)
    )
    return local.sort(OPPORTUNITY_ID), counted


def incremental_fit(
    journeys: Any,
    *,
    team: str | None = None,
    controls: Any = None,
    exposure: Exposure = "auto",
    penalty: float | str = DEFAULT_PENALTY,
    min_deals: int = 10,
    calibrate: Any = None,
) -> Incremental:
    """Fit the incremental model on Spark journeys (exposure summed in Spark; see the module)."""
    check_team(team)
    deals, cells = _sums(journeys)
    design = design_of(
        deals, cells, controls=_controls(controls), exposure=exposure, min_deals=min_deals
    )
    return fit_design(design, team=team, exposure=exposure, penalty=penalty, calibrate=calibrate)


def incremental(journeys: Any, **options: Any) -> IncrementalResult:
    """Return the channel table of :func:`attribution.incremental`, fitted on Spark journeys.

    Takes the options of :func:`incremental_fit` (``controls`` a frame, see the module).
    """
    return summarise(incremental_fit(journeys, **options))


def incremental_credits(
    journeys: Any, model: Incremental, schema: pl.Schema, buckets: int | None = None
) -> DataFrame:
    """Credit every won deal's touches in Spark by a fitted model's shares (``schema``'s rows).

    Each bucket of won deals is cogrouped with its deals' shares and credited by
    :func:`~attribution.models.incremental.touches.spread_shares`.
    """
    from pyspark.sql import functions as sf

    sdf = counts._journeys(journeys)
    won = sdf.filter(sf.col(STATUS) == "won")
    design = model.design
    channels = design.channels
    shares = pl.DataFrame(
        {
            OPPORTUNITY_ID: design.deals[OPPORTUNITY_ID].gather(model.rows),
            _BASE: model.baseline,
            **{f"_s{i}": model.shares[:, i] for i in range(len(channels))},
        }
    )
    table = shares.to_arrow().cast(arrow_schema(shares.schema))
    share_frame = sdf.sparkSession.createDataFrame(table)
    declared = arrow_schema(schema)
    columns = [f"_s{i}" for i in range(len(channels))]
    team = model.team

    def run(touch_batch: pa.Table, share_batch: pa.Table) -> pa.Table:
        rows = _to_polars(touch_batch)
        if rows.is_empty():
            return declared.empty_table()
        part = _to_polars(share_batch).sort(OPPORTUNITY_ID)
        matrix = part.select(columns).to_numpy() if columns else np.zeros((part.height, 0))
        credits = spread_shares(
            rows.drop(BUCKET),
            part[OPPORTUNITY_ID].cast(pl.String),
            channels,
            matrix,
            part[_BASE].to_numpy(),
            team=team,
        )
        return to_arrow(credits, declared)

    n = n_buckets(won, buckets)
    left = won.select(bucket(OPPORTUNITY_ID, n), *won.columns).groupBy(BUCKET)
    right = share_frame.select(bucket(OPPORTUNITY_ID, n), *share_frame.columns).groupBy(BUCKET)
    return left.cogroup(right).applyInArrow(run, ddl(schema))
