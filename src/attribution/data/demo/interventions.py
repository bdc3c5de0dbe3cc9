"""What a scenario or an experiment does to one chunk of the simulation, around step 7.

Both act on the touches just before deals close (:func:`before_close`: extra touches,
holdouts, the hidden propensity) and just after (:func:`after_close`: touches that follow
the outcome). They draw from a generator of their own, so the built-in demo's draws are
never touched. An experiment holds a random share of the accounts out of one marketing
channel: their touches of it are taken away before the deals close, so the win model sees
the difference (lead scores and opportunities were drawn with them: a holdout here changes
winning, not opportunity creation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import polars as pl

from attribution.data.demo.catalog import ALL_CHANNELS, DEAL_MIX, MARKETING_CHANNELS, N_MARKETING
from attribution.data.demo.channels import win_probability
from attribution.data.demo.draws import choice, logistic, uniform_between
from attribution.data.demo.marketing import Accounts
from attribution.data.demo.params import DemoParams
from attribution.data.demo.sales import Deals, Routes
from attribution.data.demo.scenarios import (
    HIDDEN_PROPENSITY,
    INDUSTRY_PROPENSITY,
    Scenario,
    channel_weights,
)
from attribution.data.demo.truth import Effects, Outcome, channel_counts
from attribution.errors import ParameterError

__all__ = [
    "Plan",
    "after_close",
    "before_close",
    "check_experiments",
    "experiments_table",
    "lift_columns",
]

TOUCH_FIELDS = ("account", "day", "channel", "contact", "rep")
AMOUNT_PROPENSITY = 0.4
"""How much a deal's propensity (confounded scenario) raises its amount, in log units."""


@dataclass(frozen=True)
class Plan:
    """A chunk's scenario and experiments, with the holdout arm of every account."""

    scenario: Scenario
    experiments: tuple[str, ...]  # a marketing channel per experiment
    holdout_share: float
    rng: np.random.Generator
    holdout: np.ndarray | None = None  # (accounts x experiments), set by before_close

    @property
    def is_default(self) -> bool:
        """Whether the plan changes nothing (the built-in demo)."""
        return self.scenario.is_default and not self.experiments


def check_experiments(experiments: Sequence[str], holdout_share: float) -> tuple[str, ...]:
    """Return the experiments' channels, checked: distinct marketing channels.

    Examples
    --------
    >>> check_experiments(["webinar"], 0.5)
    ('webinar',)
    >>> check_experiments(["demo"], 0.5)
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: demo experiments hold out marketing channels ...
    """
    names = (experiments,) if isinstance(experiments, str) else tuple(experiments)
    wrong = [c for c in names if c not in MARKETING_CHANNELS]
    if wrong:
        raise ParameterError(
            f"demo experiments hold out marketing channels ({', '.join(MARKETING_CHANNELS)}); "
            f"got {', '.join(map(repr, wrong))}"
        )
    if len(set(names)) != len(names):
        raise ParameterError(f"experiments names a channel twice: {list(names)}")
    if isinstance(holdout_share, bool) or not 0.05 <= holdout_share <= 0.95:
        raise ParameterError(f"holdout_share must be from 0.05 to 0.95, got {holdout_share!r}")
    return names


def _append(touches: dict[str, np.ndarray], new: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: np.concatenate([touches[k], new[k].astype(touches[k].dtype)]) for k in TOUCH_FIELDS}


def _touches(
    a: np.ndarray, day: np.ndarray, channel: np.ndarray, rep: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    none = np.full(a.size, -1, np.int64)
    return {
        "account": a,
        "day": day,
        "channel": channel,
        "contact": none,
        "rep": none if rep is None else rep,
    }


def _extra(
    plan: Plan, deals: Deals, touches: dict[str, np.ndarray], p: DemoParams
) -> dict[str, np.ndarray]:
    """Extra touches of the scenario's frequent channels in deals' windows."""
    rng = plan.rng
    n = deals.has_opp.shape[0]
    for name, (share, most) in plan.scenario.extra.items():
        picked = deals.has_opp & (rng.random(n) < share)
        a = np.repeat(np.arange(n), np.where(picked, rng.integers(1, most + 1, n), 0))
        lo = np.maximum(deals.created[a] - 90.0, 0.0)
        day = uniform_between(rng, lo, np.minimum(deals.close_plan[a], p.horizon - 1e-6))
        channel = np.full(a.size, ALL_CHANNELS.index(name))
        touches = _append(touches, _touches(a, day, channel))
    return touches


def _confounded(
    plan: Plan,
    acc: Accounts,
    deals: Deals,
    routes: Routes,
    touches: dict[str, np.ndarray],
    p: DemoParams,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Return a deal's propensity: more sales touches on the deals likelier to be won anyway.

    The propensity is the industry's (``INDUSTRY_PROPENSITY``) plus a hidden part. Returns
    the touches and the propensity times the scenario's strength.
    """
    rng, strength = plan.rng, plan.scenario.confounding
    n = deals.has_opp.shape[0]
    z = np.asarray(INDUSTRY_PROPENSITY)[acc.industry] + rng.normal(0.0, HIDDEN_PROPENSITY, n)
    worked = deals.has_opp & routes.engaged
    lam = np.where(worked, deals.cycle / 7.0 * p.sales_touches_per_week * 1.5, 0.0)
    extra = rng.poisson(lam * logistic(2.0 * strength * z))
    a = np.repeat(np.arange(n), extra)
    day = uniform_between(rng, deals.created[a], deals.close_plan[a])
    channel = choice(rng, a.size, DEAL_MIX[None, :]) + N_MARKETING
    keep = day < p.horizon
    new = _touches(a[keep], day[keep], channel[keep], rep=routes.rep[a][keep])
    return _append(touches, new), strength * z


def before_close(
    plan: Plan,
    acc: Accounts,
    deals: Deals,
    routes: Routes,
    touches: dict[str, np.ndarray],
    p: DemoParams,
) -> tuple[Plan, dict[str, np.ndarray], Effects, np.ndarray]:
    """Apply the scenario's and the experiments' changes before deals close.

    Returns the plan with each account's holdout arms, the touches, the scenario's effects
    on the win model and each channel's window counts before any holdout.
    """
    s = plan.scenario
    latent = np.zeros(acc.n)
    if s.extra:
        touches = _extra(plan, deals, touches, p)
    if s.confounding:
        touches, latent = _confounded(plan, acc, deals, routes, touches, p)
    full = channel_counts(deals, touches, p)
    holdout = plan.rng.random((acc.n, len(plan.experiments))) < plan.holdout_share
    if plan.experiments:
        codes = np.array([ALL_CHANNELS.index(c) for c in plan.experiments])
        hit = (touches["channel"][:, None] == codes[None, :]) & holdout[touches["account"]]
        touches = {k: v[~hit.any(axis=1)] for k, v in touches.items()}
    effects = Effects(
        weights=channel_weights(s, acc.segment),
        latent=latent,
        amount_factor=np.exp(AMOUNT_PROPENSITY * latent),
    )
    planned = Plan(s, plan.experiments, plan.holdout_share, plan.rng, holdout)
    return planned, touches, effects, full


def after_close(
    plan: Plan, deals: Deals, outcome: Outcome, touches: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Add the touches that follow the outcome: demand capture right before the close."""
    s, rng = plan.scenario, plan.rng
    if not s.capture:
        return touches
    n = deals.has_opp.shape[0]
    share = np.where(outcome.won, s.capture_won, s.capture_lost)
    picked = deals.is_closed & (rng.random(n) < share)
    a = np.flatnonzero(picked)
    day = np.maximum(deals.close_plan[a] - rng.uniform(0.0, 3.0, a.size), deals.created[a])
    channel = np.full(a.size, ALL_CHANNELS.index(s.capture))
    return _append(touches, _touches(a, day, channel))


def lift_columns(
    plan: Plan, outcome: Outcome, full: np.ndarray, rows: np.ndarray
) -> dict[str, np.ndarray]:
    """Per closed deal and experiment: how much keeping the channel raises winning.

    ``win_lift_<channel>`` is ``p(win | its touches of the channel kept) - p(win | none)``
    in the true model, the other touches as they were.
    """
    out = {}
    for name in plan.experiments:
        c = ALL_CHANNELS.index(name)
        kept = outcome.counts[rows].copy()
        kept[:, c] = full[rows, c]
        removed = kept.copy()
        removed[:, c] = 0.0
        with_channel = win_probability(outcome, rows, kept)
        without = win_probability(outcome, rows, removed)
        out[f"win_lift_{name}"] = with_channel - without
    return out


def experiments_table(plan: Plan, aid: pl.Expr, start: datetime, end: datetime) -> pl.DataFrame:
    """Build the ``experiments`` table: every account of the chunk in every experiment, by arm."""
    assert plan.holdout is not None
    n, parts = plan.holdout.shape[0], []
    for e, name in enumerate(plan.experiments):
        frame = pl.DataFrame({"acc": np.arange(n), "hold": plan.holdout[:, e]})
        parts.append(
            frame.select(
                pl.lit(f"{name} holdout").alias("experiment"),
                aid.alias("account_id"),
                pl.when(pl.col("hold"))
                .then(pl.lit("holdout"))
                .otherwise(pl.lit("treatment"))
                .alias("arm"),
                pl.lit(name).alias("channel"),
                pl.lit(None, dtype=pl.String).alias("campaign"),
                pl.lit(start).dt.cast_time_unit("us").alias("start"),
                pl.lit(end).dt.cast_time_unit("us").alias("end"),
            )
        )
    return pl.concat(parts)
