"""The lift the win model implies for an experiment's accounts, and its standard error.

Over the closed deals of the treatment accounts, the model's lift of a channel is
``sum(p(win | their touches) - p(win | without the channel's touches))`` divided by the
number of treatment accounts (:func:`implied_lift`). Its standard error
(:func:`implied_lift_se`) is the delta method on the Laplace posterior of the ridge Logit:
the coefficients' covariance is the inverse of the posterior information ``X'WX +
diag(prior precision)`` at the optimum (the matrix :func:`.priors.newton` builds), and the
lift's gradient in the coefficients is exact, because a deal's log-odds are linear in them
(:func:`design_rows` gives the rows of the design matrix with any touches). It carries how
unsure the coefficients are given the priors, not how unsure the priors themselves are.
"""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

from attribution.models.incremental.design import Design
from attribution.models.incremental.fit import WinFit, touch_columns
from attribution.models.incremental.split import win_probability

__all__ = ["design_rows", "implied_lift", "implied_lift_se", "information"]


def _without(design: Design, rows: np.ndarray, channel: int) -> tuple[np.ndarray, np.ndarray]:
    counts = design.counts[rows]
    without = counts.copy()
    without[:, channel] = 0.0
    return counts, without


def implied_lift(design: Design, fit: WinFit, rows: np.ndarray, channel: int) -> float:
    """Return the model's lift on winning over the deals at ``rows``: sum of p(all) - p(without).

    Examples
    --------
    >>> import attribution as at
    >>> from attribution.models.incremental.design import build_design
    >>> from attribution.models.incremental.fit import fit_win_model
    >>> d = build_design(at.journeys(at.demo.generate(n_accounts=1_000, seed=0)))
    >>> implied_lift(d, fit_win_model(d), np.arange(0), 0)
    0.0
    """
    if len(rows) == 0:
        return 0.0
    counts, without = _without(design, rows, channel)
    kept = win_probability(design, fit, rows, counts)
    return float((kept - win_probability(design, fit, rows, without)).sum())


def design_rows(design: Design, fit: WinFit, rows: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Return the win model's design-matrix rows of the deals at ``rows`` with these touches.

    The deals' own rows (``fit.exog``) with the channel and team columns recomputed from
    ``counts``: ``design_rows(...) @ fit.params`` are the log-odds that
    :func:`.split.win_probability` gives.
    """
    z = np.array(fit.exog[rows], dtype=float)
    column = {name: i for i, name in enumerate(fit.names)}
    for name, value in touch_columns(design, fit.players, counts, rows).items():
        z[:, column[name]] = value
    return z


def information(design: Design, fit: WinFit) -> np.ndarray:
    """Return the posterior information of the coefficients at the fitted optimum.

    ``X'WX + diag(prior precision)``, ``W`` the deals' ``p (1 - p)``; the prior precision
    is statsmodels' per-deal ``alpha`` times the number of deals (:func:`.priors.alpha_of`).
    """
    exog = fit.exog
    p = 0.5 * (1.0 + np.tanh(0.5 * (exog @ fit.params)))
    with threadpool_limits(limits=1, user_api="blas"):  # a small matrix: threads only wait
        out: np.ndarray = (exog * (p * (1.0 - p))[:, None]).T @ exog
    return out + np.diag(fit.alpha * design.deals.height)


def implied_lift_se(
    design: Design, fit: WinFit, rows: np.ndarray, channel: int, info: np.ndarray
) -> float:
    """Return the standard error of :func:`implied_lift` (the sum; delta method, see above).

    ``info`` is :func:`information` of the fit. 0 when the model has no coefficients or
    ``rows`` is empty.
    """
    if len(rows) == 0 or fit.params.size == 0:
        return 0.0
    counts, without = _without(design, rows, channel)
    z_all = design_rows(design, fit, rows, counts)
    z_out = design_rows(design, fit, rows, without)
    p = 0.5 * (1.0 + np.tanh(0.5 * (z_all @ fit.params)))
    q = 0.5 * (1.0 + np.tanh(0.5 * (z_out @ fit.params)))
    gradient = (p * (1.0 - p)) @ z_all - (q * (1.0 - q)) @ z_out
    with threadpool_limits(limits=1, user_api="blas"):
        solved = np.linalg.lstsq(info, gradient, rcond=None)[0]
    return float(np.sqrt(max(float(gradient @ solved), 0.0)))
