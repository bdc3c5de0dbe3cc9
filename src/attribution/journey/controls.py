"""The controls every per-deal and per-lead table carries: calendar period and segment.

:func:`period_label` names a timestamp's month, quarter or year; :func:`with_segment` adds
each account's segment (``"unknown"`` when the account or the ``accounts`` table is
missing).
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from attribution.data.dataset import Dataset
from attribution.data.schema import ACCOUNT_ID, SEGMENT
from attribution.errors import ParameterError

__all__ = [
    "PERIODS",
    "UNKNOWN",
    "Period",
    "check_period",
    "period_label",
    "segments_of",
    "with_segment",
]

UNKNOWN = "unknown"
"""The label of a missing segment or lead source."""

Period = Literal["month", "quarter", "year"]
PERIODS: tuple[str, ...] = ("month", "quarter", "year")


def check_period(period: object) -> None:
    """Raise a :class:`ParameterError` unless ``period`` is month, quarter or year.

    Examples
    --------
    >>> check_period("week")
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: period must be one of month, quarter, year; got 'week'
    """
    if period not in PERIODS:
        raise ParameterError(f"period must be one of {', '.join(PERIODS)}; got {period!r}")


def period_label(column: str, period: Period) -> pl.Expr:
    """Label a timestamp column by calendar period: ``2025-03``, ``2025-Q1`` or ``2025``.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import UTC, datetime
    >>> df = pl.DataFrame({"t": [datetime(2025, 5, 2)]})
    >>> df.select(period_label("t", "quarter")).item()
    '2025-Q2'
    """
    check_period(period)
    t = pl.col(column)
    year = t.dt.year().cast(pl.String)
    if period == "year":
        return year
    if period == "quarter":
        return pl.format("{}-Q{}", year, t.dt.quarter())
    return pl.format("{}-{}", year, t.dt.month().cast(pl.String).str.zfill(2))


def segments_of(dataset: Dataset) -> pl.LazyFrame | None:
    """``account_id`` and ``segment`` (as text) of every account; ``None`` without accounts."""
    if dataset.accounts is None:
        return None
    return dataset.lazy("accounts").select(ACCOUNT_ID, pl.col(SEGMENT).cast(pl.String))


def with_segment(frame: pl.LazyFrame, dataset: Dataset) -> pl.LazyFrame:
    """Add the account's ``segment`` as text: ``"unknown"`` when it has none.

    Examples
    --------
    >>> import attribution as at, polars as pl
    >>> ds = at.demo.generate(n_accounts=20, seed=0)
    >>> lf = pl.LazyFrame({"account_id": [ds.accounts["account_id"][0], "nobody"]})
    >>> with_segment(lf, ds).collect()["segment"][1]
    'unknown'
    """
    segments = segments_of(dataset)
    if segments is None:
        return frame.with_columns(pl.lit(UNKNOWN, dtype=pl.String).alias(SEGMENT))
    return frame.join(segments, on=ACCOUNT_ID, how="left").with_columns(
        pl.col(SEGMENT).fill_null(UNKNOWN)
    )
