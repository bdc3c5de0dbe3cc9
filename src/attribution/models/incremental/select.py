"""Choosing how exposure enters the win model, by how well it predicts held-out deals.

A channel may work by being there at all (a deal that saw a demo) or the more the more
touches it has (``log1p`` of them); which describes the data better is an empirical
question, so ``exposure="auto"`` fits both and keeps the one whose predictions of winning
are better on deals it was not fitted on: 5 folds of accounts (an account's deals stay
together), each form refitted on four and scored on the fifth by log-loss, with the prior
precisions of the full fit (as ChannelAttribution chooses a Markov order by its
predictions, here out of sample). With more than 100,000 closed deals the comparison is
made on a seeded sample of that many (:func:`~.fit.sample_rows`, the sample the priors are
estimated on); the chosen form is then fitted on every deal.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import polars as pl

from attribution.data.schema import ACCOUNT_ID
from attribution.models.incremental.design import Design, Exposure
from attribution.models.incremental.fit import WinFit, fit_win_model, sample_rows
from attribution.models.incremental.priors import newton

__all__ = ["FOLDS", "choose_exposure", "folds", "held_out_loss", "held_out_probability"]

FOLDS = 5
"""Folds of accounts for the held-out comparison."""
CANDIDATES: tuple[Exposure, ...] = ("log", "presence")


def folds(design: Design, k: int = FOLDS) -> np.ndarray:
    """Return the fold of every deal: a hash of its account, so an account's deals stay together.

    Examples
    --------
    >>> import attribution as at
    >>> from attribution.models.incremental.design import build_design
    >>> d = build_design(at.journeys(at.demo.generate(n_accounts=500, seed=1)))
    >>> sorted(set(folds(d).tolist()))
    [0, 1, 2, 3, 4]
    """
    hashed = design.deals.select(pl.col(ACCOUNT_ID).hash(seed=7) % k).to_series()
    out: np.ndarray = hashed.to_numpy().astype(np.int64)
    return out


def held_out_probability(
    design: Design, fit: WinFit, fold: np.ndarray, rows: np.ndarray | None = None
) -> np.ndarray:
    """Return each deal's chance to win, predicted by the model fitted without its fold.

    Over every deal, or only the deals at ``rows`` (fitted on and predicted for them alone).
    """
    at = np.arange(len(fold)) if rows is None else rows
    y = design.won[at].astype(float)
    if fit.results is None:
        return np.full(len(y), np.nan)
    exog, fold = fit.exog[at], fold[at]
    eta = np.empty(len(y))
    for f in np.unique(fold):
        train = fold != f
        params, _ = newton(exog[train], y[train], fit.alpha * train.sum(), fit.params)
        eta[~train] = exog[~train] @ params
    p: np.ndarray = np.clip(0.5 * (1.0 + np.tanh(0.5 * eta)), 1e-12, 1 - 1e-12)
    return p


def held_out_loss(
    design: Design, fit: WinFit, fold: np.ndarray, rows: np.ndarray | None = None
) -> float:
    """Mean log-loss of winning over deals (or at ``rows``), each predicted without its fold."""
    if fit.results is None:
        return float("nan")
    p = held_out_probability(design, fit, fold, rows)
    y = design.won[np.arange(len(fold)) if rows is None else rows].astype(float)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def choose_exposure(
    design: Design, *, penalty: float | str
) -> tuple[Design, WinFit, dict[str, float]]:
    """Fit each exposure form; return the design and fit that predict held-out deals best.

    Also returns every form's held-out log-loss.
    """
    fold = folds(design)
    rows = sample_rows(len(fold))
    fitted: dict[str, tuple[Design, WinFit]] = {}
    losses: dict[str, float] = {}
    for form in CANDIDATES:
        candidate = replace(design, exposure=form)
        fit = fit_win_model(candidate, penalty=penalty)
        fitted[form] = (candidate, fit)
        losses[form] = held_out_loss(candidate, fit, fold, rows)
    usable = {k: v for k, v in losses.items() if np.isfinite(v)}
    best = min(usable, key=lambda k: usable[k]) if usable else CANDIDATES[0]
    chosen, fit = fitted[best]
    return chosen, fit, losses
