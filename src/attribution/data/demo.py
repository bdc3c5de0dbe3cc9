"""Demo data: a seeded simulation of a B2B revenue funnel whose true effects are known.

The simulation follows how a B2B company actually meets its buyers:

1. **Accounts** arrive over time in three segments (SMB, Mid-Market, Enterprise) and browse
   anonymously (paid search, paid social, organic search, review sites, direct visits).
2. A visitor fills a form and becomes a **contact** (lead) through a content download,
   webinar, event, search or social ad; more contacts of the account follow.
3. **Nurture** touches (email, webinars, content, events, ads, visits) continue; each adds
   points to the contact's **lead score**; crossing the threshold makes the contact an
   **MQL**. (The score's points are the CRM's current rule, not the true drivers.)
4. An MQL is **followed up** by a sales rep after a delay that depends on the rep (some
   answer within the hour, some take days); some MQLs are never followed up; some SMB
   accounts buy through a self-serve trial with no sales contact. Sales also prospects
   accounts that never became MQLs (**outbound**).
5. Whether a followed-up lead becomes an **opportunity** depends on which marketing touches
   came before (webinars and events convert better than ad clicks) and on how fast sales
   answered: these are :attr:`DemoParams.opportunity_weights`, the truth that learned
   lead-score weights should find.
6. During the deal, reps **call, email, meet and demo**; deals move through stages and close
   won or lost after a segment-dependent cycle; deals not closed by the end are open.
7. The chance to **win** a closed deal is a known logistic model of marketing exposure and
   sales effort in the journey window (log counts), their **interaction**, the
   **speed-to-lead** and the segment; **amounts** are Gamma distributed with a segment mean
   and a small effect of sales effort.

Because the win and amount models are known, :class:`DemoTruth` holds the true split of
expected revenue into baseline, marketing, sales and joint, computed by counterfactual
expectation (each closed deal's win probability and expected amount with the other team's
touches removed), not by fitting anything.

Generation is vectorised numpy per chunk of accounts, so the default size takes well under
a second and :func:`write_large` can write 10M+ touches to Parquet in chunks.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from attribution.data.dataset import Dataset
from attribution.data.load import write_tables
from attribution.data.schema import MARKETING, SALES, TIMESTAMP
from attribution.errors import ParameterError

__all__ = ["DemoParams", "DemoTruth", "generate", "iter_chunks", "write", "write_large"]

SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
INDUSTRIES = (
    "Software",
    "Financial services",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Education",
    "Logistics",
    "Media",
)
MARKETING_CHANNELS = (
    "paid_search",
    "paid_social",
    "organic_search",
    "email",
    "webinar",
    "content",
    "event",
    "review_site",
    "direct",
)
SALES_CHANNELS = ("sales_call", "sales_email", "meeting", "demo")
REPS = (
    "Avery Chen",
    "Jordan Patel",
    "Sam Okafor",
    "Riley Novak",
    "Morgan Silva",
    "Casey Larsen",
    "Quinn Abara",
    "Drew Kowalski",
    "Jamie Moreau",
    "Taylor Haddad",
    "Alex Lindqvist",
    "Robin Tanaka",
)
STAGES = ("Discovery", "Qualification", "Proposal", "Negotiation")

_ACTIVITY = {
    "paid_search": "ad click",
    "paid_social": "ad click",
    "organic_search": "site visit",
    "email": "email click",
    "webinar": "webinar attended",
    "content": "content download",
    "event": "event visit",
    "review_site": "review profile visit",
    "direct": "site visit",
    "sales_call": "call",
    "sales_email": "email",
    "meeting": "meeting",
    "demo": "demo",
}
_CAMPAIGN_PREFIX = {
    "paid_search": "Search",
    "paid_social": "Social",
    "email": "Nurture",
    "webinar": "Webinar",
    "content": "Content",
    "event": "Event",
    "review_site": "Reviews",
}
_CAMPAIGN_THEMES = {
    "paid_search": ("Brand", "Competitor", "Category"),
    "paid_social": ("LinkedIn ABM", "Retargeting"),
    "email": ("Newsletter", "Onboarding drip", "Product update"),
    "webinar": ("Forecasting 101", "RevOps roundtable"),
    "content": ("State of RevOps report", "ROI calculator", "Buyer's guide"),
    "event": ("Annual summit", "Regional roadshow", "Field dinner"),
    "review_site": ("G2 profile", "Capterra listing"),
}
_COST = {  # cost per touch in the revenue currency
    "paid_search": 7.5,
    "paid_social": 4.0,
    "organic_search": 0.0,
    "email": 0.4,
    "webinar": 45.0,
    "content": 12.0,
    "event": 160.0,
    "review_site": 22.0,
    "direct": 0.0,
}


@dataclass(frozen=True)
class DemoParams:
    """Every knob of the simulation; the defaults are the built-in demo's truth.

    Rates are per account unless stated; times are days unless the name says hours.
    The win model is ``logit P(win) = win_intercept + win_segment[segment]
    + win_marketing * log1p(m) + win_sales * log1p(s) + win_joint * log1p(m) * log1p(s)
    + win_speed * [s > 0] * log1p(h / 24)`` where ``m`` and ``s`` are the marketing and sales
    touches in the journey window (``lookback_days`` before creation up to the close) and
    ``h`` the hours from the account's first MQL to its first sales touch (0 if none).
    The amount model is ``E[amount] = amount_mean[segment] * exp(amount_sales * log1p(s))``
    with Gamma noise of shape ``amount_shape``.
    """

    start: datetime = datetime(2025, 1, 1, tzinfo=UTC)
    end: datetime = datetime(2026, 6, 30, tzinfo=UTC)
    lookback_days: int = 180
    segment_share: tuple[float, float, float] = (0.55, 0.30, 0.15)
    lead_rate: float = 0.85
    anonymous_touches: float = 1.0
    days_to_first_lead: float = 14.0
    extra_contacts: tuple[float, float, float] = (0.4, 1.2, 2.5)
    nurture_per_month: float = 1.1
    fit_points: tuple[float, float, float] = (5.0, 10.0, 15.0)
    score_points: Mapping[str, float] = field(
        default_factory=lambda: {
            "paid_search": 5,
            "paid_social": 3,
            "organic_search": 4,
            "email": 3,
            "webinar": 12,
            "content": 8,
            "event": 15,
            "review_site": 6,
            "direct": 2,
        }
    )
    mql_threshold: float = 40.0
    self_serve_share_smb: float = 0.3
    self_serve_opportunity_rate: float = 0.35
    follow_up_rate: float = 0.9
    rep_median_response_hours: tuple[float, ...] = (0.5, 1, 2, 3, 4, 6, 8, 12, 24, 36, 48, 72)
    rep_effort: tuple[float, ...] = (1.3, 1.1, 1.0, 0.8, 1.2, 0.9, 1.0, 1.1, 0.7, 1.0, 0.9, 1.2)
    outbound_rate: tuple[float, float, float] = (0.08, 0.18, 0.35)
    opportunity_intercept: float = -0.4
    opportunity_segment: tuple[float, float, float] = (0.0, 0.2, 0.3)
    opportunity_weights: Mapping[str, float] = field(
        default_factory=lambda: {
            "paid_search": 0.10,
            "paid_social": -0.05,
            "organic_search": 0.10,
            "email": 0.05,
            "webinar": 0.35,
            "content": 0.25,
            "event": 0.40,
            "review_site": 0.30,
            "direct": 0.15,
        }
    )
    opportunity_speed: float = -0.2
    outbound_opportunity_rate: float = 0.35
    cycle_median_days: tuple[float, float, float] = (25.0, 50.0, 90.0)
    sales_touches_per_week: float = 1.1
    win_intercept: float = -2.3
    win_segment: tuple[float, float, float] = (0.0, -0.2, -0.4)
    win_marketing: float = 0.25
    win_sales: float = 0.35
    win_joint: float = 0.04
    win_speed: float = -0.3
    amount_mean: tuple[float, float, float] = (12_000.0, 45_000.0, 160_000.0)
    amount_sales: float = 0.05
    amount_shape: float = 2.5

    def to_dict(self) -> dict[str, Any]:
        """Return the parameters as plain Python values (for manifests and reports)."""
        out = asdict(self)
        out["start"], out["end"] = self.start.isoformat(), self.end.isoformat()
        out["score_points"] = dict(self.score_points)
        out["opportunity_weights"] = dict(self.opportunity_weights)
        return out


@dataclass(frozen=True)
class DemoTruth:
    """What generated the demo data, and the true revenue split it implies.

    Attributes
    ----------
    params
        The generating parameters.
    contributions
        One row per component (``baseline``, ``marketing``, ``sales``, ``joint``) with the
        true expected ``revenue`` and its ``share`` of expected revenue, over the deals
        closed by the end of the data. ``v(S)`` is the expected revenue when only the teams
        in ``S`` keep their touches; baseline = v(none), marketing = v(M) - v(none),
        sales = v(S) - v(none), joint = v(M,S) - v(M) - v(S) + v(none).
    opportunities
        Per closed deal: exposures ``m``, ``s``, ``speed_hours``, the true win probability
        ``p_win`` and expected amount, and ``v_none``, ``v_marketing``, ``v_sales``,
        ``v_both`` (its expected revenue under each counterfactual).
    """

    params: DemoParams
    contributions: pl.DataFrame
    opportunities: pl.DataFrame

    @property
    def shares(self) -> dict[str, float]:
        """True share of expected revenue per component."""
        return dict(zip(self.contributions["component"], self.contributions["share"], strict=True))

    @property
    def shapley_shares(self) -> dict[str, float]:
        """Each team's own share plus half the joint share (the Shapley split of the lift)."""
        s = self.shares
        return {MARKETING: s["marketing"] + s["joint"] / 2, SALES: s["sales"] + s["joint"] / 2}


# ------------------------------------------------------------------------------ helpers
def _choice(rng: np.random.Generator, n: int, probs: np.ndarray) -> np.ndarray:
    """Vectorised categorical draw with one probability row per draw (n x k)."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(n)[:, None] * cum[:, -1:]
    return (u > cum).sum(axis=1)


def _mix(weights: Mapping[str, float], channels: tuple[str, ...]) -> np.ndarray:
    w = np.array([weights.get(c, 0.0) for c in channels], dtype=float)
    return w / w.sum()


_PRE_LEAD_MIX = _mix(
    {
        "paid_search": 0.3,
        "organic_search": 0.25,
        "paid_social": 0.2,
        "review_site": 0.1,
        "direct": 0.15,
    },
    MARKETING_CHANNELS,
)
_FORM_MIX = _mix(
    {
        "content": 0.3,
        "webinar": 0.2,
        "paid_search": 0.15,
        "event": 0.1,
        "paid_social": 0.1,
        "organic_search": 0.1,
        "review_site": 0.05,
    },
    MARKETING_CHANNELS,
)
_NURTURE_MIX = np.vstack(
    [
        _mix(
            {
                "email": 0.38,
                "webinar": 0.10,
                "content": 0.15,
                "event": 0.03,
                "paid_social": 0.12,
                "direct": 0.12,
                "organic_search": 0.05,
                "paid_search": 0.05,
            },
            MARKETING_CHANNELS,
        ),
        _mix(
            {
                "email": 0.35,
                "webinar": 0.12,
                "content": 0.15,
                "event": 0.06,
                "paid_social": 0.10,
                "direct": 0.12,
                "organic_search": 0.05,
                "paid_search": 0.05,
            },
            MARKETING_CHANNELS,
        ),
        _mix(
            {
                "email": 0.30,
                "webinar": 0.14,
                "content": 0.14,
                "event": 0.12,
                "paid_social": 0.08,
                "direct": 0.12,
                "organic_search": 0.05,
                "paid_search": 0.05,
            },
            MARKETING_CHANNELS,
        ),
    ]
)
_PROSPECT_MIX = _mix({"sales_call": 0.55, "sales_email": 0.45}, SALES_CHANNELS)
_DEAL_MIX = _mix(
    {"sales_call": 0.32, "sales_email": 0.36, "meeting": 0.2, "demo": 0.12}, SALES_CHANNELS
)


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _uniform_between(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return lo + rng.random(lo.shape[0]) * np.maximum(hi - lo, 0.0)


@dataclass
class _Touches:
    """Touches under construction, as parallel numpy arrays."""

    account: list[np.ndarray] = field(default_factory=list)
    day: list[np.ndarray] = field(default_factory=list)
    channel: list[np.ndarray] = field(default_factory=list)  # index into ALL_CHANNELS
    contact: list[np.ndarray] = field(default_factory=list)  # global contact index or -1
    rep: list[np.ndarray] = field(default_factory=list)  # rep index or -1

    def add(
        self,
        account: np.ndarray,
        day: np.ndarray,
        channel: np.ndarray,
        contact: np.ndarray | None = None,
        rep: np.ndarray | None = None,
    ) -> None:
        n = account.shape[0]
        self.account.append(account.astype(np.int64))
        self.day.append(day.astype(np.float64))
        self.channel.append(channel.astype(np.int64))
        self.contact.append(np.full(n, -1, np.int64) if contact is None else contact)
        self.rep.append(np.full(n, -1, np.int64) if rep is None else rep)

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            k: np.concatenate(getattr(self, k))
            for k in ("account", "day", "channel", "contact", "rep")
        }


ALL_CHANNELS = MARKETING_CHANNELS + SALES_CHANNELS
_N_MKT = len(MARKETING_CHANNELS)


def _timestamps(start: datetime, day: pl.Expr) -> pl.Expr:
    """Day offsets -> UTC timestamps rounded to the second."""
    start_us = int(start.timestamp() * 1_000_000)
    return (
        (pl.lit(start_us) + (day * 86_400).round(0).cast(pl.Int64) * 1_000_000)
        .cast(pl.Datetime("us"))
        .dt.replace_time_zone("UTC")
        .cast(TIMESTAMP)
    )


def _lookup(values: Any, index: pl.Expr) -> pl.Expr:
    """Vectorised ``values[index]`` inside a polars expression."""
    series = values if isinstance(values, pl.Series) else pl.Series(values)
    return pl.lit(series).gather(index)


def _account_ids(index: pl.Expr) -> pl.Expr:
    return pl.format("A{}", index.cast(pl.String).str.zfill(7))


# ------------------------------------------------------------------------------ simulation
def _simulate(
    first: int, n: int, rng: np.random.Generator, p: DemoParams
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """Simulate accounts ``first .. first+n-1``; return the tables and per-deal truth."""
    horizon = (p.end - p.start).total_seconds() / 86_400
    acc = np.arange(n)
    seg = rng.choice(3, n, p=np.asarray(p.segment_share) / sum(p.segment_share))
    industry = rng.integers(0, len(INDUSTRIES), n)
    employees = np.round(np.exp(rng.normal(np.log([40, 400, 4000])[seg], 0.6))).astype(np.int64)
    t0 = rng.uniform(0, horizon - 30, n)
    last_day = np.minimum(t0 + rng.uniform(90, 420, n), horizon)
    engagement = rng.gamma(2.0, 0.5, n)
    first_lead = t0 + rng.exponential(p.days_to_first_lead, n)
    is_lead = (rng.random(n) < p.lead_rate) & (first_lead < last_day - 5)

    touches = _Touches()
    # 1. anonymous browsing: before the first form fill, or throughout for accounts that never
    #    become leads
    n_anon = rng.poisson(p.anonymous_touches * engagement * np.where(is_lead, 1.0, 1.6))
    a = np.repeat(acc, n_anon)
    hi = np.where(is_lead, first_lead, last_day)[a]
    touches.add(
        a,
        _uniform_between(rng, t0[a], hi),
        _choice(rng, a.size, np.tile(_PRE_LEAD_MIX, (a.size, 1))),
    )

    # 2. contacts, each created by a form fill (its lead-creation touch)
    lead_acc = acc[is_lead]
    n_contacts = 1 + rng.poisson(np.asarray(p.extra_contacts)[seg[lead_acc]])
    c_acc = np.repeat(lead_acc, n_contacts)
    c_rank = (
        np.concatenate([np.arange(k) for k in n_contacts])
        if n_contacts.size
        else np.zeros(0, np.int64)
    )
    c_day = np.where(
        c_rank == 0, first_lead[c_acc], first_lead[c_acc] + rng.exponential(30.0, c_acc.size)
    )
    keep = c_day < last_day[c_acc]
    c_acc, c_rank, c_day = c_acc[keep], c_rank[keep], c_day[keep]
    order = np.lexsort((c_day, c_acc))
    c_acc, c_day = c_acc[order], c_day[order]
    n_c = c_acc.size
    c_first = np.full(n, -1, np.int64)  # index of each account's first contact
    if n_c:
        starts = np.r_[0, np.flatnonzero(np.diff(c_acc)) + 1]
        c_first[c_acc[starts]] = starts
    c_count = np.bincount(c_acc, minlength=n)
    c_channel = _choice(rng, n_c, np.tile(_FORM_MIX, (n_c, 1)))
    touches.add(c_acc, c_day, c_channel, contact=np.arange(n_c))

    # 3. nurture touches after the first lead, to a random contact that exists by then
    span = np.maximum(last_day - first_lead, 0.0) * is_lead
    n_nur = rng.poisson(engagement * span / 30.0 * p.nurture_per_month)
    a = np.repeat(acc, n_nur)
    day = _uniform_between(rng, first_lead[a], last_day[a])
    pick = c_first[a] + np.floor(rng.random(a.size) * c_count[a]).astype(np.int64)
    pick = np.where(c_day[pick] <= day, pick, c_first[a]) if a.size else pick
    touches.add(a, day, _choice(rng, a.size, _NURTURE_MIX[seg[a]]), contact=pick)

    mkt = touches.arrays()
    # 4. lead score and MQL per contact: running sum of points in time order
    points = np.array([p.score_points.get(c, 0.0) for c in MARKETING_CHANNELS])
    scored = (
        pl.DataFrame({"contact": mkt["contact"], "day": mkt["day"], "pts": points[mkt["channel"]]})
        .filter(pl.col("contact") >= 0)
        .sort("contact", "day")
        .with_columns(
            (
                pl.col("pts").cum_sum().over("contact")
                + _lookup(np.asarray(p.fit_points)[seg[c_acc]], pl.col("contact"))
            ).alias("score")
        )
    )
    per_contact = scored.group_by("contact").agg(
        pl.col("day").filter(pl.col("score") >= p.mql_threshold).min().alias("mql_day"),
        pl.col("score").max().alias("score"),
    )
    mql_day = np.full(n_c, np.nan)
    score = np.asarray(p.fit_points)[seg[c_acc]].astype(float)
    if per_contact.height:
        idx = per_contact["contact"].to_numpy()
        mql_day[idx] = per_contact["mql_day"].fill_null(np.nan).to_numpy()
        score[idx] = per_contact["score"].to_numpy()
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

    # 5. routes to an opportunity
    inbound = ~np.isnan(acc_mql) & (acc_mql < horizon - 1)
    self_serve = inbound & (seg == 0) & (rng.random(n) < p.self_serve_share_smb)
    followed = inbound & ~self_serve & (rng.random(n) < p.follow_up_rate)
    # sales prospects accounts marketing has not converted, mostly ones that never engaged
    outbound = ~inbound & (
        rng.random(n) < np.asarray(p.outbound_rate)[seg] * np.where(is_lead, 0.5, 3.0)
    )
    rep = rng.integers(0, len(REPS), n)
    medians = np.asarray(p.rep_median_response_hours)[rep]
    delay_h = np.exp(rng.normal(np.log(medians), 0.8))
    engage_day = np.where(
        followed,
        acc_mql + delay_h / 24.0,
        np.where(outbound, _uniform_between(rng, t0, last_day - 10), np.nan),
    )
    engaged = followed | outbound
    engaged &= engage_day < horizon

    # pre-opportunity sales touches: first contact then a few follow-ups
    n_pre = np.where(engaged, 1 + rng.poisson(1.5, n), 0)
    a = np.repeat(acc, n_pre)
    k = np.concatenate([np.arange(m) for m in n_pre]) if a.size else np.zeros(0, np.int64)
    gaps = np.where(k == 0, 0.0, rng.exponential(2.5, a.size))
    order = np.lexsort((k, a))
    a, k, gaps = a[order], k[order], gaps[order]
    # cumulative gaps within each account: global cumsum minus the account's offset
    csum = np.cumsum(gaps)
    offset = np.zeros(n)
    last_pre = np.full(n, np.nan)
    if a.size:
        starts = np.r_[0, np.flatnonzero(np.diff(a)) + 1]
        offset[a[starts]] = csum[starts] - gaps[starts]
        ends = np.r_[starts[1:], a.size] - 1
    pre_day = engage_day[a] + csum - offset[a]
    if a.size:
        last_pre[a[ends]] = pre_day[ends]
    pre_channel = (
        np.where(
            k == 0,
            _choice(rng, a.size, np.tile(_PROSPECT_MIX, (a.size, 1))),
            _choice(
                rng,
                a.size,
                np.tile(
                    _mix({"sales_call": 0.45, "sales_email": 0.4, "meeting": 0.15}, SALES_CHANNELS),
                    (a.size, 1),
                ),
            ),
        )
        + _N_MKT
    )
    pre_contact = np.where(
        mql_contact[a] >= 0, mql_contact[a], np.where(c_first[a] >= 0, c_first[a], -1)
    )
    keep = pre_day < horizon
    touches.add(
        a[keep], pre_day[keep], pre_channel[keep], contact=pre_contact[keep], rep=rep[a][keep]
    )

    # chance that an engaged lead becomes an opportunity: marketing mix before engagement
    m_before = np.zeros((n, _N_MKT))
    before = mkt["day"] <= engage_day[mkt["account"]]
    np.add.at(m_before, (mkt["account"][before], mkt["channel"][before]), 1.0)
    w = np.array([p.opportunity_weights.get(c, 0.0) for c in MARKETING_CHANNELS])
    speed_log = np.log1p(delay_h / 24.0)
    eta_opp = (
        p.opportunity_intercept
        + np.asarray(p.opportunity_segment)[seg]
        + np.log1p(m_before) @ w
        + p.opportunity_speed * speed_log
    )
    p_opp = np.where(
        followed,
        _logistic(eta_opp),
        np.where(
            outbound,
            p.outbound_opportunity_rate,
            np.where(self_serve, p.self_serve_opportunity_rate, 0.0),
        ),
    )
    has_opp = (rng.random(n) < p_opp) & (engaged | self_serve)
    created = np.where(
        self_serve, acc_mql + rng.exponential(4.0, n), last_pre + 0.05 + rng.exponential(3.0, n)
    )
    has_opp &= created < horizon
    cycle = np.exp(rng.normal(np.log(np.asarray(p.cycle_median_days)[seg]), 0.45))
    close_plan = created + cycle
    is_closed = has_opp & (close_plan <= horizon)

    # 6. sales touches during the deal (none for self-serve)
    effort = np.asarray(p.rep_effort)[rep]
    lam = np.where(has_opp & ~self_serve, cycle / 7.0 * p.sales_touches_per_week * effort, 0.0)
    n_deal = rng.poisson(lam)
    a = np.repeat(acc, n_deal)
    day = _uniform_between(rng, created[a], close_plan[a])
    keep = day < horizon
    deal_contact = np.where(
        mql_contact[a] >= 0, mql_contact[a], np.where(c_first[a] >= 0, c_first[a], -1)
    )
    touches.add(
        a[keep],
        day[keep],
        _choice(rng, int(keep.sum()), np.tile(_DEAL_MIX, (int(keep.sum()), 1))) + _N_MKT,
        contact=deal_contact[keep],
        rep=rep[a][keep],
    )
    allt = touches.arrays()

    # 7. exposures in the journey window [created - lookback, close]; outcome and amount
    opp_acc = acc[has_opp]
    window_lo = created - p.lookback_days
    t_acc, t_day = allt["account"], allt["day"]
    in_win = has_opp[t_acc] & (t_day >= window_lo[t_acc]) & (t_day <= close_plan[t_acc])
    is_sales = allt["channel"] >= _N_MKT
    m_cnt = np.bincount(t_acc[in_win & ~is_sales], minlength=n).astype(float)
    s_cnt = np.bincount(t_acc[in_win & is_sales], minlength=n).astype(float)
    # speed: hours from the account's first MQL (at or before creation) to its first sales
    # touch at or after that MQL and within the window
    mql_ok = ~np.isnan(acc_mql) & (acc_mql <= created)
    first_sales = np.full(n, np.inf)
    cand = (
        is_sales
        & mql_ok[t_acc]
        & (t_day >= np.nan_to_num(acc_mql, nan=np.inf)[t_acc])
        & (t_day <= close_plan[t_acc])
    )
    np.minimum.at(first_sales, t_acc[cand], t_day[cand])
    speed_h = np.where(np.isfinite(first_sales), (first_sales - acc_mql) * 24.0, np.nan)
    speed_term = np.where((s_cnt > 0) & np.isfinite(speed_h), np.log1p(speed_h / 24.0), 0.0)
    lm, ls = np.log1p(m_cnt), np.log1p(s_cnt)
    base_eta = p.win_intercept + np.asarray(p.win_segment)[seg]

    def p_win(use_m: bool, use_s: bool) -> np.ndarray:
        xm = lm if use_m else 0.0
        xs = ls if use_s else 0.0
        sp = speed_term if use_s else 0.0
        return _logistic(
            base_eta
            + p.win_marketing * xm
            + p.win_sales * xs
            + p.win_joint * xm * xs
            + p.win_speed * sp
        )

    def mean_amount(use_s: bool) -> np.ndarray:
        return np.asarray(p.amount_mean)[seg] * np.exp(p.amount_sales * (ls if use_s else 0.0))

    prob = p_win(True, True)
    won = is_closed & (rng.random(n) < prob)
    amount = np.round(mean_amount(True) * rng.gamma(p.amount_shape, 1.0 / p.amount_shape, n), -2)
    amount = np.maximum(amount, 100.0)

    # 8. stage history
    reached = np.where(
        won,
        4,
        np.where(
            is_closed,
            rng.integers(1, 5, n),
            np.clip(1 + np.floor(np.nan_to_num((horizon - created) / cycle) * 4), 1, 4),
        ),
    ).astype(int)
    sh_acc = np.repeat(opp_acc, reached[opp_acc])
    sh_k = (
        np.concatenate([np.arange(r) for r in reached[opp_acc]])
        if opp_acc.size
        else np.zeros(0, np.int64)
    )
    sh_day = created[sh_acc] + cycle[sh_acc] * np.array([0.0, 0.2, 0.45, 0.7])[sh_k]
    closed_acc = acc[is_closed]
    sh_acc = np.r_[sh_acc, closed_acc]
    sh_stage = np.r_[sh_k, np.where(won[closed_acc], 4, 5)]
    sh_day = np.r_[sh_day, close_plan[closed_acc]]
    stage_names = (*STAGES, "Closed Won", "Closed Lost")
    stage_now = np.where(won, 4, np.where(is_closed, 5, reached - 1))

    # ------------------------------------------------------------------ to polars
    aid = _account_ids(pl.col("acc") + first)
    accounts = pl.DataFrame({"acc": acc, "seg": seg, "ind": industry, "emp": employees}).select(
        aid.alias("account_id"),
        _lookup(SEGMENTS, pl.col("seg")).alias("segment"),
        _lookup(INDUSTRIES, pl.col("ind")).alias("industry"),
        pl.col("emp").alias("employees"),
    )
    contact_ids = (
        pl.DataFrame({"acc": c_acc})
        .with_columns(pl.int_range(1, pl.len() + 1).over("acc").alias("k"))
        .select(pl.format("{}-C{}", aid, pl.col("k")).alias("contact_id"))["contact_id"]
    )
    mql_contact_global = np.full(n_c, False)
    if n_c:
        mql_contact_global[mql_contact[mql_contact >= 0]] = True
    opp_of = np.full(n, np.nan)
    opp_of[has_opp] = created[has_opp]
    sql_day = np.where(
        mql_contact_global & has_opp[c_acc] & ~self_serve[c_acc],
        np.minimum(opp_of[c_acc], np.nan_to_num(created[c_acc])),
        np.nan,
    )
    accepted = mql_contact_global & followed[c_acc] & ~has_opp[c_acc] & (rng.random(n_c) < 0.25)
    sql_day = np.where(accepted, engage_day[c_acc] + rng.exponential(3.0, n_c), sql_day)
    sql_day = np.where(sql_day < horizon, sql_day, np.nan)
    contacts = pl.DataFrame(
        {
            "contact_id": contact_ids,
            "acc": c_acc,
            "day": c_day,
            "src": c_channel,
            "mql": mql_day,
            "sql": sql_day,
            "score": score,
        },
        nan_to_null=True,
    ).select(
        "contact_id",
        aid.alias("account_id"),
        _timestamps(p.start, pl.col("day")).alias("created_at"),
        _lookup(MARKETING_CHANNELS, pl.col("src")).alias("lead_source"),
        _timestamps(p.start, pl.col("mql")).alias("mql_at"),
        _timestamps(p.start, pl.col("sql")).alias("sql_at"),
        pl.col("score").cast(pl.Float64),
    )

    contact_lookup = pl.concat([contact_ids, pl.Series([None], dtype=pl.String)])
    year_q = _timestamps(p.start, pl.col("day"))
    touch_frame = pl.DataFrame(
        {
            "acc": allt["account"],
            "day": allt["day"],
            "ch": allt["channel"],
            "contact": np.where(allt["contact"] >= 0, allt["contact"], n_c),
            "rep": allt["rep"],
            "theme": rng.integers(0, 6, allt["day"].size),
        }
    ).filter(pl.col("day") < horizon)
    channel_name = _lookup(ALL_CHANNELS, pl.col("ch"))
    themes = [_CAMPAIGN_THEMES.get(c, ("",)) for c in ALL_CHANNELS]
    n_themes = pl.Series([len(t) for t in themes])
    themes_flat = pl.Series([t for group in themes for t in group])
    offsets = pl.Series(np.r_[0, np.cumsum([len(t) for t in themes])][:-1])
    prefix = pl.Series([_CAMPAIGN_PREFIX.get(c) for c in ALL_CHANNELS], dtype=pl.String)
    touches_df = (
        touch_frame.with_columns(
            year_q.alias("occurred_at"),
            (
                _lookup(offsets, pl.col("ch")) + pl.col("theme") % _lookup(n_themes, pl.col("ch"))
            ).alias("theme_idx"),
        )
        .sort("acc", "day", "ch")
        .select(
            pl.format(
                "{}-T{}",
                aid,
                pl.int_range(1, pl.len() + 1).over("acc").cast(pl.String).str.zfill(3),
            ).alias("touch_id"),
            aid.alias("account_id"),
            "occurred_at",
            pl.when(pl.col("ch") < _N_MKT)
            .then(pl.lit(MARKETING))
            .otherwise(pl.lit(SALES))
            .alias("team"),
            channel_name.alias("channel"),
            _lookup(contact_lookup, pl.col("contact")).alias("contact_id"),
            pl.when(_lookup(prefix, pl.col("ch")).is_not_null())
            .then(
                pl.format(
                    "{} {} {}Q{}",
                    _lookup(prefix, pl.col("ch")),
                    _lookup(themes_flat, pl.col("theme_idx")),
                    pl.col("occurred_at").dt.year(),
                    pl.col("occurred_at").dt.quarter(),
                )
            )
            .alias("campaign"),
            pl.col("ch")
            .replace_strict({i: _ACTIVITY[c] for i, c in enumerate(ALL_CHANNELS)})
            .alias("activity"),
            pl.col("ch")
            .replace_strict(
                {i: _COST.get(c) for i, c in enumerate(ALL_CHANNELS)}, return_dtype=pl.Float64
            )
            .alias("cost"),
            pl.when(pl.col("rep") >= 0)
            .then(_lookup(REPS, pl.col("rep").clip(0, len(REPS) - 1)))
            .alias("rep"),
        )
    )

    o = opp_acc
    opps = pl.DataFrame(
        {
            "acc": o,
            "created": created[o],
            "closed": np.where(is_closed[o], close_plan[o], np.nan),
            "won": won[o],
            "amount": amount[o],
            "stage": stage_now[o],
            "source": np.where(outbound[o], 1, 0),
            "rep": np.where(self_serve[o], -1, rep[o]),
        },
        nan_to_null=True,
    ).select(
        pl.format("{}-O1", aid).alias("opportunity_id"),
        aid.alias("account_id"),
        _timestamps(p.start, pl.col("created")).alias("created_at"),
        pl.col("won").alias("is_won"),
        pl.col("amount").cast(pl.Float64),
        _timestamps(p.start, pl.col("closed")).alias("closed_at"),
        _lookup(stage_names, pl.col("stage")).alias("stage"),
        pl.when(pl.col("source") == 1)
        .then(pl.lit("outbound"))
        .otherwise(pl.lit("marketing"))
        .alias("source"),
        pl.when(pl.col("rep") >= 0).then(_lookup(REPS, pl.col("rep").clip(0))).alias("rep"),
    )
    stage_history = (
        pl.DataFrame({"acc": sh_acc, "stage": sh_stage, "day": sh_day})
        .sort("acc", "day", "stage")
        .select(
            pl.format("{}-O1", aid).alias("opportunity_id"),
            _lookup(stage_names, pl.col("stage")).alias("stage"),
            _timestamps(p.start, pl.col("day")).alias("entered_at"),
        )
    )

    c = acc[is_closed]
    v = {
        name: p_win(um, us)[c] * mean_amount(us)[c]
        for name, um, us in (
            ("v_none", False, False),
            ("v_marketing", True, False),
            ("v_sales", False, True),
            ("v_both", True, True),
        )
    }
    truth = pl.DataFrame(
        {
            "acc": c,
            "m": m_cnt[c].astype(np.int64),
            "s": s_cnt[c].astype(np.int64),
            "speed_hours": speed_h[c],
            "p_win": prob[c],
            "expected_amount": mean_amount(True)[c],
            "is_won": won[c],
            **v,
        },
        nan_to_null=True,
    ).select(pl.format("{}-O1", aid).alias("opportunity_id"), pl.exclude("acc"))
    tables = {
        "touches": touches_df,
        "opportunities": opps,
        "contacts": contacts,
        "accounts": accounts,
        "stage_history": stage_history,
    }
    return tables, truth


def _contributions(truth: pl.DataFrame) -> pl.DataFrame:
    v = truth.select(pl.col("v_none", "v_marketing", "v_sales", "v_both").sum()).row(0, named=True)
    total = v["v_both"]
    rows = {
        "baseline": v["v_none"],
        "marketing": v["v_marketing"] - v["v_none"],
        "sales": v["v_sales"] - v["v_none"],
        "joint": v["v_both"] - v["v_marketing"] - v["v_sales"] + v["v_none"],
    }
    return pl.DataFrame(
        {
            "component": list(rows),
            "revenue": list(rows.values()),
            "share": [r / total if total else math.nan for r in rows.values()],
        }
    )


def _check_size(n_accounts: int, chunk_accounts: int) -> None:
    if not isinstance(n_accounts, int | np.integer) or n_accounts < 1:
        raise ParameterError(f"n_accounts must be a positive integer, got {n_accounts!r}")
    if n_accounts > 9_999_999:
        raise ParameterError(f"n_accounts must be below 10,000,000, got {n_accounts:,}")
    if chunk_accounts < 1:
        raise ParameterError(f"chunk_accounts must be positive, got {chunk_accounts!r}")


_CHUNK = 20_000


def iter_chunks(
    *,
    n_accounts: int,
    seed: int = 0,
    params: DemoParams | None = None,
    chunk_accounts: int = _CHUNK,
) -> Iterator[tuple[dict[str, pl.DataFrame], pl.DataFrame]]:
    """Yield the simulation chunk by chunk: ``(tables, per-deal truth)`` per chunk.

    Chunks are independent (accounts do not interact), each seeded from ``(seed, chunk)``,
    so the same ``seed``, ``n_accounts`` and ``chunk_accounts`` give the same data.
    """
    _check_size(n_accounts, chunk_accounts)
    p = params or DemoParams()
    for i, first in enumerate(range(0, n_accounts, chunk_accounts)):
        size = min(chunk_accounts, n_accounts - first)
        rng = np.random.default_rng([seed, i])
        yield _simulate(first, size, rng, p)


def generate(
    *, n_accounts: int = 2_000, seed: int = 0, params: DemoParams | None = None
) -> Dataset:
    """Generate the demo dataset in memory.

    Parameters
    ----------
    n_accounts
        Number of companies to simulate (about 35% open an opportunity; each account has
        about a dozen touches).
    seed
        Random seed: the same seed and size give identical data.
    params
        Simulation parameters (default :class:`DemoParams`).

    Returns
    -------
    Dataset
        All five tables, with ``.truth`` a :class:`DemoTruth`.

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=200, seed=7)
    >>> sorted(ds.tables())
    ['accounts', 'contacts', 'opportunities', 'stage_history', 'touches']
    >>> round(sum(ds.truth.shares.values()), 6)
    1.0
    """
    p = params or DemoParams()
    parts = list(iter_chunks(n_accounts=n_accounts, seed=seed, params=p))
    tables = {name: pl.concat([t[name] for t, _ in parts]) for name in parts[0][0]}
    truth_opps = pl.concat([t for _, t in parts])
    truth = DemoTruth(params=p, contributions=_contributions(truth_opps), opportunities=truth_opps)
    return Dataset(**tables, source=f"demo(n_accounts={n_accounts}, seed={seed})", truth=truth)


def write(dataset: Dataset, folder: str | os.PathLike[str], *, fmt: str = "parquet") -> Path:
    """Write a dataset as a source folder (``<table>.parquet`` or ``.csv``), atomically."""
    return write_tables(dataset, folder, fmt=fmt)


def write_large(
    folder: str | os.PathLike[str],
    *,
    n_accounts: int,
    seed: int = 0,
    params: DemoParams | None = None,
    chunk_accounts: int = 50_000,
) -> dict[str, Any]:
    """Generate a large demo source chunk by chunk, straight to Parquet parts.

    Memory stays bounded by one chunk, so 10M+ touches can be written on a laptop. Each
    table becomes a folder of parts (``touches/part-00000.parquet``...), which
    :func:`attribution.load` reads as one table. The write is atomic: a temporary folder is
    renamed into place at the end.

    Returns
    -------
    dict
        Row counts per table, the true contributions (as a list of dicts) and the elapsed
        seconds.
    """
    import time

    t_start = time.perf_counter()
    p = params or DemoParams()
    dest = Path(folder)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    counts: dict[str, int] = {}
    truths = []
    try:
        for i, (tables, truth) in enumerate(
            iter_chunks(n_accounts=n_accounts, seed=seed, params=p, chunk_accounts=chunk_accounts)
        ):
            for name, frame in tables.items():
                (tmp / name).mkdir(exist_ok=True)
                frame.write_parquet(tmp / name / f"part-{i:05d}.parquet")
                counts[name] = counts.get(name, 0) + frame.height
            truths.append(truth.select("v_none", "v_marketing", "v_sales", "v_both").sum())
        if dest.exists():
            shutil.rmtree(dest)
        tmp.rename(dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    contributions = _contributions(pl.concat(truths))
    return {
        "rows": counts,
        "truth": contributions.to_dicts(),
        "seconds": time.perf_counter() - t_start,
    }
