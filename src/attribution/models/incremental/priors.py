"""The win model's ridge priors: Newton's method and the evidence loop that sets them.

A channel term's prior precision (1 / variance) is estimated from the data by MacKay's
fixed point for the Laplace approximation of the marginal likelihood (empirical Bayes, see
:mod:`.fit`); :func:`newton` finds the ridge Logit's optimum for given precisions, warm
started, so the loop and the bootstrap's re-fits (:func:`.fit.refit`) take few steps.

Each Newton step costs deals x terms^2 (the information matrix), which is the model's cost
at scale: ``python benchmarks/incremental_scale.py`` times it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

__all__ = ["PRECISION_RANGE", "alpha_of", "empirical_bayes", "evidence_loop", "group_of", "newton"]

BASE_PENALTY = 0.01
"""Prior precision of the intercept, team terms and controls (keeps them finite)."""
PRECISION_RANGE = (1.0, 1e5)
"""Smallest and largest prior precision the empirical Bayes estimate may take."""
_SETTLED = 1e-4
"""Largest Newton step (in log-odds) at which the evidence loop's coefficients count as fitted."""


def newton(
    exog: np.ndarray,
    endog: np.ndarray,
    precision: np.ndarray,
    start: np.ndarray,
    weights: np.ndarray | None = None,
    steps: int = 25,
) -> tuple[np.ndarray, np.ndarray]:
    """Find the ridge Logit's optimum by Newton's method; also the posterior information.

    Minimises ``-loglike + sum(precision * params**2) / 2`` (the objective statsmodels'
    ``fit_regularized`` minimises, times the number of deals) from ``start``: each step
    solves ``(X'WX + diag(precision)) step = score``. Used where the model is refitted
    many times (the empirical Bayes loop, bootstrap resamples), warm-started from a nearby
    optimum, so a few steps suffice.

    Examples
    --------
    >>> x = np.column_stack([np.ones(6), [0.0, 1, 2, 3, 4, 5]])
    >>> params, _ = newton(x, np.array([0.0, 0, 1, 0, 1, 1]), np.array([0.0, 1.0]), np.zeros(2))
    >>> params.round(3).tolist()
    [-1.918, 0.767]
    """
    w = np.ones(len(endog)) if weights is None else weights
    params = start.copy()
    with threadpool_limits(limits=1, user_api="blas"):  # small solves: threads only wait
        return _newton_steps(exog, endog, precision, params, w, steps)


def _newton_steps(
    exog: np.ndarray,
    endog: np.ndarray,
    precision: np.ndarray,
    params: np.ndarray,
    w: np.ndarray,
    steps: int,
) -> tuple[np.ndarray, np.ndarray]:
    information = np.eye(len(params))
    for _ in range(steps):
        p = 0.5 * (1.0 + np.tanh(0.5 * (exog @ params)))
        score = exog.T @ (w * (endog - p)) - precision * params
        information = (exog * (w * p * (1.0 - p))[:, None]).T @ exog + np.diag(precision)
        step = np.linalg.lstsq(information, score, rcond=None)[0]
        params = params + step
        if np.max(np.abs(step)) < 1e-10:
            break
    return params, information


def group_of(name: str) -> str:
    """Return the prior a term belongs to (other terms than these two have none).

    ``channel``: a channel's difference from its team's average touch; ``segment``: its
    difference in one segment.
    """
    if not name.startswith("x"):
        return ""
    return "segment" if "_g" in name else "channel"


def alpha_of(names: tuple[str, ...], precision: dict[str, float], n: float) -> np.ndarray:
    """Per-deal ridge weights of every coefficient (statsmodels' ``alpha``)."""
    return np.array([precision.get(group_of(name), BASE_PENALTY) / n for name in names])


def empirical_bayes(
    model: Any, names: tuple[str, ...], rows: np.ndarray
) -> tuple[dict[str, float], np.ndarray]:
    """Prior precisions of the channel terms and of their segment differences (evidence).

    One prior for the channels' differences from their team's average touch, one for
    their differences by segment. Repeat: one Newton step of the ridge model with the
    current precisions; each prior's new precision is its effective number of terms over
    their sum of squares (MacKay's fixed point for the Laplace approximation of the
    marginal likelihood: ``gamma = sum(1 - lambda * posterior variance)``), until neither
    moves by more than 1% and the step is below :data:`_SETTLED`. Coefficients and
    precisions reach their joint fixed point together, the same end as a full fit per
    round in about a third of the steps. The precise estimates of a channel that clearly
    differs are kept; the noise of the others is shrunk away.

    Also returns the last round's coefficients (a close start for the final fit).
    """
    exog = np.asarray(model.exog)[rows]
    endog = np.asarray(model.endog)[rows]
    labels = {group_of(n) for n in names} - {""}
    rate = float(np.clip(endog.mean(), 1e-6, 1 - 1e-6))
    params = np.zeros(exog.shape[1])
    params[0] = np.log(rate / (1 - rate))  # the intercept comes first in the formula's design
    start = dict.fromkeys(labels, 100.0)
    return evidence_loop(exog, endog, names, start, params, refit=False)


def evidence_loop(
    exog: np.ndarray,
    endog: np.ndarray,
    names: tuple[str, ...],
    precision: dict[str, float],
    params: np.ndarray,
    weights: np.ndarray | None = None,
    rounds: int = 50,
    refit: bool = True,
) -> tuple[dict[str, float], np.ndarray]:
    """MacKay's fixed point of the prior precisions from ``precision`` (see above).

    Returns the precisions and (with ``refit``) the coefficients fitted with them,
    weighted by ``weights`` (a bootstrap resample's) when given; without, the last
    round's coefficients.
    """
    labels = np.array([group_of(n) for n in names])
    groups = {g: labels == g for g in precision}
    for _ in range(rounds):
        # one Newton step per round: coefficients and precisions move toward their joint
        # fixed point together (a full fit per round would take ~3 steps for the same end)
        before = params
        params, information = newton(
            exog, endog, alpha_of(names, precision, 1.0), params, weights, steps=1
        )
        with threadpool_limits(limits=1, user_api="blas"):  # a small matrix: threads only wait
            variance = np.diag(np.linalg.pinv(information))
        new = {}
        for k, v in groups.items():
            gamma = max(float(np.sum(1.0 - precision[k] * variance[v])), 1e-3)
            new[k] = float(np.clip(gamma / max(np.sum(params[v] ** 2), 1e-12), *PRECISION_RANGE))
        settled = float(np.max(np.abs(params - before), initial=0.0)) < _SETTLED
        done = settled and all(abs(np.log(new[k] / precision[k])) < 0.01 for k in new)
        precision = new
        if done:
            break
    if refit:
        params, _ = newton(exog, endog, alpha_of(names, precision, 1.0), params, weights)
    return precision, params
