"""The shared scorecard: agreed definitions applied, KPIs against targets, the SLA view.

:func:`scorecard` turns the two agreement files into the numbers of the monthly
marketing-sales meeting, from one dataset:

1. applies the agreed MQL and SQL definitions (:func:`attribution.apply_definitions`);
2. computes every targeted KPI per period from the hand-off views that already exist
   (:func:`attribution.response_times` on the agreed MQLs, :func:`attribution.speed_to_lead`,
   :func:`attribution.opportunity_features`, and :func:`attribution.contributions` once for
   the contribution shares), and sets each against its target with a status
   (:func:`attribution.alignment.targets.status`) and a trend;
3. lays out the service-level agreement month by month (marketing's side: MQLs delivered
   and their SQL rate; sales' side: answered within the agreed hours, followed up at all)
   and ranks reps and campaigns against it.

**The unit is the hand-off**: an account's first MQL by the agreed definition (as in
:func:`attribution.funnel` and :func:`attribution.speed_to_lead`). Later MQLs of an
account already in sales' hands are not new hand-offs. The drift report of
:func:`attribution.apply_definitions` counts contacts.

**What counts when** (``as_of`` is the dataset's latest timestamp unless given): an MQL
belongs to the period of its MQL moment; its SLA is *judged* once it was answered or is
older than the agreed response hours; its SQL outcome once its SQL window (``sql.within_days``)
has closed, so the most recent MQLs have no SQL rate yet rather than a falsely low one.
Opportunities count in the period they were created (pipeline) or closed (revenue, win
rate). The contribution shares are estimated once, over every deal closed by ``as_of``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import polars as pl

from attribution._intervals import DEFAULT_DRAWS, DEFAULT_LEVEL, check_level
from attribution._time import DEFAULT_LOOKBACK_DAYS
from attribution._time import as_of as resolve_as_of
from attribution.alignment.agreements import demo_only
from attribution.alignment.definitions import Definitions, load_definitions
from attribution.alignment.kpi_sources import KpiSources, data_start, sources
from attribution.alignment.kpis import COLUMNS, check_targets, target_rows
from attribution.alignment.qualification import AppliedDefinitions
from attribution.alignment.scorecard_result import Scorecard, ScorecardSummary
from attribution.alignment.service_level import rank_campaigns, rank_reps, sla_by_month
from attribution.alignment.target_status import scored, trend
from attribution.alignment.targets import OWNERS, Targets, load_targets
from attribution.data.dataset import Dataset
from attribution.errors import ParameterError
from attribution.estimates.contributions import ContributionResult

__all__ = ["Scorecard", "ScorecardSummary", "scorecard"]


# ------------------------------------------------------------------------------ public
def scorecard(
    dataset: Dataset,
    targets: str | os.PathLike[str] | Mapping[str, Any] | Targets | None = None,
    definitions: str | os.PathLike[str] | Mapping[str, Any] | Definitions | None = None,
    *,
    as_of: datetime | None = None,
    lookback_days: float = DEFAULT_LOOKBACK_DAYS,
    min_mqls: int = 3,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    contributions: ContributionResult | None = None,
    level: float = DEFAULT_LEVEL,
) -> Scorecard:
    """Set the KPIs of one dataset against the shared targets, by the agreed definitions.

    Parameters
    ----------
    dataset
        A validated dataset; ``contacts`` unlock the MQL, SQL and follow-up KPIs.
    targets
        The shared targets: a YAML file, a mapping or :class:`attribution.alignment.targets.Targets`
        (``None``: the shipped example, for the built-in demo data only).
    definitions
        The agreed definitions (``None``: the shipped example, for the demo data only).
    as_of
        The moment the data is seen at (default: its latest timestamp): what has
        happened by then counts, and the current period is pro-rated to it.
    lookback_days
        The journey window of the opportunity features and the contribution estimate.
    min_mqls
        Fewest MQLs a rep or campaign needs in a month to be ranked.
    draws, seed
        Interval draws and seed of the contribution estimate (made once, if one is targeted).
    contributions
        A contribution estimate already made, e.g. the one a report run shares between its
        pages (:meth:`attribution.report.shared.RunData.contributions`), so the scorecard
        shows the very figure and interval the other pages show; ``draws`` and ``seed``
        are then unused.
    level
        Coverage of the intervals of measured shares (the disqualification rate of
        marketing-sourced leads); the contribution estimate keeps its own.

    Returns
    -------
    Scorecard
        ``.table`` (one row per target: actual, status, trend), ``.history``, ``.sla`` (month
        by month), ``.reps``/``.campaigns`` (rankings), ``.summary()``, ``.display()``.

    Raises
    ------
    ParameterError
        Malformed definitions or targets (every problem listed), definitions the data
        cannot carry, or a target whose period ends before the data begins.

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=400, seed=1)
    >>> sc = at.scorecard(ds, targets={"targets": [
    ...     {"kpi": "mqls", "target": 10, "owner": "marketing", "due": "2026-06-30"},
    ...     {"kpi": "win_rate", "target": 0.3, "owner": "sales", "due": "2026-06-30",
    ...      "period": "quarter"}]})
    >>> sc.table.select("kpi", "period_label").rows()
    [('mqls', '2026-06'), ('win_rate', '2026-Q2')]
    >>> set(sc.table["status"]) <= set(at.targets.STATUSES)
    True
    """
    _check_min_mqls(min_mqls)
    d, t, now, start = _agreed(dataset, targets, definitions, as_of)
    level = check_level(level)
    notes: list[str] = []
    s, applied = sources(
        dataset, d, t, now, lookback_days, draws, seed, notes, contributions, level=level
    )
    notes += _not_measurable(s)
    return _card(s, applied, d, t, now, start, min_mqls, notes)


def _agreed(
    dataset: Dataset,
    targets: str | os.PathLike[str] | Mapping[str, Any] | Targets | None,
    definitions: str | os.PathLike[str] | Mapping[str, Any] | Definitions | None,
    as_of: datetime | None,
) -> tuple[Definitions, Targets, datetime, datetime]:
    """Read the agreement files (the shipped ones: demo data only); check the targets' periods.

    Returns the definitions, the targets, ``as_of`` and the data's first moment.
    """
    demo_only(definitions, dataset, "definitions")
    demo_only(targets, dataset, "targets")
    d, t = load_definitions(definitions), load_targets(targets)
    now = resolve_as_of(dataset, as_of)
    start = data_start(dataset)
    check_targets(t, start, now)
    return d, t, now, start


def _card(
    s: KpiSources,
    applied: AppliedDefinitions | None,
    d: Definitions,
    t: Targets,
    now: datetime,
    start: datetime,
    min_mqls: int,
    notes: list[str],
) -> Scorecard:
    """Set the KPIs against their targets, lay out the SLA and the rankings: the scorecard."""
    table, history = _target_tables(t, s, now, start)
    return Scorecard(
        table=table,
        history=history,
        sla=sla_by_month(s, applied, d, now, t.on_track),
        reps=rank_reps(applied, d, now, t.on_track, min_mqls, follow=not s.follow_up_reason),
        campaigns=rank_campaigns(s, d, now, t.on_track, min_mqls),
        applied=applied,
        definitions=d,
        targets=t,
        contributions=s.contribution,
        as_of=now,
        month=f"{now:%Y-%m}",
        notes=tuple(notes),
    )


def _check_min_mqls(min_mqls: int) -> None:
    if isinstance(min_mqls, bool) or not isinstance(min_mqls, int) or min_mqls < 1:
        raise ParameterError(f"min_mqls must be a whole number >= 1, got {min_mqls!r}")


def _not_measurable(s: KpiSources) -> list[str]:
    """One note per distinct reason a source is unavailable."""
    reasons = (s.first_mqls_reason, s.follow_up_reason, s.contribution_reason)
    return [f"not measurable: {reason}." for reason in dict.fromkeys(r for r in reasons if r)]


def _target_tables(
    t: Targets, s: KpiSources, now: datetime, start: datetime
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Measure and score every target: one row each (owners in order), and the history."""
    frames = [target_rows(i, x, t, s, now, start) for i, x in enumerate(t.targets)]
    history = scored(pl.concat(frames, how="vertical_relaxed"), t.on_track)
    owners = {o: k for k, o in enumerate(OWNERS)}
    table = (
        trend(history)
        .sort(pl.col("owner").replace_strict(owners, return_dtype=pl.Int64), "target_id")
        .select(*COLUMNS, "previous", "trend")
    )
    return table, history.sort("target_id", "start").select(*COLUMNS, "is_target_period")
