"""Plan a holdout experiment: how many accounts, for how long, to detect a given lift.

The outcome is deals won per account over the experiment's duration. From the data, the
per-account mean and variance of wins per month are measured over the accounts the
channel touched (all accounts when it touched none), and both are scaled to each
duration (wins add up month by month; the variance is scaled likewise, as for counts).
For a two-arm comparison of means with a share ``holdout_share`` held out, a two-sided
test at ``alpha`` and the given ``power``:

* the **minimum detectable effect** with the accounts available is
  ``(z(1 - alpha/2) + z(power)) * sd * sqrt(1/n_treatment + 1/n_holdout)``;
* the **accounts needed** to detect a lift of ``lift`` (relative to the mean) come from
  statsmodels' ``NormalIndPower``.

Which channel to test: where attribution models disagree most about a channel's share of
the credit (given a :func:`attribution.compare` table), an experiment settles the most.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from attribution.data.dataset import Dataset
from attribution.data.schema import ACCOUNT_ID, CHANNEL, CLOSED_AT, IS_WON, OCCURRED_AT
from attribution.errors import ParameterError
from attribution.results import Result

__all__ = ["ExperimentPlan", "disagreement_by_channel", "plan_experiment"]

_DAYS_PER_MONTH = 30.4375
_SKIP = ("(no touch)", "(baseline)", "(none)")
NOTE = (
    "Sample sizes for a holdout of the channel, from the spread of deals won per account in "
    "these data (a normal approximation; counts scale with the duration). A lift smaller "
    "than the minimum detectable effect will usually not be found; the suggested channel is "
    "where attribution models disagree most, so its experiment settles the most."
)


@dataclass(frozen=True, kw_only=True, repr=False)
class ExperimentPlan(Result):
    """What :func:`plan_experiment` found.

    Attributes
    ----------
    table : polars.DataFrame
        One row per duration: ``months``, ``accounts`` (eligible), ``mean_wins`` and
        ``sd_wins`` per account, ``mde`` (minimum detectable lift in wins per account with
        all eligible accounts), ``mde_relative`` (of the mean), ``accounts_needed`` (in all,
        to detect ``lift``) and ``enough`` (whether the eligible accounts suffice).
    channel : str
        The channel planned for.
    disagreement : polars.DataFrame or None
        With a comparison: per channel, the models' shares, their spread and rank.
    """

    channel: str
    disagreement: pl.DataFrame | None = None
    note: str = NOTE


def disagreement_by_channel(comparison: Any) -> pl.DataFrame:
    """Per channel: the lowest and highest share of credit among the models, and the spread.

    Examples
    --------
    >>> t = pl.DataFrame({"channel": ["a", "b"], "m1": [3.0, 1.0], "m2": [1.0, 3.0]})
    >>> disagreement_by_channel(t)["channel"].to_list()
    ['a', 'b']
    """
    table = getattr(comparison, "table", comparison)
    if not isinstance(table, pl.DataFrame) or CHANNEL not in table.columns:
        raise ParameterError("comparison must be what attribution.compare(journeys) returns")
    rows = table.filter(~pl.col(CHANNEL).is_in(_SKIP))
    models = [c for c in rows.columns if c != CHANNEL]
    shares = rows.select(CHANNEL, *(pl.col(m) / pl.col(m).sum() for m in models))
    return (
        shares.with_columns(
            pl.min_horizontal(models).alias("lowest"),
            pl.max_horizontal(models).alias("highest"),
        )
        .with_columns((pl.col("highest") - pl.col("lowest")).alias("spread"))
        .sort(["spread", CHANNEL], descending=[True, False])
    )


def _wins_per_month(dataset: Dataset, channel: str) -> tuple[int, float, float]:
    """Eligible accounts, and the mean and variance of their wins per month."""
    touches = dataset.touches.lazy()
    opps = dataset.opportunities.lazy()
    span = (
        pl.concat(
            [
                touches.select(pl.col(OCCURRED_AT).alias("t")),
                opps.select(pl.col(CLOSED_AT).alias("t")),
            ]
        )
        .select((pl.col("t").max() - pl.col("t").min()).dt.total_days())
        .collect()
        .item()
    )
    months = max(float(span or 0) / _DAYS_PER_MONTH, 1.0)
    touched = touches.filter(pl.col(CHANNEL).cast(pl.String) == channel).select(ACCOUNT_ID).unique()
    eligible = touched.collect()
    if eligible.is_empty():
        eligible = dataset.opportunities.lazy().select(ACCOUNT_ID).unique().collect()
    wins = (
        eligible.lazy()
        .join(
            opps.filter(pl.col(IS_WON)).group_by(ACCOUNT_ID).agg(pl.len().alias("w")),
            on=ACCOUNT_ID,
            how="left",
        )
        .select(pl.col("w").fill_null(0).cast(pl.Float64))
        .collect()
        .to_series()
        .to_numpy()
    )
    return len(wins), float(wins.mean()) / months, float(wins.var(ddof=1)) / months


def plan_experiment(
    dataset: Dataset,
    channel: str | None = None,
    *,
    lift: float = 0.1,
    holdout_share: float = 0.2,
    alpha: float = 0.05,
    power: float = 0.8,
    months: Sequence[int] = (1, 3, 6, 12),
    comparison: Any = None,
) -> ExperimentPlan:
    """Plan a holdout experiment of ``channel`` (see the module docstring).

    Parameters
    ----------
    dataset
        The data whose accounts would take part.
    channel
        The channel to hold out; ``None`` picks the one where the models of
        ``comparison`` disagree most.
    lift
        The lift to detect, relative to the mean wins per account (0.1: 10% more wins).
    holdout_share
        Share of the accounts held out (0 < share < 1).
    alpha, power
        Two-sided significance level and the power wanted.
    months
        Durations to plan for.
    comparison
        :func:`attribution.compare` output: where models disagree (``.disagreement``).

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=1_000, seed=0)
    >>> p = at.plan_experiment(ds, "webinar", months=[3, 12])
    >>> p.table["months"].to_list(), bool((p.table["mde_relative"].diff().drop_nulls() < 0).all())
    ([3, 12], True)
    """
    from scipy.stats import norm
    from statsmodels.stats.power import NormalIndPower

    if not 0 < holdout_share < 1 or not 0 < alpha < 1 or not 0 < power < 1 or lift <= 0:
        raise ParameterError(
            "holdout_share, alpha and power must be between 0 and 1 and lift above 0; got "
            f"{holdout_share}, {alpha}, {power}, {lift}"
        )
    spread = disagreement_by_channel(comparison) if comparison is not None else None
    if channel is None:
        if spread is None or spread.is_empty():
            raise ParameterError("give a channel, or a comparison to pick the one models dispute")
        channel = str(spread[CHANNEL][0])
    n, mean, var = _wins_per_month(dataset, channel)
    ratio = (1 - holdout_share) / holdout_share  # treatment per holdout account
    rows = []
    for m in months:
        mu, sd = mean * m, float(np.sqrt(max(var * m, 1e-12)))
        n_t, n_h = n * (1 - holdout_share), n * holdout_share
        z = norm.ppf(1 - alpha / 2) + norm.ppf(power)
        mde = z * sd * np.sqrt(1 / max(n_t, 1) + 1 / max(n_h, 1))
        effect = lift * mu / sd
        holdout_needed = NormalIndPower().solve_power(
            effect_size=effect, alpha=alpha, power=power, ratio=ratio
        )
        needed = int(np.ceil(float(holdout_needed) * (1 + ratio)))
        rows.append((m, n, mu, sd, mde, mde / mu if mu > 0 else np.inf, needed, needed <= n))
    table = pl.DataFrame(
        rows,
        schema=[
            "months",
            "accounts",
            "mean_wins",
            "sd_wins",
            "mde",
            "mde_relative",
            "accounts_needed",
            "enough",
        ],
        orient="row",
    )
    return ExperimentPlan(table=table, channel=channel, disagreement=spread)
