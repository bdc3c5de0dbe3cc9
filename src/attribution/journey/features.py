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

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Literal

import polars as pl

from attribution._time import DEFAULT_LOOKBACK_DAYS
from attribution._time import as_of as resolve_as_of
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
    TEAMS,
    TIMESTAMP,
)
from attribution.errors import ParameterError
from attribution.journey.build import (
    JOURNEY_COLUMNS,
    N_TOUCHES,
    OPPORTUNITY_COLUMNS,
    OPPORTUNITY_CREATED_AT,
    POSITION,
    STATUS,
    WINDOW_END,
    WINDOW_START,
    _opportunity_windows,
)

__all__ = [
    "FEATURE_COLUMNS",
    "Period",
    "channel_group_columns",
    "opportunity_features",
    "period_label",
    "resolve_channel_groups",
]

MARKETING_TOUCHES = "marketing_touches"
SALES_TOUCHES = "sales_touches"
FIRST_RESPONSE_AT = "first_response_at"
SPEED_TO_LEAD_HOURS = "speed_to_lead_hours"
PERIOD = "period"
UNKNOWN = "unknown"
GROUP_PREFIX = "touches_"

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

Period = Literal["month", "quarter", "year"]
_PERIODS: tuple[str, ...] = ("month", "quarter", "year")


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
    if period not in _PERIODS:
        raise ParameterError(f"period must be one of {', '.join(_PERIODS)}; got {period!r}")
    t = pl.col(column)
    year = t.dt.year().cast(pl.String)
    if period == "year":
        return year
    if period == "quarter":
        return pl.format("{}-Q{}", year, t.dt.quarter())
    return pl.format("{}-{}", year, t.dt.month().cast(pl.String).str.zfill(2))


def _safe_name(group: str) -> str:
    return re.sub(r"\W+", "_", group.strip().lower()).strip("_") or "group"


def channel_group_columns(channel_groups: Mapping[str, object]) -> dict[str, str]:
    """Map each channel group to the feature column holding its touch counts.

    Examples
    --------
    >>> channel_group_columns({"Paid media": ["paid_search"], "Field": ["event"]})
    {'Paid media': 'touches_paid_media', 'Field': 'touches_field'}
    """
    columns: dict[str, str] = {}
    for group in channel_groups:
        name = GROUP_PREFIX + _safe_name(str(group))
        if name in columns.values():
            raise ParameterError(
                f"channel_groups: group names {group!r} and "
                f"{next(g for g, c in columns.items() if c == name)!r} are too similar "
                "(they differ only in case or punctuation); rename one"
            )
        columns[str(group)] = name
    return columns


def _check_groups(
    channel_groups: Mapping[str, Sequence[str]], team_of: Mapping[str, set[str]]
) -> dict[str, tuple[str, list[str]]]:
    """Validate channel groups against the data: ``group -> (team, channels)``.

    Each group must hold channels of one team, and each channel may sit in one group. Channels
    of the data that no group names are gathered in ``other marketing`` / ``other sales``.
    """
    if not isinstance(channel_groups, Mapping) or not channel_groups:
        raise ParameterError(
            "channel_groups must map group names to lists of channels, e.g. "
            "{'paid': ['paid_search', 'paid_social'], 'field': ['event']}; "
            f"got {channel_groups!r}"
        )
    seen: dict[str, str] = {}
    out: dict[str, tuple[str, list[str]]] = {}
    for group, channels in channel_groups.items():
        if isinstance(channels, str) or not isinstance(channels, Sequence) or not channels:
            raise ParameterError(
                f"channel_groups[{group!r}] must be a non-empty list of channels, got {channels!r}"
            )
        teams: set[str] = set()
        for channel in channels:
            if channel in seen:
                raise ParameterError(
                    f"channel {channel!r} is in two channel groups: {seen[channel]!r} and "
                    f"{group!r}; a channel belongs to one group"
                )
            seen[channel] = str(group)
            teams |= team_of.get(channel, set())
        if len(teams) > 1:
            raise ParameterError(
                f"channel_groups[{group!r}] mixes marketing and sales channels "
                f"({', '.join(channels)}); a group must belong to one team"
            )
        if not teams:
            known = ", ".join(sorted(team_of)) or "none"
            raise ParameterError(
                f"channel_groups[{group!r}]: none of its channels ({', '.join(channels)}) "
                f"occurs in the data; channels present: {known}"
            )
        out[str(group)] = (teams.pop(), list(channels))
    for team in TEAMS:
        rest = sorted(c for c, ts in team_of.items() if team in ts and c not in seen)
        if rest:
            name = f"other {team}"
            if name in out:
                raise ParameterError(f"channel_groups: the name {name!r} is reserved")
            out[name] = (team, rest)
    return out


def resolve_channel_groups(
    touches: Frame, channel_groups: Mapping[str, Sequence[str]]
) -> dict[str, tuple[str, list[str]]]:
    """Check channel groups against the data's channels: ``{group: (team, channels)}``.

    ``touches`` is the touches table or journeys (anything with ``team`` and ``channel``).

    Each group must hold channels of one team and each channel may sit in one group;
    channels of the data that no group names are gathered in ``other marketing`` /
    ``other sales``.
    """
    pairs = touches.lazy().select(TEAM, CHANNEL).drop_nulls().unique().collect()
    team_of: dict[str, set[str]] = {}
    for team, channel in pairs.iter_rows():
        team_of.setdefault(channel, set()).add(team)
    return _check_groups(channel_groups, team_of)


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
    if period not in _PERIODS:
        raise ParameterError(f"period must be one of {', '.join(_PERIODS)}; got {period!r}")
    if journeys is None:
        # the journeys' windows without their ordering: no sort, no milestones
        if not lookback_days >= 0:
            raise ParameterError(f"lookback_days must be >= 0, got {lookback_days!r}")
        base = _opportunity_windows(dataset, lookback_days, resolve_as_of(dataset, as_of)).select(
            OPPORTUNITY_COLUMNS
        )
        touches = dataset.lazy("touches").select(ACCOUNT_ID, OCCURRED_AT, TEAM, CHANNEL)
        rows = (
            base.select(OPPORTUNITY_ID, ACCOUNT_ID, WINDOW_START, WINDOW_END)
            .join(touches, on=ACCOUNT_ID)
            .filter(pl.col(OCCURRED_AT).is_between(pl.col(WINDOW_START), pl.col(WINDOW_END)))
        )
        seen: Frame = touches
    else:
        j = journeys.lazy()
        missing = set(JOURNEY_COLUMNS) - set(j.collect_schema().names())
        if missing:
            raise ParameterError(
                "journeys must be the output of attribution.journeys(); it lacks "
                + ", ".join(sorted(missing))
            )
        base = j.filter(pl.col(POSITION) <= 1).select(
            OPPORTUNITY_COLUMNS
        )  # one row per opportunity
        rows = j.filter(pl.col(N_TOUCHES) > 0)
        seen = j
    groups = resolve_channel_groups(seen, channel_groups) if channel_groups is not None else {}
    group_cols = channel_group_columns(groups) if groups else {}

    # the hand-off: the account's first MQL, if at or before the opportunity's creation
    if dataset.contacts is not None:
        mql = (
            dataset.lazy("contacts")
            .group_by(ACCOUNT_ID)
            .agg(pl.col(MQL_AT).min().alias("_first_mql"))
            .filter(pl.col("_first_mql").is_not_null())
        )
        base = (
            base.join(mql, on=ACCOUNT_ID, how="left")
            .with_columns(
                pl.when(pl.col("_first_mql") <= pl.col(OPPORTUNITY_CREATED_AT))
                .then(pl.col("_first_mql"))
                .alias(MQL_AT)
            )
            .drop("_first_mql")
        )
    else:
        base = base.with_columns(pl.lit(None, dtype=TIMESTAMP).alias(MQL_AT))

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
    per_opp = (
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
    count_cols = [MARKETING_TOUCHES, SALES_TOUCHES, *group_cols.values()]
    out = base.join(per_opp, on=OPPORTUNITY_ID, how="left").with_columns(
        pl.col(count_cols).fill_null(0)
    )
    if dataset.accounts is not None:
        segments = dataset.lazy("accounts").select(ACCOUNT_ID, pl.col(SEGMENT).cast(pl.String))
        out = out.join(segments, on=ACCOUNT_ID, how="left")
    else:
        out = out.with_columns(pl.lit(None, dtype=pl.String).alias(SEGMENT))
    return (
        out.rename({OPPORTUNITY_CREATED_AT: CREATED_AT})
        .with_columns(
            pl.col(SEGMENT).fill_null(UNKNOWN),
            period_label(CREATED_AT, period).alias(PERIOD),
            ((pl.col(FIRST_RESPONSE_AT) - pl.col(MQL_AT)).dt.total_microseconds() / 3.6e9).alias(
                SPEED_TO_LEAD_HOURS
            ),
        )
        .select(*FEATURE_COLUMNS, *group_cols.values())
        .sort(OPPORTUNITY_ID)
        .collect(engine="streaming" if dataset.is_lazy else "auto")  # bounded memory on scans
    )


def channel_groups_of(features: pl.DataFrame) -> list[str]:
    """Names of the channel-group count columns in a features frame."""
    return [c for c in features.columns if c.startswith(GROUP_PREFIX)]
