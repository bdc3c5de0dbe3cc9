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
  with response time (see :mod:`attribution.handoff`).

The unit of the funnel and of speed-to-lead is the **account** (the unit opportunities and
revenue belong to): its first lead, its first MQL (the hand-off), its first opportunity,
and whether it won.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import pairwise
from typing import Literal

import polars as pl

from attribution.dataset import Dataset, Frame
from attribution.diagnostics import emit
from attribution.errors import ParameterError
from attribution.features import Period, period_label
from attribution.journeys import POSITION, STATUS
from attribution.journeys import journeys as build_journeys
from attribution.schema import (
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
    OCCURRED_AT,
    OPPORTUNITY_ID,
    REP,
    SALES,
    SEGMENT,
    SQL_AT,
    TEAM,
    TIMESTAMP,
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
SpeedBy = Literal["rep", "lead_source", "month", "segment"]
STAGES: tuple[str, ...] = ("lead", "mql", "sql", "opportunity", "won")
_FUNNEL_BY: tuple[str, ...] = ("lead_source", "segment", "period")
_SPEED_BY: tuple[str, ...] = ("rep", "lead_source", "month", "segment")
_US_PER_DAY = 86_400_000_000
_US_PER_HOUR = 3_600_000_000
UNKNOWN = "unknown"
NO_RESPONSE = "(no response)"


def _as_of(dataset: Dataset, as_of: datetime | None) -> pl.Expr:
    if as_of is None:
        as_of = dataset.as_of
    elif as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)
    return pl.lit(as_of).cast(TIMESTAMP)


def _by_list(by: str | Sequence[str] | None, allowed: Sequence[str], name: str) -> list[str]:
    if by is None:
        return []
    items = [by] if isinstance(by, str) else list(by)
    bad = [b for b in items if b not in allowed]
    if bad:
        raise ParameterError(
            f"{name}: by must be one of {', '.join(allowed)} (or a list of them, or None); "
            f"got {by!r}"
        )
    return list(dict.fromkeys(items))


def _need_contacts(dataset: Dataset, what: str) -> None:
    if dataset.contacts is None:
        raise ParameterError(
            f"{what} needs the contacts table (leads with created_at and mql_at); "
            f"the dataset from {dataset.source} has none"
        )


def _segments(dataset: Dataset) -> pl.LazyFrame | None:
    if dataset.accounts is None:
        return None
    return dataset.lazy("accounts").select(ACCOUNT_ID, pl.col(SEGMENT).cast(pl.String))


def _days(later: str, earlier: str) -> pl.Expr:
    return (pl.col(later) - pl.col(earlier)).dt.total_microseconds() / _US_PER_DAY


def sales_only_on_won(dataset: Dataset) -> bool:
    """Whether sales touches exist only on accounts that won a deal, while others lost.

    Some exports (e.g. Olist's closed-deals file) record sales work only for won deals;
    then follow-up, speed-to-lead and sales' contribution cannot be measured.

    Examples
    --------
    >>> import attribution as at
    >>> sales_only_on_won(at.demo.generate(n_accounts=300, seed=0))
    False
    """
    opps = dataset.lazy("opportunities")
    won = opps.filter(pl.col(IS_WON)).select(ACCOUNT_ID).unique()
    sales = dataset.lazy("touches").filter(pl.col(TEAM) == SALES).select(ACCOUNT_ID).unique()
    n_sales, n_lost, outside = pl.collect_all(
        [
            sales.select(pl.len()),
            opps.filter(~pl.col(IS_WON) & pl.col(CLOSED_AT).is_not_null()).select(pl.len()),
            sales.join(won, on=ACCOUNT_ID, how="anti").select(pl.len()),
        ]
    )
    return bool(n_sales.item() and n_lost.item() and outside.item() == 0)


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
    segments = _segments(dataset)
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
    _need_contacts(dataset, "funnel")
    keys = _by_list(by, _FUNNEL_BY, "funnel")
    stages_lf = _account_stages(dataset, _as_of(dataset, as_of), period)
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
            (_days(stage, stages[k - 1]).median() if k else pl.lit(None, dtype=pl.Float64)).alias(
                "median_days"
            ),
            _days(stage, "lead").median().alias("median_days_from_lead")
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
    lookback_days: float = 180,
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
def response_times(
    dataset: Dataset,
    *,
    sla_hours: float = 24,
    as_of: datetime | None = None,
) -> pl.DataFrame:
    """One row per account's first MQL: hours to the first sales touch, SLA and outcome.

    The first MQL of an account is the hand-off; its response is the first sales touch of
    the account at or after it. An MQL not followed up by ``as_of`` is *never followed up*,
    unless it is younger than ``sla_hours`` (then *pending*: its SLA cannot be judged yet).

    Returns
    -------
    polars.DataFrame
        ``account_id``, ``contact_id`` (the MQL), ``mql_at``, ``lead_source``,
        ``segment``, ``month`` (of the MQL), ``first_response_at``, ``rep`` (who made that
        touch; ``(no response)`` when none), ``response_hours``, ``followed_up``,
        ``pending``, ``within_sla`` (empty while pending), ``opportunity`` (an opportunity
        created at or after the MQL), ``won`` (that account won a deal by ``as_of``).

    Examples
    --------
    >>> import attribution as at
    >>> r = at.response_times(at.demo.generate(n_accounts=500, seed=1))
    >>> r.filter(r["followed_up"])["response_hours"].min() >= 0
    True
    """
    _need_contacts(dataset, "response_times")
    if not sla_hours > 0:
        raise ParameterError(f"sla_hours must be a positive number of hours; got {sla_hours!r}")
    now = _as_of(dataset, as_of)
    mqls = (
        dataset.lazy("contacts")
        .filter(pl.col(MQL_AT).is_not_null() & (pl.col(MQL_AT) <= now))
        .group_by(ACCOUNT_ID)
        .agg(
            pl.col(CONTACT_ID).sort_by(MQL_AT, CONTACT_ID).first(),
            pl.col(MQL_AT).min(),
            pl.col(LEAD_SOURCE).sort_by(MQL_AT, CONTACT_ID).first().fill_null(UNKNOWN),
        )
    )
    sales = dataset.lazy("touches").filter((pl.col(TEAM) == SALES) & (pl.col(OCCURRED_AT) <= now))
    first = (
        mqls.select(ACCOUNT_ID, MQL_AT)
        .join(sales.select(ACCOUNT_ID, OCCURRED_AT, REP, "touch_id"), on=ACCOUNT_ID)
        .filter(pl.col(OCCURRED_AT) >= pl.col(MQL_AT))
        .group_by(ACCOUNT_ID)
        .agg(
            pl.col(OCCURRED_AT).min().alias("first_response_at"),
            pl.col(REP).sort_by(OCCURRED_AT, "touch_id").first(),
        )
    )
    opps = (
        dataset.lazy("opportunities")
        .filter(pl.col(CREATED_AT) <= now)
        .join(mqls.select(ACCOUNT_ID, MQL_AT), on=ACCOUNT_ID)
        .group_by(ACCOUNT_ID)
        .agg(
            (pl.col(CREATED_AT) >= pl.col(MQL_AT)).any().alias("opportunity"),
            (pl.col(IS_WON) & (pl.col(CLOSED_AT) <= now)).any().alias("won"),
        )
    )
    out = mqls.join(first, on=ACCOUNT_ID, how="left").join(opps, on=ACCOUNT_ID, how="left")
    segments = _segments(dataset)
    if segments is not None:
        out = out.join(segments, on=ACCOUNT_ID, how="left")
    else:
        out = out.with_columns(pl.lit(None, dtype=pl.String).alias(SEGMENT))
    hours = (pl.col("first_response_at") - pl.col(MQL_AT)).dt.total_microseconds() / _US_PER_HOUR
    age_hours = (now - pl.col(MQL_AT)).dt.total_microseconds() / _US_PER_HOUR
    followed = pl.col("first_response_at").is_not_null()
    pending = ~followed & (age_hours < sla_hours)
    return (
        out.with_columns(
            pl.col(SEGMENT).fill_null(UNKNOWN),
            period_label(MQL_AT, "month").alias("month"),
            hours.alias("response_hours"),
            followed.alias("followed_up"),
            pending.alias("pending"),
            pl.col(REP).fill_null(NO_RESPONSE),
            pl.col("opportunity").fill_null(False),
            pl.col("won").fill_null(False),
        )
        .with_columns(
            pl.when(pl.col("pending"))
            .then(None)
            .otherwise(pl.col("followed_up") & (pl.col("response_hours") <= sla_hours))
            .alias("within_sla")
        )
        .select(
            ACCOUNT_ID,
            CONTACT_ID,
            MQL_AT,
            LEAD_SOURCE,
            SEGMENT,
            "month",
            "first_response_at",
            REP,
            "response_hours",
            "followed_up",
            "pending",
            "within_sla",
            "opportunity",
            "won",
        )
        .sort(MQL_AT, ACCOUNT_ID)
        .collect()
    )


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
    keys = _by_list(by, _SPEED_BY, "speed_to_lead")
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
