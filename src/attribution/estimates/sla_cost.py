"""What late follow-up costs: won revenue lost to MQLs answered after the SLA.

:func:`sla_cost` reuses the response-time model of
:func:`~attribution.estimates.speed.speed_to_lead_effect` (``outcome="won"``, the SLA a bin
edge): each MQL first answered after the SLA is compared with MQLs answered in the slowest
bin still inside it, and the difference in adjusted win rates, summed per rep (or other
group), is valued at the average won revenue of a winning account.

**Identification.** An association (see :data:`COST_NOTE`): it is the cost of late
follow-up only if response times were as good as random given segment and lead source.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import polars as pl

from attribution._intervals import DEFAULT_DRAWS, DEFAULT_LEVEL, quantiles
from attribution.data.dataset import Dataset
from attribution.data.schema import ACCOUNT_ID, AMOUNT, CLOSED_AT, IS_WON
from attribution.errors import ParameterError, emit
from attribution.estimates.modeling import bin_by_edges, single_threaded_blas
from attribution.estimates.result import Estimate
from attribution.estimates.speed import (
    NEVER,
    EffectResult,
    adjusted_rates,
    bin_edges,
    bin_labels,
    speed_to_lead_effect,
)
from attribution.journey.response import (
    SPEED_BY,
    SpeedBy,
    by_list,
    response_times,
    sales_only_on_won,
)

__all__ = ["COST_NOTE", "SlaCost", "sla_cost"]

COST_NOTE = (
    "An estimate from observational data: each MQL first answered after the SLA is compared "
    "with MQLs answered just within it (the slowest response bin inside the SLA), using the "
    "win rates of a Logit of winning on response-time bins with segment and lead source held "
    "fixed, then valued at the average won revenue of a winning account. Fast responders may "
    "also be better closers and hot leads may be answered first, so this is what late "
    "follow-up costs only if response times were as good as random given those controls. "
    "MQLs never followed up are counted but not costed: some may not have deserved a call."
)
_COUNTS = ("mqls", "late", "never_followed_up")
_ESTIMATES = ("lost_wins", "lost_revenue", "ci_low", "ci_high")


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


# ---------------------------------------------------------------------------- steps
def _check_params(by: SpeedBy, sla_hours: float) -> str:
    """Check the grouping and the SLA; return the one grouping column."""
    keys = by_list(by, SPEED_BY, "sla_cost")
    if len(keys) != 1:
        raise ParameterError(f"sla_cost: by must name one grouping; got {by!r}")
    if isinstance(sla_hours, bool) or not isinstance(sla_hours, int | float) or not sla_hours > 0:
        raise ParameterError(f"sla_hours must be a positive number of hours; got {sla_hours!r}")
    return keys[0]


def _mqls(
    dataset: Dataset, sla_hours: float, edges: Sequence[float], as_of: datetime | None
) -> pl.DataFrame:
    """Return the MQLs whose SLA can be judged, with ``_late`` and their response ``_bin``."""
    r = response_times(dataset, sla_hours=sla_hours, as_of=as_of).filter(~pl.col("pending"))
    return r.with_columns(
        (pl.col("followed_up") & (pl.col("response_hours") > sla_hours)).alias("_late"),
        bin_by_edges(pl.col("response_hours"), edges, bin_labels(edges)).alias("_bin"),
    )


def _follow_up_counts(mqls: pl.DataFrame, key: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return MQLs, late and never followed up per group of ``key``, and for ``all``."""
    counts = (
        pl.len().cast(pl.Int64).alias("mqls"),
        pl.col("_late").sum().cast(pl.Int64).alias("late"),
        (~pl.col("followed_up")).sum().cast(pl.Int64).alias("never_followed_up"),
    )
    return mqls.group_by(key).agg(*counts), mqls.select(pl.lit("all").alias(key), *counts)


def _value_per_win(dataset: Dataset, mqls: pl.DataFrame) -> float | None:
    """Return the average won revenue of the MQLs' accounts that won (``None``: none did)."""
    won_accounts = (
        dataset.lazy("opportunities")
        .filter(pl.col(IS_WON) & pl.col(CLOSED_AT).is_not_null())
        .group_by(ACCOUNT_ID)
        .agg(pl.col(AMOUNT).fill_null(0.0).sum().alias("_won"))
        .collect()
    )
    winners = mqls.filter(pl.col("won")).select(ACCOUNT_ID).join(won_accounts, on=ACCOUNT_ID)
    return float(winners["_won"].mean()) if winners.height else None  # type: ignore[arg-type]


def _modelled_bins(effect: EffectResult) -> list[str]:
    """Return the response bins the effect's model estimated (those with an odds ratio)."""
    modelled = (pl.col("bin") != NEVER) & pl.col("odds_ratio").is_not_null()
    return effect.table.filter(modelled)["bin"].to_list()


def _reference_bin(effect: EffectResult, edges: list[float], sla_hours: float) -> str | None:
    """Return the slowest modelled bin inside the SLA (``None`` when there is none)."""
    inside = bin_labels(edges)[: edges.index(float(sla_hours)) + 1]
    kept = _modelled_bins(effect)
    within = [b for b in inside if b in kept]
    return within[-1] if within else None


def _problems(
    effect: EffectResult, reference: str | None, sla_hours: float, value: float | None
) -> list[str]:
    """Return why a supported effect still cannot give a cost (empty when it can)."""
    problems = []
    if effect.supported and reference is None:
        problems.append(
            f"sla_cost: no MQL was answered within the {sla_hours:g}-hour SLA, so there is "
            "nothing to compare late answers with"
        )
    if effect.supported and not value:
        problems.append("sla_cost: no won deal has an amount, so a lost win cannot be valued")
    return problems


def _blank(frame: pl.DataFrame, sales_only: bool) -> pl.DataFrame:
    """Leave the estimates empty (and the follow-up counts when recorded only for winners)."""
    # follow-up recorded only for winners: late and never-answered counts would mislead
    counted = ("late", "never_followed_up") if sales_only else ()
    return frame.with_columns(
        [pl.lit(None, dtype=pl.Float64).alias(c) for c in _ESTIMATES]
        + [pl.lit(None, dtype=pl.Int64).alias(c) for c in counted]
    )


def _late_per_bin(
    mqls: pl.DataFrame, key: str, groups: list[str], late_bins: list[str]
) -> np.ndarray:
    """Return the late MQLs per group (rows, in ``groups`` order) and late bin (columns)."""
    per_bin = (
        mqls.filter(pl.col("_late") & pl.col("_bin").is_in(late_bins))
        .group_by(key, "_bin")
        .agg(pl.len().alias("n"))
    )
    n = np.zeros((len(groups), len(late_bins)))
    if per_bin.height:
        g_index = {g: i for i, g in enumerate(groups)}
        b_index = {b: i for i, b in enumerate(late_bins)}
        gi = np.array([g_index[g] for g in per_bin[key].to_list()], dtype=int)
        bi = np.array([b_index[b] for b in per_bin["_bin"].to_list()], dtype=int)
        n[gi, bi] = per_bin["n"].to_numpy()
    return n


def _late_losses(
    effect: EffectResult, reference: str, draws: int, seed: int
) -> tuple[list[str], tuple[np.ndarray, np.ndarray]]:
    """Return the modelled bins after the SLA and the wins one MQL in each loses.

    ``reference`` is the slowest modelled bin inside the SLA, so the modelled bins after
    it are those after the SLA. The loss is the adjusted win rate of ``reference`` minus
    that of the late bin: a point per late bin and, per late bin, one value per draw.
    """
    kept = _modelled_bins(effect)
    late_bins = kept[kept.index(reference) + 1 :]
    point, spread = adjusted_rates(effect.model, kept, draws, np.random.default_rng(seed))
    loss_point = np.array([point[reference] - point[b] for b in late_bins])
    loss_draws = (
        np.stack([spread[reference] - spread[b] for b in late_bins])
        if late_bins
        else np.empty((0, draws))  # no modelled bin after the SLA: nothing was lost
    )
    return late_bins, (loss_point, loss_draws)


def _with_estimates(
    frame: pl.DataFrame,
    weights: np.ndarray,
    loss: tuple[np.ndarray, np.ndarray],
    value: float,
    level: float,
) -> pl.DataFrame:
    """Add lost wins and revenue (with intervals) of the late MQLs counted in ``weights``."""
    lp, ld = loss
    late = lp.size > 0
    wins = weights @ lp if late else np.zeros(weights.shape[0])
    sims = weights @ ld if late else np.zeros((weights.shape[0], 1))
    lo_q, hi_q = quantiles(level)
    return frame.with_columns(
        pl.Series("lost_wins", wins, dtype=pl.Float64),
        pl.Series("lost_revenue", wins * value, dtype=pl.Float64),
        pl.Series("ci_low", np.quantile(sims, lo_q, axis=1) * value, dtype=pl.Float64),
        pl.Series("ci_high", np.quantile(sims, hi_q, axis=1) * value, dtype=pl.Float64),
    )


@dataclass(frozen=True)
class _Setting:
    """What one call fixes: the grouping column, the model, the value of a win, the SLA."""

    key: str
    effect: EffectResult
    value: float | None
    sla_hours: float
    level: float
    draws: int

    def result(
        self,
        table: pl.DataFrame,
        total: pl.DataFrame,
        reference: str | None,
        problems: Sequence[str] = (),
    ) -> SlaCost:
        """Assemble the result: ``share_late``, columns in order, largest cost first.

        ``problems`` (why there is no estimate) join the effect's warnings, so the result's
        ``reason`` names them.
        """
        return SlaCost(
            table=self._tidy(table).sort(
                ["lost_revenue", "late", self.key], descending=[True, True, False], nulls_last=True
            ),
            total=self._tidy(total),
            effect=self.effect,
            value_per_win=self.value,
            sla_hours=self.sla_hours,
            model=self.effect.model,
            diagnostics=dataclasses.replace(
                self.effect.diagnostics,
                warnings=(*self.effect.diagnostics.warnings, *problems),
            ),
            level=self.level,
            draws=self.draws,
            supported=reference is not None,
            note=COST_NOTE,
            reference_bin=reference,
        )

    def _tidy(self, frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(
            pl.when(pl.col("mqls") > 0).then(pl.col("late") / pl.col("mqls")).alias("share_late")
        ).select(self.key, *_COUNTS, "share_late", *_ESTIMATES)


# ---------------------------------------------------------------------------- main
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
    key = _check_params(by, sla_hours)
    edges = sorted({*bin_edges(bins_hours), float(sla_hours)})
    effect = speed_to_lead_effect(
        dataset, bins_hours=edges, outcome="won", level=level, draws=draws, seed=seed, as_of=as_of
    )
    mqls = _mqls(dataset, sla_hours, edges, as_of)
    counts, total = _follow_up_counts(mqls, key)
    value = _value_per_win(dataset, mqls)
    setting = _Setting(key, effect, value, float(sla_hours), float(level), draws)
    reference = _reference_bin(effect, edges, sla_hours)
    problems = _problems(effect, reference, sla_hours, value)
    if not effect.supported or problems or reference is None or value is None:
        emit(problems)
        sales_only = sales_only_on_won(dataset)
        return setting.result(_blank(counts, sales_only), _blank(total, sales_only), None, problems)
    late_bins, loss = _late_losses(effect, reference, draws, seed)
    n = _late_per_bin(mqls, key, counts[key].to_list(), late_bins)
    counts = _with_estimates(counts, n, loss, value, level)
    total = _with_estimates(total, n.sum(axis=0, keepdims=True), loss, value, level)
    return setting.result(counts, total, reference)
