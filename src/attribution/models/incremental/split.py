"""Each won deal's revenue split by the exact Shapley value of its channels in the win model.

For a deal, the players are the channels in the model that it touched (only the requested
team's when a team is given; the other team's touches are then held as they were). The
worth of a set ``S`` of them is the fitted win probability with only their touches kept,
``p(S)``. A channel's share of the deal is its Shapley value divided by ``p(all)``; the
rest, ``p(none) / p(all)``, is the baseline: what the model says the deal would have had
without any of those touches. Shares and baseline add up to 1, so every won deal's amount
is conserved. A channel whose Shapley value in a deal is negative is floored at 0 there
(and the amount floored is reported); the baseline then shrinks by as much. Shapley
values are exact: every coalition of the deal's channels
is enumerated, for all deals at once (:func:`attribution._coalitions.row_shapley`).
"""

from __future__ import annotations

import numpy as np

from attribution._coalitions import row_shapley
from attribution.data.schema import MARKETING, SALES
from attribution.models.incremental.design import Design, exposure_of
from attribution.models.incremental.fit import WinFit

__all__ = ["deal_shares", "players_of", "win_probability"]


def _logistic(eta: np.ndarray) -> np.ndarray:
    p: np.ndarray = 0.5 * (1.0 + np.tanh(0.5 * eta))  # stable for any eta
    return p


def players_of(design: Design, fit: WinFit, team: str | None) -> np.ndarray:
    """Which channels are players: in the model, and of ``team`` when one is given."""
    mine = np.zeros(len(design.channels), dtype=bool)
    mine[fit.players] = True
    if team is not None:
        mine &= design.is_team(team)
    return mine


def _eta(
    design: Design,
    fit: WinFit,
    base: np.ndarray,
    lin: np.ndarray,
    m: np.ndarray,
    s: np.ndarray,
    speed: np.ndarray,
) -> np.ndarray:
    """Log-odds with team totals ``m``/``s`` kept (``speed`` acts while ``s > 0``)."""
    b_m, b_s, g, b_speed = fit.team
    lm, ls = design.team_totals(m), design.team_totals(s)
    eta: np.ndarray = base + lin + b_m * lm + b_s * ls + g * lm * ls + b_speed * speed * (s > 0)
    return eta


def _speed(design: Design, rows: np.ndarray) -> np.ndarray:
    return np.zeros(len(rows)) if design.speed is None else design.speed[rows]


def win_probability(
    design: Design, fit: WinFit, rows: np.ndarray, counts: np.ndarray
) -> np.ndarray:
    """Fitted win probability of the deals at ``rows`` with these touches (rows x channels)."""
    in_model = np.zeros(len(design.channels), dtype=bool)
    in_model[fit.players] = True
    x = exposure_of(counts, design.exposure)
    parts = design.team_parts(counts)
    m = np.where(in_model & design.is_team(MARKETING), parts, 0.0).sum(axis=1)
    s = np.where(in_model & design.is_team(SALES), parts, 0.0).sum(axis=1)
    lin = (x * fit.deal_delta(design, rows)).sum(axis=1)
    return _logistic(_eta(design, fit, fit.offset[rows], lin, m, s, _speed(design, rows)))


def deal_shares(
    design: Design, fit: WinFit, rows: np.ndarray, *, team: str | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each deal's share per channel (rows x channels), its baseline share, what was floored.

    A channel whose Shapley value in a deal is negative (its touches lower the predicted
    chance there) gets 0; the third array holds, per deal and channel, the negative share
    so floored (0 elsewhere). The baseline is what is left of 1 (never below 0).
    """
    counts = design.counts[rows]
    x = exposure_of(counts, design.exposure)
    players = players_of(design, fit, team)
    in_model = np.zeros(len(design.channels), dtype=bool)
    in_model[fit.players] = True
    fixed = in_model & ~players
    marketing, sales = design.is_team(MARKETING), design.is_team(SALES)
    delta = fit.deal_delta(design, rows)
    base = fit.offset[rows] + (np.where(fixed, x, 0.0) * delta).sum(axis=1)
    parts_of_team = design.team_parts(counts)
    fixed_m = np.where(fixed & marketing, parts_of_team, 0.0).sum(axis=1)
    fixed_s = np.where(fixed & sales, parts_of_team, 0.0).sum(axis=1)
    speed = _speed(design, rows)
    mine = np.where(players, parts_of_team, 0.0)
    parts = np.stack(
        [
            np.where(players, x, 0.0) * delta,
            np.where(marketing, mine, 0.0),
            np.where(sales, mine, 0.0),
        ],
        axis=2,
    )

    def worth(sums: np.ndarray, at: np.ndarray) -> np.ndarray:
        m = fixed_m[at][:, None] + sums[1]
        s = fixed_s[at][:, None] + sums[2]
        return _logistic(_eta(design, fit, base[at][:, None], sums[0], m, s, speed[at][:, None]))

    phi = row_shapley(mine > 0, parts, worth)
    total = parts.sum(axis=1)
    p_all = _logistic(
        _eta(design, fit, base, total[:, 0], fixed_m + total[:, 1], fixed_s + total[:, 2], speed)
    )
    shares = np.clip(phi, 0.0, None) / p_all[:, None]
    floored = np.clip(phi, None, 0.0) / p_all[:, None]
    # Shapley values add up to p(all) - p(none), so the baseline p(none) / p(all) is what
    # is left of 1; shares floored at 0 can leave less (then they are scaled to fit)
    total_share = shares.sum(axis=1)
    over = total_share > 1.0
    shares[over] /= total_share[over, None]
    baseline = np.clip(1.0 - shares.sum(axis=1), 0.0, None)
    return shares, baseline, floored
