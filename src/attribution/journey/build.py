"""Journeys: the touches that preceded each opportunity, ordered, with milestone flags.

A journey is, per opportunity, every touch of its account (all its contacts and anonymous
account-level touches) from ``created_at - lookback_days`` up to the end of its window:
``closed_at`` for closed deals, ``as_of`` for deals still open. A touch linked to a deal
(``touches.opportunity_id``) belongs to that deal's journey only. Touches are ordered by
time, then by ``touch_id`` so that ties are broken the same way on every run.

Milestones (used by the position-based rule models):

* ``is_first``: the first touch of the window;
* ``is_lead_creation``: the last touch at or before the lead was created, i.e. the earliest
  ``created_at`` among the account's contacts (needs the ``contacts`` table);
* ``is_opportunity_creation``: the last touch at or before the opportunity's ``created_at``;
* ``is_close``: the last touch at or before ``closed_at`` (closed deals only).

A milestone with no touch before it is flagged on no row. Opportunities with no touch in
their window still appear, once, with empty touch columns and ``n_touches == 0``, so that
every opportunity (and every won dollar) is represented.

Everything is polars expressions on lazy frames: no Python loop over rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal, overload

import polars as pl

from attribution._time import DEFAULT_LOOKBACK_DAYS, days_between
from attribution.data.dataset import Dataset
from attribution.data.schema import ACCOUNT_ID, CLOSED_AT, OCCURRED_AT, OPPORTUNITY_ID, TOUCH_ID
from attribution.engines import Engine, adapter, check_engine
from attribution.errors import ParameterError
from attribution.journey.columns import (
    DAYS_BEFORE_CLOSE,
    IS_CLOSE,
    IS_FIRST,
    IS_LEAD_CREATION,
    IS_OPPORTUNITY_CREATION,
    JOURNEY_COLUMNS,
    LEAD_CREATED_AT,
    MILESTONES,
    N_TOUCHES,
    OPPORTUNITY_CREATED_AT,
    POSITION,
    TOUCH_COLUMNS,
    WINDOW_END,
)
from attribution.journey.slices import Include, attributes, deals
from attribution.journey.windows import touches_in_windows

__all__ = ["journeys"]

_TOUCH_COLUMNS = TOUCH_COLUMNS  # the name the Spark adapter imports


@overload
def journeys(
    dataset: Dataset,
    *,
    lookback_days: float = ...,
    as_of: datetime | None = ...,
    lazy: Literal[False] = ...,
    engine: Literal["polars"] = ...,
    include: Include = ...,
    where: pl.Expr | None = ...,
) -> pl.DataFrame: ...
@overload
def journeys(
    dataset: Dataset,
    *,
    lookback_days: float = ...,
    as_of: datetime | None = ...,
    lazy: Literal[True],
    engine: Literal["polars"] = ...,
    include: Include = ...,
    where: pl.Expr | None = ...,
) -> pl.LazyFrame: ...
@overload
def journeys(
    dataset: Any,
    *,
    lookback_days: float = ...,
    as_of: datetime | None = ...,
    lazy: bool = ...,
    engine: Literal["spark"],
    include: Include = ...,
    where: pl.Expr | None = ...,
) -> Any: ...


def journeys(
    dataset: Any,
    *,
    lookback_days: float = DEFAULT_LOOKBACK_DAYS,
    as_of: datetime | None = None,
    lazy: bool = False,
    engine: Engine = "polars",
    include: Include = None,
    where: pl.Expr | None = None,
) -> Any:
    """Build every opportunity's journey: its touches in window, ordered, with milestones.

    Parameters
    ----------
    dataset
        A validated dataset.
    lookback_days
        How far before an opportunity's ``created_at`` its window starts.
    as_of
        The moment the data is seen at (default: the latest timestamp in the data).
        Opportunities created later are left out; deals closing later count as open, and
        open deals' windows end here.
    lazy
        Return a LazyFrame (for data larger than memory) instead of a DataFrame.
    engine
        ``"polars"``, or ``"spark"``: ``dataset`` is then an
        :class:`attribution.spark.SparkDataset` (or a mapping of table name to Spark
        DataFrame or table name) and the result a Spark DataFrame with the same rows
        (see :func:`attribution.spark.journeys`).
    include
        Attributes of each deal's opportunity and account to copy onto its rows, to group
        or restrict by: names (``["segment", "industry", "stage", "source", "owner"]``,
        any extra column of ``opportunities`` or ``accounts``, ``"table.column"``) or
        ``"all"``; they follow the journey columns (see
        :mod:`attribution.journey.slices`).
    where
        Keep only the deals where this polars expression is true, evaluated once per
        opportunity on its window columns (``status``, ``amount``,
        ``opportunity_created_at``...) and attributes, included or not (e.g.
        ``pl.col("segment") == "enterprise"``).

    Returns
    -------
    polars.DataFrame or polars.LazyFrame
        Columns :data:`JOURNEY_COLUMNS`, one row per (opportunity, touch in window), sorted by
        ``opportunity_id`` then ``position``; opportunities without touches appear once with
        ``n_touches == 0`` and empty touch columns. ``days_before_close`` is the time from
        the touch to the end of the window, in days. Then the ``include`` attributes.

    Examples
    --------
    >>> import attribution as at, polars as pl
    >>> ds = at.demo.generate(n_accounts=60, seed=3)
    >>> j = at.journeys(ds, lookback_days=90)
    >>> firsts = j.filter(pl.col("n_touches") > 0).group_by("opportunity_id").agg(
    ...     pl.col("is_first").sum())
    >>> firsts["is_first"].unique().to_list()
    [1]
    >>> big = at.journeys(ds, include=["segment"], where=pl.col("amount") > 50_000)
    >>> big.columns[-1], big["amount"].min() > 50_000
    ('segment', True)
    """
    if check_engine(engine) == "spark":
        if lazy or include is not None or where is not None:
            raise ParameterError("lazy, include and where apply to the polars engine only")
        return adapter("spark").journeys(dataset, lookback_days=lookback_days, as_of=as_of)
    wanted = attributes(dataset, include)
    opps = deals(dataset, wanted, where, lookback_days=lookback_days, as_of=as_of)
    touched = _with_milestones(_touches_in_window(opps, dataset))
    columns = (*JOURNEY_COLUMNS, *(a.name for a in wanted))
    result = _merge_untouched(touched, _untouched(opps, touched, columns), columns)
    return result if lazy else result.collect()


def _touches_in_window(opps: pl.LazyFrame, dataset: Dataset) -> pl.LazyFrame:
    """Join each opportunity to the touches of its window, numbered in order.

    A touch linked to a deal joins that deal only; others every deal of their account
    (:func:`~attribution.journey.windows.touches_in_windows`).
    """
    raw = dataset.lazy("touches")
    linked = [OPPORTUNITY_ID] if OPPORTUNITY_ID in raw.collect_schema().names() else []
    touches = raw.select(ACCOUNT_ID, *linked, *TOUCH_COLUMNS)
    return (
        touches_in_windows(opps, touches)
        .sort(OPPORTUNITY_ID, OCCURRED_AT, TOUCH_ID)
        .with_columns(
            pl.int_range(1, pl.len() + 1, dtype=pl.Int32).over(OPPORTUNITY_ID).alias(POSITION),
            pl.len().over(OPPORTUNITY_ID).cast(pl.Int32).alias(N_TOUCHES),
            days_between(WINDOW_END, OCCURRED_AT).alias(DAYS_BEFORE_CLOSE),
        )
    )


def _with_milestones(touched: pl.LazyFrame) -> pl.LazyFrame:
    """Flag the first touch and the last touch at or before each milestone."""
    return touched.with_columns(
        (pl.col(POSITION) == 1).alias(IS_FIRST),
        _last_position_at_or_before(LEAD_CREATED_AT).alias(IS_LEAD_CREATION),
        _last_position_at_or_before(OPPORTUNITY_CREATED_AT).alias(IS_OPPORTUNITY_CREATION),
        ((pl.col(POSITION) == pl.col(N_TOUCHES)) & pl.col(CLOSED_AT).is_not_null()).alias(IS_CLOSE),
    )


def _last_position_at_or_before(limit: str) -> pl.Expr:
    """Flag the last touch of each opportunity at or before the timestamp in ``limit``."""
    last = pl.col(POSITION).filter(pl.col(OCCURRED_AT) <= pl.col(limit)).max().over(OPPORTUNITY_ID)
    return (pl.col(POSITION) == last).fill_null(False)


def _untouched(opps: pl.LazyFrame, touched: pl.LazyFrame, columns: Sequence[str]) -> pl.LazyFrame:
    """Opportunities with no touch in their window: one row each, empty touch columns."""
    untouched = opps.join(
        touched.select(OPPORTUNITY_ID).unique(), on=OPPORTUNITY_ID, how="anti"
    ).with_columns(
        pl.lit(0, dtype=pl.Int32).alias(POSITION),
        pl.lit(0, dtype=pl.Int32).alias(N_TOUCHES),
        *[pl.lit(False).alias(m) for m in MILESTONES],
    )
    schema = touched.collect_schema()
    return untouched.with_columns(
        pl.lit(None, dtype=schema[c]).alias(c)
        for c in columns
        if c not in untouched.collect_schema()
    )


def _merge_untouched(
    touched: pl.LazyFrame, untouched: pl.LazyFrame, columns: Sequence[str]
) -> pl.LazyFrame:
    """Both parts in ``columns`` (:data:`JOURNEY_COLUMNS`, attributes), in deal order."""
    # both parts are ordered by opportunity_id: a linear merge, not a second full sort
    return touched.select(columns).merge_sorted(
        untouched.sort(OPPORTUNITY_ID).select(columns), key=OPPORTUNITY_ID
    )
