"""Journeys: the touches that preceded each opportunity, ordered, with milestone flags.

A journey is, per opportunity, every touch of its account (all its contacts and anonymous
account-level touches) from ``created_at - lookback_days`` up to the end of its window:
``closed_at`` for closed deals, ``as_of`` for deals still open. Touches are ordered by time,
then by ``touch_id`` so that ties are broken the same way on every run.

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

from datetime import datetime
from typing import Any, Literal, overload

import polars as pl

from attribution._time import DEFAULT_LOOKBACK_DAYS, MICROS_PER_DAY
from attribution._time import as_of as resolve_as_of
from attribution.data.dataset import Dataset
from attribution.data.schema import (
    ACCOUNT_ID,
    ACTIVITY,
    AMOUNT,
    CAMPAIGN,
    CHANNEL,
    CLOSED_AT,
    CONTACT_ID,
    COST,
    CREATED_AT,
    IS_WON,
    OCCURRED_AT,
    OPPORTUNITY_ID,
    REP,
    TEAM,
    TEAMS,
    TIMESTAMP,
    TOUCH_ID,
)
from attribution.engines import Engine, adapter, check_engine
from attribution.errors import ParameterError

__all__ = ["JOURNEY_COLUMNS", "PATH_COLUMNS", "journeys", "paths"]

STATUS = "status"
OPPORTUNITY_CREATED_AT = "opportunity_created_at"
WINDOW_START = "window_start"
WINDOW_END = "window_end"
LEAD_CREATED_AT = "lead_created_at"
POSITION = "position"
N_TOUCHES = "n_touches"
DAYS_BEFORE_CLOSE = "days_before_close"
IS_FIRST = "is_first"
IS_LEAD_CREATION = "is_lead_creation"
IS_OPPORTUNITY_CREATION = "is_opportunity_creation"
IS_CLOSE = "is_close"
MILESTONES = (IS_FIRST, IS_LEAD_CREATION, IS_OPPORTUNITY_CREATION, IS_CLOSE)

OPPORTUNITY_COLUMNS: tuple[str, ...] = (
    OPPORTUNITY_ID,
    ACCOUNT_ID,
    STATUS,
    IS_WON,
    AMOUNT,
    OPPORTUNITY_CREATED_AT,
    CLOSED_AT,
    WINDOW_START,
    WINDOW_END,
)
"""The leading columns of a journeys frame that describe the opportunity and its window."""

JOURNEY_COLUMNS: tuple[str, ...] = (
    *OPPORTUNITY_COLUMNS,
    LEAD_CREATED_AT,
    TOUCH_ID,
    OCCURRED_AT,
    TEAM,
    CHANNEL,
    CAMPAIGN,
    ACTIVITY,
    CONTACT_ID,
    REP,
    COST,
    POSITION,
    N_TOUCHES,
    DAYS_BEFORE_CLOSE,
    *MILESTONES,
)
"""Columns of a journeys frame, in order."""

PATH = "path"
CONVERSIONS = "conversions"
VALUE = "value"
NULLS = "nulls"
PATH_COLUMNS: tuple[str, ...] = (PATH, CONVERSIONS, VALUE, NULLS)
"""Columns of a path table, in order."""

_TOUCH_COLUMNS = (TOUCH_ID, OCCURRED_AT, TEAM, CHANNEL, CAMPAIGN, ACTIVITY, CONTACT_ID, REP, COST)


def _lookback(days: float) -> pl.Expr:
    """Return the lookback as a duration, truncated to whole microseconds."""
    return pl.duration(microseconds=int(days * MICROS_PER_DAY))


def _opportunity_windows(dataset: Dataset, lookback_days: float, as_of: datetime) -> pl.LazyFrame:
    """One row per opportunity known at ``as_of``: status, window bounds, lead creation."""
    as_of_lit = pl.lit(as_of).cast(TIMESTAMP)
    closed = pl.col(CLOSED_AT).is_not_null() & (pl.col(CLOSED_AT) <= as_of_lit)
    opps = (
        dataset.lazy("opportunities")
        .filter(pl.col(CREATED_AT) <= as_of_lit)
        .select(
            OPPORTUNITY_ID,
            ACCOUNT_ID,
            pl.when(closed & pl.col(IS_WON))
            .then(pl.lit("won"))
            .when(closed)
            .then(pl.lit("lost"))
            .otherwise(pl.lit("open"))
            .alias(STATUS),
            (pl.col(IS_WON) & closed).alias(IS_WON),
            AMOUNT,
            pl.col(CREATED_AT).alias(OPPORTUNITY_CREATED_AT),
            pl.when(closed).then(pl.col(CLOSED_AT)).alias(CLOSED_AT),
            (
                pl.col(CREATED_AT) - pl.duration(microseconds=int(lookback_days * MICROS_PER_DAY))
            ).alias(WINDOW_START),
            pl.when(closed).then(pl.col(CLOSED_AT)).otherwise(as_of_lit).alias(WINDOW_END),
        )
    )
    if dataset.contacts is not None:
        leads = (
            dataset.lazy("contacts")
            .filter(pl.col(CREATED_AT) <= as_of_lit)
            .group_by(ACCOUNT_ID)
            .agg(pl.col(CREATED_AT).min().alias(LEAD_CREATED_AT))
        )
        opps = opps.join(leads, on=ACCOUNT_ID, how="left")
    else:
        opps = opps.with_columns(pl.lit(None, dtype=TIMESTAMP).alias(LEAD_CREATED_AT))
    return opps


def _last_position_at_or_before(limit: str) -> pl.Expr:
    """Flag the last touch of each opportunity at or before the timestamp in ``limit``."""
    last = pl.col(POSITION).filter(pl.col(OCCURRED_AT) <= pl.col(limit)).max().over(OPPORTUNITY_ID)
    return (pl.col(POSITION) == last).fill_null(False)


@overload
def journeys(
    dataset: Dataset,
    *,
    lookback_days: float = ...,
    as_of: datetime | None = ...,
    lazy: Literal[False] = ...,
    engine: Literal["polars"] = ...,
) -> pl.DataFrame: ...
@overload
def journeys(
    dataset: Dataset,
    *,
    lookback_days: float = ...,
    as_of: datetime | None = ...,
    lazy: Literal[True],
    engine: Literal["polars"] = ...,
) -> pl.LazyFrame: ...
@overload
def journeys(
    dataset: Any,
    *,
    lookback_days: float = ...,
    as_of: datetime | None = ...,
    lazy: bool = ...,
    engine: Literal["spark"],
) -> Any: ...


def journeys(
    dataset: Any,
    *,
    lookback_days: float = DEFAULT_LOOKBACK_DAYS,
    as_of: datetime | None = None,
    lazy: bool = False,
    engine: Engine = "polars",
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

    Returns
    -------
    polars.DataFrame or polars.LazyFrame
        Columns :data:`JOURNEY_COLUMNS`, one row per (opportunity, touch in window), sorted by
        ``opportunity_id`` then ``position``; opportunities without touches appear once with
        ``n_touches == 0`` and empty touch columns. ``days_before_close`` is the time from
        the touch to the end of the window, in days.

    Examples
    --------
    >>> import attribution as at, polars as pl
    >>> ds = at.demo.generate(n_accounts=60, seed=3)
    >>> j = at.journeys(ds, lookback_days=90)
    >>> firsts = j.filter(pl.col("n_touches") > 0).group_by("opportunity_id").agg(
    ...     pl.col("is_first").sum())
    >>> firsts["is_first"].unique().to_list()
    [1]
    """
    if check_engine(engine) == "spark":
        if lazy:
            raise ParameterError("lazy=True applies to the polars engine only")
        return adapter("spark").journeys(dataset, lookback_days=lookback_days, as_of=as_of)
    if not lookback_days >= 0:
        raise ParameterError(f"lookback_days must be >= 0, got {lookback_days!r}")
    opps = _opportunity_windows(dataset, lookback_days, resolve_as_of(dataset, as_of))
    touches = dataset.lazy("touches").select(ACCOUNT_ID, *_TOUCH_COLUMNS)

    in_window = (
        opps.join(touches, on=ACCOUNT_ID, how="inner")
        .filter(
            (pl.col(OCCURRED_AT) >= pl.col(WINDOW_START))
            & (pl.col(OCCURRED_AT) <= pl.col(WINDOW_END))
        )
        .sort(OPPORTUNITY_ID, OCCURRED_AT, TOUCH_ID)
        .with_columns(
            pl.int_range(1, pl.len() + 1, dtype=pl.Int32).over(OPPORTUNITY_ID).alias(POSITION),
            pl.len().over(OPPORTUNITY_ID).cast(pl.Int32).alias(N_TOUCHES),
            (
                (pl.col(WINDOW_END) - pl.col(OCCURRED_AT)).dt.total_microseconds() / MICROS_PER_DAY
            ).alias(DAYS_BEFORE_CLOSE),
        )
        .with_columns(
            (pl.col(POSITION) == 1).alias(IS_FIRST),
            _last_position_at_or_before(LEAD_CREATED_AT).alias(IS_LEAD_CREATION),
            _last_position_at_or_before(OPPORTUNITY_CREATED_AT).alias(IS_OPPORTUNITY_CREATION),
            ((pl.col(POSITION) == pl.col(N_TOUCHES)) & pl.col(CLOSED_AT).is_not_null()).alias(
                IS_CLOSE
            ),
        )
    )
    untouched = opps.join(
        in_window.select(OPPORTUNITY_ID).unique(), on=OPPORTUNITY_ID, how="anti"
    ).with_columns(
        pl.lit(0, dtype=pl.Int32).alias(POSITION),
        pl.lit(0, dtype=pl.Int32).alias(N_TOUCHES),
        *[pl.lit(False).alias(m) for m in MILESTONES],
    )
    schema = in_window.collect_schema()
    untouched = untouched.with_columns(
        pl.lit(None, dtype=schema[c]).alias(c)
        for c in JOURNEY_COLUMNS
        if c not in untouched.collect_schema()
    )
    # both parts are ordered by opportunity_id: a linear merge, not a second full sort
    result = in_window.select(JOURNEY_COLUMNS).merge_sorted(
        untouched.sort(OPPORTUNITY_ID).select(JOURNEY_COLUMNS), key=OPPORTUNITY_ID
    )
    return result if lazy else result.collect()


def paths(
    journeys: Any,
    *,
    by: str = CHANNEL,
    team: str | None = None,
    include_open: bool = False,
    engine: Engine = "polars",
) -> pl.DataFrame:
    """Aggregate journeys into a path table: one row per distinct ordered path.

    This is the form other attribution packages consume (e.g. ChannelAttribution's
    ``path``, ``total_conversions``, ``total_conversion_value``, ``total_null``).

    Parameters
    ----------
    journeys
        Output of :func:`journeys`.
    by
        Journey column whose values make up the path steps (``channel``, ``campaign``,
        ``team``...).
    team
        Keep only touches of this team (``"marketing"`` or ``"sales"``).
    include_open
        Count open opportunities as non-converting paths (default: leave them out, their
        outcome is not known yet).
    engine
        ``"polars"``, or ``"spark"`` for Spark journeys (a Spark DataFrame or table name):
        per-deal paths are built in Spark and counted by a Spark aggregation
        (:func:`attribution.spark.paths`); the result is the same polars table.

    Returns
    -------
    polars.DataFrame
        Columns ``path`` (list of str), ``conversions`` (won deals), ``value`` (their
        revenue), ``nulls`` (lost deals, plus open ones when asked), sorted by number of
        journeys, descending, then path. Journeys with no touch (after the team filter)
        have no path and are left out.

    Examples
    --------
    >>> import polars as pl
    >>> j = pl.DataFrame({"opportunity_id": ["a", "a", "b"], "status": ["won", "won", "lost"],
    ...     "amount": [10.0, 10.0, 5.0], "position": [1, 2, 1], "n_touches": [2, 2, 1],
    ...     "team": ["marketing"] * 3, "channel": ["email", "webinar", "email"]})
    >>> paths(j).to_dicts()[0]
    {'path': ['email'], 'conversions': 0, 'value': 0.0, 'nulls': 1}
    """
    if check_engine(engine) == "spark":
        return adapter("spark").paths(journeys, by=by, team=team, include_open=include_open)
    if team is not None and team not in TEAMS:
        raise ParameterError(f"team must be one of {TEAMS} or None, got {team!r}")
    lf = journeys.lazy()
    if by not in lf.collect_schema():
        raise ParameterError(f"by={by!r} is not a journeys column")
    statuses = ["won", "lost", "open"] if include_open else ["won", "lost"]
    lf = lf.filter(pl.col(STATUS).is_in(statuses) & (pl.col(N_TOUCHES) > 0))
    if team is not None:
        lf = lf.filter(pl.col(TEAM) == team)
    per_journey = (
        lf.sort(OPPORTUNITY_ID, POSITION)
        .group_by(OPPORTUNITY_ID)
        .agg(
            pl.col(by).cast(pl.String).fill_null("(none)").alias(PATH),
            (pl.col(STATUS).first() == "won").alias("_won"),
            pl.col(AMOUNT).first().alias("_amount"),
        )
    )
    table = (
        per_journey.group_by(PATH)
        .agg(
            pl.col("_won").sum().cast(pl.Int64).alias(CONVERSIONS),
            pl.when(pl.col("_won"))
            .then(pl.col("_amount"))
            .otherwise(0.0)
            .sum()
            .cast(pl.Float64)
            .alias(VALUE),
            (~pl.col("_won")).sum().cast(pl.Int64).alias(NULLS),
        )
        .with_columns(pl.col(PATH).list.join(" > ").alias("_key"))
        .sort(pl.col(CONVERSIONS) + pl.col(NULLS), "_key", descending=[True, False])
        .drop("_key")
    )
    return table.collect()
