"""Lead dispositions: whether sales disqualified a lead, from what the CRM recorded.

A CRM records a rejected lead in one of three ways: a status that says so
(``Disqualified``, ``Unqualified``, ``Rejected``, ``Recycled``, ``Junk``...), a
disqualification reason, or the moment it was disqualified. Any of them counts. The
sales-insight views (:mod:`attribution.feedback`) and the scorecard's disqualification
KPI (:mod:`attribution.alignment.kpis`) read the same rule, so the two agree.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from attribution.data.schema import DISQUALIFIED_AT, DISQUALIFIED_REASON, LEAD_STATUS

__all__ = ["DISPOSITION_COLUMNS", "DISQUALIFIED_STATUS", "has_dispositions", "is_disqualified"]

DISQUALIFIED_STATUS = r"(?i)disqualif|unqualif|reject|recycl|not converted|junk|invalid"
"""A lead status matching this (case-insensitive) means sales turned the lead away."""
DISPOSITION_COLUMNS: tuple[str, ...] = (LEAD_STATUS, DISQUALIFIED_REASON, DISQUALIFIED_AT)
"""The contacts' columns that say how sales disposed of a lead."""


def is_disqualified(names: Sequence[str]) -> pl.Expr:
    """Whether a lead was disqualified: a reason, a date, or a status that says so.

    Parameters
    ----------
    names
        The contacts table's column names (absent columns say nothing).

    Examples
    --------
    >>> f = pl.DataFrame({"status": ["Unqualified", "Working", None],
    ...                   "disqualified_reason": [None, None, "price"]})
    >>> f.select(is_disqualified(f.columns)).to_series().to_list()
    [True, False, True]
    """
    parts = [pl.lit(False)]
    if LEAD_STATUS in names:
        parts.append(
            pl.col(LEAD_STATUS).cast(pl.String).str.contains(DISQUALIFIED_STATUS).fill_null(False)
        )
    for c in (DISQUALIFIED_REASON, DISQUALIFIED_AT):
        if c in names:
            parts.append(pl.col(c).is_not_null())
    return pl.any_horizontal(parts)


def has_dispositions(contacts: pl.LazyFrame) -> bool:
    """Whether any contact has a status, a disqualification reason or moment recorded.

    Examples
    --------
    >>> has_dispositions(pl.LazyFrame({"contact_id": ["c1"], "status": [None]}))
    False
    >>> has_dispositions(pl.LazyFrame({"contact_id": ["c1"], "status": ["Working"]}))
    True
    """
    present = [c for c in DISPOSITION_COLUMNS if c in contacts.collect_schema().names()]
    if not present:
        return False
    found = contacts.select(pl.any_horizontal(pl.col(c).is_not_null() for c in present).any())
    return bool(found.collect().item())
