"""The decision maker's association with winning, adjusted for segment and size.

:func:`decision_maker_effect` fits ``won ~ decision maker engaged + segment + size band``
(statsmodels Logit) on closed deals whose buying group (:func:`attribution.feedback.buying.
buying_groups`) holds anyone. Identification: the odds ratio is the association of having
reached a decision maker with winning among deals alike in segment and size; deals where a
decision maker engages may differ in ways the data does not hold (a decision maker may join
because the deal is going well), so it is not the effect of reaching one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import polars as pl
from scipy.stats import norm

from attribution._intervals import DEFAULT_DRAWS, DEFAULT_LEVEL, check_draws, check_level
from attribution._intervals import quantiles as interval_quantiles
from attribution._time import DEFAULT_LOOKBACK_DAYS
from attribution.data.dataset import Dataset
from attribution.estimates.diagnostics import Diagnostics, few_events_warning
from attribution.estimates.modeling import fit_logit, prepare_controls, single_threaded_blas
from attribution.estimates.result import Estimate
from attribution.feedback.buying import buying_groups

__all__ = ["BuyingGroupEffect", "decision_maker_effect"]


@dataclass(frozen=True, kw_only=True, repr=False)
class BuyingGroupEffect(Estimate):
    """The association of an engaged decision maker with winning, adjusted for segment and size.

    ``table`` has one row: ``odds_ratio`` with ``low``/``high``, ``log_odds_ratio``,
    ``win_rate_with`` / ``win_rate_without`` (average predicted win rates with the flag set
    for every deal, with intervals from ``draws`` coefficient draws), ``deals``,
    ``with_decision_maker``.
    """

    controls: tuple[str, ...] = ()


def _effect_rows(res: object, frame: pl.DataFrame, level: float, draws: int) -> pl.DataFrame:
    params = np.asarray(res.params)  # type: ignore[attr-defined]
    cov = np.asarray(res.cov_params())  # type: ignore[attr-defined]
    names = list(res.model.exog_names)  # type: ignore[attr-defined]
    k = next(i for i, n in enumerate(names) if n.startswith("dm"))
    low_q, high_q = interval_quantiles(level)
    z = float(norm.ppf(high_q))
    beta, se = float(params[k]), float(np.sqrt(cov[k, k]))
    exog = np.asarray(res.model.exog)  # type: ignore[attr-defined]
    rng = np.random.default_rng(0)
    sims = rng.multivariate_normal(params, cov, size=draws)
    rates = []
    for flag in (1.0, 0.0):
        x = exog.copy()
        x[:, k] = flag
        rates.append((1 / (1 + np.exp(-(x @ sims.T)))).mean(axis=0))
        rates.append(float((1 / (1 + np.exp(-(x @ params)))).mean()))
    return pl.DataFrame(
        {
            "term": ["decision maker engaged"],
            "log_odds_ratio": [beta],
            "odds_ratio": [float(np.exp(beta))],
            "low": [float(np.exp(beta - z * se))],
            "high": [float(np.exp(beta + z * se))],
            "win_rate_with": [rates[1]],
            "win_rate_with_low": [float(np.quantile(rates[0], low_q))],
            "win_rate_with_high": [float(np.quantile(rates[0], high_q))],
            "win_rate_without": [rates[3]],
            "win_rate_without_low": [float(np.quantile(rates[2], low_q))],
            "win_rate_without_high": [float(np.quantile(rates[2], high_q))],
            "deals": [frame.height],
            "with_decision_maker": [int(frame["dm"].sum())],
        }
    )


_EFFECT_SCHEMA = {
    "term": pl.String,
    "log_odds_ratio": pl.Float64,
    "odds_ratio": pl.Float64,
    "low": pl.Float64,
    "high": pl.Float64,
    "win_rate_with": pl.Float64,
    "win_rate_with_low": pl.Float64,
    "win_rate_with_high": pl.Float64,
    "win_rate_without": pl.Float64,
    "win_rate_without_low": pl.Float64,
    "win_rate_without_high": pl.Float64,
    "deals": pl.Int64,
    "with_decision_maker": pl.Int64,
}


_EMPTY = pl.DataFrame(schema=_EFFECT_SCHEMA)


def _too_few(frame: pl.DataFrame) -> list[str]:
    """Why the closed deals with an engaged contact cannot carry the model (empty if they can)."""
    n, events = frame.height, int(frame["won"].sum()) if frame.height else 0
    with_dm = int(frame["dm"].sum()) if frame.height else 0
    problems = few_events_warning(n, events, 4)
    if with_dm < 5 or n - with_dm < 5:
        problems.append(
            f"only {with_dm} of {n} closed deals with an engaged contact had a decision "
            "maker among them; both groups need at least 5"
        )
    if not problems and n < 20:
        problems = [f"only {n} closed deals with an engaged contact"]
    return problems


def _fit_with_fewer(
    frame: pl.DataFrame, controls: dict[str, pl.Series]
) -> tuple[Any, list[str], dict[str, pl.Series]]:
    """Fit with every control; when it fails (e.g. segment and size nearly one), with fewer.

    Returns the results (``None`` when no fit worked), the messages (which controls were
    left out, or why every fit failed) and the controls of the fit.
    """
    names = list(controls)
    tries = [names] + [[c] for c in names] + ([[]] if names else [])
    failed: list[str] = []
    for kept in tries:
        data = pl.DataFrame(
            {"won": frame["won"], "dm": frame["dm"], **{c: controls[c] for c in kept}}
        ).to_pandas()
        formula = "won ~ dm" + "".join(f" + C({c})" for c in kept)
        res, messages, ok = fit_logit(formula, data, "decision maker effect")
        if res is not None and ok:
            left = [c for c in names if c not in kept]
            note = (
                [
                    f"adjusted for {', '.join(kept) or 'nothing'} only: the model with "
                    f"{', '.join(left)} too did not converge"
                ]
                if left
                else []
            )
            return res, messages + note, {c: controls[c] for c in kept}
        failed = messages
    return None, failed, {}


@single_threaded_blas
def decision_maker_effect(
    dataset: Dataset,
    *,
    level: float = DEFAULT_LEVEL,
    draws: int = DEFAULT_DRAWS,
    lookback_days: float = DEFAULT_LOOKBACK_DAYS,
    as_of: datetime | None = None,
    min_count: int = 20,
) -> BuyingGroupEffect:
    """Estimate how winning goes with an engaged decision maker, adjusted for segment and size.

    Parameters
    ----------
    dataset
        A validated dataset with contacts (their ``role`` or ``title``) and touches that
        name the contact.
    level, draws
        Coverage of the intervals; coefficient draws behind the adjusted win rates.
    lookback_days, as_of
        The journey window (see :func:`attribution.journeys`).
    min_count
        Segment and size levels with fewer closed deals are merged.

    Returns
    -------
    BuyingGroupEffect
        Not supported (with the reason) when too few deals had a decision maker engaged, or
        none lacked one.

    Examples
    --------
    >>> import attribution as at
    >>> e = at.feedback.decision_maker_effect(at.demo.generate(n_accounts=1500, seed=3))
    >>> e.supported, e.table["odds_ratio"].item() > 1
    (True, True)
    """
    level, draws = check_level(level), check_draws(draws)
    groups = buying_groups(dataset, lookback_days=lookback_days, as_of=as_of)
    frame = groups.filter((pl.col("status") != "open") & (pl.col("engaged") > 0)).select(
        (pl.col("status") == "won").cast(pl.Float64).alias("won"),
        pl.col("has_decision_maker").cast(pl.Float64).alias("dm"),
        "segment",
        "size",
    )
    note = (
        "Odds of winning for closed deals with a decision maker engaged before the close "
        "against those without, among deals alike in {controls} "
        f"({level:.0%} intervals). An association: a decision maker may join because a "
        "deal goes well."
    )
    n, events = frame.height, int(frame["won"].sum()) if frame.height else 0
    unadjusted = note.replace("{controls}", "segment and size")
    problems = _too_few(frame)
    if problems:
        return BuyingGroupEffect.not_supported(
            problems, n=n, events=events, table=_EMPTY, note=unadjusted, level=level, draws=draws
        )
    controls, warns = prepare_controls(
        {"segment": frame["segment"], "size": frame["size"]}, frame["won"], min_count=min_count
    )
    res, messages, controls = _fit_with_fewer(frame, controls)
    if res is None:
        return BuyingGroupEffect.not_supported(
            warns + messages or ["the model did not converge"],
            n=n,
            events=events,
            table=_EMPTY,
            note=unadjusted,
            level=level,
            draws=draws,
        )
    y = frame["won"].to_numpy()
    return BuyingGroupEffect(
        table=_effect_rows(res, frame, level, draws),
        note=note.replace("{controls}", " and ".join(controls) or "nothing (unadjusted)"),
        level=level,
        draws=draws,
        model=res,
        diagnostics=Diagnostics.of_fit(res, y, warns + messages),  # says what was left out
        controls=tuple(controls),
    )
