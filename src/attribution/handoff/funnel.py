"""The hand-off between marketing and sales: funnel, sourced vs influenced, speed-to-lead.

Tables are tidy polars frames for the report's charts: one row per group and stage (or
channel), counts as integers, rates as fractions (0-1), durations in days or hours as
named.

* :func:`funnel`: accounts reaching lead -> MQL -> SQL -> opportunity -> won, with
  conversion rates and median days between stages, by lead source, segment or period.
* :func:`sourced_influenced`: pipeline and revenue each channel *sourced* (first touch of
  the journey) next to what it *influenced* (any touch in the window), side by side so
  both teams read one table.
* :func:`response_times`, :func:`speed_to_lead`: per MQL, the hours to the first sales
  touch; the share followed up within the service-level agreement by rep, source or month;
  MQLs never followed up. :func:`speed_to_lead_effect` estimates how conversion differs
  with response time (see :mod:`attribution.estimates.speed`).

The unit of the funnel and of speed-to-lead is the **account** (the unit opportunities and
revenue belong to): its first lead, its first MQL (the hand-off), its first opportunity,
and whether it won.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise
from typing import Literal

import polars as pl

from attribution._time import DEFAULT_LOOKBACK_DAYS, days_between
from attribution._time import as_of as resolve_as_of
from attribution.data.dataset import Dataset, Frame
from attribution.data.schema import (
    ACCOUNT_ID,
    AMOUNT,
    CAMPAIGN,
    CHANNEL,
    CLOSED_AT,
    CONTACT_ID,
    CREATED_AT,
    IS_WON,
    LEAD_SOURCE,
    MQL_AT,
    OPPORTUNITY_ID,
    SEGMENT,
    SQL_AT,
    TEAM,
    TIMESTAMP,
)
from attribution.errors import ParameterError, emit
from attribution.journey.build import POSITION, STATUS
from attribution.journey.build import journeys as build_journeys
from attribution.journey.features import Period, period_label
from attribution.journey.response import (
    SPEED_BY,
    UNKNOWN,
    SpeedBy,
    by_list,
    need_contacts,
    response_times,
    sales_only_on_won,
    segments_of,
)

__all__ = [
    "FunnelBy",
    "SpeedBy",
    "funnel",
    "response_times",
    "sales_only_on_won",
    "sourced_influenced",
    "speed_to_lead",
]

FunnelBy = Literal["lead_source", "segment", "period"]
STAGES: tuple[str, ...] = ("lead", "mql", "sql", "opportunity", "won")
_FUNNEL_BY: tuple[str, ...] = ("lead_source", "segment", "period")


# ------------------------------------------------------------------------------ funnel
def _account_stages(dataset: Dataset, as_of: pl.Expr, period: Period) -> pl.LazyFrame:
    """One row per account with a lead: first time it reached each stage, its groups."""
    contacts = dataset.lazy("contacts").filter(pl.col(CREATED_AT) <= as_of)
    leads = contacts.group_by(ACCOUNT_ID).agg(
        pl.col(CREATED_AT).min().alias("lead"),
        pl.col(LEAD_SOURCE).sort_by(CREATED_AT, CONTACT_ID).first().alias(LEAD_SOURCE),
        pl.col(MQL_AT).filter(pl.col(MQL_AT) <= as_of).min().alias("mql"),
        pl.col(SQL_AT).filter(pl.col(SQL_AT) <= as_of).min().alias("sql"),
    )
    opps = (
        dataset.lazy("opportunities")
        .filter(pl.col(CREATED_AT) <= as_of)
        .group_by(ACCOUNT_ID)
        .agg(
            pl.col(CREATED_AT).min().alias("opportunity"),
            pl.col(CLOSED_AT)
            .filter(pl.col(IS_WON) & (pl.col(CLOSED_AT) <= as_of))
            .min()
            .alias("won"),
            pl.col(AMOUNT)
            .filter(pl.col(IS_WON) & (pl.col(CLOSED_AT) <= as_of))
            .sum()
            .alias("revenue"),
        )
    )
    stages = leads.join(opps, on=ACCOUNT_ID, how="left")
    segments = segments_of(dataset)
    if segments is not None:
        stages = stages.join(segments, on=ACCOUNT_ID, how="left")
    else:
        stages = stages.with_columns(pl.lit(None, dtype=pl.String).alias(SEGMENT))
    return stages.with_columns(
        pl.col(LEAD_SOURCE).fill_null(UNKNOWN),
        pl.col(SEGMENT).fill_null(UNKNOWN),
        period_label("lead", period).alias("period"),
        pl.col("revenue").fill_null(0.0),
    )


def funnel(
    dataset: Dataset,
    *,
    by: FunnelBy | Sequence[FunnelBy] | None = None,
    period: Period = "quarter",
    as_of: datetime | None = None,
) -> pl.DataFrame:
    """Accounts reaching lead, MQL, SQL, opportunity and won, with conversion and timing.

    An account *reaches* a stage when it has that stage's date or any later one (so counts
    never grow down the funnel; an opportunity without a recorded SQL still passed SQL).
    Dates are the account's first: lead = first contact created, MQL = first ``mql_at``,
    SQL = first ``sql_at``, opportunity = first opportunity created, won = first won deal
    closed, all by ``as_of``. A stage with no date anywhere in the data is left out (with a
    warning), as it cannot be counted.

    Parameters
    ----------
    dataset
        A validated dataset with a ``contacts`` table.
    by
        Group by ``lead_source`` (of the account's first lead), ``segment`` or ``period``
        (of the first lead), or a list of them; ``None`` for one funnel.
    period
        ``month``, ``quarter`` or ``year`` for ``by="period"``.
    as_of
        The moment the data is seen at (default: its latest timestamp).

    Returns
    -------
    polars.DataFrame
        One row per group and stage: the ``by`` columns, ``stage``, ``step`` (1 = lead),
        ``accounts`` (reached it), ``conversion`` (from the previous stage),
        ``conversion_from_lead``, ``median_days`` (from the previous stage's date, among
        accounts with both), ``median_days_from_lead``, ``revenue`` (won stage only).

    Examples
    --------
    >>> import attribution as at
    >>> f = at.funnel(at.demo.generate(n_accounts=500, seed=1))
    >>> f["stage"].to_list()
    ['lead', 'mql', 'sql', 'opportunity', 'won']
    >>> (f["accounts"].diff().drop_nulls() <= 0).all()
    True
    """
    need_contacts(dataset, "funnel")
    keys = by_list(by, _FUNNEL_BY, "funnel")
    stages_lf = _account_stages(
        dataset, pl.lit(resolve_as_of(dataset, as_of)).cast(TIMESTAMP), period
    )
    present = (
        stages_lf.select([pl.col(s).is_not_null().any().alias(s) for s in STAGES])
        .collect()
        .row(0, named=True)
    )
    stages = [s for s in STAGES if present[s] or s == "lead"]
    missing = [s for s in STAGES if s not in stages]
    messages = [
        f"funnel: no {s.upper() if s in ('mql', 'sql') else s} dates in the data, so the "
        f"stage is left out"
        for s in missing
    ]
    data = stages_lf.collect()
    parts = []
    for k, stage in enumerate(stages):
        reached = pl.any_horizontal([pl.col(s).is_not_null() for s in stages[k:]])
        aggs = [
            reached.sum().cast(pl.Int64).alias("accounts"),
            (
                days_between(stage, stages[k - 1]).median() if k else pl.lit(None, dtype=pl.Float64)
            ).alias("median_days"),
            days_between(stage, "lead").median().alias("median_days_from_lead")
            if k
            else pl.lit(None, dtype=pl.Float64).alias("median_days_from_lead"),
            (pl.col("revenue").sum() if stage == "won" else pl.lit(None, dtype=pl.Float64)).alias(
                "revenue"
            ),
        ]
        grouped = data.group_by(keys).agg(aggs) if keys else data.select(aggs)
        parts.append(
            grouped.with_columns(
                pl.lit(stage).alias("stage"), pl.lit(STAGES.index(stage) + 1).alias("step")
            )
        )
    table = pl.concat(parts, how="vertical_relaxed").sort([*keys, "step"])
    over = keys or None
    lead_count = pl.col("accounts").first()
    table = table.with_columns(
        (pl.col("accounts") / pl.col("accounts").shift(1)).over(over).alias("conversion")
        if over
        else (pl.col("accounts") / pl.col("accounts").shift(1)).alias("conversion"),
        (pl.col("accounts") / lead_count).over(over).alias("conversion_from_lead")
        if over
        else (pl.col("accounts") / lead_count).alias("conversion_from_lead"),
    )
    for prev, stage in pairwise(stages):
        either = data.filter(pl.col(stage).is_not_null() | pl.col(prev).is_not_null())
        same = int((either[stage] == either[prev]).fill_null(False).sum())
        if either.height and same >= 0.99 * either.height:
            messages.append(
                f"funnel: the {stage} stage has the same date as the {prev} stage for "
                f"{same:,} of {either.height:,} accounts; the data records no separate "
                f"{stage} step, so its conversion says nothing"
            )
    emit(messages)
    return table.select(
        *keys,
        "stage",
        pl.col("step").cast(pl.Int64),
        "accounts",
        "conversion",
        "conversion_from_lead",
        "median_days",
        "median_days_from_lead",
        "revenue",
    )


# ------------------------------------------------------------------------------ sourced
def sourced_influenced(
    dataset: Dataset,
    *,
    by: Literal["channel", "campaign"] = "channel",
    lookback_days: float = DEFAULT_LOOKBACK_DAYS,
    as_of: datetime | None = None,
    journeys: Frame | None = None,
) -> pl.DataFrame:
    """Pipeline and revenue each channel sourced (first touch) and influenced (any touch).

    *Sourced* credits each opportunity to the first touch of its journey window;
    *influenced* credits it to every channel with a touch in the window (so influenced
    figures add up to more than the total). Opportunities without a touch appear as
    ``(no touch)``, so the sourced columns add up to the totals.

    Parameters
    ----------
    dataset
        A validated dataset.
    by
        ``channel`` or ``campaign``.
    lookback_days, as_of, journeys
        The journey window (see :func:`attribution.journeys`), or journeys already built.

    Returns
    -------
    polars.DataFrame
        One row per team and channel: ``sourced_opportunities``, ``sourced_pipeline``
        (amount of all its opportunities), ``sourced_won``, ``sourced_revenue`` and the
        same four ``influenced_*`` columns, plus ``sourced_revenue_share`` and
        ``influenced_revenue_share`` of all won revenue; sorted by influenced revenue.

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=500, seed=1)
    >>> t = at.sourced_influenced(ds)
    >>> t["sourced_opportunities"].sum() == ds.opportunities.height
    True
    """
    if by not in (CHANNEL, CAMPAIGN):
        raise ParameterError(f"sourced_influenced: by must be 'channel' or 'campaign'; got {by!r}")
    j = (
        journeys.lazy()
        if journeys is not None
        else build_journeys(dataset, lookback_days=lookback_days, as_of=as_of, lazy=True)
    )
    label = pl.col(by).fill_null("(none)")
    rows = j.select(
        OPPORTUNITY_ID,
        pl.col(TEAM),
        pl.when(pl.col(POSITION) == 0).then(pl.lit("(no touch)")).otherwise(label).alias(by),
        POSITION,
        (pl.col(STATUS) == "won").alias("_won"),
        pl.col(AMOUNT).fill_null(0.0).alias("_amount"),
    )

    def tally(frame: pl.LazyFrame, prefix: str) -> pl.LazyFrame:
        return frame.group_by(TEAM, by).agg(
            pl.len().cast(pl.Int64).alias(f"{prefix}_opportunities"),
            pl.col("_amount").sum().alias(f"{prefix}_pipeline"),
            pl.col("_won").sum().cast(pl.Int64).alias(f"{prefix}_won"),
            pl.col("_amount").filter(pl.col("_won")).sum().alias(f"{prefix}_revenue"),
        )

    sourced = tally(rows.filter(pl.col(POSITION) <= 1), "sourced")
    influenced = tally(
        rows.filter(pl.col(POSITION) >= 1).unique([OPPORTUNITY_ID, TEAM, by]), "influenced"
    )
    total = (
        rows.filter(pl.col(POSITION) <= 1)
        .select(pl.col("_amount").filter(pl.col("_won")).sum())
        .collect()
        .item()
    )
    table = (
        sourced.join(influenced, on=[TEAM, by], how="full", coalesce=True, nulls_equal=True)
        .with_columns(
            pl.col(
                "sourced_opportunities",
                "sourced_won",
                "influenced_opportunities",
                "influenced_won",
            ).fill_null(0),
            pl.col(
                "sourced_pipeline", "sourced_revenue", "influenced_pipeline", "influenced_revenue"
            ).fill_null(0.0),
        )
        .with_columns(
            (pl.col("sourced_revenue") / total if total else pl.lit(None, pl.Float64)).alias(
                "sourced_revenue_share"
            ),
            (pl.col("influenced_revenue") / total if total else pl.lit(None, pl.Float64)).alias(
                "influenced_revenue_share"
            ),
        )
        .sort(
            ["influenced_revenue", "sourced_revenue", TEAM, by],
            descending=[True, True, False, False],
            nulls_last=True,
        )
    )
    return table.collect()


# ------------------------------------------------------------------------------ speed


def speed_to_lead(
    dataset: Dataset,
    *,
    sla_hours: float = 24,
    by: SpeedBy | Sequence[SpeedBy] | None = "rep",
    as_of: datetime | None = None,
) -> pl.DataFrame:
    """Service level of the hand-off: follow-up within ``sla_hours``, by rep, source or month.

    Parameters
    ----------
    dataset
        A validated dataset with ``contacts`` (``mql_at``) and sales touches.
    sla_hours
        The agreed maximum hours from MQL to the first sales touch.
    by
        ``rep`` (who responded; MQLs never followed up form ``(no response)``),
        ``lead_source``, ``month`` (of the MQL), ``segment``, a list of them, or ``None``.
    as_of
        The moment the data is seen at (default: its latest timestamp).

    Returns
    -------
    polars.DataFrame
        One row per group: ``mqls``, ``followed_up``, ``never_followed_up``, ``pending``
        (younger than the SLA, not yet followed up), ``within_sla``, ``share_within_sla``
        and ``share_never_followed_up`` (of MQLs whose SLA can be judged), ``median_hours``
        and ``p90_hours`` (to the first response, among those followed up). When sales
        activity is recorded only for won deals, only ``mqls`` is filled and a warning
        says why.

    Examples
    --------
    >>> import attribution as at
    >>> t = at.speed_to_lead(at.demo.generate(n_accounts=800, seed=1), sla_hours=4, by=None)
    >>> 0 < t["share_within_sla"][0] < 1
    True
    """
    keys = by_list(by, SPEED_BY, "speed_to_lead")
    r = response_times(dataset, sla_hours=sla_hours, as_of=as_of)
    judged = ~pl.col("pending")
    aggs = [
        pl.len().cast(pl.Int64).alias("mqls"),
        pl.col("followed_up").sum().cast(pl.Int64).alias("followed_up"),
        (~pl.col("followed_up") & judged).sum().cast(pl.Int64).alias("never_followed_up"),
        pl.col("pending").sum().cast(pl.Int64).alias("pending"),
        pl.col("within_sla").fill_null(False).sum().cast(pl.Int64).alias("within_sla"),
        judged.sum().alias("_judged"),
        pl.col("response_hours").median().alias("median_hours"),
        pl.col("response_hours").quantile(0.9, interpolation="linear").alias("p90_hours"),
    ]
    table = (r.group_by(keys).agg(aggs) if keys else r.select(aggs)).with_columns(
        (pl.col("within_sla") / pl.col("_judged")).alias("share_within_sla"),
        (pl.col("never_followed_up") / pl.col("_judged")).alias("share_never_followed_up"),
    )
    table = table.select(
        *keys,
        "mqls",
        "followed_up",
        "never_followed_up",
        "pending",
        "within_sla",
        "share_within_sla",
        "share_never_followed_up",
        "median_hours",
        "p90_hours",
    ).sort([*keys] if keys else "mqls")
    if sales_only_on_won(dataset):
        emit(
            [
                "speed_to_lead: sales activity is recorded only for accounts that won a deal, "
                "so follow-up cannot be told from missing records; follow-up counts, SLA "
                "shares and response hours are left empty"
            ]
        )
        measured = [c for c in table.columns if c not in (*keys, "mqls")]
        table = table.with_columns([pl.lit(None, dtype=table.schema[c]).alias(c) for c in measured])
    return table
