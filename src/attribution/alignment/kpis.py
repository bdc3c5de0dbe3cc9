"""KPIs per period: what they are computed from, their actuals, statuses and trends.

The engine behind :func:`attribution.scorecard`. :func:`sources` builds, once per call,
the frames every KPI is computed from: the hand-offs (each account's first agreed MQL, from
:func:`attribution.response_times` on the dataset with the agreed definitions applied, with
its SQL outcome), the opportunities (:func:`attribution.opportunity_features`) and, when a
contribution share is targeted, one :func:`attribution.contributions` estimate. A KPI that
the data cannot measure carries the reason instead. :func:`target_rows` measures one target
over its period and the earlier ones, :func:`scored` sets statuses
(:func:`attribution.alignment.targets.status`) and :func:`trend` compares each target's period with
the one before.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl

from attribution._time import duration_days
from attribution.alignment.definitions import Definitions
from attribution.alignment.qualification import AppliedDefinitions, apply_definitions
from attribution.alignment.targets import KPIS, Targets, period_bounds, period_label, status
from attribution.data.dataset import Dataset
from attribution.data.schema import (
    AMOUNT,
    CAMPAIGN,
    CLOSED_AT,
    CONTACT_ID,
    CREATED_AT,
    IS_WON,
    MQL_AT,
    OCCURRED_AT,
    SQL_AT,
    TIMESTAMP,
)
from attribution.errors import EstimateWarning, ParameterError
from attribution.estimates.contributions import ContributionResult, contributions
from attribution.journey.build import STATUS
from attribution.journey.features import opportunity_features
from attribution.journey.response import response_times, sales_only_on_won

__all__ = [
    "COLUMNS",
    "KpiSources",
    "check_targets",
    "data_start",
    "hand_offs",
    "scored",
    "sources",
    "target_rows",
    "trend",
]

_TREND_STEP = 0.05  # relative change below which a trend counts as steady


# ------------------------------------------------------------------------------ context
@dataclass
class KpiSources:
    """The frames the KPIs are computed from, or why one is unavailable."""

    first_mqls: pl.DataFrame | None
    first_mqls_reason: str
    follow_up_reason: str
    opportunities: pl.DataFrame | None
    sourced_reason: str
    contribution: ContributionResult | None
    contribution_reason: str


def data_start(dataset: Dataset) -> datetime:
    """Return the earliest timestamp of the data (touches, opportunities, contacts)."""
    parts = [
        dataset.lazy("touches").select(pl.col(OCCURRED_AT).min().alias("t")),
        dataset.lazy("opportunities").select(pl.col(CREATED_AT).min().alias("t")),
    ]
    if dataset.contacts is not None:
        parts.append(dataset.lazy("contacts").select(pl.col(CREATED_AT).min().alias("t")))
    value = pl.concat(parts).select(pl.col("t").min()).collect().item()
    assert value is not None  # validation forbids empty tables
    return value


def hand_offs(applied: AppliedDefinitions, d: Definitions, now: datetime) -> pl.DataFrame:
    """Return the hand-offs: accounts' first agreed MQLs, follow-up and SQL outcome."""
    r = response_times(applied.dataset, sla_hours=d.sla.response_hours, as_of=now)
    outcome = applied.contacts.select(CONTACT_ID, SQL_AT, CAMPAIGN)
    now_lit = pl.lit(now).cast(TIMESTAMP)
    if d.sql.within_days is None:
        judged = pl.lit(True)
    else:
        closes = pl.col(MQL_AT) + duration_days(d.sql.within_days)
        judged = closes <= now_lit
    return r.join(outcome, on=CONTACT_ID, how="left").with_columns(
        pl.col(SQL_AT).is_not_null().alias("sql"),
        judged.alias("sql_judged"),
    )


def sources(
    dataset: Dataset,
    d: Definitions,
    t: Targets,
    now: datetime,
    lookback_days: float,
    draws: int,
    seed: int,
    notes: list[str],
) -> tuple[KpiSources, AppliedDefinitions | None]:
    """Build what the KPIs are computed from, once; append what could not be done to notes.

    Returns the sources and the applied definitions (``None`` without contacts).
    """
    applied = None
    first = None
    first_reason = follow_reason = sourced_reason = ""
    if dataset.contacts is None:
        first_reason = "needs the contacts table (the leads the definitions qualify)"
        sourced_reason = first_reason
    else:
        applied = apply_definitions(dataset, d, as_of=now)
        notes.extend(applied.notes)
        first = hand_offs(applied, d, now)
    if first is not None and sales_only_on_won(dataset):
        follow_reason = (
            "sales activity is recorded only for accounts that won a deal, so follow-up "
            "cannot be told from missing records"
        )
    opps = opportunity_features(
        applied.dataset if applied is not None else dataset,
        lookback_days=lookback_days,
        as_of=now,
    )
    result = None
    contribution_reason = ""
    if any(KPIS[str(x.kpi)].needs == "contributions" for x in t.targets):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", EstimateWarning)
            result = contributions(
                dataset, lookback_days=lookback_days, as_of=now, draws=draws, seed=seed
            )
        for w in caught:
            if issubclass(w.category, EstimateWarning):
                notes.append(f"contribution estimate: {w.message}")
            else:  # pragma: no cover - not ours to swallow
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        if not result.supported:
            contribution_reason = "the data cannot support the contribution split (see notes)"
    return (
        KpiSources(
            first_mqls=first,
            first_mqls_reason=first_reason,
            follow_up_reason=follow_reason,
            opportunities=opps,
            sourced_reason=sourced_reason,
            contribution=result,
            contribution_reason=contribution_reason,
        ),
        applied,
    )


# ------------------------------------------------------------------------------ KPIs
_CLOSED = pl.col(STATUS).is_in(["won", "lost"])
_SPECS: dict[str, tuple[str, str, pl.Expr | None, pl.Expr]] = {
    "mqls": ("first_mqls", MQL_AT, None, pl.len()),
    "sqls": ("first_mqls", SQL_AT, pl.col(SQL_AT).is_not_null(), pl.len()),
    "mql_to_sql_rate": ("first_mqls", MQL_AT, pl.col("sql_judged"), pl.col("sql").mean()),
    "followed_up_within_sla": (
        "first_mqls",
        MQL_AT,
        ~pl.col("pending"),
        pl.col("within_sla").mean(),
    ),
    "followed_up": ("first_mqls", MQL_AT, ~pl.col("pending"), pl.col("followed_up").mean()),
    "median_response_hours": (
        "first_mqls",
        MQL_AT,
        pl.col("followed_up"),
        pl.col("response_hours").median(),
    ),
    "opportunities_created": ("opportunities", CREATED_AT, None, pl.len()),
    "pipeline_created": ("opportunities", CREATED_AT, None, pl.col(AMOUNT).sum()),
    "marketing_sourced_pipeline": (
        "opportunities",
        CREATED_AT,
        pl.col(MQL_AT).is_not_null(),
        pl.col(AMOUNT).sum(),
    ),
    "revenue_won": ("opportunities", CLOSED_AT, pl.col(STATUS) == "won", pl.col(AMOUNT).sum()),
    "win_rate": ("opportunities", CLOSED_AT, _CLOSED, pl.col(IS_WON).mean()),
    "marketing_sourced_win_rate": (
        "opportunities",
        CLOSED_AT,
        _CLOSED & pl.col(MQL_AT).is_not_null(),
        pl.col(IS_WON).mean(),
    ),
}
"""Per measured KPI: its source frame, the timestamp that places a row in a period, which
rows count, and the aggregate."""


def _unavailable(kpi: str, s: KpiSources) -> str:
    """Why a KPI cannot be measured on this data ("" when it can)."""
    needs = KPIS[kpi].needs
    if needs == "contributions":
        return s.contribution_reason
    if needs == "opportunities":
        return ""
    if _SPECS[kpi][0] == "opportunities":  # marketing-sourced: opportunities + agreed MQLs
        return s.sourced_reason
    if s.first_mqls is None:
        return s.first_mqls_reason
    return s.follow_up_reason if needs == "follow_up" else ""


def _periods(target: Any, history: int, now: datetime, start: datetime) -> pl.DataFrame:
    bounds = period_bounds(target.due, target.period, back=history)
    if KPIS[target.kpi].estimate:
        bounds = bounds[-1:]
    rows = []
    for i, (lo, hi) in enumerate(bounds):
        span = (hi - lo).total_seconds()
        elapsed = min(max((now - lo).total_seconds() / span, 0.0), 1.0) if span > 0 else 1.0
        rows.append(
            {
                "period_label": period_label(lo.date(), target.period),
                "start": lo,
                "end": hi,
                "elapsed": elapsed,
                "is_target_period": i == len(bounds) - 1,
                "measurable": hi > start,
                "partial_data": lo < start < hi,
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "period_label": pl.String,
            "start": TIMESTAMP,
            "end": TIMESTAMP,
            "elapsed": pl.Float64,
            "is_target_period": pl.Boolean,
            "measurable": pl.Boolean,
            "partial_data": pl.Boolean,
        },
    )


def _measure(kpi: str, frame: pl.DataFrame, periods: pl.DataFrame, now: datetime) -> pl.DataFrame:
    """Actual and count of one KPI per period (periods without rows: 0 for counts, else null)."""
    source, ts, keep, agg = _SPECS[kpi]
    del source
    lo, hi = periods["start"].min(), periods["end"].max()
    rows = frame.lazy()
    if keep is not None:
        rows = rows.filter(keep)
    rows = rows.filter(
        (pl.col(ts) >= lo) & (pl.col(ts) < hi) & (pl.col(ts) <= pl.lit(now).cast(TIMESTAMP))
    ).sort(ts)
    # the last period may be cut at the due day: it still starts on a calendar boundary
    starts = periods.select("start").lazy()
    per = (
        rows.join_asof(
            starts.sort("start").rename({"start": "_start"}),
            left_on=ts,
            right_on="_start",
            strategy="backward",
        )
        .group_by("_start")
        .agg(agg.cast(pl.Float64).alias("actual"), pl.len().cast(pl.Int64).alias("n"))
        .rename({"_start": "start"})
    )
    cumulative = KPIS[kpi].cumulative
    return (
        periods.lazy()
        .join(per, on="start", how="left")
        .with_columns(
            pl.col("n").fill_null(0),
            pl.when(pl.col("n").fill_null(0) > 0)
            .then(pl.col("actual"))
            .when(pl.lit(cumulative))
            .then(pl.lit(0.0))
            .alias("actual"),
        )
        .collect()
    )


def _estimate(kpi: str, periods: pl.DataFrame, s: KpiSources) -> pl.DataFrame:
    assert s.contribution is not None
    component = kpi.removesuffix("_contribution")
    row = s.contribution.table.filter(pl.col("component") == component).row(0, named=True)
    return periods.with_columns(
        pl.lit(row["share"], dtype=pl.Float64).alias("actual"),
        pl.lit(row["ci_low"], dtype=pl.Float64).alias("ci_low"),
        pl.lit(row["ci_high"], dtype=pl.Float64).alias("ci_high"),
        pl.lit(s.contribution.diagnostics.n, dtype=pl.Int64).alias("n"),
    )


COLUMNS = (
    "target_id",
    "kpi",
    "label",
    "owner",
    "period",
    "period_label",
    "start",
    "end",
    "due",
    "unit",
    "target",
    "actual",
    "ci_low",
    "ci_high",
    "n",
    "elapsed",
    "expected",
    "progress",
    "status",
    "note",
)


def target_rows(
    i: int, target: Any, t: Targets, s: KpiSources, now: datetime, start: datetime
) -> pl.DataFrame:
    """Measure target ``i`` over its period and the ``history`` earlier ones (no status yet)."""
    kpi = KPIS[target.kpi]
    periods = _periods(target, t.history, now, start)
    reason = _unavailable(kpi.name, s)
    if reason:
        values = periods.with_columns(
            pl.lit(None, dtype=pl.Float64).alias("actual"), pl.lit(0, dtype=pl.Int64).alias("n")
        )
    elif kpi.estimate:
        values = _estimate(kpi.name, periods, s)
    else:
        source = _SPECS[kpi.name][0]
        frame = s.first_mqls if source == "first_mqls" else s.opportunities
        assert frame is not None
        values = _measure(kpi.name, frame, periods, now)
    for name in ("ci_low", "ci_high"):
        if name not in values.columns:
            values = values.with_columns(pl.lit(None, dtype=pl.Float64).alias(name))
    started = pl.col("elapsed") > 0
    note = (
        pl.when(~started)
        .then(pl.lit(""))
        .when(pl.lit(bool(reason)))
        .then(pl.lit(reason))
        .when(~pl.col("measurable"))
        .then(pl.lit("the period ends before the data begins"))
        .when(pl.col("actual").is_null())
        .then(pl.lit("nothing to measure in the period yet"))
        .when(pl.col("partial_data"))
        .then(pl.lit("the data begins within the period"))
        .otherwise(pl.lit(""))
    )
    actual = pl.when(started & pl.col("measurable")).then(pl.col("actual"))
    return values.with_columns(
        actual.alias("actual"),
        pl.lit(i, dtype=pl.Int64).alias("target_id"),
        pl.lit(kpi.name).alias("kpi"),
        pl.lit(target.label or kpi.label).alias("label"),
        pl.lit(target.owner).alias("owner"),
        pl.lit(target.period).alias("period"),
        pl.lit(target.due, dtype=pl.Date).alias("due"),
        pl.lit(kpi.unit).alias("unit"),
        pl.lit(float(target.target)).alias("target"),
        pl.lit(kpi.higher_is_better).alias("higher_is_better"),
        pl.lit(kpi.cumulative).alias("cumulative"),
        pl.lit(kpi.estimate).alias("estimate"),
        pl.when(note != "")
        .then(note + (pl.lit(f"; {target.note}") if target.note else pl.lit("")))
        .otherwise(pl.lit(target.note or ""))
        .alias("note"),
    ).select(
        *[c for c in COLUMNS if c not in ("expected", "progress", "status")],
        "higher_is_better",
        "cumulative",
        "estimate",
        "is_target_period",
    )


def scored(history: pl.DataFrame, on_track: float) -> pl.DataFrame:
    """Add ``expected``, ``progress`` and ``status`` to measured target periods."""
    expected, progress, label = status(
        actual=pl.col("actual"),
        target=pl.col("target"),
        elapsed=pl.col("elapsed"),
        higher_is_better=pl.col("higher_is_better"),
        cumulative=pl.col("cumulative"),
        on_track=on_track,
        ci_low=pl.col("ci_low"),
        ci_high=pl.col("ci_high"),
    )
    return history.with_columns(
        expected.alias("expected"), progress.alias("progress"), label.alias("status")
    )


def trend(history: pl.DataFrame) -> pl.DataFrame:
    """Return the target periods with the previous actual and the direction of change."""
    ordered = history.sort("target_id", "start").with_columns(
        pl.col("actual").shift(1).over("target_id").alias("previous")
    )
    pace = (
        pl.when(pl.col("cumulative") & (pl.col("elapsed") > 0) & (pl.col("elapsed") < 1))
        .then(pl.col("actual") / pl.col("elapsed"))
        .otherwise(pl.col("actual"))
    )
    change = (pace - pl.col("previous")) / pl.col("previous").abs()
    better = pl.when(pl.col("higher_is_better")).then(change).otherwise(-change)
    trend = (
        pl.when(
            pl.col("previous").is_null() | (pl.col("previous") == 0) | pl.col("actual").is_null()
        )
        .then(pl.lit(None, dtype=pl.String))
        .when(better > _TREND_STEP)
        .then(pl.lit("improving"))
        .when(better < -_TREND_STEP)
        .then(pl.lit("worsening"))
        .otherwise(pl.lit("steady"))
    )
    return ordered.filter(pl.col("is_target_period")).with_columns(trend.alias("trend"))


def check_targets(t: Targets, start: datetime, now: datetime) -> None:
    """Refuse targets whose period ends before the data begins (one error lists them all)."""
    problems = []
    for i, target in enumerate(t.targets):
        due = target.due
        assert due is not None  # checked when the targets were loaded
        [(lo, hi)] = period_bounds(due, target.period)
        if hi <= start:
            problems.append(
                f"targets[{i}] ({target.kpi}, due {due.isoformat()}): its period "
                f"{lo:%Y-%m-%d} to {due.isoformat()} ends before the data begins "
                f"({start:%Y-%m-%d}), so it can never be measured; move the due date"
            )
    if problems:
        n = len(problems)
        body = "\n".join(f"  {k}. {p}" for k, p in enumerate(problems, 1))
        raise ParameterError(
            f"{n} problem{'s' if n != 1 else ''} in "
            f"{'the targets' if t.origin == '<mapping>' else t.origin} for data from "
            f"{start:%Y-%m-%d} to {now:%Y-%m-%d}:\n{body}",
            problems,
        )
