"""The service-level agreement month by month, and who did best against it.

Marketing's side of the SLA is the quantity and quality of the MQLs it hands over (MQLs
delivered, their SQL rate once their SQL window has closed); sales' side is how fast and how
completely it follows them up (:func:`attribution.speed_to_lead` on the agreed MQLs). Each
measure gets a status against the agreed level, month by month; reps and campaigns are
ranked within each month.
"""

from __future__ import annotations

import warnings
from datetime import datetime

import polars as pl

from attribution.alignment.definitions import Definitions
from attribution.alignment.kpi_sources import KpiSources
from attribution.alignment.qualification import AppliedDefinitions
from attribution.alignment.target_status import status
from attribution.data.schema import CAMPAIGN, REP, TIMESTAMP
from attribution.errors import EstimateWarning
from attribution.handoff.speed import speed_to_lead
from attribution.journey.response import SpeedBy

__all__ = [
    "CAMPAIGNS_SCHEMA",
    "REPS_SCHEMA",
    "SLA_SCHEMA",
    "rank_campaigns",
    "rank_reps",
    "sla_by_month",
    "sla_long",
]

_NO_RESPONSE = "(no response)"
SLA_SCHEMA = {
    "month": pl.String,
    "mqls": pl.Int64,
    "agreed_mqls": pl.Float64,
    "mqls_status": pl.String,
    "sqls_judged": pl.Int64,
    "sql_rate": pl.Float64,
    "agreed_sql_rate": pl.Float64,
    "sql_rate_status": pl.String,
    "judged": pl.Int64,
    "within_sla_share": pl.Float64,
    "agreed_within_sla_share": pl.Float64,
    "within_sla_status": pl.String,
    "followed_up_share": pl.Float64,
    "agreed_followed_up_share": pl.Float64,
    "followed_up_status": pl.String,
    "median_response_hours": pl.Float64,
    "never_followed_up": pl.Int64,
    "pending": pl.Int64,
}
"""The columns of :attr:`attribution.Scorecard.sla`."""
_RANKED = {"agreed": pl.Float64, "status": pl.String, "rank": pl.Int64}
REPS_SCHEMA = {
    "month": pl.String,
    REP: pl.String,
    "mqls": pl.Int64,
    "within_sla": pl.Int64,
    "share_within_sla": pl.Float64,
    "median_hours": pl.Float64,
    **_RANKED,
}
"""The columns of :attr:`attribution.Scorecard.reps` (:func:`rank_reps`)."""
CAMPAIGNS_SCHEMA = {
    "month": pl.String,
    CAMPAIGN: pl.String,
    "mqls": pl.Int64,
    "sqls": pl.Int64,
    "sql_rate": pl.Float64,
    "pending": pl.Int64,
    **_RANKED,
}
"""The columns of :attr:`attribution.Scorecard.campaigns` (:func:`rank_campaigns`)."""
_SLA_MEASURES = (
    ("marketing", "MQLs delivered", "count", "mqls", "agreed_mqls", "mqls_status"),
    ("marketing", "MQL to SQL rate", "share", "sql_rate", "agreed_sql_rate", "sql_rate_status"),
    (
        "sales",
        "Answered within the SLA",
        "share",
        "within_sla_share",
        "agreed_within_sla_share",
        "within_sla_status",
    ),
    (
        "sales",
        "Followed up at all",
        "share",
        "followed_up_share",
        "agreed_followed_up_share",
        "followed_up_status",
    ),
)


"""Per SLA measure: its side, label, unit, and its actual, agreed and status columns."""


# ------------------------------------------------------------------------------ SLA
def _month_elapsed(now: datetime) -> pl.Expr:
    """Share of each ``month`` (``2026-06``) gone by ``now``, from 0 to 1."""
    start = pl.col("month").str.to_date("%Y-%m")
    end = start.dt.offset_by("1mo")
    now_lit = pl.lit(now).cast(TIMESTAMP)
    lo = start.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    hi = end.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    return ((now_lit - lo).dt.total_microseconds() / (hi - lo).dt.total_microseconds()).clip(
        0.0, 1.0
    )


def _speed_to_lead(
    applied: AppliedDefinitions, d: Definitions, now: datetime, by: SpeedBy | list[SpeedBy]
) -> pl.DataFrame:
    """:func:`attribution.speed_to_lead` on the agreed MQLs, its warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EstimateWarning)  # the reason is noted once
        return speed_to_lead(applied.dataset, sla_hours=d.sla.response_hours, by=by, as_of=now)


def sla_by_month(
    s: KpiSources,
    applied: AppliedDefinitions | None,
    d: Definitions,
    now: datetime,
    on_track: float,
) -> pl.DataFrame:
    """Marketing's and sales' sides of the SLA, month by month, each against its agreed level.

    Parameters
    ----------
    s
        The hand-offs (:func:`attribution.alignment.kpi_sources.sources`).
    applied
        The agreed definitions applied (``None``: an empty table).
    d
        The definitions: the response hours and the agreed levels.
    now
        The as-of moment: the current month's counts are pro-rated to it.
    on_track
        Share of the agreed level at which the current month counts as on track.

    Returns
    -------
    polars.DataFrame
        One row per month, the columns of :attr:`attribution.Scorecard.sla`.
    """
    if s.first_mqls is None or applied is None:
        return pl.DataFrame(schema=SLA_SCHEMA)
    marketing = s.first_mqls.group_by("month").agg(
        pl.len().cast(pl.Int64).alias("mqls"),
        pl.col("sql_judged").sum().cast(pl.Int64).alias("sqls_judged"),
        pl.col("sql").filter(pl.col("sql_judged")).mean().alias("sql_rate"),
    )
    table = marketing.join(_sales_side(applied, d, now), on="month", how="left")
    if s.follow_up_reason:
        table = table.with_columns(
            pl.lit(None, dtype=pl.Float64).alias(c)
            for c in ("within_sla_share", "followed_up_share", "median_response_hours")
        )
    sla = d.sla
    table = table.with_columns(
        _month_elapsed(now).alias("_elapsed"),
        pl.lit(sla.mqls_per_month, dtype=pl.Float64).alias("agreed_mqls"),
        pl.lit(sla.mql_to_sql_rate, dtype=pl.Float64).alias("agreed_sql_rate"),
        pl.lit(sla.within_sla_share, dtype=pl.Float64).alias("agreed_within_sla_share"),
        pl.lit(sla.followed_up_share, dtype=pl.Float64).alias("agreed_followed_up_share"),
    ).with_columns(_sla_statuses(on_track))
    return table.sort("month").select(list(SLA_SCHEMA)).cast(SLA_SCHEMA)  # type: ignore[arg-type]


def _sales_side(applied: AppliedDefinitions, d: Definitions, now: datetime) -> pl.DataFrame:
    """Per month: MQLs judged, the shares answered in time and at all, the median hours."""
    return _speed_to_lead(applied, d, now, "month").select(
        "month",
        (pl.col("mqls") - pl.col("pending")).cast(pl.Int64).alias("judged"),
        pl.col("share_within_sla").alias("within_sla_share"),
        (1 - pl.col("share_never_followed_up")).alias("followed_up_share"),
        pl.col("median_hours").alias("median_response_hours"),
        "never_followed_up",
        "pending",
    )


def _sla_statuses(on_track: float) -> list[pl.Expr]:
    """Return the status of each SLA measure against its agreed level (null: none agreed)."""
    statuses = []
    for _, _, unit, actual, agreed, name in _SLA_MEASURES:
        _, _, label = status(
            actual=pl.col(actual).cast(pl.Float64),
            target=pl.col(agreed),
            elapsed=pl.col("_elapsed"),
            higher_is_better=pl.lit(True),
            cumulative=pl.lit(unit == "count"),
            on_track=on_track,
        )
        statuses.append(
            pl.when(pl.col(agreed).is_null())
            .then(pl.lit(None, dtype=pl.String))
            .otherwise(label)
            .alias(name)
        )
    return statuses


def sla_long(sla: pl.DataFrame, d: Definitions) -> pl.DataFrame:
    """Return :func:`sla_by_month` in long form: one row per month and measure."""
    hours = f"{d.sla.response_hours:g} h"
    parts = [
        sla.select(
            pl.col("month").str.to_date("%Y-%m"),
            pl.lit(side).alias("side"),
            pl.lit(label.replace("the SLA", hours)).alias("measure"),
            pl.lit(unit).alias("unit"),
            pl.col(actual).cast(pl.Float64).alias("actual"),
            pl.col(agreed).alias("agreed"),
            pl.col(state).fill_null("not agreed").alias("status"),
        )
        for side, label, unit, actual, agreed, state in _SLA_MEASURES
    ]
    return pl.concat(parts)


# ------------------------------------------------------------------------------ rankings
def rank_reps(
    applied: AppliedDefinitions | None,
    d: Definitions,
    now: datetime,
    on_track: float,
    min_mqls: int,
    follow: bool,
) -> pl.DataFrame:
    """Rank, per month, the reps who answered MQLs by the share answered in time."""
    schema = REPS_SCHEMA
    if applied is None or not follow:
        return pl.DataFrame(schema=schema)
    per = _speed_to_lead(applied, d, now, ["month", "rep"]).filter(pl.col(REP) != _NO_RESPONSE)
    return _ranked(
        per.select("month", REP, "mqls", "within_sla", "share_within_sla", "median_hours"),
        value="share_within_sla",
        agreed=d.sla.within_sla_share,
        order=[("share_within_sla", True), ("median_hours", False), ("mqls", True), (REP, False)],
        now=now,
        on_track=on_track,
        min_mqls=min_mqls,
    ).select(list(schema))


def rank_campaigns(
    s: KpiSources, d: Definitions, now: datetime, on_track: float, min_mqls: int
) -> pl.DataFrame:
    """Rank, per month, the campaigns of the MQLs by the SQLs they became so far."""
    schema = CAMPAIGNS_SCHEMA
    if s.first_mqls is None:
        return pl.DataFrame(schema=schema)
    per = s.first_mqls.group_by("month", CAMPAIGN).agg(
        pl.len().cast(pl.Int64).alias("mqls"),
        pl.col("sql").sum().cast(pl.Int64).alias("sqls"),
        pl.col("sql").mean().alias("sql_rate"),
        (~pl.col("sql_judged") & ~pl.col("sql")).sum().cast(pl.Int64).alias("pending"),
    )
    return _ranked(
        per,
        value="sql_rate",
        agreed=d.sla.mql_to_sql_rate,
        order=[("sqls", True), ("sql_rate", True), ("mqls", True), (CAMPAIGN, False)],
        now=now,
        on_track=on_track,
        min_mqls=min_mqls,
    ).select(list(schema))


def _ranked(
    per: pl.DataFrame,
    *,
    value: str,
    agreed: float | None,
    order: list[tuple[str, bool]],
    now: datetime,
    on_track: float,
    min_mqls: int,
) -> pl.DataFrame:
    """Set each row's status against ``agreed`` and rank it within its month.

    Rows with at least ``min_mqls`` MQLs are ranked by ``order`` (column, descending);
    the others follow, unranked.
    """
    _, _, label = status(
        actual=pl.col(value),
        target=pl.lit(agreed, dtype=pl.Float64),
        elapsed=_month_elapsed(now),
        higher_is_better=pl.lit(True),
        cumulative=pl.lit(False),
        on_track=on_track,
    )
    ranked = pl.col("mqls") >= min_mqls
    names = [c for c, _ in order]
    desc = [d for _, d in order]
    out = per.with_columns(
        pl.lit(agreed, dtype=pl.Float64).alias("agreed"),
        (label if agreed is not None else pl.lit(None, dtype=pl.String)).alias("status"),
    ).sort(["month", ranked.not_(), *names], descending=[False, False, *desc], nulls_last=True)
    return out.with_columns(
        pl.when(ranked)
        .then(pl.int_range(1, pl.len() + 1).over("month"))
        .cast(pl.Int64)
        .alias("rank")
    )
