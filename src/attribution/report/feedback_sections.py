"""What the sales-insight page (``06_feedback``) needs from the data, section by section.

:func:`insight_counts` counts, in one pass per table, what the page's sections rest on: lost
deals with a recorded reason, disqualified leads, accounts with firmographics, contacts with
a role or title. The rules below turn the counts into verdicts for
:mod:`attribution.report.readiness`, which lists them with every other section.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

import polars as pl

from attribution.data.dataset import Dataset
from attribution.data.dispositions import is_disqualified

__all__ = ["FEEDBACK_PAGE", "INSIGHT_SECTIONS", "insight_counts"]

FEEDBACK_PAGE = "06_feedback"
"""The page that shows what sales heard, the profile and the buying groups."""


class _Facts(Protocol):
    """The part of :class:`attribution.report.data_counts.Facts` these rules read."""

    @property
    def tables(self) -> frozenset[str]: ...
    @property
    def won(self) -> int: ...
    @property
    def lost(self) -> int: ...
    @property
    def insight(self) -> Mapping[str, int]: ...


def _count_when(frame: pl.LazyFrame, exprs: dict[str, pl.Expr]) -> dict[str, int]:
    row = frame.select(**{k: e.sum() for k, e in exprs.items()}).collect().row(0, named=True)
    return {k: int(v or 0) for k, v in row.items()}


def insight_counts(dataset: Dataset) -> dict[str, int]:
    """Count what the sales-insight sections need.

    Examples
    --------
    >>> import attribution as at
    >>> c = insight_counts(at.demo.generate(n_accounts=200, seed=0))
    >>> c["lost_reasons"] > 0, c["disqualified"] > 0, c["firmographics"], c["roles"] > 0
    (True, True, 200, True)
    """
    out = {"lost_reasons": 0, "disqualified": 0, "firmographics": 0, "roles": 0}
    opps = dataset.lazy("opportunities")
    if "lost_reason" in opps.collect_schema().names():
        out |= _count_when(
            opps,
            {"lost_reasons": (~pl.col("is_won") & pl.col("lost_reason").is_not_null())},
        )
    if dataset.contacts is not None:
        contacts = dataset.lazy("contacts")
        names = contacts.collect_schema().names()
        roles = [pl.col(c).is_not_null() for c in ("role", "title") if c in names]
        out |= _count_when(
            contacts,
            {
                "disqualified": is_disqualified(names),
                "roles": pl.any_horizontal(roles) if roles else pl.lit(False),
            },
        )
    if dataset.accounts is not None:
        accounts = dataset.lazy("accounts")
        names = accounts.collect_schema().names()
        firm = [
            pl.col(c).is_not_null()
            for c in ("segment", "industry", "region", "employees")
            if c in names
        ]
        if firm:
            out |= _count_when(accounts, {"firmographics": pl.any_horizontal(firm)})
    return out


Verdict = tuple[str, str]


def _loss_reasons(f: _Facts) -> Verdict:
    if f.insight.get("lost_reasons", 0):
        return ("", "")
    return (
        "the reason sales recorded for each lost deal (opportunities.lost_reason)",
        "map opportunities.lost_reason (Salesforce: a loss-reason field such as "
        "Loss_Reason__c; HubSpot: 'Closed lost reason')",
    )


def _disqualified(f: _Facts) -> Verdict:
    if "contacts" not in f.tables:
        return (
            "the contacts table with each lead's status or disqualification reason",
            "add contacts with contacts.status or contacts.disqualified_reason",
        )
    if f.insight.get("disqualified", 0):
        return ("", "")
    return (
        "leads sales disqualified (contacts.status, contacts.disqualified_reason)",
        "map contacts.status (Salesforce Lead Status, HubSpot 'Lead Status') and, where the "
        "CRM has it, contacts.disqualified_reason",
    )


def _profile(f: _Facts) -> Verdict:
    if not f.insight.get("firmographics", 0):
        return (
            "the accounts' firmographics (accounts.segment, industry, region or employees)",
            "map the accounts table (Salesforce Account.Industry, NumberOfEmployees, "
            "BillingCountry; HubSpot company Industry, Number of Employees, Country/Region)",
        )
    if not (f.won and f.lost):
        return (
            "both won and lost closed deals (the profile compares them)",
            "include lost deals in opportunities (is_won false, with closed_at)",
        )
    return ("", "")


def _buying_group(f: _Facts) -> Verdict:
    if f.insight.get("roles", 0):
        return ("", "")
    return (
        "each contact's role or job title (contacts.role, contacts.title) and touches that "
        "name the contact (touches.contact_id)",
        "map contacts.title (Salesforce Contact.Title, HubSpot 'Job Title'); the role is "
        "derived from it, or map contacts.role to the CRM's contact roles",
    )


INSIGHT_SECTIONS: tuple[tuple[str, str, str, Callable[[_Facts], Verdict]], ...] = (
    ("loss_reasons", FEEDBACK_PAGE, "What sales heard: why deals were lost", _loss_reasons),
    ("disqualified", FEEDBACK_PAGE, "The leads sales turned away, and why", _disqualified),
    ("profile", FEEDBACK_PAGE, "Where marketing should aim (the profile that wins)", _profile),
    ("buying_group", FEEDBACK_PAGE, "Buying groups: did we reach who decides", _buying_group),
)
"""The page's sections: key, page, title and the rule that says what each needs."""
