"""Checks for gaps in valid data that do not stop a run but limit what can be concluded.

Validation already refused data that breaks the contract; each check here looks at one gap
in data that is valid and says how much it affects and what it means. :func:`checks`
gathers them into one table.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import polars as pl

from attribution.data.dataset import Dataset, Frame
from attribution.data.schema import (
    ACCOUNT_ID,
    AMOUNT,
    CAMPAIGN,
    CLOSED_AT,
    CONTACT_ID,
    COST,
    CREATED_AT,
    MARKETING,
    MQL_AT,
    REP,
    SALES,
    SCORE,
    SEGMENT,
    TEAM,
    TOUCH_ID,
)
from attribution.health.deals import per_opportunity
from attribution.health.overlap import linked_touches, shared_touches
from attribution.journey.columns import N_TOUCHES, STATUS

__all__ = ["Check", "checks"]


class Check(NamedTuple):
    """One row of :func:`checks`."""

    check: str
    table: str
    rows: int
    share: float | None
    status: str
    meaning: str


_CHECK_SCHEMA = {
    "check": pl.String,
    "table": pl.String,
    "rows": pl.Int64,
    "share": pl.Float64,
    "status": pl.String,
    "meaning": pl.String,
}

_OPTIONAL: tuple[tuple[str, str | None, str], ...] = (
    ("contacts", None, "lead creation milestones, funnel, speed-to-lead"),
    ("contacts", MQL_AT, "speed-to-lead and the MQL stage of the funnel"),
    ("contacts", SCORE, "lead-score calibration"),
    ("accounts", None, "views by segment and industry"),
    ("accounts", SEGMENT, "views by segment"),
    ("stage_history", None, "stage-by-stage conversion in the funnel"),
)
"""Optional tables and columns: ``(table, column or None for the table, what it unlocks)``."""


def checks(dataset: Dataset, journeys: Frame) -> pl.DataFrame:
    """Check for data gaps that do not stop a run but limit what can be concluded.

    Validation already refused data that breaks the contract; these checks look for gaps
    in data that is valid: won revenue with no touches in its window, won deals without
    an amount, touches without contact, campaign or rep, open deals that look stale,
    touches that count for several overlapping deals of one account (naming the
    accounts), touches linked to deals the data does not hold, and optional tables or
    columns that are absent or empty (and what they would unlock).

    Parameters
    ----------
    dataset
        The validated dataset.
    journeys
        Its journeys (:func:`attribution.journeys`).

    Returns
    -------
    polars.DataFrame
        One row per check: ``check``, ``table``, ``rows`` affected, ``share`` of the
        table (or of won revenue, where the check says so), ``status`` (``ok``, ``note``
        or ``warning``) and ``meaning`` (what it affects).

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=100, seed=1)
    >>> c = checks(ds, at.journeys(ds))
    >>> set(c.get_column("status")) <= {"ok", "note", "warning"}
    True
    """
    won = _won_deals(journeys)
    touches = _touch_counts(dataset)
    found = [
        _won_without_touch(won),
        _won_without_amount(won),
        _touches_without_contact(touches),
        _marketing_without_campaign(touches),
        _sales_without_rep(touches),
        _cost_empty(touches),
        _stale_open_deals(dataset),
        _shared_between_deals(journeys),
        _linked_to_unknown_deals(dataset),
        *_optional_data(dataset),
    ]
    return pl.DataFrame([c._asdict() for c in found], schema=_CHECK_SCHEMA)


def _status(share: float | None, *, warn: float) -> str:
    """``ok`` when nothing is affected, ``warning`` from a share of ``warn``, else ``note``."""
    if share is None or share == 0:
        return "ok"
    return "warning" if share >= warn else "note"


def _share_check(
    check: str, table: str, rows: int, whole: int, *, warn: float, meaning: str
) -> Check:
    """Build a check of ``rows`` affected out of ``whole``, a warning from share ``warn``."""
    share = rows / whole if whole else None
    return Check(check, table, rows, share, _status(share, warn=warn), meaning)


# ---------------------------------------------------------------------- won deals
def _won_deals(journeys: Frame) -> pl.DataFrame:
    """One row per won opportunity: its amount and touches in window."""
    return (
        per_opportunity(journeys, STATUS, AMOUNT, N_TOUCHES)
        .filter(pl.col(STATUS) == "won")
        .collect()
    )


def _won_without_touch(won: pl.DataFrame) -> Check:
    """Won deals with no touch in their window, as a share of won revenue."""
    won_total = float(won.get_column(AMOUNT).sum() or 0.0)
    dark = won.filter(pl.col(N_TOUCHES) == 0)
    share = float(dark.get_column(AMOUNT).sum()) / won_total if won_total else None
    return Check(
        "won deals with no touch in their window (share of won revenue)",
        "opportunities",
        dark.height,
        share,
        _status(share, warn=0.05),
        "their revenue cannot be attributed to any channel or team",
    )


def _won_without_amount(won: pl.DataFrame) -> Check:
    """Won deals with no amount: missing, or 0."""
    amount = won.get_column(AMOUNT)
    return _share_check(
        "won deals with no amount (missing or 0)",
        "opportunities",
        int((amount.is_null() | (amount == 0)).sum()),
        won.height,
        warn=0.05,
        meaning="they count as wins but add no revenue to credit",
    )


# ---------------------------------------------------------------------- touches
def _touch_counts(dataset: Dataset) -> dict[str, Any]:
    """Count touches, and those lacking a contact, campaign, rep or cost, in one pass."""
    return (
        dataset.lazy("touches")
        .select(
            pl.len().alias("n"),
            pl.col(CONTACT_ID).is_null().sum().alias("no_contact"),
            (pl.col(TEAM) == MARKETING).sum().alias("marketing"),
            ((pl.col(TEAM) == MARKETING) & pl.col(CAMPAIGN).is_null()).sum().alias("no_campaign"),
            (pl.col(TEAM) == SALES).sum().alias("sales"),
            ((pl.col(TEAM) == SALES) & pl.col(REP).is_null()).sum().alias("no_rep"),
            ((pl.col(TEAM) == MARKETING) & pl.col(COST).is_null()).sum().alias("no_cost"),
        )
        .collect()
        .row(0, named=True)
    )


def _touches_without_contact(counts: dict[str, Any]) -> Check:
    """Anonymous touches: on the account, with no contact."""
    return Check(
        "touches without a contact (anonymous, account level)",
        "touches",
        counts["no_contact"],
        counts["no_contact"] / counts["n"],
        "note" if counts["no_contact"] else "ok",
        "they count for the account's journeys but not for lead-level views",
    )


def _marketing_without_campaign(counts: dict[str, Any]) -> Check:
    """Marketing touches with no campaign."""
    return _share_check(
        "marketing touches without a campaign",
        "touches",
        counts["no_campaign"],
        counts["marketing"],
        warn=0.5,
        meaning="campaign-level credit leaves them out",
    )


def _sales_without_rep(counts: dict[str, Any]) -> Check:
    """Sales touches with no rep."""
    return _share_check(
        "sales touches without a rep",
        "touches",
        counts["no_rep"],
        counts["sales"],
        warn=0.5,
        meaning="rep-level views leave them out",
    )


def _cost_empty(counts: dict[str, Any]) -> Check:
    """Marketing touches with no cost."""
    return _share_check(
        "marketing touches without a cost",
        "touches",
        counts["no_cost"],
        counts["marketing"],
        warn=float("inf"),  # cost is optional: a note, never a warning
        meaning="spend and cost per won revenue leave them out",
    )


# ---------------------------------------------------------------------- opportunities
def _stale_open_deals(dataset: Dataset) -> Check:
    """Open deals created more than a year before the data ends."""
    as_of = dataset.as_of
    counts = (
        dataset.lazy("opportunities")
        .filter(pl.col(CLOSED_AT).is_null() | (pl.col(CLOSED_AT) > as_of))
        .select(
            pl.len().alias("open"),
            (pl.col(CREATED_AT) < pl.lit(as_of) - pl.duration(days=365)).sum().alias("stale"),
        )
        .collect()
        .row(0, named=True)
    )
    return _share_check(
        "open deals created more than a year before the data ends",
        "opportunities",
        counts["stale"],
        counts["open"],
        warn=0.25,
        meaning="stale pipeline inflates open value; close or remove such deals in the CRM",
    )


# ---------------------------------------------------------------------- deals and touches
def _shared_between_deals(journeys: Frame) -> Check:
    """Touches in more than one deal's journey: the accounts whose deals overlap."""
    shared = shared_touches(journeys)
    in_journeys = journeys.lazy().filter(pl.col(N_TOUCHES) > 0).select(TOUCH_ID).unique()
    whole = int(in_journeys.select(pl.len()).collect().item())
    rows = int(shared.get_column("shared_touches").sum())
    named = "; ".join(
        f"{r[ACCOUNT_ID]} ({r['deals']} deals, {r['share_shared']:.0%} of its touches shared)"
        for r in shared.head(3).iter_rows(named=True)
    )
    meaning = (
        f"{shared.height:,} account(s) have deals whose windows overlap, e.g. {named}: a touch "
        "not linked to a deal counts for each of them; map touches.opportunity_id to link "
        "touches to their deal"
        if rows
        else "no touch counts for more than one deal"
    )
    return _share_check(
        "touches in more than one deal's journey (overlapping deals of one account)",
        "touches",
        rows,
        whole,
        warn=0.25,
        meaning=meaning,
    )


def _linked_to_unknown_deals(dataset: Dataset) -> Check:
    """Touches linked to a deal the data does not hold (belong to no journey here)."""
    counts = linked_touches(dataset)
    return _share_check(
        "touches linked to a deal the data does not hold",
        "touches",
        counts["unknown_deal"],
        counts["linked"],
        warn=0.5,
        meaning="they belong to that deal's journey only, so to no journey of this data "
        "(e.g. a deal outside the loaded period, or one not exported)",
    )


# ---------------------------------------------------------------------- optional data
def _optional_data(dataset: Dataset) -> list[Check]:
    """Note optional tables that are absent, and optional columns empty or filled."""
    tables = dataset.tables()
    found = []
    for table, column, unlocks in _OPTIONAL:
        if table not in tables:
            if column is None:
                found.append(
                    Check(f"no {table} table", table, 0, None, "note", f"not available: {unlocks}")
                )
        elif column is not None:
            found.append(_optional_column(dataset, table, column, unlocks))
    return found


def _optional_column(dataset: Dataset, table: str, column: str, unlocks: str) -> Check:
    """Whether an optional column of a present table is empty, and what that leaves out."""
    empty = bool(dataset.lazy(table).select(pl.col(column).is_null().all()).collect().item())
    return Check(
        f"{table}.{column} is empty" if empty else f"{table}.{column} is filled",
        table,
        0,
        None,
        "note" if empty else "ok",
        f"not available: {unlocks}" if empty else f"available: {unlocks}",
    )
