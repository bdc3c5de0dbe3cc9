"""Each opportunity's journey window, and the touches that fall in it.

The window of an opportunity runs from ``created_at - lookback_days`` to ``closed_at`` for
deals closed by ``as_of``, or to ``as_of`` for deals still open. Journeys
(:mod:`attribution.journey.build`) and per-deal features
(:mod:`attribution.journey.features`) both start from these rows and pair them with the
touches of :func:`touches_in_windows`:

* a touch **linked to a deal** (``touches.opportunity_id``, as CRMs log activities on a
  deal) belongs to that deal's journey only, if it falls in its window;
* a touch **without a deal** belongs to the journey of every deal of its account whose
  window holds it (the account-window rule). When an account has several deals at once,
  such a touch counts for each of them: data health names those accounts
  (:func:`attribution.health.shared_touches`).
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from attribution._time import MICROS_PER_DAY
from attribution._time import as_of as resolve_as_of
from attribution.data.dataset import Dataset
from attribution.data.schema import (
    ACCOUNT_ID,
    AMOUNT,
    CLOSED_AT,
    CREATED_AT,
    IS_WON,
    OCCURRED_AT,
    OPPORTUNITY_ID,
    TIMESTAMP,
)
from attribution.errors import ParameterError
from attribution.journey.columns import (
    LEAD_CREATED_AT,
    OPPORTUNITY_CREATED_AT,
    STATUS,
    WINDOW_END,
    WINDOW_START,
)

__all__ = ["check_lookback", "opportunity_windows", "touches_in_windows"]


def check_lookback(lookback_days: float) -> None:
    """Raise a :class:`ParameterError` unless ``lookback_days`` is a number >= 0.

    Examples
    --------
    >>> check_lookback(-1)
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: lookback_days must be >= 0, got -1
    """
    if not lookback_days >= 0:
        raise ParameterError(f"lookback_days must be >= 0, got {lookback_days!r}")


def opportunity_windows(
    dataset: Dataset, *, lookback_days: float, as_of: datetime | None
) -> pl.LazyFrame:
    """One row per opportunity known at ``as_of``: status, window bounds, lead creation.

    Parameters
    ----------
    dataset
        A validated dataset.
    lookback_days
        How far before an opportunity's ``created_at`` its window starts.
    as_of
        The moment the data is seen at (``None``: the latest timestamp in the data).

    Returns
    -------
    polars.LazyFrame
        :data:`attribution.journey.columns.OPPORTUNITY_COLUMNS` then ``lead_created_at``
        (the account's first contact created by ``as_of``; empty without contacts).

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=50, seed=0)
    >>> w = opportunity_windows(ds, lookback_days=30, as_of=None).collect()
    >>> w.height == ds.opportunities.height
    True
    """
    check_lookback(lookback_days)
    now = pl.lit(resolve_as_of(dataset, as_of)).cast(TIMESTAMP)
    opps = (
        dataset.lazy("opportunities")
        .filter(pl.col(CREATED_AT) <= now)
        .select(*_window_columns(now, lookback_days))
    )
    return _with_lead_created(opps, dataset, now)


def _window_columns(now: pl.Expr, lookback_days: float) -> list[pl.Expr | str]:
    """Return the opportunity's columns as seen at ``now``: outcome, dates, window bounds."""
    closed = pl.col(CLOSED_AT).is_not_null() & (pl.col(CLOSED_AT) <= now)
    return [
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
        (pl.col(CREATED_AT) - _lookback(lookback_days)).alias(WINDOW_START),
        pl.when(closed).then(pl.col(CLOSED_AT)).otherwise(now).alias(WINDOW_END),
    ]


def _lookback(days: float) -> pl.Expr:
    """Return the lookback as a duration, truncated to whole microseconds."""
    return pl.duration(microseconds=int(days * MICROS_PER_DAY))


def _with_lead_created(opps: pl.LazyFrame, dataset: Dataset, now: pl.Expr) -> pl.LazyFrame:
    """Add ``lead_created_at``: the account's first contact created by ``now``."""
    if dataset.contacts is None:
        return opps.with_columns(pl.lit(None, dtype=TIMESTAMP).alias(LEAD_CREATED_AT))
    leads = (
        dataset.lazy("contacts")
        .filter(pl.col(CREATED_AT) <= now)
        .group_by(ACCOUNT_ID)
        .agg(pl.col(CREATED_AT).min().alias(LEAD_CREATED_AT))
    )
    return opps.join(leads, on=ACCOUNT_ID, how="left")


def touches_in_windows(opps: pl.LazyFrame, touches: pl.LazyFrame) -> pl.LazyFrame:
    """Pair each opportunity with the touches in its window (see the module docstring).

    Parameters
    ----------
    opps
        One row per opportunity with ``opportunity_id``, ``account_id``, ``window_start``
        and ``window_end`` (other columns are kept).
    touches
        Touches with ``account_id`` and ``occurred_at``, and ``opportunity_id`` when
        touches may be linked to deals (empty: not linked).

    Returns
    -------
    polars.LazyFrame
        ``opps``' columns, then the touches' other columns; one row per (opportunity,
        touch in its window). Unordered.

    Examples
    --------
    >>> from datetime import datetime
    >>> day = lambda d: datetime(2024, 1, d)
    >>> opps = pl.LazyFrame({"opportunity_id": ["o1", "o2"], "account_id": ["a", "a"],
    ...     "window_start": [day(1), day(1)], "window_end": [day(20), day(20)]})
    >>> touches = pl.LazyFrame({"touch_id": ["t1", "t2"], "account_id": ["a", "a"],
    ...     "occurred_at": [day(5), day(6)], "opportunity_id": ["o2", None]})
    >>> touches_in_windows(opps, touches).collect().sort("opportunity_id", "touch_id").select(
    ...     "opportunity_id", "touch_id").rows()
    [('o1', 't2'), ('o2', 't1'), ('o2', 't2')]
    """
    in_window = pl.col(OCCURRED_AT).is_between(pl.col(WINDOW_START), pl.col(WINDOW_END))
    if OPPORTUNITY_ID not in touches.collect_schema().names():
        return opps.join(touches, on=ACCOUNT_ID, how="inner").filter(in_window)
    linked = pl.col(OPPORTUNITY_ID).is_not_null()
    on_deal = opps.join(touches.filter(linked).drop(ACCOUNT_ID), on=OPPORTUNITY_ID, how="inner")
    on_account = opps.join(touches.filter(~linked).drop(OPPORTUNITY_ID), on=ACCOUNT_ID, how="inner")
    return pl.concat([on_deal, on_account], how="vertical").filter(in_window)
