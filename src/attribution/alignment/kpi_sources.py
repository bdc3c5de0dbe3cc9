"""What the KPIs are computed from, built once per scorecard, or why it is unavailable.

:func:`sources` builds the hand-offs (each account's first agreed MQL, from
:func:`attribution.response_times` on the dataset with the agreed definitions applied, with
its SQL outcome), the opportunities (:func:`attribution.opportunity_features`) and, when a
contribution share is targeted, one :func:`attribution.contributions` estimate. A source
that the data cannot give carries the reason instead.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from attribution._intervals import DEFAULT_LEVEL
from attribution._time import duration_days
from attribution.alignment.definitions import Definitions
from attribution.alignment.kpi_catalogue import KPIS
from attribution.alignment.qualification import AppliedDefinitions, apply_definitions
from attribution.alignment.targets import Targets
from attribution.data.dataset import Dataset
from attribution.data.dispositions import has_dispositions, is_disqualified
from attribution.data.schema import (
    CAMPAIGN,
    CONTACT_ID,
    CREATED_AT,
    DISQUALIFIED_AT,
    MQL_AT,
    OCCURRED_AT,
    SQL_AT,
    TIMESTAMP,
)
from attribution.errors import EstimateWarning
from attribution.estimates.contributions import ContributionResult, contributions
from attribution.journey.features import opportunity_features
from attribution.journey.response import response_times, sales_only_on_won

__all__ = ["KpiSources", "data_start", "hand_offs", "sources"]


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
    disposition_reason: str = ""
    """Why the disqualification KPI cannot be measured ("" when it can)."""
    level: float = DEFAULT_LEVEL
    """Coverage of the intervals of measured shares."""


def data_start(dataset: Dataset) -> datetime:
    """Return the earliest timestamp of the data (touches, opportunities, contacts)."""
    parts = [
        dataset.lazy("touches").select(pl.col(OCCURRED_AT).min().alias("t")),
        dataset.lazy("opportunities").select(pl.col(CREATED_AT).min().alias("t")),
    ]
    if dataset.contacts is not None:
        parts.append(dataset.lazy("contacts").select(pl.col(CREATED_AT).min().alias("t")))
    value = pl.concat(parts).select(pl.col("t").min()).collect().item()
    assert isinstance(value, datetime)  # validation forbids empty tables
    return value


def hand_offs(applied: AppliedDefinitions, d: Definitions, now: datetime) -> pl.DataFrame:
    """Return the hand-offs: accounts' first agreed MQLs, follow-up, SQL outcome, disposition.

    ``disqualified``: the MQL contact was disqualified by ``now`` (a disqualifying status,
    a reason, or a ``disqualified_at`` at or before ``now``; see
    :func:`attribution.data.dispositions.is_disqualified`).
    """
    r = response_times(applied.dataset, sla_hours=d.sla.response_hours, as_of=now)
    now_lit = pl.lit(now).cast(TIMESTAMP)
    contacts = applied.dataset.lazy("contacts")
    names = contacts.collect_schema().names()
    by_then = pl.col(DISQUALIFIED_AT) <= now_lit if DISQUALIFIED_AT in names else pl.lit(True)
    dq = (is_disqualified(names) & by_then.fill_null(True)).alias("disqualified")
    outcome = applied.contacts.select(CONTACT_ID, SQL_AT, CAMPAIGN).join(
        contacts.select(CONTACT_ID, dq).collect(), on=CONTACT_ID, how="left"
    )
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
    estimate: ContributionResult | None = None,
    level: float = DEFAULT_LEVEL,
) -> tuple[KpiSources, AppliedDefinitions | None]:
    """Build what the KPIs are computed from, once; append what could not be done to notes.

    Parameters
    ----------
    dataset, d, t
        The data, the agreed definitions and the targets (the contribution estimate is
        made only when a target needs it).
    now
        The as-of moment.
    lookback_days, draws, seed
        The journey window, interval draws and seed of the features and the estimate.
    notes
        Appended to: the definitions' notes and the estimate's warnings.
    estimate
        A contribution estimate already made (a run's shared one); without it the estimate
        is made here, once, when a target needs it.
    level
        Coverage of the intervals of measured shares (the disqualification rate).

    Returns
    -------
    tuple
        The :class:`KpiSources` and the applied definitions (``None`` without contacts).
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
    result: ContributionResult | None = None
    contribution_reason = ""
    if any(KPIS[str(x.kpi)].needs == "contributions" for x in t.targets):
        if estimate is None:
            result = _contributions(dataset, now, lookback_days, draws, seed, notes)
        else:
            result = estimate
            notes.extend(f"contribution estimate: {w}" for w in estimate.diagnostics.warnings)
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
            disposition_reason=_disposition_reason(dataset, t),
            level=level,
        ),
        applied,
    )


def _contributions(
    dataset: Dataset,
    now: datetime,
    lookback_days: float,
    draws: int,
    seed: int,
    notes: list[str],
) -> ContributionResult:
    """Estimate the contribution shares once; its warnings become notes."""
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
    return result


def _disposition_reason(dataset: Dataset, t: Targets) -> str:
    """Why the disqualification KPI cannot be measured, when one is targeted ("" otherwise)."""
    if not any(KPIS[str(x.kpi)].needs == "dispositions" for x in t.targets):
        return ""
    if dataset.contacts is not None and has_dispositions(dataset.lazy("contacts")):
        return ""
    return (
        "needs how sales disposed of each lead: contacts.status, disqualified_reason or "
        "disqualified_at"
    )
