"""The ideal customer profile: which accounts win, and how much of marketing reaches them.

:func:`profile_table` describes closed deals by one firmographic dimension (segment,
industry, region, size band): win rate with its Wilson interval, average won deal, median
cycle of won deals, won revenue per account. :func:`ideal_customer_profile` fits a
statsmodels Logit of winning on all four at once (rare levels merged into ``other``, the
regularisation that keeps a level of five deals from looking like a finding), reports each
level's odds ratio against the most common level with its interval, and an L1-penalised fit
beside it: a level the penalty sets to zero is not distinguishable from the rest. It then
states the profile that wins most in one sentence with its evidence
(:func:`attribution.feedback.reach.profile_reach`: how much of marketing reaches it).

Identification: firmographics are fixed before the deal, but they stand for much the data
does not hold (budget, need, fit with the product); the profile says who has won, not who
would win if marketing reached more of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import polars as pl

from attribution._intervals import DEFAULT_LEVEL, check_level
from attribution._text import did_you_mean
from attribution.data.dataset import Dataset
from attribution.errors import ParameterError
from attribution.estimates.diagnostics import Diagnostics, few_events_warning
from attribution.estimates.modeling import fit_quietly, prepare_controls, single_threaded_blas
from attribution.estimates.result import Estimate
from attribution.feedback.frames import NONE_LABEL, closed_deals
from attribution.feedback.reasons import with_share_intervals
from attribution.results import Result

__all__ = [
    "FIRMOGRAPHICS",
    "ProfileEstimate",
    "ideal_customer_profile",
    "profile_table",
]

FIRMOGRAPHICS: tuple[str, ...] = ("segment", "industry", "region", "size")
"""The dimensions of the profile: the account's segment, industry, region, size band."""

_NO_FIRMOGRAPHICS = (
    "no firmographic varies across closed deals (an accounts table with segment, industry, "
    "region or employees is needed)"
)
_TERM_SCHEMA = {
    "dimension": pl.String,
    "level": pl.String,
    "odds_ratio": pl.Float64,
    "low": pl.Float64,
    "high": pl.Float64,
    "penalised_odds_ratio": pl.Float64,
}


def _check_dimension(by: str) -> None:
    if by not in FIRMOGRAPHICS:
        hint = did_you_mean(by, FIRMOGRAPHICS)
        raise ParameterError(
            f"by must be one of {', '.join(FIRMOGRAPHICS)}; got {by!r}"
            + (f"; {hint}" if hint else "")
        )


def profile_table(
    dataset: Dataset,
    *,
    by: str = "segment",
    level: float = DEFAULT_LEVEL,
    as_of: datetime | None = None,
) -> Result:
    """Return win rate, deal size, cycle and revenue per account by one firmographic.

    Examples
    --------
    >>> import attribution as at
    >>> t = profile_table(at.demo.generate(n_accounts=300, seed=2)).table
    >>> t.columns[:4]
    ['segment', 'closed', 'won', 'win_rate']
    """
    _check_dimension(by)
    level = check_level(level)
    deals = closed_deals(dataset, as_of=as_of)
    table = (
        deals.group_by(by)
        .agg(
            pl.len().cast(pl.Int64).alias("closed"),
            pl.col("is_won").sum().cast(pl.Int64).alias("won"),
            pl.col("amount").filter(pl.col("is_won")).mean().alias("average_won"),
            pl.col("cycle_days").filter(pl.col("is_won")).median().alias("median_cycle_days"),
            pl.col("amount").filter(pl.col("is_won")).sum().alias("won_revenue"),
            pl.col("account_id").n_unique().cast(pl.Int64).alias("accounts"),
        )
        .with_columns((pl.col("won_revenue") / pl.col("accounts")).alias("revenue_per_account"))
    )
    table = with_share_intervals(table, "won", "closed", level=level, prefix="win_rate")
    table = table.select(
        by,
        "closed",
        "won",
        "win_rate",
        "win_rate_low",
        "win_rate_high",
        "average_won",
        "median_cycle_days",
        "won_revenue",
        "accounts",
        "revenue_per_account",
    ).sort(["won_revenue", by], descending=[True, False])
    note = (
        f"Closed deals by the account's {by} ({level:.0%} Wilson intervals of the win rate). "
        "Who has won, not who would win if marketing reached more of them."
    )
    return Result(table=table, note=note, level=level)


@dataclass(frozen=True, kw_only=True, repr=False)
class ProfileEstimate(Estimate):
    """The model of winning on firmographics, and the profile that wins most.

    Attributes
    ----------
    table : polars.DataFrame
        One row per modelled level: ``dimension``, ``level``, ``odds_ratio`` against the
        dimension's most common level with ``low``/``high``, ``penalised_odds_ratio``.
    profile : dict
        The levels that stand out, by dimension (empty when none does).
    sentence : str
        The profile stated with its evidence, or why no profile stands out.
    evidence : polars.DataFrame
        The closed deals inside the profile and overall: ``closed``, ``won``, win rate and
        interval.
    """

    profile: dict[str, str] = field(default_factory=dict)
    sentence: str = ""
    evidence: pl.DataFrame = field(default_factory=pl.DataFrame)


def _standouts(deals: pl.DataFrame, level: float, min_count: int) -> dict[str, str]:
    """Per dimension, the level whose win rate's lower bound beats the overall win rate.

    The bound is Bonferroni-corrected for the number of levels tried, so that among twenty
    levels one does not stand out by chance.
    """
    from statsmodels.stats.proportion import proportion_confint

    overall = float(deals.select(pl.col("is_won").cast(pl.Float64).mean()).item() or 0.0)
    counts = pl.concat(
        [
            deals.group_by(pl.col(d).alias("level"))
            .agg(pl.len().alias("closed"), pl.col("is_won").sum().alias("won"))
            .with_columns(pl.lit(d).alias("dimension"))
            for d in FIRMOGRAPHICS
        ]
    ).filter((pl.col("closed") >= min_count) & (pl.col("level") != NONE_LABEL))
    if not counts.height:
        return {}
    alpha = 2 * (1 - level) / counts.height  # one-sided, corrected
    low, _ = proportion_confint(
        counts["won"].to_numpy(), counts["closed"].to_numpy(), alpha=alpha, method="wilson"
    )
    best = (
        counts.with_columns(
            pl.Series("low", np.asarray(low, dtype=float)),
            (pl.col("won") / pl.col("closed")).alias("rate"),
        )
        .filter(pl.col("low") > overall)
        .sort(["rate", "level"], descending=[True, False])
        .unique("dimension", keep="first", maintain_order=True)
    )
    found = dict(zip(best["dimension"].to_list(), best["level"].to_list(), strict=True))
    return {d: found[d] for d in FIRMOGRAPHICS if d in found}


def _drop_nested(controls: dict[str, pl.Series]) -> tuple[dict[str, pl.Series], list[str]]:
    """Leave out a dimension another one determines (e.g. a segment made from size bands).

    Examples
    --------
    >>> c = {"segment": pl.Series(["S", "S", "E"]), "size": pl.Series(["1", "2", "3"])}
    >>> kept, notes = _drop_nested(c)
    >>> list(kept), notes
    (['size'], ['segment is left out: size determines it'])
    """
    kept = dict(controls)
    notes = []
    for a in list(controls):
        for b in list(kept):
            if a == b or a not in kept:
                continue
            pairs = pl.DataFrame({"a": kept[a], "b": kept[b]}).unique().height
            if pairs == kept[b].n_unique():
                del kept[a]
                notes.append(f"{a} is left out: {b} determines it")
    return kept, notes


def _evidence(deals: pl.DataFrame, profile: dict[str, str], level: float) -> pl.DataFrame:
    inside = pl.all_horizontal([pl.col(d) == v for d, v in profile.items()] or [pl.lit(False)])
    table = deals.select(
        pl.concat_list(pl.lit("inside the profile"), pl.lit("all closed deals")).alias("deals"),
        pl.concat_list(inside.sum().cast(pl.Int64), pl.len().cast(pl.Int64)).alias("closed"),
        pl.concat_list(
            (inside & pl.col("is_won")).sum().cast(pl.Int64), pl.col("is_won").sum().cast(pl.Int64)
        ).alias("won"),
    ).explode("deals", "closed", "won")
    return with_share_intervals(table, "won", "closed", level=level, prefix="win_rate")


def _sentence(profile: dict[str, str], evidence: pl.DataFrame) -> str:
    if not profile:
        return (
            "No segment, industry, region or size band wins clearly more often than the "
            "rest: every level's interval reaches the overall win rate."
        )
    inside, overall = evidence.row(0, named=True), evidence.row(1, named=True)
    parts = " and ".join(f"{d} {v}" for d, v in profile.items())
    rest = [d for d in FIRMOGRAPHICS if d not in profile]
    tail = f" {', '.join(rest).capitalize()}: no level stands out." if rest else ""
    if not inside["closed"]:
        return (
            f"Accounts with {parts} win most often, each on its own; no closed deal has all.{tail}"
        )
    return (
        f"Accounts with {parts} win most: {inside['win_rate']:.0%} "
        f"({inside['win_rate_low']:.0%} to {inside['win_rate_high']:.0%}) of "
        f"{inside['closed']:,} closed deals, against {overall['win_rate']:.0%} of all "
        f"{overall['closed']:,}.{tail}"
    )


def _terms(
    res: object, penalised: object, controls: dict[str, pl.Series], z: float
) -> pl.DataFrame:
    names = list(res.model.exog_names)  # type: ignore[attr-defined]
    params = np.asarray(res.params)  # type: ignore[attr-defined]
    bse = np.asarray(res.bse)  # type: ignore[attr-defined]
    shrunk = np.asarray(penalised.params) if penalised is not None else np.full(len(names), np.nan)  # type: ignore[attr-defined]
    rows = []
    for i, name in enumerate(names):
        for dim in controls:
            prefix = f"C({dim})[T."
            if name.startswith(prefix):
                rows.append(
                    (
                        dim,
                        name[len(prefix) : -1],
                        float(np.exp(params[i])),
                        float(np.exp(params[i] - z * bse[i])),
                        float(np.exp(params[i] + z * bse[i])),
                        float(np.exp(shrunk[i])),
                    )
                )
    return pl.DataFrame(rows, schema=_TERM_SCHEMA, orient="row")


@single_threaded_blas
def ideal_customer_profile(
    dataset: Dataset,
    *,
    level: float = DEFAULT_LEVEL,
    min_count: int = 20,
    penalty: float = 1.0,
    as_of: datetime | None = None,
) -> ProfileEstimate:
    """Model winning on firmographics; state the profile that wins most with its evidence.

    Parameters
    ----------
    dataset
        A validated dataset with an accounts table (segment, industry, region, employees).
    level
        Coverage of the intervals.
    min_count
        Levels with fewer closed deals are merged into ``other`` (and never stand out).
    penalty
        Strength of the L1 penalty of the penalised fit, per closed deal times 100
        (statsmodels' ``alpha`` is ``penalty * n / 100``).
    as_of
        Deals closed after it are left out.

    Examples
    --------
    >>> import attribution as at
    >>> e = ideal_customer_profile(at.demo.generate(n_accounts=1500, seed=2))
    >>> e.supported, list(e.table.columns[:2])
    (True, ['dimension', 'level'])
    """
    from scipy.stats import norm

    level = check_level(level)
    deals = closed_deals(dataset, as_of=as_of)
    y = deals["is_won"].cast(pl.Float64)
    controls, warns = _controls(deals, y, min_count)
    fields = _described(deals, level, min_count)
    n, events = deals.height, int(y.sum())
    problems = _problems(controls, n, events)
    if problems and (not controls or not events or events == n):
        return ProfileEstimate.not_supported(
            problems, n=n, events=events, table=pl.DataFrame(schema=_TERM_SCHEMA), **fields
        )
    res, penalised, messages, ok = _fits(y, controls, penalty * n / 100)
    if res is None or not ok:
        return ProfileEstimate.not_supported(
            warns + messages + problems or ["the model did not converge"],
            n=n,
            events=events,
            table=pl.DataFrame(schema=_TERM_SCHEMA),
            **fields,
        )
    z = float(norm.ppf((1 + level) / 2))
    return ProfileEstimate(
        table=_terms(res, penalised, controls, z),
        model=res,
        diagnostics=Diagnostics.of_fit(res, y.to_numpy(), warns + messages + problems),
        **fields,
    )


def _controls(
    deals: pl.DataFrame, y: pl.Series, min_count: int
) -> tuple[dict[str, pl.Series], list[str]]:
    """Return the firmographics the model takes (rare levels merged, nested dropped), and why."""
    controls, warns = prepare_controls({d: deals[d] for d in FIRMOGRAPHICS}, y, min_count=min_count)
    controls, nested = _drop_nested(controls)
    return controls, warns + nested


def _described(deals: pl.DataFrame, level: float, min_count: int) -> dict[str, Any]:
    """Return the estimate's fields besides the model: its note, the profile, its evidence."""
    profile = _standouts(deals, level, min_count)
    evidence = _evidence(deals, profile, level)
    note = (
        f"Odds of winning against each dimension's most common level, all four together "
        f"({level:.0%} intervals); 'penalised' is the same model with an L1 penalty: near 1 "
        "means the level is not distinguishable from the rest. Who has won, not who would "
        "win if reached."
    )
    return {
        "note": note,
        "level": level,
        "profile": profile,
        "sentence": _sentence(profile, evidence),
        "evidence": evidence,
    }


def _problems(controls: dict[str, pl.Series], n: int, events: int) -> list[str]:
    """Return what limits the model: no firmographic, too few wins (or losses) for its terms."""
    k = 1 + sum(s.n_unique() - 1 for s in controls.values())
    problems = [] if controls else [_NO_FIRMOGRAPHICS]
    problems += (
        few_events_warning(n, events, k)
        if n and events and n - events
        else [f"{events} of {n} closed deals won: the model needs both outcomes"]
    )
    return problems


def _fits(
    y: pl.Series, controls: dict[str, pl.Series], alpha: float
) -> tuple[Any, Any, list[str], bool]:
    """Fit the Logit of winning and, when it can be trusted, its L1-penalised twin.

    Returns the fit (``None`` if it failed), the penalised fit (``None`` when not made),
    the fit's messages and whether it can be trusted.
    """
    import statsmodels.formula.api as smf

    data = pl.DataFrame({"won": y, **controls}).to_pandas()
    formula = "won ~ " + " + ".join(f"C({c})" for c in controls)
    res, messages, ok = fit_quietly(
        lambda: smf.logit(formula, data).fit(disp=0, method="newton", maxiter=100),
        "ideal customer profile",
    )
    if res is None or not ok:
        return res, None, messages, ok
    penalised, _, _ = fit_quietly(  # an L1 fit has no standard errors: its notes say so
        lambda: smf.logit(formula, data).fit_regularized(method="l1", alpha=alpha, disp=0),
        "ideal customer profile (penalised)",
    )
    return res, penalised, messages, ok
