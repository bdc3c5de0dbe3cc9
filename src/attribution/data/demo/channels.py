"""The true incremental revenue of every channel, computed from the generating model.

For each closed deal, the players are the channels with a touch in its journey window and
the worth of a set ``S`` of them is the deal's expected revenue when only the touches of
``S`` are kept: ``amount x p(win | S)`` in the known win model (the deal's amount held
fixed; the speed-to-lead term counts while any sales touch is kept). A channel's true
credit in the deal is its exact Shapley value of that game (every coalition enumerated,
:func:`attribution._coalitions.row_shapley`); the worth of the empty set (the no-touch
baseline) is nobody's. Nothing here draws random numbers: it is computed after the fact.
"""

from __future__ import annotations

import numpy as np

from attribution._coalitions import row_shapley
from attribution.data.demo.catalog import N_MARKETING
from attribution.data.demo.draws import logistic
from attribution.data.demo.truth import Outcome

__all__ = ["true_channel_values", "win_probability"]


def _weights(outcome: Outcome, rows: np.ndarray) -> np.ndarray:
    w = outcome.model.weights
    return np.ones_like(outcome.counts[rows]) if w is None else w[rows]


def _eta(
    outcome: Outcome, rows: np.ndarray, m: np.ndarray, s: np.ndarray, raw_s: np.ndarray
) -> np.ndarray:
    """Log-odds of winning with ``m``/``s`` weighted touches and ``raw_s`` sales touches kept."""
    model, p = outcome.model, outcome.model.p
    shape = (len(rows),) + (1,) * (m.ndim - 1)
    lm, ls = np.log1p(m), np.log1p(s)
    speed = model.speed_term[rows].reshape(shape) * (raw_s > 0)
    eta: np.ndarray = (
        model.base_eta[rows].reshape(shape)
        + p.win_marketing * lm
        + p.win_sales * ls
        + p.win_joint * lm * ls
        + p.win_speed * speed
    )
    return eta


def win_probability(outcome: Outcome, rows: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Return the true win probability of the deals at ``rows`` with these touch counts."""
    weighted = counts * _weights(outcome, rows)
    m = weighted[:, :N_MARKETING].sum(axis=1)
    s = weighted[:, N_MARKETING:].sum(axis=1)
    raw_s = counts[:, N_MARKETING:].sum(axis=1)
    return logistic(_eta(outcome, rows, m, s, raw_s))


def true_channel_values(outcome: Outcome, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each deal's true incremental revenue per channel (rows x channels) and its baseline.

    Examples
    --------
    >>> import attribution as at
    >>> o = at.demo.generate(n_accounts=300, seed=3).truth.opportunities
    >>> total = sum(o[c] for c in o.columns if c.startswith("true_"))
    >>> bool(((total - o["amount"] * o["p_win"]).abs() < 1e-6).all())
    True
    """
    counts = outcome.counts[rows]
    weighted = counts * _weights(outcome, rows)
    sales = np.arange(counts.shape[1]) >= N_MARKETING
    parts = np.stack(
        [
            np.where(sales, 0.0, weighted),
            np.where(sales, weighted, 0.0),
            np.where(sales, counts, 0.0),
        ],
        axis=2,
    )
    amount = outcome.amount[rows]

    def worth(sums: np.ndarray, at: np.ndarray) -> np.ndarray:
        eta = _eta(outcome, rows[at], sums[0], sums[1], sums[2])
        value: np.ndarray = amount[at][:, None] * logistic(eta)
        return value

    values = row_shapley(counts > 0, parts, worth)
    zero = np.zeros(len(rows))
    baseline = amount * logistic(_eta(outcome, rows, zero, zero, zero))
    return values, baseline
