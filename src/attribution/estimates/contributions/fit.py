"""Fitting the win and deal-size models, and drawing their coefficients for intervals.

statsmodels is imported inside the functions that fit, so ``import attribution`` stays
fast (see :mod:`attribution.estimates.modeling`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from attribution.data.schema import ACCOUNT_ID, AMOUNT, MARKETING, SALES
from attribution.estimates.contributions.design import Design
from attribution.estimates.counterfactual import (
    EXPOSURE_TERMS,
    NO_MQL,
    SPEED,
    Game,
    Linear,
    Split,
    bootstrap_draws,
    simulate_draws,
)
from attribution.estimates.modeling import fit_logit, fit_quietly
from attribution.journey.features import MARKETING_TOUCHES, SALES_TOUCHES

__all__ = ["Fits", "build_split", "coefficient_draws", "fit_models"]

_MAX_FAILED = 0.05  # share of bootstrap replicates that may fail silently


@dataclass(frozen=True)
class Fits:
    """The two fitted models (statsmodels results, ``None`` when a fit failed)."""

    win: Any
    amount: Any
    account_codes: np.ndarray
    """Each deal's account as a number 0..k-1 (the clusters and bootstrap units)."""
    messages: list[str]
    ok: bool
    """Whether both fits can be trusted."""

    @property
    def point(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the two models' estimated coefficients."""
        return (
            np.asarray(self.win.params, dtype=float),
            np.asarray(self.amount.params, dtype=float),
        )


def fit_models(design: Design, amount_model: str) -> Fits:
    """Fit the win Logit and the deal-size model; cluster by account when accounts repeat."""
    accounts = design.frame[ACCOUNT_ID]
    codes = accounts.cast(pl.Categorical).to_physical().cast(pl.Int64).to_numpy()
    codes = np.unique(codes, return_inverse=True)[1]
    clustered = accounts.n_unique() < accounts.len()
    win_pdf = design.frame.with_columns(*design.win_controls.values()).to_pandas()
    win_kw = _clustered(codes) if clustered else {}
    win_res, win_messages, win_ok = fit_logit(design.formula, win_pdf, "win model", **win_kw)
    fit_pdf = design.amount_frame().filter(design.amount_rows).to_pandas()
    amount_kw = _clustered(codes[design.amount_rows.to_numpy()]) if clustered else {}
    amount_res, amount_messages, amount_ok = fit_quietly(
        lambda: _amount_model(design.amount_formula, fit_pdf, amount_model).fit(**amount_kw),
        "deal-size model",
    )
    return Fits(win_res, amount_res, codes, win_messages + amount_messages, win_ok and amount_ok)


def _clustered(groups: np.ndarray) -> dict[str, Any]:
    return {"cov_type": "cluster", "cov_kwds": {"groups": groups}}


def _amount_model(formula: str, data: Any, amount_model: str) -> Any:
    """Return the unfitted deal-size model: Gamma GLM with log link, or OLS of log amount."""
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    if amount_model == "gamma":
        return smf.glm(formula, data, family=sm.families.Gamma(sm.families.links.Log()))
    return smf.ols(formula, data)


def build_split(
    closed: pl.DataFrame, team: Mapping[str, str], design: Design, fits: Fits, amount_model: str
) -> Split:
    """Return the counterfactual engine for these deals, players (``team``) and fits."""
    import statsmodels.formula.api as smf

    all_amounts = design.amount_frame().with_columns(
        pl.col(AMOUNT).fill_null(1.0).clip(lower_bound=1.0)
    )
    # the same right-hand side over every closed deal (same Enum levels -> same columns)
    amount_design = smf.ols(design.amount_formula, all_amounts.to_pandas())
    if list(amount_design.exog_names) != list(fits.amount.model.exog_names):  # pragma: no cover
        raise RuntimeError("the deal-size design differs between fitting and prediction")
    terms = [*EXPOSURE_TERMS, *design.group_terms.values()]
    if design.group_terms:
        columns = design.group_columns
    else:
        columns = {MARKETING: MARKETING_TOUCHES, SALES: SALES_TOUCHES}
    return Split(
        game=Game(
            players=tuple(team),
            team=dict(team),
            counts={p: closed[c].to_numpy().astype(float) for p, c in columns.items()},
            speed=design.frame[SPEED].to_numpy(),
            no_mql=design.frame[NO_MQL].to_numpy(),
            group_terms=design.group_terms,
        ),
        win=Linear.of(
            np.asarray(fits.win.model.exog, dtype=float), list(fits.win.model.exog_names), terms
        ),
        amount=Linear.of(
            np.asarray(amount_design.exog, dtype=float), amount_design.exog_names, terms
        ),
        smear=float(np.mean(np.exp(fits.amount.resid))) if amount_model == "log_ols" else 1.0,
    )


def coefficient_draws(
    fits: Fits, design: Design, *, interval: str, amount_model: str, draws: int, seed: int
) -> tuple[tuple[np.ndarray, np.ndarray], list[str]]:
    """Draw both models' coefficients: from N(b, V) or by refitting bootstrap replicates.

    Returns the draws (one row each; none when the covariance is not finite) and warnings.
    """
    rng = np.random.default_rng(seed)
    if interval == "simulation":
        sims = simulate_draws([fits.win, fits.amount], draws, rng)
        if sims is None:
            empty = (np.empty((0, len(fits.win.params))), np.empty((0, len(fits.amount.params))))
            return empty, ["a coefficient covariance is not finite, so there is no interval"]
        return (sims[0], sims[1]), []
    b_win, b_amount, failed = bootstrap_draws(
        fits.win,
        fits.amount,
        amount_model=amount_model,
        account_codes=fits.account_codes,
        amount_rows=design.amount_rows.to_numpy(),
        draws=draws,
        rng=rng,
    )
    if failed <= draws * _MAX_FAILED:
        return (b_win, b_amount), []
    return (b_win, b_amount), [
        f"{failed} of {draws} bootstrap replicates could not be refitted (separation "
        "or no convergence in the resample); the interval rests on the others"
    ]
