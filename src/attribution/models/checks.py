"""Checks of attribution models on the user's own data, where no truth is known.

Three kinds, per model:

* **Held-out prediction of winning.** Accounts are split into five folds (a hash of the
  account id, so an account's deals stay together); each closed deal's chance to win is
  predicted by the model fitted without its fold, scored by AUC and log-loss (the way
  ChannelAttribution chooses a Markov order). A model that predicts better explains more
  of who wins. ``incremental`` predicts with its win model; ``markov`` (first order) by
  the chance to convert after a journey's last channel; ``shapley`` by the conversion rate
  of the journey's channel set (smoothed toward the overall rate). Rule models credit won
  deals only and predict nothing: they are not scored.
* **Stability.** The average half-width of the channels' bootstrap intervals relative to
  their credit (account resamples, as :func:`attribution.compare`): how much the credit
  would move with another sample of accounts.
* **Sanity axioms.** (a) No channel is credited more conversions than the won journeys
  holding it (``markov`` and ``shapley`` are checked on their channel tables, where the
  ``conversion_rate`` worth can break it); (b) a *placebo* channel, whose presence does
  not differ between won and lost deals (a two-proportion test at p > 0.2 and a
  difference under 3 points), deserves about no incremental credit: each model's share
  of credit on such channels is reported.

The checks *support* the predicting model with the best held-out log-loss that passes
axiom (a); :attr:`ModelChecks.reason` says why in words and gives its placebo share (a
channel's presence can differ little between won and lost deals and still have an effect
that other channels mask, so (b) is reported, not enforced).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from scipy.stats import rankdata

from attribution.data.schema import ACCOUNT_ID, CHANNEL, OPPORTUNITY_ID
from attribution.journey.columns import POSITION, STATUS
from attribution.models.compare import Comparison, compare
from attribution.models.credits import BASELINE, CREDIT, NO_TOUCH
from attribution.models.incremental import Incremental, credits_of, fit_incremental
from attribution.models.incremental.select import FOLDS, folds, held_out_probability
from attribution.models.markov import markov
from attribution.models.registry import attribute
from attribution.models.shapley import shapley
from attribution.results import Result

__all__ = ["ModelChecks", "model_checks"]

DEFAULT_MODELS = ("linear", "last_touch", "markov", "shapley", "incremental")
PLACEBO_GAP = 0.03
"""Largest difference in presence between won and lost deals of a placebo channel."""
PLACEBO_P = 0.2
"""Smallest two-proportion test p-value of a placebo channel."""
NOTE = (
    "Checks on these data, where the true credit is unknown: how well each model predicts "
    "winning on accounts it was not fitted on (AUC, log-loss; rule models predict nothing), "
    "how much its credit moves between bootstrap resamples of accounts, and two axioms (no "
    "channel credited more conversions than the won journeys holding it; a channel whose "
    "presence does not differ between won and lost deals gets about no credit). Passing "
    "them does not prove a model right; failing them shows where it is wrong."
)


@dataclass(frozen=True, kw_only=True, repr=False)
class ModelChecks(Result):
    """What :func:`model_checks` found.

    Attributes
    ----------
    table : polars.DataFrame
        One row per model: ``model``, ``auc`` and ``log_loss`` (held-out; null for rule
        models), ``instability`` (mean half-width of its channels' intervals over their
        credit), ``excess_channels`` (channels credited more conversions than the won
        journeys holding them), ``placebo_share`` (share of its channel credit on placebo
        channels) and ``supported``.
    placebo : polars.DataFrame
        Every channel's presence among won and lost deals, the test's p-value and whether
        it is a placebo.
    supported, reason : str
        The model the checks support and why.
    """

    placebo: pl.DataFrame
    supported: str = ""
    reason: str = ""
    note: str = NOTE


def _closed_deals(journeys: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """One row per closed deal: account, won, its channel set and last channel."""
    closed = journeys.lazy().filter(pl.col(STATUS).is_in(["won", "lost"]))
    return (
        closed.sort(OPPORTUNITY_ID, POSITION)
        .group_by(OPPORTUNITY_ID, maintain_order=True)
        .agg(
            pl.col(ACCOUNT_ID).first(),
            (pl.col(STATUS).first() == "won").alias("won"),
            pl.col(CHANNEL).cast(pl.String).drop_nulls().unique().sort().str.join("|").alias("set"),
            pl.col(CHANNEL).cast(pl.String).drop_nulls().last().fill_null("").alias("last"),
        )
        .collect()
    )


def _rate_predictions(deals: pl.DataFrame, key: str, fold: np.ndarray) -> np.ndarray:
    """Held-out chance to win: the smoothed win rate of training deals sharing ``key``."""
    out = np.empty(deals.height)
    for f in range(FOLDS):
        train = deals.filter(pl.Series(fold != f))
        prior = float(train.select(pl.col("won").mean()).item() or 0.5) if train.height else 0.5
        rates = train.group_by(key).agg(
            ((pl.col("won").sum() + prior) / (pl.len() + 1.0)).alias("p")
        )
        test = deals.filter(pl.Series(fold == f)).select(key)
        joined = test.join(rates, on=key, how="left", maintain_order="left")
        out[fold == f] = joined["p"].fill_null(prior).to_numpy()
    clipped: np.ndarray = np.clip(out, 1e-6, 1 - 1e-6)
    return clipped


def _scores(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """AUC (Mann-Whitney) and mean log-loss."""
    n1, n0 = int(y.sum()), int((~y).sum())
    if not n1 or not n0 or np.isnan(p).any():
        return float("nan"), float("nan")
    ranks = rankdata(p)
    auc = (ranks[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)
    loss = -np.mean(np.where(y, np.log(p), np.log(1 - p)))
    return float(auc), float(loss)


def _prediction(name: str, deals: pl.DataFrame, fitted: Incremental | None) -> tuple[float, float]:
    fold = deals.select(pl.col(ACCOUNT_ID).hash(seed=7) % FOLDS).to_series().to_numpy()
    y = deals["won"].to_numpy()
    if name == "incremental" and fitted is not None:
        design = fitted.design
        return _scores(design.won, held_out_probability(design, fitted.fit, folds(design)))
    if name in ("markov", "shapley"):
        key = "last" if name == "markov" else "set"
        return _scores(y, _rate_predictions(deals, key, fold))
    return float("nan"), float("nan")


def placebo_channels(deals: pl.DataFrame) -> pl.DataFrame:
    """Return every channel's presence among won and lost deals and whether it is a placebo."""
    from statsmodels.stats.proportion import proportions_ztest

    exploded = deals.select("won", pl.col("set").str.split("|").alias(CHANNEL)).explode(CHANNEL)
    counts = (
        exploded.filter(pl.col(CHANNEL) != "")
        .group_by(CHANNEL)
        .agg(pl.col("won").sum().alias("won_deals"), (~pl.col("won")).sum().alias("lost_deals"))
        .sort(CHANNEL)
    )
    n_won, n_lost = int(deals["won"].sum()), int((~deals["won"]).sum())
    rows = []
    for channel, won, lost in counts.iter_rows():
        p = float("nan")
        if n_won and n_lost and 0 < won + lost < n_won + n_lost:
            p = float(proportions_ztest([won, lost], [n_won, n_lost])[1])
        gap = won / max(n_won, 1) - lost / max(n_lost, 1)
        rows.append((channel, won / max(n_won, 1), lost / max(n_lost, 1), p, gap))
    table = pl.DataFrame(
        rows,
        schema=[CHANNEL, "present_won", "present_lost", "p_value", "gap"],
        orient="row",
    )
    return table.with_columns(
        ((pl.col("gap").abs() < PLACEBO_GAP) & (pl.col("p_value") > PLACEBO_P)).alias("placebo")
    ).drop("gap")


def _excess(name: str, journeys: Any, credits: pl.DataFrame, holding: pl.DataFrame) -> int:
    """Channels credited more conversions than the won journeys holding them."""
    if name in ("markov", "shapley"):
        fit = markov(journeys) if name == "markov" else shapley(journeys)
        conversions = fit.table.select(CHANNEL, "conversions")
    else:
        conversions = credits.group_by(CHANNEL).agg(pl.col(CREDIT).sum().alias("conversions"))
    joined = conversions.join(holding, on=CHANNEL, how="inner")
    return int((joined["conversions"] > joined["won_journeys"] + 1e-6).sum())


def _instability(intervals: pl.DataFrame, label: str) -> float:
    rows = intervals.filter(
        (pl.col("model") == label)
        & ~pl.col(CHANNEL).is_in([NO_TOUCH, BASELINE])
        & (pl.col("revenue") > 0)
    )
    if rows.is_empty():
        return float("nan")
    width = rows.select(((pl.col("ci_high") - pl.col("ci_low")) / 2).sum()).item()
    return float(width) / float(rows.select(pl.col("revenue").sum()).item())


def model_checks(
    journeys: pl.DataFrame | pl.LazyFrame,
    models: Sequence[str] = DEFAULT_MODELS,
    *,
    controls: Any = None,
    level: float = 0.9,
    draws: int = 50,
    seed: int = 0,
    comparison: Comparison | None = None,
) -> ModelChecks:
    """Check attribution models on data without a known truth (see the module docstring).

    Parameters
    ----------
    journeys
        Output of :func:`attribution.journeys`.
    models
        Registered model names to check.
    controls
        Passed to the ``incremental`` model (e.g. the dataset: its accounts' segment).
    level, draws, seed
        Bootstrap intervals behind the stability score.
    comparison
        The :func:`attribution.compare` of these journeys by channel with intervals for
        every model checked (as ``level``, ``draws`` and ``seed`` would make it), when the
        caller has it already: its intervals are used instead of a second bootstrap.

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=1_500, seed=0))
    >>> checks = at.model_checks(j, ["linear", "markov", "incremental"], draws=20)
    >>> checks.table.columns[:3], checks.supported in ("markov", "incremental", "")
    (['model', 'auc', 'log_loss'], True)
    """
    journeys = journeys.lazy().collect()
    deals = _closed_deals(journeys)
    placebo = placebo_channels(deals)
    holding = placebo.select(
        CHANNEL, (pl.col("present_won") * int(deals["won"].sum())).round(0).alias("won_journeys")
    )
    placebo_set = placebo.filter("placebo")[CHANNEL].to_list()
    options = {name: ({"controls": controls} if name == "incremental" else {}) for name in models}
    if comparison is None or comparison.intervals is None:
        comparison = compare(journeys, options, level=level, draws=draws, seed=seed)
    intervals = comparison.intervals
    assert intervals is not None
    # the incremental model is fitted once: its credits and its held-out predictions
    fitted = fit_incremental(journeys, controls=controls) if "incremental" in models else None
    rows = []
    for name in models:
        if name == "incremental" and fitted is not None:
            credits = credits_of(fitted, journeys)
        else:
            credits = attribute(journeys, name, **options[name])
        by_channel = credits.filter(~pl.col(CHANNEL).is_in([NO_TOUCH, BASELINE]))
        total = float(by_channel["revenue"].sum())
        on_placebo = float(by_channel.filter(pl.col(CHANNEL).is_in(placebo_set))["revenue"].sum())
        auc, loss = _prediction(name, deals, fitted)
        rows.append(
            {
                "model": name,
                "auc": auc,
                "log_loss": loss,
                "instability": _instability(intervals, name),
                "excess_channels": _excess(name, journeys, credits, holding),
                "placebo_share": on_placebo / total if total > 0 else 0.0,
            }
        )
    table = pl.DataFrame(rows)
    supported, reason = _support(table)
    table = table.with_columns((pl.col("model") == supported).alias("supported"))
    return ModelChecks(table=table, placebo=placebo, supported=supported, reason=reason)


def _support(table: pl.DataFrame) -> tuple[str, str]:
    """Return the predicting model with the best held-out log-loss that passes axiom (a)."""
    scored = table.filter(pl.col("log_loss").is_not_nan()).sort("log_loss")
    passing = scored.filter(pl.col("excess_channels") == 0)
    if passing.is_empty():
        return "", (
            "no model both predicts winning on held-out accounts and credits every channel "
            "within the won journeys holding it; read every model's credit as description"
        )
    best = passing.row(0, named=True)
    others = ", ".join(
        f"{r['model']} {r['log_loss']:.3f}"
        for r in scored.iter_rows(named=True)
        if r["model"] != best["model"]
    )
    reason = (
        f"{best['model']} predicts winning on held-out accounts best among the models that "
        f"credit no channel beyond its journeys (log-loss {best['log_loss']:.3f}, "
        f"AUC {best['auc']:.2f}"
        + (f"; others: {others}" if others else "")
        + f") and gives placebo channels {best['placebo_share']:.1%} of its credit"
    )
    return str(best["model"]), reason
