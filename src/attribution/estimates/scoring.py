"""Lead-score weights learned from what leads did before they became MQLs.

:func:`lead_score_weights` takes each account's first MQL (the hand-off), counts the
account's marketing touches per channel (or activity) at or before it, and fits a
statsmodels Logit of whether the lead became an opportunity (or a won deal) on the log1p
counts, with segment as a control. The coefficients are scaled to suggested points; the
learned score is compared with the CRM's current ``score`` on held-out leads (AUC) and by
decile (conversion rate per score decile).

**Identification.** Weights are predictive associations, which is what a lead score needs:
they say which behaviours mark leads that convert, not that a channel causes conversion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import numpy as np
import polars as pl

from attribution._intervals import DEFAULT_LEVEL, check_level
from attribution.data.dataset import Dataset
from attribution.data.schema import ACTIVITY, CHANNEL, SCORE, SEGMENT
from attribution.errors import ParameterError, emit
from attribution.estimates.checks import check_choice
from attribution.estimates.diagnostics import Diagnostics, auc, rank_bin
from attribution.estimates.lead_behaviours import (
    MIN_LEADS,
    behaviour_reach,
    behaviour_touches,
    lead_frame,
    lead_mqls,
    with_current_score,
)
from attribution.estimates.modeling import fit_logit, prepare_controls, single_threaded_blas
from attribution.estimates.result import Estimate

__all__ = ["LeadScoreResult", "lead_score_weights"]

Behaviour = Literal["channel", "activity"]
Population = Literal["mql", "followed_up"]
_OUTCOMES: tuple[str, ...] = ("opportunity", "won")
_BEHAVIOURS: tuple[str, ...] = (CHANNEL, ACTIVITY)
_POPULATIONS: tuple[str, ...] = ("mql", "followed_up")
_MIN_OUTCOMES = 10  # leads of each outcome below which no weights are learned
_MIN_MQLS = 50
_RANK_ROWS = 50_000  # rows the collinearity check looks at

NOTE = (
    "Predictive weights, not causal effects: each weight says how much more often leads "
    "that had that touch before becoming an MQL went on to convert, holding the other "
    "touches and the segment fixed. Points rescale the weights so that the strongest "
    "behaviour earns the maximum; a first touch adds the points, later touches add less "
    "(log1p counts). AUCs are measured on held-out leads."
)

_WEIGHTS_SCHEMA = {
    "behaviour": pl.String,
    "leads": pl.Int64,
    "weight": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "p_value": pl.Float64,
    "odds_ratio_first_touch": pl.Float64,
    "points": pl.Int64,
}
_AUC_SCHEMA = {"score": pl.String, "auc": pl.Float64, "n": pl.Int64}


@dataclass(frozen=True, kw_only=True, repr=False)
class LeadScoreResult(Estimate):
    """Learned lead-score weights, suggested points, and a comparison with the current score.

    Attributes
    ----------
    table
        One row per behaviour: ``behaviour``, ``leads`` (with at least one such touch
        before the MQL), ``weight`` (log-odds per unit of log1p count) with
        ``ci_low``/``ci_high`` and ``p_value``, ``odds_ratio_first_touch``
        (``exp(weight * ln 2)``) and suggested ``points``; sorted by weight.
    auc
        ``score`` (``learned``, ``current``), ``auc`` and ``n`` on the held-out leads.
    deciles
        ``score``, ``decile`` (1 = lowest), ``leads``, ``conversions``, ``rate`` and
        ``mean_score`` per decile of each score on the held-out leads (ties share a decile).
    model
        The statsmodels Logit results fitted on all leads.
    diagnostics
        Sample, fit, calibration and warnings.
    supported
        False when the data cannot support weights (the warnings say why).
    note
        The interpretation caveat, for reports.
    """

    auc: pl.DataFrame
    deciles: pl.DataFrame


def _deciles(name: str, y: np.ndarray, score: np.ndarray, bins: int = 10) -> pl.DataFrame:
    """Return leads, conversions, rate and mean score per decile of ``score``."""
    frame = pl.DataFrame({"y": y, "s": score}).filter(pl.col("s").is_not_nan())
    n = frame.height
    return (
        frame.with_columns(rank_bin("s", bins, n).alias("decile"))
        .group_by("decile")
        .agg(
            pl.len().cast(pl.Int64).alias("leads"),
            pl.col("y").sum().cast(pl.Int64).alias("conversions"),
            pl.col("y").mean().alias("rate"),
            pl.col("s").mean().alias("mean_score"),
        )
        .sort("decile")
        .select(pl.lit(name).alias("score"), pl.all())
    )


# ---------------------------------------------------------------------------- steps
def _check_params(
    outcome: str, by: str, population: str, holdout: float, max_points: int, level: float
) -> None:
    """Raise a :class:`ParameterError` for a parameter out of its range."""
    check_choice("outcome", outcome, _OUTCOMES)
    check_choice("by", by, _BEHAVIOURS)
    check_choice("population", population, _POPULATIONS)
    if isinstance(holdout, bool) or not isinstance(holdout, int | float) or not 0 < holdout < 0.9:
        raise ParameterError(f"holdout must be a share in (0, 0.9); got {holdout!r}")
    if isinstance(max_points, bool) or not isinstance(max_points, int) or max_points < 1:
        raise ParameterError(f"max_points must be a positive integer; got {max_points!r}")
    check_level(level)


def _support_problems(y: pl.Series, behaviours: list[str], outcome: str) -> list[str]:
    """Return why the leads cannot support weights (empty when they can)."""
    if y.len() < _MIN_MQLS:
        return [f"only {y.len()} MQLs: too few to learn weights"]
    if y.n_unique() < 2:
        state = "converted" if y[0] else "failed to convert"
        step = " (the data records no separate opportunity step)" if y[0] else ""
        return [f"every MQL {state} to {outcome}{step}, so nothing separates them"]
    positives = int(y.sum())
    if min(positives, y.len() - positives) < _MIN_OUTCOMES:
        rare = (
            f"only {positives:,} of {y.len():,} MQLs became {outcome}"
            if positives < _MIN_OUTCOMES
            else f"only {y.len() - positives:,} of {y.len():,} MQLs did not become {outcome}"
        )
        return [f"{rare}: too few of one outcome to learn weights"]
    if not behaviours:
        return ["no marketing touches before the MQLs to learn from"]
    return []


def _unsupported(warnings: list[str], frame: pl.DataFrame, model: Any = None) -> LeadScoreResult:
    """Warn and return empty weights and comparisons."""
    return LeadScoreResult.not_supported(
        warnings,
        n=frame.height,
        events=int(frame["y"].sum()) if frame.height else 0,
        table=pl.DataFrame(schema=_WEIGHTS_SCHEMA),
        auc=pl.DataFrame(schema=_AUC_SCHEMA),
        deciles=_no_deciles(),
        model=model,
        note=NOTE,
    )


def _no_deciles() -> pl.DataFrame:
    """Return the empty decile table."""
    return _deciles("learned", np.empty(0), np.empty(0))


def _without_collinear(
    frame: pl.DataFrame, kept: pl.DataFrame, terms: dict[str, str]
) -> tuple[list[str], list[str]]:
    """Return the behaviours to fit, leaving out a reference if their counts are collinear.

    Collinear counts arise when every lead has the same number of touches (e.g. one origin
    per lead); the most common behaviour is then the reference. Also returns a note.
    """
    behaviours = list(terms)
    x_b = frame.select([terms[b] for b in behaviours]).to_numpy()
    design = np.column_stack([np.ones(len(x_b)), x_b])
    if np.linalg.matrix_rank(design[: min(len(design), _RANK_ROWS)]) == design.shape[1]:
        return behaviours, []
    reference = kept.sort("leads", descending=True)["behaviour"][0]
    return [b for b in behaviours if b != reference], [
        f"the behaviour counts are collinear (e.g. exactly one recorded touch per lead); "
        f"{reference!r} is the reference and the other weights are relative to it"
    ]


def _fit(
    frame: pl.DataFrame, columns: list[str]
) -> tuple[pl.DataFrame, Any, str, Any, list[str], bool]:
    """Fit the Logit of ``y`` on the behaviour ``columns`` and the segment (if it varies).

    Returns the leads (segment prepared), the data and formula of the fit, the
    statsmodels results, the warnings and whether the fit can be trusted.
    """
    segment, messages = prepare_controls({SEGMENT: frame[SEGMENT]}, frame["y"], min_count=MIN_LEADS)
    frame = frame.with_columns(*segment.values())
    formula = "y ~ " + " + ".join([*columns, *segment])
    pdf = frame.select("y", *columns, *segment).to_pandas()
    res, fit_messages, ok = fit_logit(formula, pdf, "lead-score model")
    return frame, pdf, formula, res, messages + fit_messages, ok


def _weights_table(
    res: Any,
    behaviours: list[str],
    terms: dict[str, str],
    kept: pl.DataFrame,
    level: float,
    max_points: int,
) -> pl.DataFrame:
    """Return the weights with intervals, p-values, first-touch odds ratios and points."""
    params = res.params
    ci = res.conf_int(alpha=1 - level)
    weights = np.array([params[terms[b]] for b in behaviours])
    reached = dict(kept.select("behaviour", "leads").iter_rows())
    top = float(np.max(np.abs(weights))) if weights.size else 1.0
    return pl.DataFrame(
        {
            "behaviour": behaviours,
            "leads": [reached[b] for b in behaviours],
            "weight": weights,
            "ci_low": [float(ci.loc[terms[b], 0]) for b in behaviours],
            "ci_high": [float(ci.loc[terms[b], 1]) for b in behaviours],
            "p_value": [float(res.pvalues[terms[b]]) for b in behaviours],
            "odds_ratio_first_touch": np.exp(weights * math.log(2)),
            "points": np.round(max_points * weights / top).astype(np.int64),
        },
        schema=_WEIGHTS_SCHEMA,
    ).sort("weight", descending=True)


def _held_out(
    frame: pl.DataFrame,
    pdf: Any,
    formula: str,
    *,
    holdout: float,
    seed: int,
    current: bool,
) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """Compare the learned score (refitted without them) and the current one on held-out leads.

    Returns the AUCs, the deciles and warnings.
    """
    test = np.random.default_rng(seed).random(frame.height) < holdout
    res_train, train_messages, train_ok = fit_logit(
        formula, pdf.loc[~test], "lead-score model (training part)"
    )
    messages = [] if train_ok else train_messages
    y_test = frame["y"].to_numpy()[test]
    auc_rows, decile_parts = [], []
    if train_ok:
        learned = np.asarray(res_train.predict(pdf.loc[test]), dtype=float)
        auc_rows.append(("learned", auc(y_test, learned), int(test.sum())))
        decile_parts.append(_deciles("learned", y_test, learned))
    if current:
        cur = frame[SCORE].fill_null(np.nan).to_numpy()[test]
        auc_rows.append(("current", auc(y_test, cur), int(np.isfinite(cur).sum())))
        decile_parts.append(_deciles("current", y_test, cur))
    else:
        messages.append("lead_score_weights: the data has no current lead score to compare with")
    return (
        pl.DataFrame(auc_rows, schema=_AUC_SCHEMA, orient="row"),
        pl.concat(decile_parts) if decile_parts else _no_deciles(),
        messages,
    )


# ---------------------------------------------------------------------------- main
@single_threaded_blas
def lead_score_weights(
    dataset: Dataset,
    *,
    outcome: Literal["opportunity", "won"] = "opportunity",
    by: Behaviour = "channel",
    population: Population = "mql",
    max_points: int = 20,
    holdout: float = 0.3,
    level: float = DEFAULT_LEVEL,
    seed: int = 0,
    as_of: datetime | None = None,
) -> LeadScoreResult:
    """Learn lead-score weights per behaviour and compare them with the current score.

    Parameters
    ----------
    dataset
        A validated dataset with ``contacts`` (``mql_at``; ``score`` for the comparison).
    outcome
        ``"opportunity"`` (an opportunity opened at or after the MQL) or ``"won"``.
    by
        Behaviours are marketing touches per ``channel`` or per ``activity``, counted for
        the account at or before its first MQL. Behaviours seen for fewer than 20 leads are
        left out.
    population
        ``"mql"`` (every account's first MQL) or ``"followed_up"`` (only MQLs sales
        followed up, which had a chance to convert through sales).
    max_points
        Points of the strongest behaviour; the others are scaled in proportion.
    holdout
        Share of leads (by account, at random with ``seed``) held out to compare AUCs.
    level
        Coverage of the weights' intervals.
    seed
        Seed of the holdout split.
    as_of
        The moment the data is seen at.

    Returns
    -------
    LeadScoreResult
        ``.table`` (weights and points), ``.auc`` (learned vs current on held-out leads),
        ``.deciles`` (conversion by score decile), ``.model``, ``.diagnostics``.

    Examples
    --------
    >>> import attribution as at
    >>> s = at.lead_score_weights(at.demo.generate(n_accounts=5000, seed=3))
    >>> s.table.columns[:3]
    ['behaviour', 'leads', 'weight']
    >>> s.auc["score"].to_list()
    ['learned', 'current']
    """
    _check_params(outcome, by, population, holdout, max_points, level)
    leads = lead_mqls(dataset, outcome, population, as_of)
    touches = behaviour_touches(dataset, leads, by)
    kept, messages = behaviour_reach(touches)
    terms = {b: f"b{i}" for i, b in enumerate(kept["behaviour"].to_list())}
    frame, current = with_current_score(dataset, lead_frame(leads, touches, terms))
    problems = _support_problems(frame["y"], list(terms), outcome)
    if problems:
        return _unsupported([f"lead_score_weights: {p}" for p in problems] + messages, frame)
    behaviours, collinear = _without_collinear(frame, kept, terms)
    frame, pdf, formula, res, fit_messages, ok = _fit(frame, [terms[b] for b in behaviours])
    messages += collinear + fit_messages
    if not ok:
        return _unsupported(messages, frame, res)
    table = _weights_table(res, behaviours, terms, kept, level, max_points)
    aucs, deciles, held_messages = _held_out(
        frame, pdf, formula, holdout=holdout, seed=seed, current=current
    )
    messages += held_messages
    emit(messages)
    return LeadScoreResult(
        table=table,
        auc=aucs,
        deciles=deciles,
        model=res,
        diagnostics=Diagnostics.of_fit(res, frame["y"].to_numpy(), messages),
        note=NOTE,
    )
