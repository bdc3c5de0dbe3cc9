"""Shared targets: KPIs with a target, an owner, a due date and a period, and their status.

A targets file (``params/targets.yaml``) lists what the teams committed to::

    name: H1 2026 commitments
    on_track: 0.9              # at least 90% of the pro-rated target counts as on track
    history: 6                 # earlier periods shown for the trend
    targets:
      - kpi: mqls              # one of KPIS (below)
        target: 120            # per period: a count, an amount, a share (0-1) or hours
        owner: marketing       # marketing, sales or joint
        period: month          # month, quarter or year
        due: 2026-06-30        # the target is for the period holding this day, up to it
        label: MQLs delivered  # optional: how the reports call it
        note: optional text

**The period of a target** is the calendar period (month, quarter or year, UTC) holding
its due date, cut at the end of the due day: ``due: 2026-06-30`` with ``period: quarter``
is 2026-04-01 up to the end of 2026-06-30. Earlier periods of the same length give the
trend and the history.

**Status** (:func:`status`), for higher-is-better KPIs (lower-is-better ones mirror it):

* ``not started``: the period starts after ``as_of``;
* ``no data``: the KPI cannot be measured for the period (say why in the note);
* a **complete period** (ended by ``as_of``): ``met`` when the actual reaches the target,
  else ``missed``;
* the **current period**: a count or an amount (``cumulative``) is compared with the target
  pro-rated by the elapsed share of the period, ``expected = target x elapsed``; one that
  already reached the whole target is ``met``. A rate or a median is compared with the
  target directly. The period is ``on track`` when ``actual / expected`` is at least
  ``on_track`` (0.9 by default), else ``behind``;
* an **estimate** with an interval (the contribution shares) is ``met``/``on track`` only
  when its whole interval clears the target, ``behind``/``missed`` when the whole interval
  falls short, and ``unclear`` when the interval holds the target.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import polars as pl
import yaml

from attribution._text import did_you_mean
from attribution.alignment.definitions import _raise, shipped_file
from attribution.config import ParamProblem, check_schema, read_yaml

__all__ = [
    "KPIS",
    "OWNERS",
    "STATUSES",
    "Kpi",
    "Target",
    "Targets",
    "load_targets",
    "period_bounds",
    "status",
]

Owner = Literal["marketing", "sales", "joint"]
OWNERS: tuple[str, ...] = ("marketing", "joint", "sales")
"""Who owns a target, in display order (the joint commitments between the two teams)."""
TargetPeriod = Literal["month", "quarter", "year"]
Unit = Literal["count", "money", "share", "hours"]
STATUSES: tuple[str, ...] = (
    "met",
    "on track",
    "unclear",
    "behind",
    "missed",
    "not started",
    "no data",
)
"""Every status a target can have, best first."""


@dataclass(frozen=True)
class Kpi:
    """One measurable KPI of the scorecard.

    Attributes
    ----------
    name, label
        Key used in targets files, and how reports call it.
    unit
        ``count``, ``money``, ``share`` (0-1) or ``hours``.
    higher_is_better
        Direction of "better".
    cumulative
        Counts and amounts add up over a period (pro-rated in the current period); rates
        and medians do not.
    estimate
        A model estimate with an interval, not a count (the contribution shares).
    needs
        What the KPI is computed from: ``definitions`` (the agreed MQL/SQL, needs
        contacts), ``follow_up`` (sales touches after MQLs), ``opportunities`` or
        ``contributions``.
    description
        How it is counted, printed in the reports.
    """

    name: str
    label: str
    unit: Unit
    higher_is_better: bool
    cumulative: bool
    needs: str
    description: str
    estimate: bool = False


KPIS: dict[str, Kpi] = {
    k.name: k
    for k in (
        Kpi(
            "mqls",
            "MQLs",
            "count",
            True,
            True,
            "definitions",
            "accounts whose first MQL (by the agreed definition) falls in the period: the "
            "hand-offs from marketing to sales",
        ),
        Kpi(
            "sqls",
            "SQLs",
            "count",
            True,
            True,
            "definitions",
            "accounts whose first MQL became an SQL (by the agreed definition) in the period",
        ),
        Kpi(
            "mql_to_sql_rate",
            "MQL to SQL rate",
            "share",
            True,
            False,
            "definitions",
            "of the period's MQLs whose SQL window has closed by the as-of moment, the share "
            "that became SQL within it",
        ),
        Kpi(
            "followed_up_within_sla",
            "MQLs answered in time",
            "share",
            True,
            False,
            "follow_up",
            "of the period's MQLs whose SLA can be judged, the share whose first sales touch "
            "came within the agreed response hours",
        ),
        Kpi(
            "followed_up",
            "MQLs followed up",
            "share",
            True,
            False,
            "follow_up",
            "of the period's MQLs whose SLA can be judged, the share followed up by sales at "
            "all by the as-of moment (coverage)",
        ),
        Kpi(
            "median_response_hours",
            "Median hours to answer",
            "hours",
            False,
            False,
            "follow_up",
            "median hours from an MQL to the first sales touch, among the period's MQLs "
            "that were followed up",
        ),
        Kpi(
            "opportunities_created",
            "Opportunities created",
            "count",
            True,
            True,
            "opportunities",
            "opportunities created in the period",
        ),
        Kpi(
            "pipeline_created",
            "Pipeline created",
            "money",
            True,
            True,
            "opportunities",
            "amount of the opportunities created in the period",
        ),
        Kpi(
            "marketing_sourced_pipeline",
            "Marketing-sourced pipeline",
            "money",
            True,
            True,
            "definitions",
            "amount of the opportunities created in the period whose account had its first "
            "MQL (agreed definition) at or before the opportunity was created",
        ),
        Kpi(
            "revenue_won",
            "Revenue won",
            "money",
            True,
            True,
            "opportunities",
            "amount of the opportunities won (closed) in the period",
        ),
        Kpi(
            "win_rate",
            "Win rate",
            "share",
            True,
            False,
            "opportunities",
            "won among the opportunities closed in the period",
        ),
        Kpi(
            "marketing_sourced_win_rate",
            "Marketing-sourced win rate",
            "share",
            True,
            False,
            "definitions",
            "won among the opportunities closed in the period whose account had its first "
            "MQL (agreed definition) at or before the opportunity was created",
        ),
        Kpi(
            "marketing_contribution",
            "Marketing's contribution",
            "share",
            True,
            False,
            "contributions",
            "estimated share of expected revenue that marketing's touches add on their own, "
            "over all deals closed so far (attribution.contributions)",
            estimate=True,
        ),
        Kpi(
            "sales_contribution",
            "Sales' contribution",
            "share",
            True,
            False,
            "contributions",
            "estimated share of expected revenue that sales' touches add on their own, over "
            "all deals closed so far (attribution.contributions)",
            estimate=True,
        ),
        Kpi(
            "joint_contribution",
            "Joint contribution",
            "share",
            True,
            False,
            "contributions",
            "estimated share of expected revenue that marketing and sales add only together, "
            "over all deals closed so far (attribution.contributions)",
            estimate=True,
        ),
    )
}
"""The KPIs a target can name, by key."""


# ------------------------------------------------------------------------------ schema
@dataclass(frozen=True)
class Target:
    """One commitment: a KPI's target for a period, its owner and due date."""

    kpi: str | None = None
    """The KPI (a key of :data:`KPIS`)."""
    target: float | None = None
    """The target per period: a count, an amount, a share (0-1) or hours."""
    owner: Owner | None = None
    """Who owns it: ``marketing``, ``sales`` or ``joint``."""
    due: date | None = None
    """The day the target is due: its period is the calendar period holding this day."""
    period: TargetPeriod = "month"
    """``month``, ``quarter`` or ``year``."""
    label: str | None = field(default=None, metadata={"min_length": 1})
    """How the reports call it (default: the KPI's label)."""
    note: str | None = None
    """Free text shown beside it."""


@dataclass(frozen=True)
class _File:
    """The keys of a targets file."""

    name: str = field(default="Shared targets", metadata={"min_length": 1})
    on_track: float = field(default=0.9, metadata={"min": 0.0, "max": 1.0})
    history: int = field(default=6, metadata={"min": 0, "max": 60})
    targets: list[Target] = field(default_factory=list)


@dataclass(frozen=True)
class Targets:
    """The shared targets, checked, with the file's own text.

    Attributes
    ----------
    name
        Title of the set of targets.
    on_track
        Share of the pro-rated target at which the current period counts as on track.
    history
        Earlier periods shown for the trend.
    targets
        The commitments (:class:`Target`), in file order.
    text, origin
        The file exactly as written and where it came from.
    """

    name: str
    on_track: float
    history: int
    targets: tuple[Target, ...]
    text: str = field(repr=False, default="")
    origin: str = "<mapping>"

    def table(self) -> pl.DataFrame:
        """Return the targets as a table (one row each, with the KPI's label and unit).

        Examples
        --------
        >>> t = load_targets({"targets": [{"kpi": "mqls", "target": 50, "owner": "marketing",
        ...                                "due": "2026-06-30"}]})
        >>> t.table().select("kpi", "owner", "period", "target").row(0)
        ('mqls', 'marketing', 'month', 50.0)
        """
        return pl.DataFrame(
            [
                {
                    "kpi": t.kpi,
                    "label": t.label or KPIS[str(t.kpi)].label,
                    "owner": t.owner,
                    "period": t.period,
                    "due": t.due,
                    "target": t.target,
                    "unit": KPIS[str(t.kpi)].unit,
                    "note": t.note,
                }
                for t in self.targets
            ],
            schema={
                "kpi": pl.String,
                "label": pl.String,
                "owner": pl.String,
                "period": pl.String,
                "due": pl.Date,
                "target": pl.Float64,
                "unit": pl.String,
                "note": pl.String,
            },
        )


# ------------------------------------------------------------------------------ periods
def _start_of(day: date, period: str) -> date:
    if period == "year":
        return date(day.year, 1, 1)
    if period == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, day.month, 1)


def _next(start: date, period: str) -> date:
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _previous(start: date, period: str) -> date:
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    index = start.year * 12 + start.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def period_label(start: date, period: str) -> str:
    """Label a period by its first day: ``2026-06``, ``2026-Q2`` or ``2026``.

    Examples
    --------
    >>> period_label(date(2026, 4, 1), "quarter")
    '2026-Q2'
    """
    if period == "year":
        return str(start.year)
    if period == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def period_bounds(due: date, period: str, *, back: int = 0) -> list[tuple[datetime, datetime]]:
    """Return the period of a target and ``back`` earlier ones as ``(start, end)``.

    The target's own period is the calendar period holding ``due``, cut at the end of the
    due day (its end is exclusive); earlier periods are whole calendar periods. Oldest
    first.

    Examples
    --------
    >>> [(s.date().isoformat(), e.date().isoformat())
    ...  for s, e in period_bounds(date(2026, 5, 15), "month", back=1)]
    [('2026-04-01', '2026-05-01'), ('2026-05-01', '2026-05-16')]
    """
    start = _start_of(due, period)
    end = min(_next(start, period), due + timedelta(days=1))
    out = [(_midnight(start), _midnight(end))]
    for _ in range(back):
        earlier = _previous(start, period)
        out.append((_midnight(earlier), _midnight(start)))
        start = earlier
    return out[::-1]


# ------------------------------------------------------------------------------ status
def status(
    *,
    actual: pl.Expr,
    target: pl.Expr,
    elapsed: pl.Expr,
    higher_is_better: pl.Expr,
    cumulative: pl.Expr,
    on_track: float = 0.9,
    ci_low: pl.Expr | None = None,
    ci_high: pl.Expr | None = None,
) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Expressions for the expected value so far, the progress and the status of targets.

    Parameters
    ----------
    actual, target
        The measured value and the target for the whole period.
    elapsed
        Share of the period elapsed at the as-of moment: 0 before it starts, 1 once it is
        over.
    higher_is_better, cumulative
        Boolean expressions from the KPI (see :class:`Kpi`).
    on_track
        Share of the expected value at which the current period counts as on track.
    ci_low, ci_high
        The interval of an estimate (null for measured KPIs).

    Returns
    -------
    tuple of polars.Expr
        ``expected`` (the target pro-rated for cumulative KPIs in the current period, else
        the target), ``progress`` (actual / expected, or expected / actual when lower is
        better; 1 and above is on pace) and ``status`` (see the module docstring).

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"actual": [55.0, 40.0, 30.0, None], "target": [100.0] * 4,
    ...                   "elapsed": [0.5, 0.5, 1.0, 0.5]})
    >>> exprs = status(actual=pl.col("actual"), target=pl.col("target"),
    ...                elapsed=pl.col("elapsed"), higher_is_better=pl.lit(True),
    ...                cumulative=pl.lit(True))
    >>> f.select(e.alias(n) for e, n in zip(exprs, ["expected", "progress", "status"])).rows()
    [(50.0, 1.1, 'on track'), (50.0, 0.8, 'behind'), (100.0, 0.3, 'missed'), (50.0, None, 'no data')]
    """  # noqa: E501
    low = ci_low if ci_low is not None else pl.lit(None, dtype=pl.Float64)
    high = ci_high if ci_high is not None else pl.lit(None, dtype=pl.Float64)
    current = elapsed < 1
    expected = pl.when(cumulative & current).then(target * elapsed).otherwise(target)
    progress = (
        pl.when(higher_is_better)
        .then(actual / expected)
        .otherwise(expected / actual)
        .fill_nan(None)
    )
    progress = pl.when(progress.is_infinite()).then(pl.lit(None)).otherwise(progress)
    reached = pl.when(higher_is_better).then(actual >= target).otherwise(actual <= target)
    paced = (
        pl.when(higher_is_better)
        .then(actual >= on_track * expected)
        .otherwise(actual * on_track <= expected)
    )
    has_ci = low.is_not_null() & high.is_not_null()
    clears = pl.when(higher_is_better).then(low >= target).otherwise(high <= target)
    short = pl.when(higher_is_better).then(high < target).otherwise(low > target)
    label = (
        pl.when(elapsed <= 0)
        .then(pl.lit("not started"))
        .when(actual.is_null())
        .then(pl.lit("no data"))
        .when(has_ci & ~clears & ~short)
        .then(pl.lit("unclear"))
        .when(has_ci & clears & current)
        .then(pl.lit("on track"))
        .when(has_ci & clears)
        .then(pl.lit("met"))
        .when(has_ci & current)
        .then(pl.lit("behind"))
        .when(has_ci)
        .then(pl.lit("missed"))
        .when(~current & reached)
        .then(pl.lit("met"))
        .when(~current)
        .then(pl.lit("missed"))
        .when(cumulative & higher_is_better & reached)
        .then(pl.lit("met"))
        .when(paced)
        .then(pl.lit("on track"))
        .otherwise(pl.lit("behind"))
    )
    return expected, progress, label


# ------------------------------------------------------------------------------ loading
def _check(f: _File, problems: list[ParamProblem]) -> None:
    if not f.targets:
        problems.append(ParamProblem("targets", "give at least one target"))
    for i, t in enumerate(f.targets):
        key = f"targets[{i}]"
        kpi = KPIS.get(str(t.kpi)) if t.kpi is not None else None
        if t.kpi is None:
            problems.append(ParamProblem(f"{key}.kpi", "missing; give one of " + ", ".join(KPIS)))
        elif kpi is None:
            hint = did_you_mean(t.kpi, KPIS, cutoff=0.5)
            hint = f"{hint} " if hint else ""
            problems.append(
                ParamProblem(f"{key}.kpi", f"unknown KPI {t.kpi!r}; {hint}KPIs: {', '.join(KPIS)}")
            )
        if t.owner is None:
            problems.append(ParamProblem(f"{key}.owner", "missing; give marketing, sales or joint"))
        if t.due is None:
            problems.append(ParamProblem(f"{key}.due", "missing; give the due date (2026-06-30)"))
        if t.target is None:
            problems.append(ParamProblem(f"{key}.target", "missing; give the target value"))
        elif t.target < 0:
            problems.append(
                ParamProblem(f"{key}.target", f"must not be negative, got {t.target:g}")
            )
        elif kpi is not None and kpi.unit == "share" and t.target > 1:
            problems.append(
                ParamProblem(
                    f"{key}.target",
                    f"{kpi.name} is a share between 0 and 1 (0.3 for 30%), got {t.target:g}",
                )
            )
    seen: dict[tuple[Any, ...], int] = {}
    for i, t in enumerate(f.targets):
        ident = (t.kpi, t.owner, t.period, t.due)
        if None not in ident and ident in seen:
            problems.append(
                ParamProblem(
                    f"targets[{i}]",
                    f"repeats targets[{seen[ident]}] (same kpi, owner, period and due date)",
                )
            )
        seen.setdefault(ident, i)


def load_targets(
    targets: str | os.PathLike[str] | Mapping[str, Any] | Targets | None = None,
) -> Targets:
    """Read and check shared targets from a YAML file, a mapping, or return them as given.

    Parameters
    ----------
    targets
        A targets YAML file (see the module docstring), its parsed mapping, or
        :class:`Targets`; ``None`` or ``""`` reads the shipped example
        ``params/targets.yaml``.

    Returns
    -------
    Targets

    Raises
    ------
    ParameterError
        Every problem in one error: unknown keys (with the closest valid one), an unknown
        KPI or owner, a negative target, a share above 1, a missing due date...

    Examples
    --------
    >>> load_targets({"targets": [{"kpi": "mql", "target": -5, "owner": "sale",
    ...                            "due": "2026-06-30"}]})
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: 3 problems in the targets; nothing was run:
      1. targets[0].owner: expected one of 'marketing', 'sales', 'joint', got 'sale' (text); did you mean 'sales'?
      2. targets[0].kpi: unknown KPI 'mql'; did you mean 'mqls'? KPIs: mqls, sqls, mql_to_sql_rate, followed_up_within_sla, followed_up, median_response_hours, opportunities_created, pipeline_created, marketing_sourced_pipeline, revenue_won, win_rate, marketing_sourced_win_rate, marketing_contribution, sales_contribution, joint_contribution
      3. targets[0].target: must not be negative, got -5
    """  # noqa: E501
    if isinstance(targets, Targets):
        return targets
    if targets is None or (isinstance(targets, str) and targets == ""):
        targets = shipped_file("targets.yaml")
    if isinstance(targets, Mapping):
        data: Any = targets
        text = yaml.safe_dump(dict(targets), sort_keys=False, allow_unicode=True)
        where, origin = "the targets", "<mapping>"
    else:
        path = Path(targets)
        data = read_yaml(path, what="targets file")
        text = path.read_text(encoding="utf-8")
        where = origin = str(path)
    parsed, problems = check_schema(_File, data)
    _check(parsed, problems)
    problems = _dedupe(problems)
    _raise(problems, where)
    return Targets(
        name=parsed.name,
        on_track=parsed.on_track,
        history=parsed.history,
        targets=tuple(parsed.targets),
        text=text,
        origin=origin,
    )


def _dedupe(problems: list[ParamProblem]) -> list[ParamProblem]:
    """Drop a "missing" problem for a key whose given value was already reported as wrong."""
    wrong = {p.key for p in problems if "missing" not in p.message}
    return [p for p in problems if not ("missing" in p.message and p.key in wrong)]
