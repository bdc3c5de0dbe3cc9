"""What the data and the fitted models must show before a revenue split can be trusted.

:func:`support_problems` looks at the closed deals before anything is fitted (enough of
each outcome, exposures that vary and do not separate wins from losses, recorded amounts);
:func:`fit_warnings` and :func:`gap_warning` look at the fitted models.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from attribution._intervals import check_draws, check_level
from attribution.data.schema import AMOUNT, IS_WON, MARKETING, SALES
from attribution.estimates.checks import check_choice, check_choices
from attribution.estimates.contributions.result import AMOUNT_MODELS, CONTROLS, INTERVALS
from attribution.estimates.counterfactual import INTER
from attribution.estimates.diagnostics import few_events_warning
from attribution.journey.features import MARKETING_TOUCHES, SALES_TOUCHES

__all__ = ["check_params", "fit_warnings", "gap_warning", "support_problems", "vif"]

_MIN_EVENTS = 20  # won and lost deals each, below which no split is attempted
_MIN_AMOUNTS = 10  # won deals with an amount, below which deal size is not modelled
_NEARLY_ALL = 0.99  # share of deals with the same touch count that leaves nothing to compare
_SMALL_SAMPLE = 200  # closed deals below which intervals may undercover
_MAX_VIF = 10
_MAX_COEFFICIENT, _MAX_STANDARD_ERROR = 10, 5  # beyond these: a sign of quasi-separation
_MAX_GAP = 0.1  # share of booked revenue the fitted expected revenue may differ by


def check_params(
    controls: Sequence[str], interval: str, amount_model: str, level: float, draws: int
) -> None:
    """Raise a :class:`~attribution.errors.ParameterError` for a parameter out of range."""
    check_choices("controls", controls, CONTROLS)
    check_choice("interval", interval, INTERVALS)
    check_choice("amount_model", amount_model, AMOUNT_MODELS)
    check_level(level)
    check_draws(draws)


def support_problems(closed: pl.DataFrame) -> tuple[list[str], list[str]]:
    """Reasons the data cannot support a split (fatal), and softer warnings."""
    n = closed.height
    wins = int(closed[IS_WON].sum()) if n else 0
    if n == 0:
        return ["there are no closed (won or lost) opportunities to learn from"], []
    if wins in (0, n):
        state = "lost" if wins == 0 else "won"
        return [f"all {n:,} closed opportunities were {state}; a win model needs both"], []
    fatal: list[str] = []
    if min(wins, n - wins) < _MIN_EVENTS:
        fatal.append(
            f"only {n:,} closed opportunities ({wins:,} won, {n - wins:,} lost): too few for a "
            f"split, which needs at least {_MIN_EVENTS} of each"
        )
    for team, col in ((MARKETING, MARKETING_TOUCHES), (SALES, SALES_TOUCHES)):
        fatal += _exposure_problems(closed, team, col)
    amount_fatal, soft = _amount_problems(closed.filter(pl.col(IS_WON)))
    return fatal + amount_fatal, soft


def _exposure_problems(closed: pl.DataFrame, team: str, col: str) -> list[str]:
    """Return why one team's touches cannot be told apart from the outcome or baseline."""
    n = closed.height
    mode, mode_count = closed[col].value_counts(sort=True).row(0)
    if mode_count >= _NEARLY_ALL * n:
        return [
            f"{'every' if mode_count == n else 'nearly every'} closed opportunity "
            f"({mode_count:,} of {n:,}) has exactly {mode} {team} touch(es) in its window "
            f"(e.g. one recorded touch per lead), so what {team} adds cannot be told apart "
            "from the baseline"
        ]
    one_sided = []
    for touched in (True, False):
        part = closed.filter((pl.col(col) > 0) == touched)
        if part.height and part[IS_WON].n_unique() == 1:
            state = "won" if part[IS_WON][0] else "lost"
            label = f"with {team} touches" if touched else f"without {team} touches"
            one_sided.append(f"every deal {label} was {state} ({part.height:,} deals)")
    if not one_sided:
        return []
    recorded = closed.filter(pl.col(col) > 0)[IS_WON].all()
    hint = f"; {team} activity seems to be recorded only for won deals" if recorded else ""
    return [
        f"{team} exposure separates wins from losses perfectly ({'; '.join(one_sided)})"
        f"{hint}, so the data cannot say what {team} adds"
    ]


def _amount_problems(won: pl.DataFrame) -> tuple[list[str], list[str]]:
    """Return why won deals' amounts cannot be modelled (fatal), or a softer warning."""
    zero = int((won[AMOUNT].fill_null(0.0) <= 0).sum())
    if zero * 2 > won.height or won.height - zero < _MIN_AMOUNTS:
        return [
            f"{zero:,} of {won.height:,} won deals have no amount (0 or empty), so expected "
            "revenue cannot be modelled; a revenue split would describe only the few deals "
            "with a recorded value"
        ], []
    if zero:
        return [], [
            f"{zero:,} of {won.height:,} won deals have no amount (0 or empty); they are left "
            "out of the deal-size model but counted in booked revenue"
        ]
    return [], []


def fit_warnings(res: Any, exposure: Sequence[str], n: int) -> list[str]:
    """Warnings about the win model: events per parameter, sample, collinearity, separation."""
    names = list(res.model.exog_names)
    y = np.asarray(res.model.endog)
    out = few_events_warning(y.size, int(y.sum()), len(names))
    if n < _SMALL_SAMPLE:
        out.append(f"a small sample ({n:,} closed deals): intervals are wide and may undercover")
    exog = np.asarray(res.model.exog, dtype=float)
    inflation = vif(exog, names, [t for t in exposure if t != INTER])
    collinear = {t: v for t, v in inflation.items() if v > _MAX_VIF}
    if collinear:
        listed = ", ".join(f"{t} (VIF {v:.0f})" for t, v in collinear.items())
        out.append(
            f"collinear exposures: {listed}; the teams' separate terms are poorly determined"
        )
    params, bse = np.asarray(res.params, dtype=float), np.asarray(res.bse, dtype=float)
    big = [
        t
        for t in exposure
        if abs(params[names.index(t)]) > _MAX_COEFFICIENT
        or bse[names.index(t)] > _MAX_STANDARD_ERROR
    ]
    if big:
        out.append(
            f"very large coefficients or standard errors for {', '.join(big)}: a sign of "
            "quasi-separation; treat the split as unreliable"
        )
    return out


def gap_warning(expected: float, booked: float) -> list[str]:
    """Warn when fitted expected revenue is more than 10% away from booked revenue.

    Examples
    --------
    >>> gap_warning(105.0, 100.0)
    []
    >>> gap_warning(150.0, 100.0)[0][:48]
    'fitted expected revenue (150) differs from booke'
    """
    if booked and abs(expected - booked) > _MAX_GAP * booked:
        return [
            f"fitted expected revenue ({expected:,.0f}) differs from booked revenue "
            f"({booked:,.0f}) by {(expected - booked) / booked:+.0%}: the deal-size model "
            "fits poorly"
        ]
    return []


def vif(exog: np.ndarray, names: Sequence[str], terms: Sequence[str]) -> dict[str, float]:
    """Variance inflation of exposure terms (interaction left out) against the rest.

    Examples
    --------
    >>> x = np.array([[1, 0.0, 1.0], [1, 1.0, 0.0], [1, 2.0, 0.0], [1, 3.0, 1.0]])
    >>> vif(x, ["Intercept", "a", "b"], ["a", "b"])
    {'a': 1.0, 'b': 1.0}
    """
    keep = [i for i, nm in enumerate(names) if nm not in ("Intercept", INTER)]
    x = exog[:, keep]
    varies = x.std(axis=0) > 0
    kept = [names[i] for i, ok in zip(keep, varies, strict=True) if ok]
    if len(kept) < 2:
        return {}
    corr = np.corrcoef(x[:, varies], rowvar=False)
    try:
        inv = np.linalg.inv(corr)
    except np.linalg.LinAlgError:
        return {t: math.inf for t in terms if t in kept}
    return {t: float(inv[kept.index(t), kept.index(t)]) for t in terms if t in kept}
