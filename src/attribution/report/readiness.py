"""Which report sections the data supports, and what the others need.

Only ``touches`` and ``opportunities`` are required; the other tables and columns unlock
more of the reports. :func:`readiness` looks at a dataset once (which tables and columns
hold values, which teams and outcomes occur) and says, for every section of every report
page, whether it can be shown and, when not, what it needs and how to add it.

``attribution validate`` prints this table before a run; a report page shows a section's
note (:meth:`Readiness.needs`) where the section would be, and the run's data behind the
section is empty instead of failing (:class:`attribution.report.shared.RunData`). The
decision is made here, once, so the notebooks never branch on the data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from attribution._markdown import Markdown
from attribution._text import did_you_mean
from attribution.data.dataset import Dataset
from attribution.errors import ParameterError
from attribution.report.data_counts import Facts, facts
from attribution.report.feedback_sections import INSIGHT_SECTIONS
from attribution.results import Result

__all__ = ["SECTIONS", "Facts", "Readiness", "facts", "readiness"]


Verdict = tuple[str, str]
"""``("", "")`` when a section is supported, else (what it needs, how to add it)."""

_CAVEATS = ("amounts", "journeys")
"""Sections shown either way; what their rule names would make them better (a caveat)."""

_CONTACTS = (
    "the contacts table (the leads: contact_id, account_id, created_at)",
    "add contacts.csv (or .parquet) to the source folder, or map it in your mapping's "
    "`tables: {contacts: ...}`",
)
_MQL = (
    "the moment each lead became an MQL (contacts.mql_at)",
    "map contacts.mql_at to the CRM's MQL date (Salesforce: a lead's MQL date field; "
    "HubSpot: 'Became a Marketing Qualified Lead Date')",
)
_SALES = (
    "sales touches (touches with team: sales: calls, emails, meetings)",
    "add the CRM's activities (tasks, calls, meetings) to the touches with team: sales",
)


def _contacts(f: Facts) -> Verdict:
    return ("", "") if "contacts" in f.tables else _CONTACTS


def _hand_off(f: Facts) -> Verdict:
    if "contacts" not in f.tables:
        return _CONTACTS
    if not f.mqls:
        return _MQL
    return ("", "") if f.sales_touches else _SALES


def _reps(f: Facts) -> Verdict:
    missing = _hand_off(f)
    if missing[0]:
        return missing
    if not f.with_rep:
        return (
            "who made each sales touch (touches.rep)",
            "map touches.rep to the activity's owner (Salesforce OwnerId, HubSpot "
            "'Activity assigned to')",
        )
    return ("", "")


def _lead_scores(f: Facts) -> Verdict:
    missing = _hand_off(f)
    if missing[0] and missing != _SALES:
        return missing
    if not f.marketing_touches:
        return _MARKETING
    return ("", "")


_MARKETING = (
    "marketing touches (touches with team: marketing: campaign responses, form fills, "
    "email clicks)",
    "add the marketing system's responses to the touches with team: marketing",
)


def _teams(f: Facts) -> Verdict:
    if not f.marketing_touches:
        return _MARKETING
    if not f.sales_touches:
        return _SALES
    if not (f.won and f.lost):
        return (
            "both won and lost closed deals (the model compares them)",
            "include lost deals in opportunities (is_won false, with closed_at)",
        )
    return ("", "")


def _won(f: Facts) -> Verdict:
    if f.won:
        return ("", "")
    return (
        "won deals (opportunities with is_won true and closed_at)",
        "include won deals in opportunities",
    )


def _campaigns(f: Facts) -> Verdict:
    if f.with_campaign:
        return ("", "")
    return (
        "the campaign of each marketing touch (touches.campaign)",
        "map touches.campaign to the campaign's name (Salesforce Campaign.Name, HubSpot "
        "form or email name)",
    )


def _agreed(f: Facts) -> Verdict:
    if f.agreed:
        return ("", "")
    return (
        "agreed definitions and targets (two YAML files named in the params file)",
        "`attribution init` drafts definitions.yaml and targets.yaml from the data; agree "
        "them, then name them under `scorecard:` in the params file",
    )


def _sla_view(f: Facts) -> Verdict:
    missing = _agreed(f)
    return missing if missing[0] else _contacts(f)


def _drift(f: Facts) -> Verdict:
    missing = _sla_view(f)
    if missing[0]:
        return missing
    if not (f.mqls or f.sqls):
        return (
            "the CRM's own MQL and SQL dates (contacts.mql_at, contacts.sql_at) to compare "
            "with the agreement",
            "map contacts.mql_at and contacts.sql_at to the CRM's lifecycle dates",
        )
    return ("", "")


def _always(f: Facts) -> Verdict:
    return ("", "")


def _amounts(f: Facts) -> Verdict:
    if not f.count_only:
        return ("", "")
    return (
        "deal amounts (opportunities.amount); without them every won deal counts as one "
        "and the pages count won deals instead of money",
        "map opportunities.amount to the deal's value",
    )


def _spend(f: Facts) -> Verdict:
    if "spend" in f.tables or f.with_cost:
        return ("", "")
    return (
        "what the marketing cost (a spend table: channel, campaign, period_start, "
        "period_end, amount; or touches.cost)",
        "add spend.csv (an ad platform's or campaign cost export, one row per channel or "
        "campaign and period) to the source folder, or map it in your mapping's "
        "`tables: {spend: ...}`",
    )


def _accounts(f: Facts) -> Verdict:
    if "accounts" in f.tables:
        return ("", "")
    return (
        "the accounts table with the column to split by (e.g. accounts.segment)",
        "add accounts.csv (account_id, segment, ...) to the source folder",
    )


def _linked(f: Facts) -> Verdict:
    if f.linked:
        return ("", "")
    return (
        "the deal each touch belongs to (touches.opportunity_id); without it a deal's "
        "journey takes every touch of its account in its window, also those of the "
        "account's other deals (data health names accounts with overlapping deals)",
        "map touches.opportunity_id (Salesforce Task/Event WhatId when it is an "
        "opportunity; HubSpot associated deal IDs): the shipped presets do",
    )


SECTIONS: tuple[tuple[str, str, str, Callable[[Facts], Verdict]], ...] = (
    ("headline", "00_summary", "The shared number", _always),
    ("amounts", "00_summary", "Money (won revenue in amounts)", _amounts),
    ("targets", "00_summary", "Our shared targets", _agreed),
    ("team_split", "00_summary", "How marketing and sales share it", _teams),
    ("findings", "00_summary", "What stands out", _always),
    ("health", "01_data_health", "Data health", _always),
    ("journeys", "01_data_health", "Touches belong to their deal", _linked),
    ("models", "02_attribution", "Revenue credited by each model", _won),
    ("campaigns", "02_attribution", "The campaigns with the most credit", _campaigns),
    ("contributions", "03_shared_goals", "Who adds what", _teams),
    ("funnel", "03_shared_goals", "The funnel", _contacts),
    ("speed_to_lead", "03_shared_goals", "Speed to lead against the SLA", _reps),
    ("sla_cost", "03_shared_goals", "What a late answer costs", _hand_off),
    ("lead_score", "03_shared_goals", "Lead score", _lead_scores),
    ("scorecard", "04_scorecard", "Where we stand (targets)", _agreed),
    ("sla_view", "04_scorecard", "The service level, month by month", _sla_view),
    ("drift", "04_scorecard", "Where the CRM's labels drifted", _drift),
    ("spend", "05_money", "Spend and return", _spend),
    ("pipeline", "05_money", "Pipeline credit", _won),
    ("periods", "05_money", "This period against the one before", _won),
    ("segments", "05_money", "Credit by segment", _accounts),
    ("deals", "05_money", "The largest deals' journeys", _always),
    *INSIGHT_SECTIONS,
)
"""Every report section: key, page, title, and the rule that says what it needs."""

_KEYS = tuple(s[0] for s in SECTIONS)


@dataclass(frozen=True, kw_only=True, repr=False)
class Readiness(Result):
    """Which report sections the data supports.

    Attributes
    ----------
    table
        One row per section: ``page``, ``section``, ``key``, ``supported``, ``needs``
        (what is missing) and ``how`` (how to add it). A section shown either way
        (``amounts``, ``journeys``) is supported, with ``needs`` naming what would make it
        better (the page shows it as a note).
    facts
        The counts the verdicts rest on.
    """

    facts: Facts

    def supported(self, key: str) -> bool:
        """Whether section ``key`` (see :data:`SECTIONS`) can be shown."""
        return bool(self._row(key)["supported"])

    def needs(self, key: str) -> Markdown:
        """Return the note a page shows for section ``key``: empty when it is supported.

        Examples
        --------
        >>> import attribution as at, dataclasses
        >>> ds = at.demo.generate(n_accounts=100, seed=0)
        >>> r = readiness(dataclasses.replace(ds, contacts=None), agreed=True)
        >>> print(r.needs("funnel").splitlines()[0][:44])
        > **Not shown: this needs the contacts table
        >>> r.needs("headline")
        ''
        """
        row = self._row(key)
        if not row["needs"]:
            return Markdown("")
        # the needs and the how are the package's own text (the table above), not data
        if row["supported"]:  # shown, with a caveat
            return Markdown(
                f"> **Note: this data lacks {row['needs']}.**\n>\n> To add it: {row['how']}."
            )
        return Markdown(
            f"> **Not shown: this needs {row['needs']}.**\n>\n> To add it: {row['how']}."
        )

    def _row(self, key: str) -> dict[str, object]:
        if key not in _KEYS:
            hint = did_you_mean(key, _KEYS, otherwise="sections: " + ", ".join(_KEYS))
            raise ParameterError(f"unknown report section {key!r}; {hint}")
        rows = self.table.filter(pl.col("key") == key).to_dicts()
        return rows[0]


def readiness(dataset: Dataset, *, agreed: bool) -> Readiness:
    """Say which report sections ``dataset`` supports, and what the others need.

    Parameters
    ----------
    dataset
        A validated dataset.
    agreed
        Whether the run names its agreement files (definitions and targets); the built-in
        demo data has the shipped ones.

    Returns
    -------
    Readiness
        ``.table`` (one row per section), ``.needs(key)``, ``.supported(key)``.

    Examples
    --------
    >>> import attribution as at
    >>> r = readiness(at.demo.generate(n_accounts=200, seed=0), agreed=True)
    >>> r.table["supported"].all()
    True
    """
    f = facts(dataset, agreed=agreed)
    rows = []
    for key, page, title, rule in SECTIONS:
        needs, how = rule(f)
        rows.append(
            {
                "page": page,
                "section": title,
                "key": key,
                "supported": not needs or key in _CAVEATS,
                "needs": needs,
                "how": how,
            }
        )
    return Readiness(
        table=pl.DataFrame(rows),
        note="Sections the data does not support say on their page what they need.",
        facts=f,
    )
