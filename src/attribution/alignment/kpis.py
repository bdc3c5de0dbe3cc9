"""KPIs per period: their actuals, statuses and trends, for :func:`attribution.scorecard`.

From the frames of :func:`attribution.alignment.kpi_sources.sources`,
:func:`target_rows` measures one target over its period and the earlier ones (statuses and
trends are set by :mod:`attribution.alignment.target_status`); :func:`check_targets`
refuses targets that can never be measured.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from attribution.alignment.agreements import raise_listed
from attribution.alignment.kpi_catalogue import KPIS, Kpi
from attribution.alignment.kpi_intervals import with_wilson
from attribution.alignment.kpi_sources import KpiSources
from attribution.alignment.periods import period_bounds, period_label
from attribution.alignment.targets import Target, Targets
from attribution.data.schema import AMOUNT, CLOSED_AT, CREATED_AT, IS_WON, MQL_AT, SQL_AT, TIMESTAMP
from attribution.journey.columns import STATUS

__all__ = ["COLUMNS", "check_targets", "target_rows"]

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
"""The columns of a scorecard's table and history, in order."""


# ------------------------------------------------------------------------------ measuring
_CLOSED = pl.col(STATUS).is_in(["won", "lost"])
_SPECS: dict[str, tuple[str, str, pl.Expr | None, pl.Expr]] = {
    "mqls": ("first_mqls", MQL_AT, None, pl.len()),
    "sqls": ("first_mqls", SQL_AT, pl.col(SQL_AT).is_not_null(), pl.len()),
    "mql_to_sql_rate": ("first_mqls", MQL_AT, pl.col("sql_judged"), pl.col("sql").mean()),
    "mql_disqualification_rate": (
        "first_mqls",
        MQL_AT,
        pl.col("sql_judged"),
        pl.col("disqualified").mean(),
    ),
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
    if needs == "dispositions":
        return s.disposition_reason
    return s.follow_up_reason if needs == "follow_up" else ""


def _periods(target: Target, history: int, now: datetime, start: datetime) -> pl.DataFrame:
    """Return the target's period and the ``history`` earlier ones, with elapsed share."""
    assert target.due is not None  # checked when the targets were loaded
    bounds = period_bounds(target.due, target.period, back=history)
    if KPIS[str(target.kpi)].estimate:
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
    """Add the contribution share of ``kpi`` and its interval to the periods.

    The estimate is made over every closed deal (the team split of the whole run), so its
    period is labelled with the closing months it covers, not the target's period.
    """
    assert s.contribution is not None
    component = kpi.removesuffix("_contribution")
    row = s.contribution.table.filter(pl.col("component") == component).row(0, named=True)
    deals = s.contribution.opportunities
    scope = "all closed deals"
    if deals.height:  # the estimate covers every closed deal, not the target's period
        first, last = deals["closed_at"].min(), deals["closed_at"].max()
        scope = f"closed {first:%Y-%m} to {last:%Y-%m}"  # type: ignore[str-bytes-safe]
    return periods.with_columns(
        pl.lit(scope, dtype=pl.String).alias("period_label"),
        pl.lit(row["share"], dtype=pl.Float64).alias("actual"),
        pl.lit(row["ci_low"], dtype=pl.Float64).alias("ci_low"),
        pl.lit(row["ci_high"], dtype=pl.Float64).alias("ci_high"),
        pl.lit(s.contribution.diagnostics.n, dtype=pl.Int64).alias("n"),
    )


def target_rows(
    i: int, target: Target, t: Targets, s: KpiSources, now: datetime, start: datetime
) -> pl.DataFrame:
    """Measure target ``i`` over its period and the ``history`` earlier ones (no status yet).

    Parameters
    ----------
    i, target
        The target's position in the file and the target.
    t
        The targets (for ``history``).
    s
        What the KPIs are computed from (:func:`attribution.alignment.kpi_sources.sources`).
    now, start
        The as-of moment and the data's first timestamp.

    Returns
    -------
    polars.DataFrame
        One row per period: the :data:`COLUMNS` but ``expected``, ``progress`` and
        ``status``, with the KPI's direction, whether it is cumulative or an estimate, and
        ``is_target_period``.
    """
    kpi = KPIS[str(target.kpi)]
    assert target.target is not None  # checked when the targets were loaded
    periods = _periods(target, t.history, now, start)
    reason = _unavailable(kpi.name, s)
    values = _values(kpi, reason, periods, s, now)
    for name in ("ci_low", "ci_high"):
        if name not in values.columns:
            values = values.with_columns(pl.lit(None, dtype=pl.Float64).alias(name))
    started = pl.col("elapsed") > 0
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
        _note(reason, target.note).alias("note"),
    ).select(
        *[c for c in COLUMNS if c not in ("expected", "progress", "status")],
        "higher_is_better",
        "cumulative",
        "estimate",
        "is_target_period",
    )


def _values(
    kpi: Kpi, reason: str, periods: pl.DataFrame, s: KpiSources, now: datetime
) -> pl.DataFrame:
    """Add the KPI's ``actual`` and ``n`` to the periods (null when it cannot be measured)."""
    if reason:
        return periods.with_columns(
            pl.lit(None, dtype=pl.Float64).alias("actual"), pl.lit(0, dtype=pl.Int64).alias("n")
        )
    if kpi.estimate:
        return _estimate(kpi.name, periods, s)
    source = _SPECS[kpi.name][0]
    frame = s.first_mqls if source == "first_mqls" else s.opportunities
    assert frame is not None
    measured = _measure(kpi.name, frame, periods, now)
    return with_wilson(measured, s.level) if kpi.interval else measured


def _note(reason: str, own: str | None) -> pl.Expr:
    """Why a period has no (or a partial) actual, then the target's own note."""
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
    return (
        pl.when(note != "")
        .then(note + (pl.lit(f"; {own}") if own else pl.lit("")))
        .otherwise(pl.lit(own or ""))
    )


def check_targets(t: Targets, start: datetime, now: datetime) -> None:
    """Refuse targets whose period ends before the data begins (one error lists them all).

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> from attribution.alignment.targets import load_targets
    >>> t = load_targets({"targets": [{"kpi": "mqls", "target": 5, "owner": "joint",
    ...                                "due": "2024-01-31"}]})
    >>> check_targets(t, datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC))
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: 1 problem in the targets for data from 2025-01-01 to 2026-06-01:
      1. targets[0] (mqls, due 2024-01-31): its period 2024-01-01 to 2024-01-31 ends before the data begins (2025-01-01), so it can never be measured; move the due date
    """  # noqa: E501
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
    where = "the targets" if t.origin == "<mapping>" else t.origin
    raise_listed(problems, f"in {where} for data from {start:%Y-%m-%d} to {now:%Y-%m-%d}")
