"""Step 7 and the truth: exposures, the known win and amount models, the true revenue split.

Because the win and amount models are known, the true split of expected revenue into
baseline, marketing, sales and joint is computed by counterfactual expectation (each closed
deal's win probability and expected amount with the other team's touches removed), not by
fitting anything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from attribution.data.demo.catalog import ALL_CHANNELS, N_MARKETING
from attribution.data.demo.draws import logistic
from attribution.data.demo.marketing import Accounts, Scores
from attribution.data.demo.params import DemoParams
from attribution.data.demo.sales import Deals
from attribution.data.schema import MARKETING, SALES

__all__ = [
    "BASELINE",
    "TRUE_PREFIX",
    "VALUES",
    "DemoTruth",
    "Effects",
    "Outcome",
    "WinModel",
    "channel_counts",
    "channel_table",
    "close_deals",
    "contributions",
    "deal_values",
]

VALUES = ("v_none", "v_marketing", "v_sales", "v_both")
"""Expected revenue per deal when neither team, marketing only, sales only, both act."""


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
        ``v_both`` (its expected revenue under each counterfactual); then its true
        incremental revenue per channel, ``true_<channel>`` (see :attr:`channels`), and
        ``true_baseline``, its amount times its win probability without any touch.
    scenario
        The name of the scenario that generated the data
        (:mod:`attribution.data.demo.scenarios`).
    experiments
        With simulated experiments: one row per experiment and outcome (``experiment``,
        ``channel``, ``outcome``, ``true_lift``: the true average effect per account of
        keeping the channel's touches, on winning a deal or on won revenue; opportunity
        creation is drawn before a holdout acts, so its true lift is 0). ``None`` without.
    """

    params: DemoParams
    contributions: pl.DataFrame
    opportunities: pl.DataFrame
    scenario: str = "default"
    experiments: pl.DataFrame | None = None

    @property
    def channels(self) -> pl.DataFrame:
        """The true incremental revenue of every channel and its share.

        For each closed deal, the Shapley value of its expected revenue ``amount x p(win |
        kept channels)`` in the generating model, over the channels present in its journey
        window (the no-touch baseline is nobody's), summed over deals. ``share`` is of the
        channels' total (the baseline left out), as attribution models share credit.

        Examples
        --------
        >>> import attribution as at
        >>> t = at.demo.generate(n_accounts=300, seed=1).truth.channels
        >>> t.columns, round(t["share"].sum(), 9)
        (['channel', 'team', 'revenue', 'share'], 1.0)
        """
        return channel_table(self.opportunities)

    @property
    def shares(self) -> dict[str, float]:
        """True share of expected revenue per component."""
        return dict(zip(self.contributions["component"], self.contributions["share"], strict=True))

    @property
    def shapley_shares(self) -> dict[str, float]:
        """Each team's own share plus half the joint share (the Shapley split of the lift)."""
        s = self.shares
        return {MARKETING: s["marketing"] + s["joint"] / 2, SALES: s["sales"] + s["joint"] / 2}


@dataclass(frozen=True)
class Effects:
    """What a scenario changes in the win model, per account (see ``scenarios``)."""

    weights: np.ndarray  # (accounts x channels): how much one touch counts
    latent: np.ndarray  # added to the log-odds of winning; no channel's
    amount_factor: np.ndarray  # multiplies the expected amount


@dataclass(frozen=True)
class WinModel:
    """The known win and amount models of every account, with either team switched off."""

    base_eta: np.ndarray  # intercept + segment (+ a scenario's hidden propensity)
    log_m: np.ndarray  # log1p(marketing touches in the window, weighted in a scenario)
    log_s: np.ndarray  # log1p(sales touches in the window, weighted in a scenario)
    speed_term: np.ndarray  # log1p(speed-to-lead in days) where sales touched, else 0
    base_amount: np.ndarray  # the segment's mean amount
    p: DemoParams
    weights: np.ndarray | None = None  # a scenario's per-account channel weights

    def p_win(self, use_m: bool, use_s: bool) -> np.ndarray:
        """Win probability with marketing's and/or sales' touches kept."""
        p = self.p
        xm = self.log_m if use_m else 0.0
        xs = self.log_s if use_s else 0.0
        sp = self.speed_term if use_s else 0.0
        return logistic(
            self.base_eta
            + p.win_marketing * xm
            + p.win_sales * xs
            + p.win_joint * xm * xs
            + p.win_speed * sp
        )

    def mean_amount(self, use_s: bool) -> np.ndarray:
        """Return the expected amount with or without sales' touches."""
        mean: np.ndarray = self.base_amount * np.exp(
            self.p.amount_sales * (self.log_s if use_s else 0.0)
        )
        return mean


@dataclass(frozen=True)
class Outcome:
    """Per account: exposures in the journey window, the model, and the drawn outcome."""

    m: np.ndarray
    s: np.ndarray
    speed_hours: np.ndarray
    model: WinModel
    p_win: np.ndarray
    won: np.ndarray
    amount: np.ndarray
    counts: np.ndarray  # (accounts x channels) touches in the journey window


def _exposures(
    scores: Scores, deals: Deals, touches: dict[str, np.ndarray], p: DemoParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Marketing and sales touches in ``[created - lookback, close]``, and speed-to-lead.

    Speed is the hours from the account's first MQL (at or before creation) to its first
    sales touch at or after that MQL and within the window.
    """
    n, acc_mql, close = deals.has_opp.shape[0], scores.account_mql, deals.close_plan
    t_acc, t_day = touches["account"], touches["day"]
    window_lo = deals.created - p.lookback_days
    in_win = deals.has_opp[t_acc] & (t_day >= window_lo[t_acc]) & (t_day <= close[t_acc])
    is_sales = touches["channel"] >= N_MARKETING
    m_cnt = np.bincount(t_acc[in_win & ~is_sales], minlength=n).astype(float)
    s_cnt = np.bincount(t_acc[in_win & is_sales], minlength=n).astype(float)
    mql_ok = ~np.isnan(acc_mql) & (acc_mql <= deals.created)
    first_sales = np.full(n, np.inf)
    cand = (
        is_sales
        & mql_ok[t_acc]
        & (t_day >= np.nan_to_num(acc_mql, nan=np.inf)[t_acc])
        & (t_day <= close[t_acc])
    )
    np.minimum.at(first_sales, t_acc[cand], t_day[cand])
    speed_h = np.where(np.isfinite(first_sales), (first_sales - acc_mql) * 24.0, np.nan)
    return m_cnt, s_cnt, speed_h


def channel_counts(deals: Deals, touches: dict[str, np.ndarray], p: DemoParams) -> np.ndarray:
    """Touches of every channel in each account's journey window (accounts x channels)."""
    n = deals.has_opp.shape[0]
    t_acc, t_day = touches["account"], touches["day"]
    window_lo = deals.created - p.lookback_days
    in_win = deals.has_opp[t_acc] & (t_day >= window_lo[t_acc]) & (t_day <= deals.close_plan[t_acc])
    cells = t_acc[in_win] * len(ALL_CHANNELS) + touches["channel"][in_win]
    counts = np.bincount(cells, minlength=n * len(ALL_CHANNELS)).astype(float)
    shaped: np.ndarray = counts.reshape(n, len(ALL_CHANNELS))
    return shaped


def close_deals(
    rng: np.random.Generator,
    acc: Accounts,
    scores: Scores,
    deals: Deals,
    touches: dict[str, np.ndarray],
    p: DemoParams,
    effects: Effects | None = None,
) -> Outcome:
    """Step 7: exposures in the journey window; the outcome and amount of every deal.

    With ``effects`` (a scenario), each touch counts by its channel's weight and a hidden
    propensity shifts the log-odds; without, every touch of a team counts the same.
    """
    m_cnt, s_cnt, speed_h = _exposures(scores, deals, touches, p)
    counts = channel_counts(deals, touches, p)
    base_eta = p.win_intercept + np.asarray(p.win_segment)[acc.segment]
    base_amount = np.asarray(p.amount_mean)[acc.segment]
    m_eff, s_eff = m_cnt, s_cnt
    if effects is not None:
        base_amount = base_amount * effects.amount_factor
        weighted = counts * effects.weights
        m_eff = weighted[:, :N_MARKETING].sum(axis=1)
        s_eff = weighted[:, N_MARKETING:].sum(axis=1)
        base_eta = base_eta + effects.latent
    model = WinModel(
        base_eta=base_eta,
        log_m=np.log1p(m_eff),
        log_s=np.log1p(s_eff),
        speed_term=np.where((s_cnt > 0) & np.isfinite(speed_h), np.log1p(speed_h / 24.0), 0.0),
        base_amount=base_amount,
        p=p,
        weights=None if effects is None else effects.weights,
    )
    prob = model.p_win(True, True)
    won = deals.is_closed & (rng.random(acc.n) < prob)
    noise = rng.gamma(p.amount_shape, 1.0 / p.amount_shape, acc.n)
    amount = np.maximum(np.round(model.mean_amount(True) * noise, -2), 100.0)
    return Outcome(m_cnt, s_cnt, speed_h, model, prob, won, amount, counts)


def deal_values(model: WinModel, rows: np.ndarray) -> dict[str, np.ndarray]:
    """Return the expected revenue of the deals at ``rows`` per counterfactual (see VALUES)."""
    switches = ((False, False), (True, False), (False, True), (True, True))
    return {
        name: model.p_win(use_m, use_s)[rows] * model.mean_amount(use_s)[rows]
        for name, (use_m, use_s) in zip(VALUES, switches, strict=True)
    }


TRUE_PREFIX = "true_"
"""Prefix of the per-deal true incremental revenue columns of each channel."""
BASELINE = "baseline"


def channel_table(opportunities: pl.DataFrame) -> pl.DataFrame:
    """Sum the per-deal ``true_<channel>`` columns into each channel's revenue and share."""
    names = [c for c in ALL_CHANNELS if f"{TRUE_PREFIX}{c}" in opportunities.columns]
    sums = opportunities.select(pl.col(f"{TRUE_PREFIX}{c}").sum() for c in names).row(0)
    total = sum(sums)
    return pl.DataFrame(
        {
            "channel": names,
            "team": [MARKETING if ALL_CHANNELS.index(c) < N_MARKETING else SALES for c in names],
            "revenue": list(sums),
            "share": [v / total if total else math.nan for v in sums],
        },
        schema={
            "channel": pl.String,
            "team": pl.String,
            "revenue": pl.Float64,
            "share": pl.Float64,
        },
    )


def contributions(truth: pl.DataFrame) -> pl.DataFrame:
    """Sum per-deal counterfactual values (see VALUES) into the four components and shares.

    Examples
    --------
    >>> deals = pl.DataFrame({"v_none": [1.0], "v_marketing": [3.0], "v_sales": [2.0],
    ...     "v_both": [5.0]})
    >>> contributions(deals)["revenue"].to_list()
    [1.0, 2.0, 1.0, 1.0]
    """
    v = truth.select(pl.col(*VALUES).sum()).row(0, named=True)
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
