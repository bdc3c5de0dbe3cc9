"""Per-opportunity exposures: what each team did in an opportunity's journey window.

One row per opportunity, computed once in polars from its journey window and the account's
contacts (without ordering the journeys unless they are passed in), and shared by the
contribution estimates, the funnel views and the scorecard:

* ``marketing_touches`` / ``sales_touches``: touches of each team in the journey window
  (``created_at - lookback_days`` up to the close, or ``as_of`` while open);
* ``mql_at``: the account's first MQL, when it happened at or before the opportunity was
  created (the hand-off from marketing to sales);
* ``first_response_at``: the first sales touch in the window at or after that MQL;
* ``speed_to_lead_hours``: the hours between the two (empty when either is missing);
* ``segment`` (from ``accounts``, ``"unknown"`` when absent) and ``period`` (the
  opportunity's creation month, quarter or year) as controls;
* optionally ``touches_<group>``: touches per channel group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import polars as pl

from attribution._time import DEFAULT_LOOKBACK_DAYS, hours_between
from attribution.data.dataset import Dataset, Frame
from attribution.data.schema import (
    ACCOUNT_ID,
    AMOUNT,
    CHANNEL,
    CLOSED_AT,
    CREATED_AT,
    IS_WON,
    MARKETING,
    MQL_AT,
    OCCURRED_AT,
    OPPORTUNITY_ID,
    SALES,
    SEGMENT,
    TEAM,
    TIMESTAMP,
)
from attribution.errors import ParameterError
from attribution.journey.columns import (
    JOURNEY_COLUMNS,
    N_TOUCHES,
    OPPORTUNITY_COLUMNS,
    OPPORTUNITY_CREATED_AT,
    POSITION,
    STATUS,
    WINDOW_END,
    WINDOW_START,
)
from attribution.journey.controls import (
    Period,
    check_period,
    period_label,
    with_segment,
)
from attribution.journey.groups import (
    Groups,
    channel_group_columns,
    resolve_channel_groups,
)
from attribution.journey.windows import opportunity_windows, touches_in_windows

__all__ = [
    "FEATURE_COLUMNS",
    "FIRST_RESPONSE_AT",
    "MARKETING_TOUCHES",
    "PERIOD",
    "SALES_TOUCHES",
    "SPEED_TO_LEAD_HOURS",
    "opportunity_features",
]

MARKETING_TOUCHES = "marketing_touches"
SALES_TOUCHES = "sales_touches"
FIRST_RESPONSE_AT = "first_response_at"
SPEED_TO_LEAD_HOURS = "speed_to_lead_hours"
PERIOD = "period"

FEATURE_COLUMNS: tuple[str, ...] = (
    OPPORTUNITY_ID,
    ACCOUNT_ID,
    STATUS,
    IS_WON,
    AMOUNT,
    CREATED_AT,
    CLOSED_AT,
    WINDOW_START,
    WINDOW_END,
    SEGMENT,
    PERIOD,
    MARKETING_TOUCHES,
    SALES_TOUCHES,
    MQL_AT,
    FIRST_RESPONSE_AT,
    SPEED_TO_LEAD_HOURS,
)
"""Columns of :func:`opportunity_features`, in order (channel-group counts follow)."""


def opportunity_features(
    dataset: Dataset,
    *,
    lookback_days: float = DEFAULT_LOOKBACK_DAYS,
    as_of: datetime | None = None,
    journeys: Frame | None = None,
    channel_groups: Mapping[str, Sequence[str]] | None = None,
    period: Period = "quarter",
) -> pl.DataFrame:
    """Compute per-opportunity exposures and controls from journeys and contacts.

    Parameters
    ----------
    dataset
        A validated dataset. ``contacts`` (with ``mql_at``) enables speed-to-lead;
        ``accounts`` (with ``segment``) the segment control.
    lookback_days, as_of
        The journey window (see :func:`attribution.journeys`); ignored when ``journeys``
        is given.
    journeys
        Journeys already built from ``dataset`` (eager or lazy), to avoid building them twice.
    channel_groups
        Optional ``{group: [channels]}``; adds one ``touches_<group>`` count per group. Each
        group holds channels of one team; channels named by no group are counted in
        ``other marketing`` / ``other sales``.
    period
        Calendar period of the ``period`` control: ``"month"``, ``"quarter"`` or ``"year"``
        of the opportunity's creation.

    Returns
    -------
    polars.DataFrame
        One row per opportunity (open ones included, see ``status``), columns
        :data:`FEATURE_COLUMNS` then one count per channel group, sorted by
        ``opportunity_id``. ``speed_to_lead_hours`` is the time from the account's first
        MQL (if at or before the opportunity's creation) to the first sales touch at or
        after it within the window; empty when there is no such MQL or touch.

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=300, seed=1)
    >>> f = opportunity_features(ds)
    >>> f.height == ds.opportunities.height
    True
    >>> f.select("marketing_touches", "sales_touches").min().row(0)
    (0, 0)
    """
    check_period(period)
    if journeys is None:
        base, rows, seen = _from_dataset(dataset, lookback_days=lookback_days, as_of=as_of)
    else:
        base, rows, seen = _from_journeys(journeys)
    groups = resolve_channel_groups(seen, channel_groups) if channel_groups is not None else {}
    group_cols = channel_group_columns(groups) if groups else {}
    base = _with_first_mql(base, dataset)
    counts = _touch_counts(rows, base, groups, group_cols)
    return (
        _finish(base, counts, dataset, period, list(group_cols.values()))
        # bounded memory on scans
        .collect(engine="streaming" if dataset.is_lazy else "auto")
    )


def _from_dataset(
    dataset: Dataset, *, lookback_days: float, as_of: datetime | None
) -> tuple[pl.LazyFrame, pl.LazyFrame, Frame]:
    """Opportunities, their touches in window, and all touches, without building journeys.

    The journeys' windows without their ordering: no sort, no milestones.
    """
    base = opportunity_windows(dataset, lookback_days=lookback_days, as_of=as_of).select(
        OPPORTUNITY_COLUMNS
    )
    raw = dataset.lazy("touches")
    linked = [OPPORTUNITY_ID] if OPPORTUNITY_ID in raw.collect_schema().names() else []
    touches = raw.select(ACCOUNT_ID, *linked, OCCURRED_AT, TEAM, CHANNEL)
    rows = touches_in_windows(
        base.select(OPPORTUNITY_ID, ACCOUNT_ID, WINDOW_START, WINDOW_END), touches
    )
    return base, rows, touches


def _from_journeys(journeys: Frame) -> tuple[pl.LazyFrame, pl.LazyFrame, Frame]:
    """Opportunities (one row each), their touch rows, and all rows, from built journeys."""
    j = journeys.lazy()
    missing = set(JOURNEY_COLUMNS) - set(j.collect_schema().names())
    if missing:
        raise ParameterError(
            "journeys must be the output of attribution.journeys(); it lacks "
            + ", ".join(sorted(missing))
        )
    base = j.filter(pl.col(POSITION) <= 1).select(OPPORTUNITY_COLUMNS)
    return base, j.filter(pl.col(N_TOUCHES) > 0), j


def _with_first_mql(base: pl.LazyFrame, dataset: Dataset) -> pl.LazyFrame:
    """Add ``mql_at``: the account's first MQL, if at or before the opportunity's creation.

    That MQL is the hand-off from marketing to sales; empty without contacts.
    """
    if dataset.contacts is None:
        return base.with_columns(pl.lit(None, dtype=TIMESTAMP).alias(MQL_AT))
    mql = (
        dataset.lazy("contacts")
        .group_by(ACCOUNT_ID)
        .agg(pl.col(MQL_AT).min().alias("_first_mql"))
        .filter(pl.col("_first_mql").is_not_null())
    )
    return (
        base.join(mql, on=ACCOUNT_ID, how="left")
        .with_columns(
            pl.when(pl.col("_first_mql") <= pl.col(OPPORTUNITY_CREATED_AT))
            .then(pl.col("_first_mql"))
            .alias(MQL_AT)
        )
        .drop("_first_mql")
    )


def _touch_counts(
    rows: pl.LazyFrame, base: pl.LazyFrame, groups: Groups, group_cols: Mapping[str, str]
) -> pl.LazyFrame:
    """Per opportunity with touches: touches per team and group, first sales touch after MQL."""
    counts = [
        (pl.col(TEAM) == MARKETING).sum().cast(pl.Int64).alias(MARKETING_TOUCHES),
        (pl.col(TEAM) == SALES).sum().cast(pl.Int64).alias(SALES_TOUCHES),
        *[
            ((pl.col(TEAM) == team) & pl.col(CHANNEL).is_in(channels))
            .sum()
            .cast(pl.Int64)
            .alias(group_cols[g])
            for g, (team, channels) in groups.items()
        ],
    ]
    return (
        rows.select(OPPORTUNITY_ID, OCCURRED_AT, TEAM, CHANNEL)
        .join(base.select(OPPORTUNITY_ID, MQL_AT), on=OPPORTUNITY_ID, how="left")
        .group_by(OPPORTUNITY_ID)
        .agg(
            *counts,
            pl.col(OCCURRED_AT)
            .filter((pl.col(TEAM) == SALES) & (pl.col(OCCURRED_AT) >= pl.col(MQL_AT)))
            .min()
            .alias(FIRST_RESPONSE_AT),
        )
    )


def _finish(
    base: pl.LazyFrame,
    counts: pl.LazyFrame,
    dataset: Dataset,
    period: Period,
    group_cols: Sequence[str],
) -> pl.LazyFrame:
    """Join the counts (0 for deals without touches), add the controls and speed-to-lead."""
    out = base.join(counts, on=OPPORTUNITY_ID, how="left").with_columns(
        pl.col([MARKETING_TOUCHES, SALES_TOUCHES, *group_cols]).fill_null(0)
    )
    return (
        with_segment(out, dataset)
        .rename({OPPORTUNITY_CREATED_AT: CREATED_AT})
        .with_columns(
            period_label(CREATED_AT, period).alias(PERIOD),
            hours_between(FIRST_RESPONSE_AT, MQL_AT).alias(SPEED_TO_LEAD_HOURS),
        )
        .select(*FEATURE_COLUMNS, *group_cols)
        .sort(OPPORTUNITY_ID)
    )
