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
from attribution.data.schema import ACCOUNT_ID, AMOUNT, CLOSED_AT, IS_WON, LEAD_SOURCE, SEGMENT
from attribution.errors import ParameterError, emit
from attribution.estimates.diagnostics import Diagnostics, auc, calibration_table
from attribution.estimates.modeling import (
    bin_by_edges,
    collapse_levels,
    fit_quietly,
    single_threaded_blas,
    to_enum,
)
from attribution.estimates.result import Estimate
from attribution.journey.response import SpeedBy, by_list, response_times, sales_only_on_won

__all__ = ["EffectResult", "Outcome", "SlaCost", "sla_cost", "speed_to_lead_effect"]

Outcome = Literal["opportunity", "won"]
_OUTCOMES: tuple[str, ...] = ("opportunity", "won")
_CONTROLS: tuple[str, ...] = (SEGMENT, LEAD_SOURCE)
_MIN_LEVEL = 20
NEVER = "never followed up"

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


def _bin_labels(edges: Sequence[float]) -> list[str]:
    def fmt(h: float) -> str:
        return f"{h:g}h" if h < 48 or h % 24 else f"{h / 24:g}d"

    labels = [f"< {fmt(edges[0])}"]
    labels += [f"{fmt(a)}-{fmt(b)}" for a, b in pairwise(edges)]
    return [*labels, f">= {fmt(edges[-1])}"]


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
    edges = [float(b) for b in bins_hours]
    if not edges or edges[0] <= 0 or any(b <= a for a, b in pairwise(edges)):
        raise ParameterError(
            f"bins_hours must be increasing positive hours, e.g. (1, 4, 24, 72); got {bins_hours!r}"
        )
    if outcome not in _OUTCOMES:
        raise ParameterError(f"outcome must be one of {', '.join(_OUTCOMES)}; got {outcome!r}")
    if isinstance(controls, str) or any(c not in _CONTROLS for c in controls):
        raise ParameterError(
            f"controls must be a list drawn from {', '.join(_CONTROLS)}; got {controls!r}"
        )
    check_level(level)
    check_draws(draws)
    labels = _bin_labels(edges)
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

    problems: list[str] = []
    sales_only = sales_only_on_won(dataset)
    if sales_only:
        problems.append(
            "sales activity is recorded only for accounts that won a deal, so response "
            "times exist only for winners and their effect cannot be estimated"
        )
    present = base.filter((pl.col("bin") != NEVER) & (pl.col("mqls") > 0))
    if not problems and (followed.height < 50 or present.height < 2):
        problems.append(
            f"only {followed.height:,} followed-up MQLs in {present.height} response bin(s): "
            "too few to compare response times"
        )
    if not problems:
        stuck = present.filter(
            (pl.col("conversions") == 0) | (pl.col("conversions") == pl.col("mqls"))
        )
        if stuck.height:
            problems.append(
                "in response bin(s) "
                + ", ".join(stuck["bin"].to_list())
                + " every MQL had the same outcome, so odds ratios are not finite; "
                "widen the bins"
            )
    if problems:
        emit([f"speed_to_lead_effect: {p}" for p in problems])
        # response times that exist only for winners would be misleading even as counts
        blank = list(_TABLE_SCHEMA)[1 if sales_only else 4 :]
        return EffectResult(
            table=base.with_columns(
                [pl.lit(None, dtype=_TABLE_SCHEMA[c]).alias(c) for c in blank]
            ).select(list(_TABLE_SCHEMA)),
            model=None,
            diagnostics=Diagnostics(
                n=followed.height,
                events=int(followed["y"].sum()),
                warnings=tuple(problems),
            ),
            supported=False,
            note=NOTE,
        )

    messages: list[str] = []
    kept_bins = present["bin"].to_list()
    frame = followed.filter(pl.col("bin").cast(pl.String).is_in(kept_bins)).with_columns(
        pl.col("bin").cast(pl.String).cast(pl.Enum(kept_bins)).alias("response_bin")
    )
    used = []
    for name in controls:
        values, _notes, warns = collapse_levels(
            frame[name], frame["y"], min_count=_MIN_LEVEL, name=name
        )
        messages += warns
        if values.n_unique() > 1:
            frame = frame.with_columns(to_enum(values).alias(name))
            used.append(name)
    formula = "y ~ " + " + ".join(["response_bin", *used])
    import statsmodels.formula.api as smf

    pdf = frame.select("y", "response_bin", *used).to_pandas()
    res, fit_messages, ok = fit_quietly(
        lambda: smf.logit(formula, pdf).fit(disp=0, method="newton", maxiter=100),
        "response-time model",
    )
    messages += fit_messages
    names = list(res.model.exog_names) if res is not None else []
    y = frame["y"].to_numpy()
    if not ok:
        emit(messages)
        return EffectResult(
            table=base.with_columns(
                [pl.lit(None, dtype=pl.Float64).alias(c) for c in list(_TABLE_SCHEMA)[4:]]
            ).select(list(_TABLE_SCHEMA)),
            model=res,
            diagnostics=Diagnostics(n=frame.height, events=int(y.sum()), warnings=tuple(messages)),
            supported=False,
            note=NOTE,
        )

    alpha = 1 - level
    ci = np.asarray(res.conf_int(alpha=alpha), dtype=float)
    params = np.asarray(res.params, dtype=float)
    x = np.asarray(res.model.exog, dtype=float)
    bin_cols = {b: names.index(f"response_bin[T.{b}]") for b in kept_bins[1:]}
    rng = np.random.default_rng(seed)
    sims = rng.multivariate_normal(params, np.asarray(res.cov_params()), size=draws, method="eigh")
    rows = []
    for b in kept_bins:
        xb = x.copy()
        xb[:, list(bin_cols.values())] = 0.0
        if b in bin_cols:
            xb[:, bin_cols[b]] = 1.0
        rate_point = float(np.mean(1 / (1 + np.exp(-(xb @ params)))))
        rate_draws = np.mean(1 / (1 + np.exp(-(xb @ sims.T))), axis=0)
        col = bin_cols.get(b)
        rows.append(
            {
                "bin": b,
                "odds_ratio": math.exp(params[col]) if col is not None else 1.0,
                "or_ci_low": math.exp(ci[col, 0]) if col is not None else None,
                "or_ci_high": math.exp(ci[col, 1]) if col is not None else None,
                "adjusted_rate": rate_point,
                "ci_low": float(np.quantile(rate_draws, alpha / 2)),
                "ci_high": float(np.quantile(rate_draws, 1 - alpha / 2)),
            }
        )
    estimates = pl.DataFrame(rows, schema={k: _TABLE_SCHEMA[k] for k in rows[0]})
    table = base.join(estimates, on="bin", how="left", maintain_order="left").select(
        list(_TABLE_SCHEMA)
    )
    p_fit = np.asarray(res.predict(), dtype=float)
    rarer = int(min(y.sum(), y.size - y.sum()))
    if rarer / len(names) < 10:
        messages.append(
            f"only {rarer / len(names):.1f} events per parameter: estimates may be unstable"
        )
    diagnostics = Diagnostics(
        n=frame.height,
        events=int(y.sum()),
        parameters=len(names),
        pseudo_r2=float(res.prsquared),
        auc=auc(y, p_fit),
        calibration=calibration_table(y, p_fit),
        warnings=tuple(messages),
    )
    emit(messages)
    return EffectResult(
        table=table,
        model=res,
        diagnostics=diagnostics,
        supported=True,
        note=NOTE,
        level=float(level),
        draws=draws,
    )


# ------------------------------------------------------------------------------ SLA cost
COST_NOTE = (
    "An estimate from observational data: each MQL first answered after the SLA is compared "
    "with MQLs answered just within it (the slowest response bin inside the SLA), using the "
    "win rates of a Logit of winning on response-time bins with segment and lead source held "
    "fixed, then valued at the average won revenue of a winning account. Fast responders may "
    "also be better closers and hot leads may be answered first, so this is what late "
    "follow-up costs only if response times were as good as random given those controls. "
    "MQLs never followed up are counted but not costed: some may not have deserved a call."
)


@dataclass(frozen=True, kw_only=True, repr=False)
class SlaCost(Estimate):
    """Won revenue estimated lost to MQLs answered after the SLA, per rep (or other group).

    Attributes
    ----------
    table
        One row per group: ``mqls`` (whose SLA can be judged), ``late`` (first answered
        after the SLA), ``never_followed_up``, ``share_late``, ``lost_wins`` (estimated wins
        the late MQLs would have added had they been answered just within the SLA),
        ``lost_revenue`` with its interval ``ci_low``/``ci_high``; largest cost first.
        The estimate columns are empty when the data cannot support them (and the
        follow-up counts too when sales activity is recorded only for won deals).
    total
        The same columns for all MQLs together (one row, group ``all``).
    effect
        The response-time model used (:func:`speed_to_lead_effect` with ``outcome="won"``).
    value_per_win
        Average won revenue of an account that won (what one more win is worth).
    sla_hours
        The SLA the cost is measured against.
    reference_bin
        The response bin late MQLs are compared with: the slowest one inside the SLA.
    level
        Coverage of the intervals.
    supported
        False when there is no estimate (the warnings say why).
    note
        The interpretation caveat, for reports.
    """

    total: pl.DataFrame
    effect: EffectResult
    value_per_win: float | None
    sla_hours: float
    reference_bin: str | None = None


def _adjusted_rate_draws(
    res: Any, bins: Sequence[str], draws: int, rng: np.random.Generator
) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Average predicted rate if every MQL had been answered in each bin: point and draws."""
    names = list(res.model.exog_names)
    x = np.asarray(res.model.exog, dtype=float)
    params = np.asarray(res.params, dtype=float)
    sims = rng.multivariate_normal(params, np.asarray(res.cov_params()), size=draws, method="eigh")
    columns = {
        b: names.index(f"response_bin[T.{b}]") for b in bins if f"response_bin[T.{b}]" in names
    }
    point, spread = {}, {}
    for b in bins:
        xb = x.copy()
        xb[:, list(columns.values())] = 0.0
        if b in columns:
            xb[:, columns[b]] = 1.0
        point[b] = float(np.mean(1 / (1 + np.exp(-(xb @ params)))))
        spread[b] = np.mean(1 / (1 + np.exp(-(xb @ sims.T))), axis=0)
    return point, spread


@single_threaded_blas
def sla_cost(
    dataset: Dataset,
    *,
    sla_hours: float = 24,
    by: SpeedBy = "rep",
    bins_hours: Sequence[float] = (1, 4, 24, 72),
    level: float = DEFAULT_LEVEL,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    as_of: datetime | None = None,
) -> SlaCost:
    """Estimate the won revenue lost to MQLs answered after the SLA, per rep (or group).

    The response-time model of :func:`speed_to_lead_effect` (``outcome="won"``, with
    ``sla_hours`` added to the bin edges) gives the adjusted win rate of each response bin.
    Each MQL first answered after the SLA would, answered in the slowest bin still inside
    the SLA, have won with the rate of that bin instead of its own; the difference, summed
    over a group's late MQLs, is its ``lost_wins``, and times the average won revenue of a
    winning account, its ``lost_revenue``. Intervals come from draws of the model's
    coefficients (the value of a win is taken as known).

    **Identification.** An association (see :data:`COST_NOTE`): it is the cost of late
    follow-up only if response times were as good as random given segment and lead source.

    Parameters
    ----------
    dataset
        A validated dataset with ``contacts`` (``mql_at``) and sales touches.
    sla_hours
        The agreed maximum hours from MQL to the first sales touch.
    by
        ``rep`` (who answered; MQLs never followed up form ``(no response)``),
        ``lead_source``, ``month`` (of the MQL) or ``segment``.
    bins_hours
        Response-time bin edges in hours (``sla_hours`` is added to them).
    level
        Coverage of the intervals.
    draws
        Coefficient draws for the intervals.
    seed
        Seed of the draws.
    as_of
        The moment the data is seen at.

    Returns
    -------
    SlaCost
        ``.table`` per group, ``.total``, ``.effect`` (the model), ``.value_per_win``.

    Examples
    --------
    >>> import attribution as at
    >>> cost = at.sla_cost(at.demo.generate(n_accounts=6000, seed=4), sla_hours=24, draws=100)
    >>> cost.table.columns[:4]
    ['rep', 'mqls', 'late', 'never_followed_up']
    >>> int(cost.total["late"][0]) == int(cost.table["late"].sum())
    True
    """
    keys = by_list(by, ("rep", "lead_source", "month", "segment"), "sla_cost")
    if len(keys) != 1:
        raise ParameterError(f"sla_cost: by must name one grouping; got {by!r}")
    (key,) = keys
    if isinstance(sla_hours, bool) or not isinstance(sla_hours, int | float) or not sla_hours > 0:
        raise ParameterError(f"sla_hours must be a positive number of hours; got {sla_hours!r}")
    edges = sorted({float(b) for b in bins_hours} | {float(sla_hours)})
    labels = _bin_labels(edges)
    inside = labels[: edges.index(float(sla_hours)) + 1]
    effect = speed_to_lead_effect(
        dataset,
        bins_hours=edges,
        outcome="won",
        level=level,
        draws=draws,
        seed=seed,
        as_of=as_of,
    )
    r = response_times(dataset, sla_hours=sla_hours, as_of=as_of).filter(~pl.col("pending"))
    late_expr = pl.col("followed_up") & (pl.col("response_hours") > sla_hours)
    rows = r.with_columns(
        late_expr.alias("_late"),
        bin_by_edges(pl.col("response_hours"), edges, labels).alias("_bin"),
    )
    counts = rows.group_by(key).agg(
        pl.len().cast(pl.Int64).alias("mqls"),
        pl.col("_late").sum().cast(pl.Int64).alias("late"),
        (~pl.col("followed_up")).sum().cast(pl.Int64).alias("never_followed_up"),
    )
    total_counts = rows.select(
        pl.lit("all").alias(key),
        pl.len().cast(pl.Int64).alias("mqls"),
        pl.col("_late").sum().cast(pl.Int64).alias("late"),
        (~pl.col("followed_up")).sum().cast(pl.Int64).alias("never_followed_up"),
    )
    won_accounts = (
        dataset.lazy("opportunities")
        .filter(pl.col(IS_WON) & pl.col(CLOSED_AT).is_not_null())
        .group_by(ACCOUNT_ID)
        .agg(pl.col(AMOUNT).fill_null(0.0).sum().alias("_won"))
        .collect()
    )
    winners = r.filter(pl.col("won")).select(ACCOUNT_ID).join(won_accounts, on=ACCOUNT_ID)
    value = float(winners["_won"].mean()) if winners.height else None  # type: ignore[arg-type]

    estimates = ("lost_wins", "lost_revenue", "ci_low", "ci_high")

    def finish(
        table: pl.DataFrame, total: pl.DataFrame, supported: bool, reference: str | None = None
    ) -> SlaCost:
        def tidy(frame: pl.DataFrame) -> pl.DataFrame:
            return frame.with_columns(
                pl.when(pl.col("mqls") > 0)
                .then(pl.col("late") / pl.col("mqls"))
                .alias("share_late")
            ).select(key, "mqls", "late", "never_followed_up", "share_late", *estimates)

        return SlaCost(
            table=tidy(table).sort(
                ["lost_revenue", "late", key], descending=[True, True, False], nulls_last=True
            ),
            total=tidy(total),
            effect=effect,
            value_per_win=value,
            sla_hours=float(sla_hours),
            model=effect.model,
            diagnostics=effect.diagnostics,
            level=float(level),
            draws=draws,
            supported=supported,
            note=COST_NOTE,
            reference_bin=reference,
        )

    sales_only = sales_only_on_won(dataset)

    def blank(frame: pl.DataFrame) -> pl.DataFrame:
        # follow-up recorded only for winners: late and never-answered counts would mislead
        counted = ("late", "never_followed_up") if sales_only else ()
        return frame.with_columns(
            [pl.lit(None, dtype=pl.Float64).alias(c) for c in estimates]
            + [pl.lit(None, dtype=pl.Int64).alias(c) for c in counted]
        )

    problems = []
    present = [b for b in effect.table["bin"].to_list() if b != NEVER]
    kept = [
        b for b in present if effect.table.filter(pl.col("bin") == b)["odds_ratio"][0] is not None
    ]
    counterfactual = [b for b in inside if b in kept]
    if effect.supported and not counterfactual:
        problems.append(
            f"sla_cost: no MQL was answered within the {sla_hours:g}-hour SLA, so there is "
            "nothing to compare late answers with"
        )
    if effect.supported and not value:
        problems.append("sla_cost: no won deal has an amount, so a lost win cannot be valued")
    if not effect.supported or problems:
        emit(problems)
        return finish(blank(counts), blank(total_counts), False)

    rng = np.random.default_rng(seed)
    point, spread = _adjusted_rate_draws(effect.model, kept, draws, rng)
    target = counterfactual[-1]
    late_bins = [b for b in kept if b not in inside]
    loss_point = {b: point[target] - point[b] for b in late_bins}
    loss_draws = {b: spread[target] - spread[b] for b in late_bins}
    assert value is not None
    per_bin = (
        rows.filter(pl.col("_late") & pl.col("_bin").is_in(late_bins))
        .group_by(key, "_bin")
        .agg(pl.len().alias("n"))
    )
    groups = counts[key].to_list()
    n = np.zeros((len(groups), len(late_bins)))
    if per_bin.height:
        g_index = {g: i for i, g in enumerate(groups)}
        b_index = {b: i for i, b in enumerate(late_bins)}
        gi = np.array([g_index[g] for g in per_bin[key].to_list()], dtype=int)
        bi = np.array([b_index[b] for b in per_bin["_bin"].to_list()], dtype=int)
        n[gi, bi] = per_bin["n"].to_numpy()
    lp = np.array([loss_point[b] for b in late_bins])
    ld = np.array([loss_draws[b] for b in late_bins]).reshape(len(late_bins), -1)
    lo_q, hi_q = (1 - level) / 2, (1 + level) / 2

    def with_estimates(frame: pl.DataFrame, weights: np.ndarray) -> pl.DataFrame:
        wins = weights @ lp if late_bins else np.zeros(weights.shape[0])
        sims = weights @ ld if late_bins else np.zeros((weights.shape[0], 1))
        return frame.with_columns(
            pl.Series("lost_wins", wins, dtype=pl.Float64),
            pl.Series("lost_revenue", wins * value, dtype=pl.Float64),
            pl.Series("ci_low", np.quantile(sims, lo_q, axis=1) * value, dtype=pl.Float64),
            pl.Series("ci_high", np.quantile(sims, hi_q, axis=1) * value, dtype=pl.Float64),
        )

    return finish(
        with_estimates(counts, n),
        with_estimates(total_counts, n.sum(axis=0, keepdims=True)),
        True,
        target,
    )
