"""The win model's controls: the period, a band of the amount, and what the caller knows.

Every closed deal gets the quarter it was opened, the quartile of its amount (within its
first given control, e.g. its segment) and the caller's controls (a dataset's accounts'
segment and industry, or a frame keyed by ``opportunity_id`` or ``account_id``); levels
with fewer than :data:`MIN_LEVEL` deals are merged into ``other``.
"""

from __future__ import annotations

import polars as pl

from attribution.data.dataset import Dataset
from attribution.data.schema import ACCOUNT_ID, AMOUNT, INDUSTRY, OPPORTUNITY_ID, SEGMENT
from attribution.errors import ParameterError
from attribution.journey.controls import period_label

__all__ = ["MIN_LEVEL", "control_frame", "controls_of", "given_of"]

MIN_LEVEL = 20
"""Closed deals a control level needs to keep its own coefficient (else ``other``)."""
_OTHER = "other"
_UNKNOWN = "unknown"


def control_frame(controls: Dataset | pl.DataFrame | None) -> pl.DataFrame | None:
    """Per-deal controls from a dataset (its accounts' segment, industry) or a frame.

    A frame is joined on ``opportunity_id`` (or ``account_id`` when it has no
    ``opportunity_id``); each other column is a categorical control, and channel effects
    may differ by the first one. None when there are none.

    Examples
    --------
    >>> control_frame(pl.DataFrame({"account_id": ["a"], "segment": ["SMB"]})).columns
    ['account_id', 'segment']
    """
    if controls is None:
        return None
    if isinstance(controls, Dataset):
        if controls.accounts is None:
            return None
        frame = (
            controls.lazy("accounts")
            .select(ACCOUNT_ID, pl.col(SEGMENT, INDUSTRY).cast(pl.String))
            .collect()
        )
        known = [c for c in (SEGMENT, INDUSTRY) if frame[c].null_count() < frame.height]
        return frame.select(ACCOUNT_ID, *known) if known else None
    if not isinstance(controls, pl.DataFrame):
        raise ParameterError(
            "controls must be a Dataset (its accounts' segment is used) or a polars DataFrame "
            f"keyed by opportunity_id or account_id; got {type(controls).__name__}"
        )
    key = OPPORTUNITY_ID if OPPORTUNITY_ID in controls.columns else ACCOUNT_ID
    if key not in controls.columns or controls.width < 2:
        raise ParameterError(
            "controls needs an opportunity_id or account_id column and at least one control "
            f"column; it has: {', '.join(controls.columns) or 'none'}"
        )
    if controls[key].is_duplicated().any():
        raise ParameterError(f"controls has repeated {key} values; give one row per {key}")
    return controls


def given_of(deals: pl.DataFrame, extra: pl.DataFrame | None) -> pl.DataFrame:
    """Return the caller's controls for every deal, as text (``unknown`` where missing)."""
    if extra is None:
        return pl.DataFrame()
    key = OPPORTUNITY_ID if OPPORTUNITY_ID in extra.columns else ACCOUNT_ID
    joined = deals.select(key).join(
        extra.with_columns(pl.col(key).cast(pl.String)), on=key, how="left", maintain_order="left"
    )
    given = joined.drop(key).select(pl.all().cast(pl.String).fill_null(_UNKNOWN))
    return given.rename(lambda c: f"given_{c}")


def _size_band(deals: pl.DataFrame, given: pl.DataFrame) -> pl.Series:
    """Quartile of each deal's amount, within its first given control (e.g. its segment)."""
    group = given.to_series(0) if given.width else pl.Series([""] * deals.height)
    frame = deals.select(AMOUNT).with_columns(group.alias("_g"))
    rank = pl.col(AMOUNT).rank("ordinal").over("_g") / pl.col(AMOUNT).count().over("_g")
    quartile = (rank * 4).ceil().clip(1, 4).cast(pl.Int32)
    return frame.select(
        pl.when(pl.col(AMOUNT).is_null())
        .then(pl.lit(_UNKNOWN))
        .otherwise(pl.format("q{}", quartile))
        .alias("size_band")
    ).to_series()


def controls_of(deals: pl.DataFrame, extra: pl.DataFrame | None, won: pl.Series) -> pl.DataFrame:
    """Categorical controls: period, size band, then the caller's; rare levels merged.

    A control is left out when it does not vary or a level's deals all share one outcome
    (its coefficient would not be finite).
    """
    given = given_of(deals, extra)
    raw = deals.select(
        period_label("_created", "quarter").fill_null(_UNKNOWN).alias("period")
    ).with_columns(_size_band(deals, given))
    if given.width:
        raw = raw.hstack(given)
    kept = []
    for name in raw.columns:
        values = raw[name]
        rare = values.value_counts().filter(pl.col("count") < MIN_LEVEL)[name]
        values = pl.select(
            pl.when(values.is_in(rare.implode())).then(pl.lit(_OTHER)).otherwise(values)
        ).to_series()
        stuck = (
            pl.DataFrame({"v": values, "y": won})
            .group_by("v")
            .agg(pl.col("y").n_unique())
            .filter(pl.col("y") < 2)
        )
        if values.n_unique() > 1 and stuck.height == 0:
            kept.append(values.alias(name))
    return pl.DataFrame(kept) if kept else pl.DataFrame(schema={})
