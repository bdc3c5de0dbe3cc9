"""Simulation steps 1-4: accounts arrive, browse, become contacts, are nurtured and scored.

Days are offsets from :attr:`DemoParams.start`; an account's touches are collected in a
:class:`~attribution.data.demo.draws.Touches`, whose marketing part is scored into MQLs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from attribution.data.demo.catalog import (
    FORM_MIX,
    INDUSTRIES,
    MARKETING_CHANNELS,
    NURTURE_MIX,
    PRE_LEAD_MIX,
)
from attribution.data.demo.draws import Touches, choice, group_starts, ranks, uniform_between
from attribution.data.demo.params import DemoParams

__all__ = [
    "Accounts",
    "Contacts",
    "Scores",
    "browse",
    "draw_accounts",
    "draw_contacts",
    "nurture",
    "score_leads",
]


@dataclass(frozen=True)
class Accounts:
    """One entry per account of the chunk (index = account number within the chunk)."""

    segment: np.ndarray
    industry: np.ndarray
    employees: np.ndarray
    arrival: np.ndarray
    last_day: np.ndarray
    engagement: np.ndarray
    first_lead: np.ndarray
    is_lead: np.ndarray

    @property
    def n(self) -> int:
        """Number of accounts."""
        return int(self.segment.shape[0])

    @property
    def index(self) -> np.ndarray:
        """``0 .. n-1``."""
        return np.arange(self.n)


@dataclass(frozen=True)
class Contacts:
    """One entry per contact, sorted by account then creation day."""

    account: np.ndarray
    day: np.ndarray
    source: np.ndarray  # channel of the form fill that created the contact
    first: np.ndarray  # per account: index of its first contact, or -1
    count: np.ndarray  # per account: number of contacts

    @property
    def n(self) -> int:
        """Number of contacts."""
        return int(self.account.shape[0])


@dataclass(frozen=True)
class Scores:
    """Lead scores and MQL days per contact, and each account's first MQL."""

    mql_day: np.ndarray  # per contact, NaN if never MQL
    score: np.ndarray  # per contact: the score at the end
    account_mql: np.ndarray  # per account: day of its first MQL, NaN if none
    mql_contact: np.ndarray  # per account: the contact of that MQL, or -1


def draw_accounts(rng: np.random.Generator, n: int, p: DemoParams) -> Accounts:
    """Draw the accounts: segment, firmographics, activity period and first form fill."""
    seg = rng.choice(3, n, p=np.asarray(p.segment_share) / sum(p.segment_share))
    industry = rng.integers(0, len(INDUSTRIES), n)
    employees = np.round(np.exp(rng.normal(np.log([40, 400, 4000])[seg], 0.6))).astype(np.int64)
    t0 = rng.uniform(0, p.horizon - 30, n)
    last_day = np.minimum(t0 + rng.uniform(90, 420, n), p.horizon)
    engagement = rng.gamma(2.0, 0.5, n)
    first_lead = t0 + rng.exponential(p.days_to_first_lead, n)
    is_lead = (rng.random(n) < p.lead_rate) & (first_lead < last_day - 5)
    return Accounts(seg, industry, employees, t0, last_day, engagement, first_lead, is_lead)


def browse(rng: np.random.Generator, acc: Accounts, p: DemoParams, touches: Touches) -> None:
    """Step 1: anonymous browsing before the first form fill (throughout for non-leads)."""
    n_anon = rng.poisson(p.anonymous_touches * acc.engagement * np.where(acc.is_lead, 1.0, 1.6))
    a = np.repeat(acc.index, n_anon)
    hi = np.where(acc.is_lead, acc.first_lead, acc.last_day)[a]
    touches.add(
        a,
        uniform_between(rng, acc.arrival[a], hi),
        choice(rng, a.size, PRE_LEAD_MIX[None, :]),
    )


def draw_contacts(
    rng: np.random.Generator, acc: Accounts, p: DemoParams, touches: Touches
) -> Contacts:
    """Step 2: contacts, each created by a form fill (its lead-creation touch)."""
    lead_acc = acc.index[acc.is_lead]
    n_contacts = 1 + rng.poisson(np.asarray(p.extra_contacts)[acc.segment[lead_acc]])
    c_acc = np.repeat(lead_acc, n_contacts)
    first_lead = acc.first_lead[c_acc]
    c_day = np.where(
        ranks(n_contacts) == 0, first_lead, first_lead + rng.exponential(30.0, c_acc.size)
    )
    keep = c_day < acc.last_day[c_acc]
    c_acc, c_day = c_acc[keep], c_day[keep]
    order = np.lexsort((c_day, c_acc))
    c_acc, c_day = c_acc[order], c_day[order]
    n_c = c_acc.size
    c_first = np.full(acc.n, -1, np.int64)
    if n_c:
        starts = group_starts(c_acc)
        c_first[c_acc[starts]] = starts
    c_channel = choice(rng, n_c, FORM_MIX[None, :])
    touches.add(c_acc, c_day, c_channel, contact=np.arange(n_c))
    return Contacts(c_acc, c_day, c_channel, c_first, np.bincount(c_acc, minlength=acc.n))


def nurture(
    rng: np.random.Generator, acc: Accounts, contacts: Contacts, p: DemoParams, touches: Touches
) -> None:
    """Step 3: nurture touches after the first lead, to a contact that exists by then."""
    span = np.maximum(acc.last_day - acc.first_lead, 0.0) * acc.is_lead
    n_nur = rng.poisson(acc.engagement * span / 30.0 * p.nurture_per_month)
    a = np.repeat(acc.index, n_nur)
    day = uniform_between(rng, acc.first_lead[a], acc.last_day[a])
    first = contacts.first[a]
    pick = first + np.floor(rng.random(a.size) * contacts.count[a]).astype(np.int64)
    pick = np.where(contacts.day[pick] <= day, pick, first) if a.size else pick
    touches.add(a, day, choice(rng, a.size, NURTURE_MIX[acc.segment[a]]), contact=pick)


def score_leads(
    acc: Accounts, contacts: Contacts, marketing: dict[str, np.ndarray], p: DemoParams
) -> Scores:
    """Step 4: lead score (running sum of points in time order) and MQL day per contact."""
    fit = np.asarray(p.fit_points)[acc.segment[contacts.account]]
    points = np.array([p.score_points.get(c, 0.0) for c in MARKETING_CHANNELS])
    scored = (
        pl.DataFrame(
            {
                "contact": marketing["contact"],
                "day": marketing["day"],
                "pts": points[marketing["channel"]],
            }
        )
        .filter(pl.col("contact") >= 0)
        .sort("contact", "day")
        .with_columns(
            (
                pl.col("pts").cum_sum().over("contact") + pl.lit(pl.Series(fit)).gather("contact")
            ).alias("score")
        )
    )
    per_contact = scored.group_by("contact").agg(
        pl.col("day").filter(pl.col("score") >= p.mql_threshold).min().alias("mql_day"),
        pl.col("score").max().alias("score"),
    )
    mql_day = np.full(contacts.n, np.nan)
    score = fit.astype(float)
    if per_contact.height:
        idx = per_contact["contact"].to_numpy()
        mql_day[idx] = per_contact["mql_day"].fill_null(np.nan).to_numpy()
        score[idx] = per_contact["score"].to_numpy()
    account_mql, mql_contact = _first_mql(acc.n, contacts.account, mql_day)
    return Scores(mql_day, score, account_mql, mql_contact)


def _first_mql(n: int, c_acc: np.ndarray, mql_day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per account: the day of its first MQL and the contact that reached it."""
    acc_mql = np.full(n, np.nan)
    mql_contact = np.full(n, -1, np.int64)
    has = ~np.isnan(mql_day)
    if has.any():
        frame = pl.DataFrame(
            {"acc": c_acc[has], "day": mql_day[has], "contact": np.flatnonzero(has)}
        )
        first_mql = frame.sort("day", "contact").group_by("acc").first()
        acc_mql[first_mql["acc"].to_numpy()] = first_mql["day"].to_numpy()
        mql_contact[first_mql["acc"].to_numpy()] = first_mql["contact"].to_numpy()
    return acc_mql, mql_contact
