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
from datetime import date
from typing import Any, Literal

import polars as pl

from attribution._text import did_you_mean
from attribution.alignment.agreements import read_agreement
from attribution.alignment.kpi_catalogue import KPIS, Kpi, Unit
from attribution.alignment.periods import period_bounds, period_label
from attribution.alignment.target_status import STATUSES, status
from attribution.config import ParamProblem

# the catalogue, statuses and periods, as `at.targets` always offered them
__all__ = [
    "KPIS",
    "OWNERS",
    "STATUSES",
    "Kpi",
    "Target",
    "Targets",
    "Unit",
    "load_targets",
    "period_bounds",
    "period_label",
    "status",
]

Owner = Literal["marketing", "sales", "joint"]
OWNERS: tuple[str, ...] = ("marketing", "joint", "sales")
"""Who owns a target, in display order (the joint commitments between the two teams)."""
TargetPeriod = Literal["month", "quarter", "year"]


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


# ------------------------------------------------------------------------------ loading
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
      2. targets[0].kpi: unknown KPI 'mql'; did you mean 'mqls'? KPIs: mqls, sqls, mql_to_sql_rate, mql_disqualification_rate, followed_up_within_sla, followed_up, median_response_hours, opportunities_created, pipeline_created, marketing_sourced_pipeline, revenue_won, win_rate, marketing_sourced_win_rate, marketing_contribution, sales_contribution, joint_contribution
      3. targets[0].target: must not be negative, got -5
    """  # noqa: E501
    if isinstance(targets, Targets):
        return targets
    read = read_agreement(targets, _File, kind="targets", check=_check)
    parsed = read.value
    return Targets(
        name=parsed.name,
        on_track=parsed.on_track,
        history=parsed.history,
        targets=tuple(parsed.targets),
        text=read.text,
        origin=read.origin,
    )


def _check(f: _File, problems: list[ParamProblem]) -> None:
    """Add the checks the schema cannot make, then drop what they make redundant."""
    if not f.targets:
        problems.append(ParamProblem("targets", "give at least one target"))
    for i, t in enumerate(f.targets):
        _check_target(f"targets[{i}]", t, problems)
    _check_repeats(f.targets, problems)
    problems[:] = _dedupe(problems)


def _check_target(key: str, t: Target, problems: list[ParamProblem]) -> None:
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
        problems.append(ParamProblem(f"{key}.target", f"must not be negative, got {t.target:g}"))
    elif kpi is not None and kpi.unit == "share" and t.target > 1:
        problems.append(
            ParamProblem(
                f"{key}.target",
                f"{kpi.name} is a share between 0 and 1 (0.3 for 30%), got {t.target:g}",
            )
        )


def _check_repeats(targets: list[Target], problems: list[ParamProblem]) -> None:
    seen: dict[tuple[Any, ...], int] = {}
    for i, t in enumerate(targets):
        ident = (t.kpi, t.owner, t.period, t.due)
        if None not in ident and ident in seen:
            problems.append(
                ParamProblem(
                    f"targets[{i}]",
                    f"repeats targets[{seen[ident]}] (same kpi, owner, period and due date)",
                )
            )
        seen.setdefault(ident, i)


def _dedupe(problems: list[ParamProblem]) -> list[ParamProblem]:
    """Drop a "missing" problem for a key whose given value was already reported as wrong."""
    wrong = {p.key for p in problems if "missing" not in p.message}
    return [p for p in problems if not ("missing" in p.message and p.key in wrong)]
