"""Simulation steps 5, 6 and 8: routes to sales, opportunities, deal touches, stages, SQLs.

A rep follows up an MQL after the rep's own delay, prospects accounts marketing did not
convert, opens an opportunity by a known model (the truth lead scoring should find), and
works the deal until it closes. Steps draw in the order
:func:`~attribution.data.demo.simulate.simulate` calls them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attribution.data.demo.catalog import (
    DEAL_MIX,
    FOLLOW_UP_MIX,
    MARKETING_CHANNELS,
    N_MARKETING,
    PROSPECT_MIX,
    REPS,
    STAGE_OFFSETS,
)
from attribution.data.demo.draws import (
    Touches,
    choice,
    group_starts,
    logistic,
    ranks,
    uniform_between,
)
from attribution.data.demo.marketing import Accounts, Contacts, Scores
from attribution.data.demo.params import DemoParams

__all__ = [
    "Deals",
    "Routes",
    "Stages",
    "mark_sql",
    "open_deals",
    "prospect",
    "route",
    "stage_history",
    "work_deals",
]


@dataclass(frozen=True)
class Routes:
    """Per account: how it reaches sales, its rep, and when sales first engages."""

    self_serve: np.ndarray  # SMB accounts buying through a trial, without sales
    followed: np.ndarray  # MQL accounts a rep followed up
    outbound: np.ndarray  # accounts sales prospected without an MQL
    rep: np.ndarray
    delay_hours: np.ndarray  # the rep's response time to the MQL
    engage_day: np.ndarray  # NaN if sales never engages
    engaged: np.ndarray


@dataclass(frozen=True)
class Deals:
    """Per account: its opportunity (at most one), when it opens and when it would close."""

    has_opp: np.ndarray
    created: np.ndarray
    cycle: np.ndarray
    close_plan: np.ndarray
    is_closed: np.ndarray  # closed by the end of the data


@dataclass(frozen=True)
class Stages:
    """Stage changes (account, stage index into ``STAGE_NAMES``, day) and current stages."""

    account: np.ndarray
    stage: np.ndarray
    day: np.ndarray
    now: np.ndarray  # per account


def route(rng: np.random.Generator, acc: Accounts, scores: Scores, p: DemoParams) -> Routes:
    """Step 5: self-serve, followed-up MQLs and outbound prospecting; reps and their delays."""
    n, seg = acc.n, acc.segment
    inbound = ~np.isnan(scores.account_mql) & (scores.account_mql < p.horizon - 1)
    self_serve = inbound & (seg == 0) & (rng.random(n) < p.self_serve_share_smb)
    followed = inbound & ~self_serve & (rng.random(n) < p.follow_up_rate)
    # sales prospects accounts marketing has not converted, mostly ones that never engaged
    outbound = ~inbound & (
        rng.random(n) < np.asarray(p.outbound_rate)[seg] * np.where(acc.is_lead, 0.5, 3.0)
    )
    rep = rng.integers(0, len(REPS), n)
    medians = np.asarray(p.rep_median_response_hours)[rep]
    delay_h = np.exp(rng.normal(np.log(medians), 0.8))
    engage_day = np.where(
        followed,
        scores.account_mql + delay_h / 24.0,
        np.where(outbound, uniform_between(rng, acc.arrival, acc.last_day - 10), np.nan),
    )
    engaged = (followed | outbound) & (engage_day < p.horizon)
    return Routes(self_serve, followed, outbound, rep, delay_h, engage_day, engaged)


def _sales_contact(contacts: Contacts, scores: Scores, a: np.ndarray) -> np.ndarray:
    """Return the contact a rep works with: the account's MQL contact, else its first, else none."""
    first = contacts.first[a]
    mql = scores.mql_contact[a]
    picked: np.ndarray = np.where(mql >= 0, mql, np.where(first >= 0, first, -1))
    return picked


def prospect(
    rng: np.random.Generator,
    acc: Accounts,
    contacts: Contacts,
    scores: Scores,
    routes: Routes,
    p: DemoParams,
    touches: Touches,
) -> np.ndarray:
    """Pre-opportunity sales touches: a first contact then a few follow-ups.

    Returns the day of each account's last such touch (NaN if none).
    """
    n = acc.n
    n_pre = np.where(routes.engaged, 1 + rng.poisson(1.5, n), 0)
    a = np.repeat(acc.index, n_pre)
    k = ranks(n_pre)
    gaps = np.where(k == 0, 0.0, rng.exponential(2.5, a.size))
    order = np.lexsort((k, a))
    a, k, gaps = a[order], k[order], gaps[order]
    # cumulative gaps within each account: global cumsum minus the account's offset
    csum = np.cumsum(gaps)
    offset = np.zeros(n)
    last_pre = np.full(n, np.nan)
    starts = group_starts(a) if a.size else np.zeros(0, np.int64)
    offset[a[starts]] = csum[starts] - gaps[starts]
    pre_day = routes.engage_day[a] + csum - offset[a]
    ends = np.r_[starts[1:], a.size] - 1 if a.size else starts
    last_pre[a[ends]] = pre_day[ends]
    pre_channel = (
        np.where(
            k == 0,
            choice(rng, a.size, PROSPECT_MIX[None, :]),
            choice(rng, a.size, FOLLOW_UP_MIX[None, :]),
        )
        + N_MARKETING
    )
    keep = pre_day < p.horizon
    touches.add(
        a[keep],
        pre_day[keep],
        pre_channel[keep],
        contact=_sales_contact(contacts, scores, a)[keep],
        rep=routes.rep[a][keep],
    )
    return last_pre


def open_deals(
    rng: np.random.Generator,
    acc: Accounts,
    scores: Scores,
    routes: Routes,
    marketing: dict[str, np.ndarray],
    last_pre: np.ndarray,
    p: DemoParams,
) -> Deals:
    """Whether an engaged account opens an opportunity, when, and its sales cycle.

    A followed-up lead converts by the marketing mix before engagement and the speed of the
    follow-up (:attr:`DemoParams.opportunity_weights`, :attr:`DemoParams.opportunity_speed`).
    """
    n, seg = acc.n, acc.segment
    m_before = np.zeros((n, N_MARKETING))
    before = marketing["day"] <= routes.engage_day[marketing["account"]]
    np.add.at(m_before, (marketing["account"][before], marketing["channel"][before]), 1.0)
    w = np.array([p.opportunity_weights.get(c, 0.0) for c in MARKETING_CHANNELS])
    speed_log = np.log1p(routes.delay_hours / 24.0)
    eta_opp = (
        p.opportunity_intercept
        + np.asarray(p.opportunity_segment)[seg]
        + np.log1p(m_before) @ w
        + p.opportunity_speed * speed_log
    )
    p_opp = np.where(
        routes.followed,
        logistic(eta_opp),
        np.where(
            routes.outbound,
            p.outbound_opportunity_rate,
            np.where(routes.self_serve, p.self_serve_opportunity_rate, 0.0),
        ),
    )
    has_opp = (rng.random(n) < p_opp) & (routes.engaged | routes.self_serve)
    created = np.where(
        routes.self_serve,
        scores.account_mql + rng.exponential(4.0, n),
        last_pre + 0.05 + rng.exponential(3.0, n),
    )
    has_opp &= created < p.horizon
    cycle = np.exp(rng.normal(np.log(np.asarray(p.cycle_median_days)[seg]), 0.45))
    close_plan = created + cycle
    return Deals(has_opp, created, cycle, close_plan, has_opp & (close_plan <= p.horizon))


def work_deals(
    rng: np.random.Generator,
    acc: Accounts,
    contacts: Contacts,
    scores: Scores,
    routes: Routes,
    deals: Deals,
    p: DemoParams,
    touches: Touches,
) -> None:
    """Step 6: sales touches during the deal, by the rep's effort (none for self-serve)."""
    effort = np.asarray(p.rep_effort)[routes.rep]
    worked = deals.has_opp & ~routes.self_serve
    lam = np.where(worked, deals.cycle / 7.0 * p.sales_touches_per_week * effort, 0.0)
    n_deal = rng.poisson(lam)
    a = np.repeat(acc.index, n_deal)
    day = uniform_between(rng, deals.created[a], deals.close_plan[a])
    keep = day < p.horizon
    n_kept = int(keep.sum())
    touches.add(
        a[keep],
        day[keep],
        choice(rng, n_kept, DEAL_MIX[None, :]) + N_MARKETING,
        contact=_sales_contact(contacts, scores, a)[keep],
        rep=routes.rep[a][keep],
    )


def stage_history(
    rng: np.random.Generator, acc: Accounts, deals: Deals, won: np.ndarray, p: DemoParams
) -> Stages:
    """Step 8: the stages each deal went through (closed lost deals stop at a random one)."""
    open_reached = np.clip(
        1 + np.floor(np.nan_to_num((p.horizon - deals.created) / deals.cycle) * 4), 1, 4
    )
    reached = np.where(
        won, 4, np.where(deals.is_closed, rng.integers(1, 5, acc.n), open_reached)
    ).astype(int)
    opp_acc = acc.index[deals.has_opp]
    sh_acc = np.repeat(opp_acc, reached[opp_acc])
    sh_k = ranks(reached[opp_acc])
    sh_day = deals.created[sh_acc] + deals.cycle[sh_acc] * STAGE_OFFSETS[sh_k]
    closed_acc = acc.index[deals.is_closed]
    return Stages(
        account=np.r_[sh_acc, closed_acc],
        stage=np.r_[sh_k, np.where(won[closed_acc], 4, 5)],
        day=np.r_[sh_day, deals.close_plan[closed_acc]],
        now=np.where(won, 4, np.where(deals.is_closed, 5, reached - 1)),
    )


def mark_sql(
    rng: np.random.Generator,
    contacts: Contacts,
    scores: Scores,
    routes: Routes,
    deals: Deals,
    p: DemoParams,
) -> np.ndarray:
    """Return the CRM's SQL day per contact (NaN if none).

    An account's MQL contact becomes SQL when sales opens its opportunity; a quarter of
    followed-up MQL contacts whose account opens none are accepted by sales anyway.
    """
    c_acc, n_c = contacts.account, contacts.n
    is_mql_contact = np.full(n_c, False)
    if n_c:
        is_mql_contact[scores.mql_contact[scores.mql_contact >= 0]] = True
    opp_of = np.full(deals.has_opp.shape[0], np.nan)
    opp_of[deals.has_opp] = deals.created[deals.has_opp]
    sql_day = np.where(
        is_mql_contact & deals.has_opp[c_acc] & ~routes.self_serve[c_acc],
        np.minimum(opp_of[c_acc], np.nan_to_num(deals.created[c_acc])),
        np.nan,
    )
    accepted = (
        is_mql_contact & routes.followed[c_acc] & ~deals.has_opp[c_acc] & (rng.random(n_c) < 0.25)
    )
    sql_day = np.where(accepted, routes.engage_day[c_acc] + rng.exponential(3.0, n_c), sql_day)
    return np.where(sql_day < p.horizon, sql_day, np.nan)
