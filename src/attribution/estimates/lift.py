"""The lift of holdout experiments: what keeping a channel adds, measured, not modelled.

An experiment (the optional ``experiments`` table) assigns accounts to a *treatment* arm,
which gets the channel (or campaign) as usual, or a *holdout* arm, which does not, from
``start`` to ``end``. Per account, three outcomes count what happened in that window:
opportunities opened, deals won (closed won) and won revenue. Each outcome's lift is the
difference of its per-account mean between the arms, estimated by OLS of the outcome on
the arm with heteroskedasticity-robust (HC1) standard errors (statsmodels), so the
interval holds whatever the outcome's distribution. Because the arms were assigned at
random, the lift is the channel's causal effect on the accounts of the experiment, the
one kind of evidence an attribution model fitted on observational data cannot give.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from attribution._intervals import DEFAULT_LEVEL, check_level
from attribution.data.dataset import Dataset
from attribution.data.schema import (
    ACCOUNT_ID,
    AMOUNT,
    CHANNEL,
    CLOSED_AT,
    CREATED_AT,
    IS_WON,
    OPPORTUNITY_ID,
)
from attribution.errors import DataError
from attribution.results import Result

__all__ = ["OUTCOMES", "LiftResult", "lift"]

OUTCOMES = ("opportunity", "win", "revenue")
"""Per-account outcomes whose lift is estimated: opportunities opened, deals won, won revenue."""
NOTE = (
    "Lift per account of keeping the channel (treatment minus holdout arm), on opportunities "
    "opened, deals won and won revenue inside each experiment's window; OLS with robust "
    "(HC1) standard errors. Random assignment makes it the channel's causal effect on these "
    "accounts, over this window; it says nothing about a channel no experiment held out."
)


@dataclass(frozen=True, kw_only=True, repr=False)
class LiftResult(Result):
    """What :func:`lift` found.

    Attributes
    ----------
    table : polars.DataFrame
        One row per experiment and outcome: ``experiment``, ``channel``, ``campaign``,
        ``outcome``, ``treatment_mean``, ``holdout_mean``, ``lift``, ``se``, ``ci_low``,
        ``ci_high``, ``p_value``, ``treatment_accounts``, ``holdout_accounts``.
    arms : polars.DataFrame
        Every account of every experiment with its arm, outcomes and ``closed_deals`` (its
        deals closed inside the window).
    """

    arms: pl.DataFrame
    note: str = NOTE

    @property
    def calibration(self) -> pl.DataFrame:
        """The lift on winning per experiment on a channel, for ``calibrate=`` of the model.

        Columns ``experiment``, ``channel``, ``lift``, ``se``, ``accounts`` (the
        treatment arm's account ids) and ``deals`` (the ids of their deals closed inside
        the experiment's window, where the measured lift counts wins, so the model's lift
        is taken over the same deals).
        """
        wins = self.table.filter((pl.col("outcome") == "win") & pl.col(CHANNEL).is_not_null())
        members = (
            self.arms.filter(pl.col("arm") == "treatment")
            .group_by("experiment")
            .agg(
                pl.col(ACCOUNT_ID).alias("accounts"),
                pl.col("closed_deals")
                .list.explode(keep_nulls=False, empty_as_null=False)
                .alias("deals"),
            )
        )
        return wins.select("experiment", CHANNEL, "lift", "se").join(
            members, on="experiment", how="left", maintain_order="left"
        )


def _outcomes(dataset: Dataset, experiments: pl.DataFrame) -> pl.DataFrame:
    """Every (experiment, account) with its arm and its three outcomes in the window."""
    opps = dataset.opportunities.lazy().select(
        OPPORTUNITY_ID, ACCOUNT_ID, CREATED_AT, IS_WON, CLOSED_AT, AMOUNT
    )
    arms = experiments.lazy().with_row_index("_row")
    joined = arms.join(opps, on=ACCOUNT_ID, how="left")
    opened = pl.col(CREATED_AT).is_between(pl.col("start"), pl.col("end"))
    won = pl.col(IS_WON).fill_null(False) & pl.col(CLOSED_AT).is_between(
        pl.col("start"), pl.col("end")
    )
    sums = joined.group_by("_row").agg(
        opened.fill_null(False).sum().cast(pl.Float64).alias("opportunity"),
        won.fill_null(False).sum().cast(pl.Float64).alias("win"),
        pl.when(won).then(pl.col(AMOUNT)).otherwise(0.0).fill_null(0.0).sum().alias("revenue"),
        pl.col(OPPORTUNITY_ID)
        .filter(pl.col(CLOSED_AT).is_between(pl.col("start"), pl.col("end")).fill_null(False))
        .cast(pl.String)
        .alias("closed_deals"),
    )
    return (
        arms.join(sums, on="_row", how="left")
        .sort("_row")
        .drop("_row")
        .with_columns(
            pl.col(OUTCOMES).fill_null(0.0).cast(pl.Float64),
            pl.col("closed_deals").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        )
        .collect()
    )


def _fit(frame: pl.DataFrame, outcome: str, level: float) -> dict[str, float]:
    """OLS of the outcome on the arm, robust standard errors: the lift and its interval."""
    import statsmodels.formula.api as smf

    data = frame.select(
        pl.col(outcome).alias("y"), (pl.col("arm") == "treatment").cast(pl.Float64).alias("t")
    ).to_pandas()
    result = smf.ols("y ~ t", data).fit(cov_type="HC1")
    low, high = np.asarray(result.conf_int(alpha=1 - level)).T[:, 1]
    return {
        "treatment_mean": float(data.loc[data["t"] == 1, "y"].mean()),
        "holdout_mean": float(data.loc[data["t"] == 0, "y"].mean()),
        "lift": float(result.params["t"]),
        "se": float(result.bse["t"]),
        "ci_low": float(low),
        "ci_high": float(high),
        "p_value": float(result.pvalues["t"]),
    }


def lift(dataset: Dataset, *, level: float = DEFAULT_LEVEL) -> LiftResult:
    """Estimate the lift of every holdout experiment on opportunities, wins and revenue.

    Parameters
    ----------
    dataset
        A dataset with an ``experiments`` table (see the module docstring).
    level
        Coverage of the intervals.

    Returns
    -------
    LiftResult
        One row per experiment and outcome; ``.calibration`` feeds
        ``attribute(..., "incremental", calibrate=...)``.

    Raises
    ------
    DataError
        The dataset has no experiments, or an experiment lacks one of its arms.

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=2_000, seed=0, experiments=["webinar"])
    >>> r = at.lift(ds)
    >>> r.table.select("experiment", "outcome").rows()[:2]
    [('webinar holdout', 'opportunity'), ('webinar holdout', 'win')]
    """
    level = check_level(level)
    if dataset.experiments is None:
        raise DataError(
            "lift needs the experiments table (experiment, account_id, arm, channel or "
            "campaign, start, end); this dataset has none"
        )
    experiments = dataset.experiments.lazy().collect()
    arms = _outcomes(dataset, experiments)
    counts = arms.group_by("experiment", "arm").len().pivot("arm", index="experiment")
    lacking = [
        name
        for name, *n in counts.select(
            "experiment",
            *(
                pl.col(a).fill_null(0) if a in counts.columns else pl.lit(0)
                for a in ("treatment", "holdout")
            ),
        ).iter_rows()
        if min(n) == 0
    ]
    if lacking:
        raise DataError(
            f"experiments: {len(lacking)} experiment(s) lack a treatment or a holdout arm "
            f"(e.g. {', '.join(repr(x) for x in lacking[:3])}); a lift needs both"
        )
    rows = []
    for (name,), frame in arms.group_by("experiment", maintain_order=True):
        first = frame.row(0, named=True)
        for outcome in OUTCOMES:
            rows.append(
                {
                    "experiment": name,
                    CHANNEL: first[CHANNEL],
                    "campaign": first["campaign"],
                    "outcome": outcome,
                    **_fit(frame, outcome, level),
                    "treatment_accounts": int((frame["arm"] == "treatment").sum()),
                    "holdout_accounts": int((frame["arm"] == "holdout").sum()),
                }
            )
    table = pl.DataFrame(rows).with_columns(pl.col(CHANNEL, "campaign").cast(pl.String))
    return LiftResult(table=table, arms=arms, level=level)
