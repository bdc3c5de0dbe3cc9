"""The funnel and the service level of the money page's two periods, with what they mean.

The money page compares its period (``money.period``, or ``period_start``/``period_end``)
with another (``money.compare_to``, or ``compare_start``/``compare_end``) for credits and
pipeline (:mod:`attribution.report.money_views`); here the same two windows compare the
funnel of the leads first seen in each (:func:`attribution.handoff.periods.funnel_change`)
and the follow-up of the MQLs handed over in each
(:func:`attribution.handoff.periods.sla_change`). Both cohorts of the funnel are followed
for the same number of days: from the end of the later window to ``as_of``. Each result is
computed once per run; a section the data cannot support gets ``None`` and an empty table
(the section's note, :meth:`RunData.needs`, says why).
"""

from __future__ import annotations

import warnings
from datetime import datetime

import polars as pl

from attribution._format import count_expr
from attribution._markdown import Markdown
from attribution._time import as_of as resolve_as_of
from attribution.errors import EstimateWarning
from attribution.handoff.funnel import account_stages
from attribution.handoff.periods import (
    CHANGE_COLUMNS,
    FunnelChange,
    SlaChange,
    funnel_change,
    sla_change,
)
from attribution.journey.response import response_times, sales_only_on_won
from attribution.money.periods import Window, period_windows
from attribution.report.money_views import money_views
from attribution.report.shared import RunData

__all__ = [
    "funnel_change_frame",
    "funnel_periods",
    "funnel_periods_table",
    "funnel_periods_text",
    "funnel_rate_changes",
    "sla_change_frame",
    "sla_periods",
    "sla_periods_table",
    "sla_periods_text",
]

_MEASURES = {
    "accounts": "accounts",
    "conversion": "conversion from the stage before",
    "mqls": "MQLs handed over",
    "within_sla": "answered within the SLA",
    "median_hours": "median hours to the first sales touch",
}
_SHOWN = ("this period", "the one before", "change", "interval", "larger than its noise")


def _windows(run: RunData) -> tuple[Window, Window]:
    current, compare_to = money_views(run).windows()
    return period_windows(*current, compare_to)


def _follow_days(run: RunData, windows: tuple[Window, Window]) -> float | None:
    """Whole days from the end of the later window to ``as_of`` (None: less than one)."""
    as_of: datetime = resolve_as_of(run.dataset, run.params.window.as_of)
    days = (as_of - max(windows[0][1], windows[1][1])).total_seconds() // 86_400
    return float(days) if days >= 1 else None


def funnel_periods(run: RunData) -> FunnelChange | None:
    """Return the funnel of the two periods' leads, or ``None`` without contacts."""
    if not run.readiness.supported("funnel"):
        return None
    return run.memo("funnel_periods", lambda: _funnel_change(run))


def _funnel_change(run: RunData) -> FunnelChange:
    now, before = _windows(run)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EstimateWarning)  # the funnel section says it
        stages = account_stages(run.dataset, as_of=run.params.window.as_of)
    return funnel_change(
        stages,
        current=now,
        previous=before,
        follow_days=_follow_days(run, (now, before)),
        level=run.params.intervals.level,
    )


def sla_periods(run: RunData) -> SlaChange | None:
    """Return the follow-up of the two periods' MQLs, or ``None`` when it cannot be measured.

    ``None`` without a hand-off to measure, and when sales work is recorded only for won
    deals (follow-up cannot be told from missing records).
    """
    if not run.readiness.supported("sla_cost") or sales_only_on_won(run.dataset):
        return None
    return run.memo("sla_periods", lambda: _sla_change(run))


def _sla_change(run: RunData) -> SlaChange:
    now, before = _windows(run)
    p = run.params
    hours = float(p.goals.sla_hours or 24.0)
    responses = response_times(run.dataset, sla_hours=hours, as_of=p.window.as_of)
    return sla_change(
        responses,
        current=now,
        previous=before,
        sla_hours=hours,
        level=p.intervals.level,
        draws=p.intervals.draws,
    )


def funnel_change_frame(run: RunData) -> pl.DataFrame:
    """Return the funnel comparison's numbers (empty: no funnel), for the tables folder."""
    result = funnel_periods(run)
    if result is None:
        return pl.DataFrame(schema={"stage": pl.String, "step": pl.Int64, **CHANGE_COLUMNS})
    return result.table


def sla_change_frame(run: RunData) -> pl.DataFrame:
    """Return the SLA comparison's numbers (empty: not measurable), for the tables folder."""
    result = sla_periods(run)
    return pl.DataFrame(schema=CHANGE_COLUMNS) if result is None else result.table


def funnel_rate_changes(run: RunData) -> pl.DataFrame:
    """Return the change of each conversion rate with its interval (empty: no funnel)."""
    result = funnel_periods(run)
    if result is None:
        return pl.DataFrame(schema={"stage": pl.String, "step": pl.Int64, **CHANGE_COLUMNS})
    return result.table.filter(pl.col("measure") == "conversion")


def _formatted(table: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Write the comparison as reviewers read it: each value in its unit, signed changes."""
    share, hours = pl.col("unit") == "share", pl.col("unit") == "hours"

    def value(column: str, signed: bool = False) -> pl.Expr:
        x = pl.col(column)
        shown = pl.when(share).then(x * 100).otherwise(x)
        shown = pl.when(share | hours).then(shown.round(1)).otherwise(shown.round(0))
        sign = pl.lit("")
        if signed:  # from the rounded value, so no change reads "-0.0"
            sign = pl.when(shown > 0).then(pl.lit("+")).when(shown < 0).then(pl.lit("-"))
            sign = sign.otherwise(pl.lit(""))
        size = shown.abs()
        text = (
            pl.when(share & pl.lit(signed))
            .then(pl.format("{}{} pts", sign, size))
            .when(share)
            .then(pl.format("{}%", size))
            .when(hours)
            .then(pl.format("{}{} h", sign, size))
            .otherwise(pl.format("{}{}", sign, count_expr(size)))
        )
        return pl.when(x.is_null()).then(pl.lit("n/a")).otherwise(text)

    return table.select(
        *keys,
        pl.col("measure").replace_strict(_MEASURES, default=pl.col("measure")),
        value("current").alias(_SHOWN[0]),
        value("previous").alias(_SHOWN[1]),
        value("change", signed=True).alias(_SHOWN[2]),
        pl.when(pl.col("change_low").is_null())
        .then(pl.lit("n/a"))
        .otherwise(pl.format("{} to {}", value("change_low", True), value("change_high", True)))
        .alias(_SHOWN[3]),
        pl.when(pl.col("beyond_noise"))
        .then(pl.lit("yes"))
        .otherwise(pl.lit("no"))
        .alias(_SHOWN[4]),
    )


def funnel_periods_table(run: RunData) -> pl.DataFrame:
    """Return the funnel comparison as text columns for the page (empty: no funnel)."""
    result = funnel_periods(run)
    if result is None:
        return pl.DataFrame(
            schema={"stage": pl.String, "measure": pl.String, **dict.fromkeys(_SHOWN, pl.String)}
        )
    return _formatted(result.table, ["stage"])


def sla_periods_table(run: RunData) -> pl.DataFrame:
    """Return the SLA comparison as text columns for the page (empty: not measurable)."""
    result = sla_periods(run)
    if result is None:
        return pl.DataFrame(schema={"measure": pl.String, **dict.fromkeys(_SHOWN, pl.String)})
    return _formatted(result.table, [])


def _span(window: Window) -> str:
    return f"{window[0]:%Y-%m-%d} to {window[1]:%Y-%m-%d}"


def _flagged(table: pl.DataFrame, label: pl.Expr) -> tuple[list[str], int]:
    rows = table.filter(pl.col("change_low").is_not_null())
    moved = rows.filter(pl.col("beyond_noise")).select(label.alias("l"))["l"].to_list()
    return moved, rows.height


def _empty_window(table: pl.DataFrame, now: Window, before: Window, what: str) -> Markdown:
    """Say which period has nothing to compare (no first lead, no MQL in it), else empty."""
    first = table.row(0, named=True)  # the first stage's (or the MQLs') counts
    empty = [
        w for w, n in ((now, first["current_base"]), (before, first["previous_base"])) if not n
    ]
    if not empty:
        return Markdown("")
    return Markdown(
        "> **Not compared: no {} falls from {}** (the data does not reach into that period), "
        "so every change in the table below is that gap, not a change in what the teams did."
    ).format(what, Markdown(" or from ").join(_span(w) for w in empty))


def _verdict(moved: list[str], compared: int, level: float) -> Markdown:
    chance = compared * (1 - level)
    if not moved:
        return Markdown("No change is larger than its noise ({} compared).").format(compared)
    return Markdown(
        "Larger than their noise: {}. With {} changes compared at {:.0%}, about {:.1f} would "
        "be flagged by chance alone, so a single flag is weak evidence."
    ).format(Markdown(", ").join(moved), compared, level, chance)


def funnel_periods_text(run: RunData) -> Markdown:
    """Say which funnel changes exceed their noise, with the follow-up caveat beside them."""
    result = funnel_periods(run)
    if result is None:
        return Markdown("")
    empty = _empty_window(result.table, result.current, result.previous, "first lead")
    if empty:
        return empty
    label = pl.format("{} ({})", "stage", "measure")
    moved, compared = _flagged(result.table, label)
    follow = (
        Markdown(
            "a stage counts when reached within {:g} days of the first lead (the time from "
            "the later period's end to the data's last day), so both cohorts had the same "
            "time to convert"
        ).format(result.follow_days)
        if result.follow_days is not None
        else Markdown(
            "**the later cohort had less time to convert**: the data ends within a "
            "day of its period, so its lower rates may only be deals still open"
        )
    )
    return Markdown(
        "Accounts whose first lead came from {} (this period) against {}: {}. {} *The "
        "funnel on the shared goals page counts every stage whenever reached, so its rates "
        "differ from these; a change says the funnel moved, not why.*"
    ).format(
        _span(result.current),
        _span(result.previous),
        follow,
        _verdict(moved, compared, result.level or 0.9),
    )


def sla_periods_text(run: RunData) -> Markdown:
    """Say how the service level moved between the periods, or why it cannot be shown."""
    result = sla_periods(run)
    if result is None:
        if run.readiness.supported("sla_cost") and sales_only_on_won(run.dataset):
            return Markdown(
                "> **Not shown: sales work is recorded only for accounts that won a deal**, so "
                "follow-up cannot be told from missing records."
            )
        return Markdown("")
    empty = _empty_window(result.table, result.current, result.previous, "MQL")
    if empty:
        return empty
    moved, compared = _flagged(result.table, pl.col("measure").replace_strict(_MEASURES))
    return Markdown(
        "MQLs handed over from {} (this period) against {}, judged against the {:g}-hour "
        "SLA. {} *The share answered in time counts MQLs whose SLA can be judged; the median "
        "hours count those followed up. A change says what moved, not why.*"
    ).format(
        _span(result.current),
        _span(result.previous),
        result.sla_hours,
        _verdict(moved, compared, result.level or 0.9),
    )
