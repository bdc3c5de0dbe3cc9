"""How conversion differs with the speed of the hand-off, estimated with statsmodels.

:func:`speed_to_lead_effect` fits a Logit of conversion (MQL to opportunity, or to a won
deal) on bins of the hours from the account's first MQL to the first sales touch, with
segment and lead source as controls, and reports per bin the odds ratio against the
fastest bin and the *adjusted* conversion rate: the average predicted rate if every
followed-up MQL had been answered within that bin, with intervals from simulation of the
coefficients' sampling distribution.

**Identification.** An association: reps who answer fast may also be better closers, and
hot leads may be answered first. It is the effect of response time only if response time
was as good as random given segment and lead source (e.g. leads routed round-robin).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any, Literal

import numpy as np
import polars as pl

from attribution._intervals import DEFAULT_DRAWS, DEFAULT_LEVEL, check_draws, check_level
from attribution.data.dataset import Dataset
from attribution.data.schema import LEAD_SOURCE, SEGMENT
from attribution.errors import ParameterError, emit
from attribution.estimates.checks import check_choice, check_choices
from attribution.estimates.diagnostics import Diagnostics, few_events_warning
from attribution.estimates.modeling import (
    bin_by_edges,
    fit_logit,
    prepare_controls,
    single_threaded_blas,
)
from attribution.estimates.result import Estimate
from attribution.journey.response import response_times, sales_only_on_won

__all__ = [
    "NEVER",
    "EffectResult",
    "Outcome",
    "adjusted_rates",
    "bin_edges",
    "bin_labels",
    "speed_to_lead_effect",
]

Outcome = Literal["opportunity", "won"]
_OUTCOMES: tuple[str, ...] = ("opportunity", "won")
_CONTROLS: tuple[str, ...] = (SEGMENT, LEAD_SOURCE)
_MIN_LEVEL = 20
_MIN_FOLLOWED = 50  # followed-up MQLs below which response times are not compared
NEVER = "never followed up"
_BIN_TERM = "response_bin[T.{}]"
_BINS_HOURS = "bins_hours must be increasing positive hours, e.g. (1, 4, 24, 72); got {!r}"

NOTE = (
    "Associations from observational data: conversion is compared between MQLs answered "
    "at different speeds, holding segment and lead source fixed. Fast responders may also "
    "be better closers and hot leads may be answered first, so this is the effect of speed "
    "only if response times were as good as random given those controls (e.g. round-robin "
    "routing). MQLs never followed up are shown as observed, not modelled."
)

_TABLE_SCHEMA = {
    "bin": pl.String,
    "mqls": pl.Int64,
    "conversions": pl.Int64,
    "observed_rate": pl.Float64,
    "odds_ratio": pl.Float64,
    "or_ci_low": pl.Float64,
    "or_ci_high": pl.Float64,
    "adjusted_rate": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
}
_COUNTS, _MODELLED = 1, 4  # first column of the follow-up counts, of the model's estimates


@dataclass(frozen=True, kw_only=True, repr=False)
class EffectResult(Estimate):
    """An estimated association with intervals and the model's diagnostics.

    Attributes
    ----------
    table
        The estimates, one row per level (see the function that made it).
    model
        The statsmodels results (``None`` when not fitted).
    diagnostics
        Sample, fit, calibration and warnings.
    supported
        False when the data cannot support the estimate; the model columns are then empty.
    note
        The interpretation caveat, for reports.
    """


def bin_labels(edges: Sequence[float]) -> list[str]:
    """Label the response-time bins cut at ``edges`` hours (whole days from 48 hours).

    Examples
    --------
    >>> bin_labels([1, 4, 24, 72])
    ['< 1h', '1h-4h', '4h-24h', '24h-3d', '>= 3d']
    """

    def fmt(h: float) -> str:
        return f"{h:g}h" if h < 48 or h % 24 else f"{h / 24:g}d"

    labels = [f"< {fmt(edges[0])}"]
    labels += [f"{fmt(a)}-{fmt(b)}" for a, b in pairwise(edges)]
    return [*labels, f">= {fmt(edges[-1])}"]


def bin_edges(bins_hours: Sequence[float]) -> list[float]:
    """Return the bin edges as floats; raise a :class:`ParameterError` if they are not numbers.

    Examples
    --------
    >>> bin_edges((1, 4.5))
    [1.0, 4.5]
    >>> bin_edges(["1h"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: bins_hours must be increasing positive hours, ...
    """
    try:
        return [float(b) for b in bins_hours]
    except (TypeError, ValueError):
        raise ParameterError(_BINS_HOURS.format(bins_hours)) from None


def adjusted_rates(
    res: Any, bins: Sequence[str], draws: int, rng: np.random.Generator
) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Average predicted rate if every MQL had been answered in each bin: point and draws.

    ``res`` is the response-time Logit; the draws come from its coefficients' estimated
    sampling distribution (``draws`` vectors from ``rng``).
    """
    names = list(res.model.exog_names)
    x = np.asarray(res.model.exog, dtype=float)
    params = np.asarray(res.params, dtype=float)
    sims = rng.multivariate_normal(params, np.asarray(res.cov_params()), size=draws, method="eigh")
    columns = {b: names.index(_BIN_TERM.format(b)) for b in bins if _BIN_TERM.format(b) in names}
    point, spread = {}, {}
    for b in bins:
        xb = x.copy()
        xb[:, list(columns.values())] = 0.0
        if b in columns:
            xb[:, columns[b]] = 1.0
        point[b] = float(np.mean(1 / (1 + np.exp(-(xb @ params)))))
        spread[b] = np.mean(1 / (1 + np.exp(-(xb @ sims.T))), axis=0)
    return point, spread


# ---------------------------------------------------------------------------- steps
def _check_params(
    bins_hours: Sequence[float], outcome: str, controls: Sequence[str], level: float, draws: int
) -> list[float]:
    """Check the parameters; return the bin edges as floats."""
    edges = bin_edges(bins_hours)
    if not edges or edges[0] <= 0 or any(b <= a for a, b in pairwise(edges)):
        raise ParameterError(_BINS_HOURS.format(bins_hours))
    check_choice("outcome", outcome, _OUTCOMES)
    check_choices("controls", controls, _CONTROLS)
    check_level(level)
    check_draws(draws)
    return edges


def _observed(
    dataset: Dataset, edges: Sequence[float], outcome: str, as_of: datetime | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return the followed-up MQLs with their bin and outcome ``y``, and the observed table.

    The observed table has one row per bin (``mqls``, ``conversions``, ``observed_rate``),
    then the MQLs never followed up.
    """
    labels = bin_labels(edges)
    r = response_times(dataset, as_of=as_of).filter(~pl.col("pending"))
    y_col = pl.col(outcome).cast(pl.Float64)
    followed = r.filter(pl.col("followed_up")).with_columns(
        bin_by_edges(pl.col("response_hours"), edges, labels).alias("bin"),
        y_col.alias("y"),
    )
    observed = (
        followed.group_by("bin")
        .agg(
            pl.len().cast(pl.Int64).alias("mqls"),
            pl.col("y").sum().cast(pl.Int64).alias("conversions"),
        )
        .with_columns(pl.col("bin").cast(pl.String))
    )
    never = r.filter(~pl.col("followed_up")).select(
        pl.lit(NEVER).alias("bin"),
        pl.len().cast(pl.Int64).alias("mqls"),
        y_col.sum().cast(pl.Int64).alias("conversions"),
    )
    base = (
        pl.DataFrame({"bin": labels})
        .join(observed, on="bin", how="left")
        .with_columns(pl.col("mqls", "conversions").fill_null(0))
    )
    base = pl.concat([base, never]).with_columns(
        pl.when(pl.col("mqls") > 0)
        .then(pl.col("conversions") / pl.col("mqls"))
        .alias("observed_rate")
    )
    return followed, base


def _present_bins(base: pl.DataFrame) -> pl.DataFrame:
    """Return the rows of the observed table for the response bins that hold MQLs."""
    return base.filter((pl.col("bin") != NEVER) & (pl.col("mqls") > 0))


def _support_problems(sales_only: bool, base: pl.DataFrame, followed: pl.DataFrame) -> list[str]:
    """Return why the data cannot support the model (empty when it can)."""
    if sales_only:
        return [
            "sales activity is recorded only for accounts that won a deal, so response "
            "times exist only for winners and their effect cannot be estimated"
        ]
    present = _present_bins(base)
    if followed.height < _MIN_FOLLOWED or present.height < 2:
        return [
            f"only {followed.height:,} followed-up MQLs in {present.height} response bin(s): "
            "too few to compare response times"
        ]
    stuck = present.filter((pl.col("conversions") == 0) | (pl.col("conversions") == pl.col("mqls")))
    if stuck.height:
        return [
            "in response bin(s) "
            + ", ".join(stuck["bin"].to_list())
            + " every MQL had the same outcome, so odds ratios are not finite; widen the bins"
        ]
    return []


def _blanked(base: pl.DataFrame, first: int) -> pl.DataFrame:
    """Return the observed table with every column from the ``first`` on left empty."""
    blank = list(_TABLE_SCHEMA)[first:]
    return base.with_columns([pl.lit(None, dtype=_TABLE_SCHEMA[c]).alias(c) for c in blank]).select(
        list(_TABLE_SCHEMA)
    )


def _fit_model(
    followed: pl.DataFrame, kept_bins: list[str], controls: Sequence[str]
) -> tuple[pl.DataFrame, Any, list[str], bool]:
    """Fit the Logit of ``y`` on the response bin and the controls that vary.

    Returns the MQLs it was fitted on (those of the kept bins), the statsmodels results,
    the warnings (controls and fit) and whether the fit can be trusted.
    """
    frame = followed.filter(pl.col("bin").cast(pl.String).is_in(kept_bins)).with_columns(
        pl.col("bin").cast(pl.String).cast(pl.Enum(kept_bins)).alias("response_bin")
    )
    raw = {name: frame[name] for name in controls}
    used, messages = prepare_controls(raw, frame["y"], min_count=_MIN_LEVEL)
    frame = frame.with_columns(*used.values())
    pdf = frame.select("y", "response_bin", *used).to_pandas()
    formula = "y ~ " + " + ".join(["response_bin", *used])
    res, fit_messages, ok = fit_logit(formula, pdf, "response-time model")
    return frame, res, messages + fit_messages, ok


def _unsupported(
    base: pl.DataFrame,
    warnings: list[str],
    y: np.ndarray,
    *,
    first: int = _MODELLED,
    model: Any = None,
    said: list[str] | None = None,
) -> EffectResult:
    """Warn and return the observed table with the columns from ``first`` on empty."""
    return EffectResult.not_supported(
        warnings,
        n=y.size,
        events=int(y.sum()),
        said=said,
        table=_blanked(base, first),
        model=model,
        note=NOTE,
    )


def _bin_estimates(
    res: Any, kept_bins: list[str], level: float, draws: int, seed: int
) -> pl.DataFrame:
    """Per kept bin: odds ratio against the first bin and adjusted rate, with intervals."""
    alpha = 1 - level
    ci = np.asarray(res.conf_int(alpha=alpha), dtype=float)
    params = np.asarray(res.params, dtype=float)
    names = list(res.model.exog_names)
    point, spread = adjusted_rates(res, kept_bins, draws, np.random.default_rng(seed))
    rows = []
    for b in kept_bins:
        col = names.index(_BIN_TERM.format(b)) if b != kept_bins[0] else None
        rows.append(
            {
                "bin": b,
                "odds_ratio": math.exp(params[col]) if col is not None else 1.0,
                "or_ci_low": math.exp(ci[col, 0]) if col is not None else None,
                "or_ci_high": math.exp(ci[col, 1]) if col is not None else None,
                "adjusted_rate": point[b],
                "ci_low": float(np.quantile(spread[b], alpha / 2)),
                "ci_high": float(np.quantile(spread[b], 1 - alpha / 2)),
            }
        )
    return pl.DataFrame(rows, schema={k: _TABLE_SCHEMA[k] for k in rows[0]})


# ---------------------------------------------------------------------------- main
@single_threaded_blas
def speed_to_lead_effect(
    dataset: Dataset,
    *,
    bins_hours: Sequence[float] = (1, 4, 24, 72),
    outcome: Outcome = "opportunity",
    controls: Sequence[Literal["segment", "lead_source"]] = ("segment", "lead_source"),
    level: float = DEFAULT_LEVEL,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    as_of: datetime | None = None,
) -> EffectResult:
    """Estimate how conversion differs with the hours from MQL to the first sales touch.

    Parameters
    ----------
    dataset
        A validated dataset with ``contacts`` (``mql_at``) and sales touches.
    bins_hours
        Increasing bin edges in hours; the first bin (fastest) is the reference.
    outcome
        ``"opportunity"`` (an opportunity opened at or after the MQL) or ``"won"``.
    controls
        ``segment`` and/or ``lead_source`` (rare levels merged into ``other``).
    level
        Coverage of the intervals.
    draws
        Coefficient draws for the adjusted-rate intervals.
    seed
        Seed of the draws.
    as_of
        The moment the data is seen at.

    Returns
    -------
    EffectResult
        ``.table``: one row per response bin (``mqls``, ``conversions``,
        ``observed_rate``, ``odds_ratio`` against the fastest bin with
        ``or_ci_low``/``or_ci_high``, and ``adjusted_rate`` with ``ci_low``/``ci_high``),
        then a ``never followed up`` row with observed numbers only. ``.model`` is the
        statsmodels Logit results.

    Examples
    --------
    >>> import attribution as at
    >>> e = at.speed_to_lead_effect(at.demo.generate(n_accounts=6000, seed=4), draws=100)
    >>> e.table["bin"].to_list()
    ['< 1h', '1h-4h', '4h-24h', '24h-3d', '>= 3d', 'never followed up']
    """
    edges = _check_params(bins_hours, outcome, controls, level, draws)
    followed, base = _observed(dataset, edges, outcome, as_of)
    sales_only = sales_only_on_won(dataset)
    problems = _support_problems(sales_only, base, followed)
    if problems:  # response times that exist only for winners would mislead even as counts
        said = [f"speed_to_lead_effect: {p}" for p in problems]
        first = _COUNTS if sales_only else _MODELLED
        return _unsupported(base, problems, followed["y"].to_numpy(), first=first, said=said)
    kept_bins = _present_bins(base)["bin"].to_list()
    frame, res, messages, ok = _fit_model(followed, kept_bins, controls)
    y = frame["y"].to_numpy()
    if not ok:
        return _unsupported(base, messages, y, model=res)
    estimates = _bin_estimates(res, kept_bins, level, draws, seed)
    table = base.join(estimates, on="bin", how="left", maintain_order="left")
    messages += few_events_warning(y.size, int(y.sum()), len(res.params))
    emit(messages)
    return EffectResult(
        table=table.select(list(_TABLE_SCHEMA)),
        model=res,
        diagnostics=Diagnostics.of_fit(res, y, messages),
        note=NOTE,
        level=float(level),
        draws=draws,
    )
