"""A second simulator with known per-channel effects, shaped unlike the demo's, for tests.

The demo (``attribution.data.demo``) lets a team's touches add up inside one log term; here
each channel acts on its own, by *presence* (a deal touched by a webinar at all), with a
synergy between two channels of different teams, and touches are spread by a deal-level
engagement that also decides how many channels a deal sees (so busy deals have many
channels whether or not they win). Two channels are useless: ``ads`` (in about 93% of
journeys) and ``newsletter`` (frequent). Nothing here imports the demo, and the truth is
computed by plain enumeration of coalitions, not by the package's Shapley kernel.

The truth of a deal is the Shapley value, over its present channels, of ``amount x p(win
| kept channels)``; the no-touch baseline is nobody's. Channel shares are of the sum over
deals.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from math import factorial

import numpy as np
import polars as pl

CHANNELS = ("ads", "newsletter", "webinar", "event", "content", "call", "meeting", "demo")
TEAMS = ("marketing",) * 5 + ("sales",) * 3
EFFECT = np.array([0.0, 0.0, 0.9, 0.6, 0.25, 0.35, 0.8, 0.5])
"""Log-odds added by the presence of each channel."""
SYNERGY = 0.4
"""Log-odds added when both a webinar and a meeting are present."""
PRESENCE = np.array([3.3, -0.2, -1.0, -1.6, -0.6, 0.4, -0.3, -1.2])
"""Base log-odds of each channel appearing in a deal (shifted by engagement)."""
TOUCHES = np.array([2.0, 5.0, 0.5, 0.3, 1.0, 2.0, 1.0, 0.5])
"""Mean extra touches of a present channel (1 + Poisson)."""
SEGMENTS = ("small", "large")
START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Simulated:
    """The tables, the per-deal presence and the true channel shares."""

    tables: dict[str, pl.DataFrame]
    present: np.ndarray
    truth: pl.DataFrame  # channel, team, revenue, share


def _logistic(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-x))
    return out


def _win_logit(base: np.ndarray, kept: np.ndarray) -> np.ndarray:
    eta: np.ndarray = base + kept @ EFFECT + SYNERGY * kept[:, 2] * kept[:, 6]
    return eta


def true_values(base: np.ndarray, present: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """Each deal's Shapley value per channel of amount x p(win | kept), by enumeration."""
    n, k = present.shape
    out = np.zeros((n, k))
    m = present.sum(axis=1).astype(int)
    for subset in itertools.product((0, 1), repeat=k):
        s = np.array(subset, dtype=float)
        size = int(s.sum())
        # deals whose present channels hold the coalition
        inside = (s[None, :] <= present).all(axis=1)
        if not inside.any():
            continue
        # |S|! (m - |S| - 1)! / m! for a deal with m present channels
        table = np.array(
            [
                factorial(size) * factorial(t - size - 1) / factorial(t) if t > size else 0.0
                for t in range(k + 1)
            ]
        )
        weight = table[m]
        worth = amount * _logistic(_win_logit(base, s[None, :] * np.ones((n, 1))))
        for j in range(k):
            if subset[j]:
                continue
            joins = inside & (present[:, j] > 0)
            with_j = s.copy()
            with_j[j] = 1.0
            gain = amount * _logistic(_win_logit(base, with_j[None, :] * np.ones((n, 1)))) - worth
            out[joins, j] += weight[joins] * gain[joins]
    return out


def simulate(n_deals: int = 20_000, seed: int = 0) -> Simulated:
    """Simulate ``n_deals`` closed deals (one account each) and their touches."""
    rng = np.random.default_rng(seed)
    segment = rng.integers(0, 2, n_deals)
    engagement = rng.normal(0.0, 1.0, n_deals)
    present = rng.random((n_deals, len(CHANNELS))) < _logistic(
        PRESENCE[None, :] + 0.8 * engagement[:, None]
    )
    counts = np.where(
        present, 1 + rng.poisson(TOUCHES[None, :] * np.exp(0.3 * engagement)[:, None]), 0
    )
    base = -1.6 + 0.5 * segment
    p_win = _logistic(_win_logit(base, present.astype(float)))
    won = rng.random(n_deals) < p_win
    amount = np.round(np.exp(rng.normal(np.log(np.where(segment == 1, 60_000, 15_000)), 0.5)), -2)
    values = true_values(base, present.astype(float), amount)
    revenue = values.sum(axis=0)
    truth = pl.DataFrame(
        {"channel": CHANNELS, "team": TEAMS, "revenue": revenue, "share": revenue / revenue.sum()}
    )
    return Simulated(_tables(rng, counts, segment, won, amount), present, truth)


def _tables(
    rng: np.random.Generator,
    counts: np.ndarray,
    segment: np.ndarray,
    won: np.ndarray,
    amount: np.ndarray,
) -> dict[str, pl.DataFrame]:
    n = counts.shape[0]
    created = rng.uniform(100, 500, n)
    cycle = rng.uniform(20, 90, n)
    deal, channel = np.nonzero(counts)
    reps = counts[deal, channel]
    d = np.repeat(deal, reps)
    c = np.repeat(channel, reps)
    # marketing touches spread from 90 days before the deal, sales touches during it
    sales = c >= 5
    lo = np.where(sales, created[d], created[d] - 90)
    day = lo + rng.random(d.size) * (created[d] + cycle[d] - lo)
    ids = pl.Series([f"a{i:06d}" for i in range(n)])
    touches = pl.DataFrame(
        {
            "touch_id": [f"t{i:08d}" for i in range(d.size)],
            "account_id": ids.gather(d),
            "day": day,
            "team": np.array(TEAMS)[c],
            "channel": np.array(CHANNELS)[c],
        }
    )
    opportunities = pl.DataFrame(
        {
            "opportunity_id": [f"o{i:06d}" for i in range(n)],
            "account_id": ids,
            "created": created,
            "is_won": won,
            "amount": amount,
            "closed": created + cycle,
        }
    )
    as_time = {
        "day": "occurred_at",
        "created": "created_at",
        "closed": "closed_at",
    }

    def stamp(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(
            (
                pl.lit(START) + pl.duration(seconds=(pl.col(col) * 86_400).round(0).cast(pl.Int64))
            ).alias(name)
            for col, name in as_time.items()
            if col in frame.columns
        ).drop([col for col in as_time if col in frame.columns])

    accounts = pl.DataFrame({"account_id": ids, "segment": np.array(SEGMENTS)[segment]})
    return {
        "touches": stamp(touches),
        "opportunities": stamp(opportunities),
        "accounts": accounts,
    }
