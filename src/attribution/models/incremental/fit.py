"""The regularised win model: a ridge Logit of winning on channel exposure and controls.

Over closed deals, with ``M`` and ``S`` a deal's marketing and sales touches (of the
channels whose effect can be estimated), ``x_c`` its exposure to channel ``c`` (``log1p``
of its touches) and ``g`` its segment (the first given control)::

    logit P(won) = a + controls + b_M log1p(M) + b_S log1p(S) + b_MS log1p(M) log1p(S)
                   + b_speed [S > 0] log1p(speed-to-lead in days)
                   + sum_c (d_c + e_cg) x_c

The team terms say that more touches of a team help with diminishing returns and how the
two teams' work combines (the interaction). With ``exposure="presence"`` (a channel acts
by touching the deal at all: ``x_c`` is 0 or 1) there are no team totals of touches; the
interaction is then between the numbers of marketing and sales channels present, and
``d_c`` is the channel's whole effect; the speed-to-lead term (when the dataset was
given) that a slow first answer to a lead costs. Each channel's ``d_c`` says how much more
(or less) its touches do than the team's average touch, and ``e_cg`` how much that differs
in segment ``g``. Both carry ridge penalties (normal priors of mean 0) that shrink what
the data cannot tell apart toward the team's average; their variances are estimated from
the data (``penalty="auto"``: empirical Bayes, by EM with the Laplace approximation), so a
channel that clearly differs keeps its estimate while noise is shrunk away. The team
terms, intercept and controls are barely penalised. The model is statsmodels' GLM
(binomial family) on the design matrix its formula would build; the ridge optimum (the
objective of its ``fit_regularized`` with ``L1_wt=0``) is found by Newton's method
(:func:`.priors.newton`) and handed back as statsmodels' regularized results.

Negative effects are handled explicitly where they would become negative credit: a
channel whose Shapley value in a deal comes out negative (its touches lower the predicted
chance there, e.g. marketing without sales when the model's marketing term is negative
and only the interaction positive) is floored at 0 there, and :mod:`.split` reports how
much was floored. Coefficients are kept as estimated (flooring a term of a fitted model
after the fact would change what the model predicts).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from attribution.data.schema import MARKETING, SALES
from attribution.errors import ParameterError
from attribution.models.incremental.design import Design, exposure_of
from attribution.models.incremental.priors import (
    alpha_of,
    empirical_bayes,
    evidence_loop,
    group_of,
    newton,
)

__all__ = [
    "DEFAULT_PENALTY",
    "SAMPLE_DEALS",
    "TEAM_TERMS",
    "WinFit",
    "fit_win_model",
    "refit",
    "sample_rows",
    "team_logs",
    "touch_columns",
]

DEFAULT_PENALTY = "auto"
"""Estimate the channel terms' prior variances from the data (empirical Bayes)."""
TEAM_TERMS = ("team_m", "team_s", "team_ms", "speed")
"""The formula's names of ``log1p(M)``, ``log1p(S)``, their product and the speed term."""
SAMPLE_DEALS = 100_000
"""Deals the empirical Bayes estimate and the choice of exposure form look at (a seeded
sample of larger data; the final fit and the split use every deal)."""
_REFIT_ROUNDS = 10
"""Most rounds of the evidence loop a bootstrap resample runs (from the full sample's)."""


@dataclass(frozen=True)
class WinFit:
    """The fitted win model, split into what the credit needs."""

    players: np.ndarray
    """Positions (in the design's channels) of the channels in the model."""
    delta: np.ndarray
    """Channels x segments: ``d_c + e_cg`` (0 when not in the model; one column without
    segments)."""
    team: np.ndarray
    """``b_M``, ``b_S``, ``b_MS``, ``b_speed`` (0 where the model has no such term)."""
    raw_team: np.ndarray
    """The same, NaN where the model has no such term."""
    offset: np.ndarray
    """Per deal: the intercept plus its controls' coefficients (the no-touch log-odds)."""
    params: np.ndarray
    """Every coefficient as fitted, in the order of ``names``."""
    names: tuple[str, ...]
    exog: np.ndarray
    alpha: np.ndarray
    precision: dict[str, float]
    """Prior precision (1 / variance) of the channel terms (``channel``) and of their
    segment differences (``segment``)."""
    results: Any
    """The statsmodels results (``None`` when nothing could be fitted)."""
    message: str = ""
    """Why the model could not be fitted (empty when it was)."""
    estimated: bool = False
    """Whether the priors were estimated from the data (``penalty="auto"``)."""

    def deal_delta(self, design: Design, rows: np.ndarray) -> np.ndarray:
        """Each deal's channel terms ``d_c + e_cg`` (rows x channels)."""
        if design.group is None:
            return np.broadcast_to(self.delta[:, 0], (len(rows), self.delta.shape[0]))
        out: np.ndarray = self.delta[:, design.group[rows]].T
        return out


def team_logs(design: Design, players: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Return each deal's marketing and sales exposure (n, 2).

    ``log1p`` of the touches of the model's channels, or the number of its channels present
    (``exposure="presence"``).
    """
    in_model = np.zeros(len(design.channels), dtype=bool)
    in_model[players] = True
    parts = design.team_parts(counts)
    m = np.where(in_model & design.is_team(MARKETING), parts, 0.0).sum(axis=1)
    s = np.where(in_model & design.is_team(SALES), parts, 0.0).sum(axis=1)
    logs: np.ndarray = design.team_totals(np.stack([m, s], axis=1))
    return logs


@dataclass(frozen=True)
class _Terms:
    channel: list[str]  # d_c, one per player
    segment: list[str]  # e_cg, one per player and segment
    team: list[str]
    controls: list[str]


def _dummies(values: pl.Series, name: str) -> dict[str, np.ndarray]:
    """Treatment coding of a categorical control, as the formula ``C(name)`` would code it.

    One 0/1 column per level but the first (levels sorted), named ``C(name)[T.level]``.
    """
    levels = values.unique().sort().to_list()
    codes = values.cast(pl.Enum(levels)).to_physical().to_numpy()
    return {
        f"C({name})[T.{level}]": (codes == i).astype(float) for i, level in enumerate(levels) if i
    }


def touch_columns(
    design: Design, players: np.ndarray, counts: np.ndarray, rows: np.ndarray
) -> dict[str, np.ndarray]:
    """Return the win model's columns that touches set, for the deals at ``rows``.

    ``counts`` are those deals' touches (rows x channels): the team terms, then each
    channel's exposure, then its segment differences, named as in the model; a team term
    only where the model has it.
    """
    x = exposure_of(counts, design.exposure)
    has = [bool((design.is_team(t)[players]).any()) for t in (MARKETING, SALES)]
    logs = team_logs(design, players, counts)
    speed = design.speed[rows] if design.speed is not None else 0.0
    values = {
        TEAM_TERMS[0]: (has[0] and design.counted, logs[:, 0]),
        TEAM_TERMS[1]: (has[1] and design.counted, logs[:, 1]),
        TEAM_TERMS[2]: (all(has), logs[:, 0] * logs[:, 1]),
        TEAM_TERMS[3]: (has[1] and design.speed is not None, speed * (logs[:, 1] > 0)),
    }
    columns = {name: value for name, (present, value) in values.items() if present}
    columns.update({f"x{c}": x[:, c] for c in players})
    if design.group is not None:
        group = design.group[rows]
        for c in players:
            for g in range(len(design.groups)):
                columns[f"x{c}_g{g}"] = x[:, c] * (group == g)
    return columns


def _columns(design: Design, players: np.ndarray) -> tuple[dict[str, np.ndarray], _Terms]:
    """Return the win model's columns by name (the design matrix of its formula) and terms.

    The columns come in the order the formula ``won ~ controls + team + channel +
    segment`` gives them: the intercept, each control's treatment coding, then
    :func:`touch_columns`. Built here rather than by the formula parser, which takes
    seconds per 100,000 deals (tests check both agree).
    """
    columns: dict[str, np.ndarray] = {"Intercept": np.ones(design.deals.height)}
    controls = []
    for i, name in enumerate(design.controls.columns):
        columns.update(_dummies(design.controls[name], f"k{i}"))
        controls.append(f"C(k{i})")
    touched = touch_columns(design, players, design.counts, np.arange(design.deals.height))
    columns.update(touched)
    team = [name for name in touched if name in TEAM_TERMS]
    channel = [f"x{c}" for c in players]
    segment = [name for name in touched if name.startswith("x") and "_g" in name]
    return columns, _Terms(channel, segment, team, controls)


def _unfitted(design: Design, message: str) -> WinFit:
    won = design.won
    rate = float(np.clip(won.mean() if len(won) else 0.5, 1e-6, 1 - 1e-6))
    return WinFit(
        players=np.zeros(0, dtype=np.int64),
        delta=np.zeros((len(design.channels), max(len(design.groups), 1))),
        team=np.zeros(4),
        raw_team=np.full(4, np.nan),
        offset=np.full(design.deals.height, np.log(rate / (1 - rate))),
        params=np.zeros(0),
        names=(),
        exog=np.zeros((design.deals.height, 0)),
        alpha=np.zeros(0),
        precision={},
        results=None,
        message=message,
    )


def sample_rows(n: int) -> np.ndarray:
    """Return the deals (positions, sorted) a sample of at most :data:`SAMPLE_DEALS` holds.

    Every deal when there are no more; else a seeded random sample, the same for the same
    number of deals.

    Examples
    --------
    >>> len(sample_rows(10)), len(sample_rows(250_000))
    (10, 100000)
    """
    if n <= SAMPLE_DEALS:
        return np.arange(n)
    rows: np.ndarray = np.sort(np.random.default_rng(0).choice(n, SAMPLE_DEALS, replace=False))
    return rows


def _check_penalty(penalty: object) -> None:
    if penalty == "auto":
        return
    if isinstance(penalty, bool) or not isinstance(penalty, int | float) or not penalty > 0:
        raise ParameterError(f"penalty must be 'auto' or a positive number, got {penalty!r}")


def fit_win_model(design: Design, *, penalty: float | str = DEFAULT_PENALTY) -> WinFit:
    """Fit the ridge Logit of winning on the estimable channels (see the module docstring).

    ``penalty`` is ``"auto"`` (prior precisions estimated, see the module docstring) or
    one prior precision (1 / variance) for every channel and segment term.

    Examples
    --------
    >>> import attribution as at
    >>> from attribution.models.incremental.design import build_design
    >>> d = build_design(at.journeys(at.demo.generate(n_accounts=2_000, seed=1)))
    >>> f = fit_win_model(d)
    >>> len(f.players) > 0, f.offset.shape == (d.deals.height,)
    (True, True)
    """
    import pandas as pd
    import statsmodels.api as sm
    from statsmodels.base.elastic_net import RegularizedResults, RegularizedResultsWrapper

    _check_penalty(penalty)
    won = design.won
    if design.deals.height < 2 or won.all() or not won.any():
        return _unfitted(design, "the win model needs both won and lost deals")
    players = np.flatnonzero(design.estimable)
    columns, terms = _columns(design, players)
    names = tuple(columns)
    exog = np.column_stack(list(columns.values()))
    del columns
    frame = pd.DataFrame(exog, columns=list(names), copy=False)  # the names of the terms
    model = sm.GLM(won.astype(float), frame, family=sm.families.Binomial())
    n = design.deals.height
    start = None  # the evidence loop's last coefficients, when it ran
    if penalty == "auto":
        rows = sample_rows(n)
        precision, start = empirical_bayes(model, names, rows) if terms.channel else ({}, None)
    else:
        precision = {group_of(name): float(penalty) for name in names if group_of(name)}
    alpha = alpha_of(names, precision, n)
    if start is None:
        rate = float(np.clip(won.mean(), 1e-6, 1 - 1e-6))
        start = np.zeros(len(names))
        start[0] = np.log(rate / (1 - rate))  # the intercept comes first
    # statsmodels' fit_regularized (L1_wt=0) minimises this objective by BFGS; Newton's
    # method from the evidence loop's coefficients reaches the same optimum in a few steps
    params, _ = newton(exog, won.astype(float), alpha * n, start)
    results = RegularizedResultsWrapper(RegularizedResults(model, params))
    fit = _split(design, players, names, params, exog, alpha, precision, results)
    return dataclasses.replace(fit, estimated=penalty == "auto" and bool(precision))


def _split(
    design: Design,
    players: np.ndarray,
    names: tuple[str, ...],
    params: np.ndarray,
    exog: np.ndarray,
    alpha: np.ndarray,
    precision: dict[str, float],
    results: Any,
) -> WinFit:
    """Split coefficients into channel terms, team terms and per-deal offset."""
    position = {name: i for i, name in enumerate(names)}
    n_groups = max(len(design.groups), 1)
    delta = np.zeros((len(design.channels), n_groups))
    for c in players:
        delta[c, :] = params[position[f"x{c}"]]
        for g in range(n_groups if design.group is not None else 0):
            delta[c, g] += params[position[f"x{c}_g{g}"]]
    raw_team = np.array([params[position[t]] if t in position else np.nan for t in TEAM_TERMS])
    exposure = {name for name in names if name.startswith("x")} | set(TEAM_TERMS)
    control = np.array([name not in exposure for name in names])
    offset = exog[:, control] @ params[control]
    return WinFit(
        players=players,
        delta=delta,
        team=np.nan_to_num(raw_team),
        raw_team=raw_team,
        offset=offset,
        params=params,
        names=names,
        exog=exog,
        alpha=alpha,
        precision=precision,
        results=results,
    )


def refit(design: Design, fit: WinFit, weights: np.ndarray) -> WinFit:
    """Refit the win model with a weight per deal (a bootstrap resample), from ``fit``.

    The same design matrix, by :func:`newton` from the full sample's coefficients. With
    estimated priors (``penalty="auto"``) the resample estimates its own (the evidence
    loop of :func:`fit_win_model`, from the full sample's precisions), so the interval also
    carries how unsure the data are about how far to shrink; a fixed penalty is kept
    (scaled to the resample's deals). The priors are re-estimated on the deals the full
    fit estimated them on (:func:`sample_rows`), the coefficients then fitted on all.
    """
    if fit.results is None:
        return fit
    won = design.won.astype(float)
    if fit.estimated:
        rows = sample_rows(len(won))  # where the full fit estimated its priors
        precision, params = evidence_loop(
            fit.exog[rows],
            won[rows],
            fit.names,
            dict(fit.precision),
            fit.params,
            weights[rows],
            rounds=_REFIT_ROUNDS,
            refit=False,
        )
        params, _ = newton(fit.exog, won, alpha_of(fit.names, precision, 1.0), params, weights)
        alpha = alpha_of(fit.names, precision, float(weights.sum()))
        return _split(design, fit.players, fit.names, params, fit.exog, alpha, precision, None)
    prior = fit.alpha * float(weights.sum())
    params, _ = newton(fit.exog, won, prior, fit.params, weights)
    return _split(design, fit.players, fit.names, params, fit.exog, fit.alpha, fit.precision, None)
