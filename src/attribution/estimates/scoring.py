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
from typing import Literal

import numpy as np
import polars as pl

from attribution._intervals import DEFAULT_LEVEL, check_level
from attribution.data.dataset import Dataset
from attribution.data.schema import (
    ACCOUNT_ID,
    ACTIVITY,
    CHANNEL,
    CONTACT_ID,
    MARKETING,
    MQL_AT,
    OCCURRED_AT,
    SCORE,
    SEGMENT,
    TEAM,
)
from attribution.errors import ParameterError, emit
from attribution.estimates.diagnostics import Diagnostics, auc, calibration_table, rank_bin
from attribution.estimates.modeling import (
    collapse_levels,
    fit_quietly,
    single_threaded_blas,
    to_enum,
)
from attribution.estimates.result import Estimate
from attribution.journey.response import response_times

__all__ = ["LeadScoreResult", "lead_score_weights"]

Behaviour = Literal["channel", "activity"]
Population = Literal["mql", "followed_up"]
_MIN_LEADS = 20

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
    if outcome not in ("opportunity", "won"):
        raise ParameterError(f"outcome must be 'opportunity' or 'won'; got {outcome!r}")
    if by not in (CHANNEL, ACTIVITY):
        raise ParameterError(f"by must be 'channel' or 'activity'; got {by!r}")
    if population not in ("mql", "followed_up"):
        raise ParameterError(f"population must be 'mql' or 'followed_up'; got {population!r}")
    if not 0 < holdout < 0.9:
        raise ParameterError(f"holdout must be a share in (0, 0.9); got {holdout!r}")
    if isinstance(max_points, bool) or not isinstance(max_points, int) or max_points < 1:
        raise ParameterError(f"max_points must be a positive integer; got {max_points!r}")
    check_level(level)

    leads = response_times(dataset, as_of=as_of)
    if population == "followed_up":
        leads = leads.filter(pl.col("followed_up"))
    leads = leads.select(ACCOUNT_ID, CONTACT_ID, MQL_AT, SEGMENT, pl.col(outcome).alias("y"))
    touches = (
        dataset.lazy("touches")
        .filter(pl.col(TEAM) == MARKETING)
        .select(ACCOUNT_ID, OCCURRED_AT, pl.col(by).fill_null("(none)").alias("behaviour"))
        .join(leads.lazy().select(ACCOUNT_ID, MQL_AT), on=ACCOUNT_ID)
        .filter(pl.col(OCCURRED_AT) <= pl.col(MQL_AT))
        .group_by(ACCOUNT_ID, "behaviour")
        .agg(pl.len().cast(pl.Float64).alias("n"))
        .collect()
    )
    reach = touches.group_by("behaviour").agg(pl.len().cast(pl.Int64).alias("leads"))
    kept = reach.filter(pl.col("leads") >= _MIN_LEADS).sort("behaviour")
    behaviours = kept["behaviour"].to_list()
    dropped = reach.height - kept.height
    messages: list[str] = []
    if dropped:
        messages.append(
            f"{dropped} behaviour(s) seen for fewer than {_MIN_LEADS} leads were left out"
        )
    counts = (
        touches.filter(pl.col("behaviour").is_in(behaviours)).pivot(
            on="behaviour", index=ACCOUNT_ID, values="n", on_columns=behaviours
        )
        if behaviours
        else pl.DataFrame(schema={ACCOUNT_ID: pl.String})
    )
    terms = {b: f"b{i}" for i, b in enumerate(behaviours)}
    frame = (
        leads.join(counts, on=ACCOUNT_ID, how="left")
        .with_columns([pl.col(b).fill_null(0.0).log1p().alias(terms[b]) for b in behaviours])
        .with_columns(pl.col("y").cast(pl.Float64))
        .sort(MQL_AT, ACCOUNT_ID)
    )
    current = None
    if dataset.contacts is not None:
        scores = dataset.lazy("contacts").select(CONTACT_ID, SCORE).collect()
        frame = frame.join(scores, on=CONTACT_ID, how="left", maintain_order="left")
        if frame[SCORE].is_not_null().any():
            current = SCORE

    empty = LeadScoreResult(
        table=pl.DataFrame(schema=_WEIGHTS_SCHEMA),
        auc=pl.DataFrame(schema={"score": pl.String, "auc": pl.Float64, "n": pl.Int64}),
        deciles=_deciles("learned", np.empty(0), np.empty(0)),
        model=None,
        diagnostics=Diagnostics(
            n=frame.height, events=int(frame["y"].sum()) if frame.height else 0
        ),
        supported=False,
        note=NOTE,
    )
    y_all = frame["y"]
    problems = []
    if frame.height < 50:
        problems.append(f"only {frame.height} MQLs: too few to learn weights")
    elif y_all.n_unique() < 2:
        state = "converted" if y_all[0] else "failed to convert"
        step = " (the data records no separate opportunity step)" if y_all[0] else ""
        problems.append(f"every MQL {state} to {outcome}{step}, so nothing separates them")
    elif min(y_all.sum(), y_all.len() - y_all.sum()) < 10:
        positives = int(y_all.sum())
        rare = (
            f"only {positives:,} of {y_all.len():,} MQLs became {outcome}"
            if positives < 10
            else f"only {y_all.len() - positives:,} of {y_all.len():,} MQLs did not become "
            f"{outcome}"
        )
        problems.append(f"{rare}: too few of one outcome to learn weights")
    elif not behaviours:
        problems.append("no marketing touches before the MQLs to learn from")
    if problems:
        messages = [f"lead_score_weights: {p}" for p in problems] + messages
        emit(messages)
        return LeadScoreResult(
            table=empty.table,
            auc=empty.auc,
            deciles=empty.deciles,
            model=None,
            diagnostics=Diagnostics(
                n=empty.diagnostics.n, events=empty.diagnostics.events, warnings=tuple(messages)
            ),
            supported=False,
            note=NOTE,
        )

    # collinearity: every lead with the same number of touches (e.g. one origin per lead)
    x_b = frame.select([terms[b] for b in behaviours]).to_numpy()
    design = np.column_stack([np.ones(len(x_b)), x_b])
    if np.linalg.matrix_rank(design[: min(len(design), 50_000)]) < design.shape[1]:
        reference = kept.sort("leads", descending=True)["behaviour"][0]
        behaviours = [b for b in behaviours if b != reference]
        messages.append(
            f"the behaviour counts are collinear (e.g. exactly one recorded touch per lead); "
            f"{reference!r} is the reference and the other weights are relative to it"
        )
    used = []
    values, _notes, warns = collapse_levels(
        frame[SEGMENT], frame["y"], min_count=_MIN_LEADS, name=SEGMENT
    )
    messages += warns
    if values.n_unique() > 1:
        frame = frame.with_columns(to_enum(values).alias(SEGMENT))
        used.append(SEGMENT)
    formula = "y ~ " + " + ".join([*(terms[b] for b in behaviours), *used])

    import statsmodels.formula.api as smf

    pdf = frame.select("y", *(terms[b] for b in behaviours), *used).to_pandas()
    res, fit_messages, ok = fit_quietly(
        lambda: smf.logit(formula, pdf).fit(disp=0, method="newton", maxiter=100),
        "lead-score model",
    )
    messages += fit_messages
    if not ok:
        emit(messages)
        return LeadScoreResult(
            table=empty.table,
            auc=empty.auc,
            deciles=empty.deciles,
            model=res,
            diagnostics=Diagnostics(
                n=frame.height, events=int(y_all.sum()), warnings=tuple(messages)
            ),
            supported=False,
            note=NOTE,
        )
    params = res.params
    ci = res.conf_int(alpha=1 - level)
    weights = np.array([params[terms[b]] for b in behaviours])
    reached = dict(kept.select("behaviour", "leads").iter_rows())
    top = float(np.max(np.abs(weights))) if weights.size else 1.0
    table = pl.DataFrame(
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

    # held-out comparison: fit on the training leads, score the others
    rng = np.random.default_rng(seed)
    test = rng.random(frame.height) < holdout
    train_pdf = pdf.loc[~test]
    res_train, train_messages, train_ok = fit_quietly(
        lambda: smf.logit(formula, train_pdf).fit(disp=0, method="newton", maxiter=100),
        "lead-score model (training part)",
    )
    y_test = frame["y"].to_numpy()[test]
    auc_rows = []
    decile_parts = []
    if train_ok:
        learned = np.asarray(res_train.predict(pdf.loc[test]), dtype=float)
        auc_rows.append(("learned", auc(y_test, learned), int(test.sum())))
        decile_parts.append(_deciles("learned", y_test, learned))
    else:
        messages += train_messages
    if current is not None:
        cur = frame[SCORE].fill_null(np.nan).to_numpy()[test]
        auc_rows.append(("current", auc(y_test, cur), int(np.isfinite(cur).sum())))
        decile_parts.append(_deciles("current", y_test, cur))
    else:
        messages.append("lead_score_weights: the data has no current lead score to compare with")
    y = frame["y"].to_numpy()
    p_fit = np.asarray(res.predict(), dtype=float)
    diagnostics = Diagnostics(
        n=frame.height,
        events=int(y.sum()),
        parameters=len(res.params),
        pseudo_r2=float(res.prsquared),
        auc=auc(y, p_fit),
        calibration=calibration_table(y, p_fit),
        warnings=tuple(messages),
    )
    emit(messages)
    return LeadScoreResult(
        table=table,
        auc=pl.DataFrame(
            auc_rows, schema={"score": pl.String, "auc": pl.Float64, "n": pl.Int64}, orient="row"
        ),
        deciles=pl.concat(decile_parts) if decile_parts else empty.deciles,
        model=res,
        diagnostics=diagnostics,
        supported=True,
        note=NOTE,
    )
