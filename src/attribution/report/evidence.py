"""What the attribution page shows of the incremental model: credit, intervals, checks, evidence.

One call for the page (:func:`incremental_view`): the ``incremental`` model fitted on the
run's journeys with the dataset's controls, calibrated by the dataset's experiments when it
has them (each experiment's lift weighed against the model's by their precision, shown per
calibrated channel: :attr:`IncrementalView.calibration_shown`); its credit per channel with
account-bootstrap intervals (the win model re-fitted
on every resample); the model checks of the run's models; and one table per channel of its
credit, interval and evidence level (experiment, model, presence only). Only this page
shows them, so they are computed here, not among the run's shared estimates.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import polars as pl

from attribution._markdown import Markdown
from attribution.data.schema import CHANNEL
from attribution.estimates.lift import LiftResult, lift
from attribution.models.checks import ModelChecks, model_checks
from attribution.models.compare import compare
from attribution.models.credits import BASELINE, NO_TOUCH
from attribution.models.incremental import IncrementalResult, incremental
from attribution.models.incremental.calibrate import WEAK_WEIGHT
from attribution.report.shared import RunData

__all__ = ["CALIBRATION_SCHEMA", "LIFT_SCHEMA", "IncrementalView", "incremental_view"]

LIFT_SCHEMA = {
    "experiment": pl.String,
    "channel": pl.String,
    "outcome": pl.String,
    "lift": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "p_value": pl.Float64,
    "treatment_accounts": pl.Int64,
    "holdout_accounts": pl.Int64,
}
"""The columns of the page's experiments table."""

CALIBRATION_SCHEMA = {
    "channel": pl.String,
    "measured_lift": pl.Float64,
    "measured_low": pl.Float64,
    "measured_high": pl.Float64,
    "model_lift": pl.Float64,
    "model_low": pl.Float64,
    "model_high": pl.Float64,
    "experiment_weight": pl.Float64,
    "calibrated_lift": pl.Float64,
    "scale": pl.Float64,
}
"""The columns of the page's calibration table (lifts: deals won per 1,000 accounts)."""

_CHECKED = ("linear", "last_touch", "markov", "shapley", "incremental")


@dataclass(frozen=True)
class IncrementalView:
    """The incremental model's section of the attribution page."""

    result: IncrementalResult
    intervals: pl.DataFrame
    """``channel, revenue, ci_low, ci_high`` (``(baseline)`` and ``(no touch)`` included)."""
    channels: pl.DataFrame
    """Per channel: ``channel, team, revenue, share, ci_low, ci_high, evidence, scale, effect``
    (``scale``: the factor an experiment's lift put on its credit; 1 without one)."""
    checks: ModelChecks
    lifts: LiftResult | None
    notes: pl.DataFrame
    """The model's notes, one per row (``note``): shown as a table, so data-derived names in
    them are escaped like any cell."""
    level: float = 0.9
    """Coverage of the intervals of the calibration table."""

    @property
    def calibration_shown(self) -> pl.DataFrame:
        """Per calibrated channel: the measured and the model's lift, the weight, the factor.

        Lifts on winning per 1,000 treatment accounts (deals won), with intervals at
        ``level`` (normal, from each lift's standard error); ``experiment_weight`` is the
        experiment's share of the calibrated lift and ``scale`` the factor of the channel's
        credit (:mod:`attribution.models.incremental.calibrate`). Empty without calibration.

        Examples
        --------
        >>> IncrementalView.calibrated(None, 0.9).columns[:3]
        ['channel', 'measured_lift', 'measured_low']
        """
        return self.calibrated(self.result.calibration, self.level)

    @staticmethod
    def calibrated(table: pl.DataFrame | None, level: float) -> pl.DataFrame:
        """Return the model's calibration table as the page shows it (``calibration_shown``)."""
        if table is None:
            return pl.DataFrame(schema=CALIBRATION_SCHEMA)
        z = float(NormalDist().inv_cdf(0.5 + level / 2))
        per_1000 = 1000.0
        bounds = (("lift", 0.0), ("low", -z), ("high", z))
        return table.select(
            pl.col(CHANNEL),
            *(
                ((pl.col(name) + at * pl.col(f"{name}_se")) * per_1000).alias(f"{label}_{end}")
                for name, label in (("measured", "measured"), ("implied", "model"))
                for end, at in bounds
            ),
            pl.col("weight").alias("experiment_weight"),
            (pl.col("calibrated") * per_1000).alias("calibrated_lift"),
            pl.col("scale"),
        ).with_columns(pl.exclude(CHANNEL).round(3))

    @property
    def calibration_note(self) -> Markdown:
        """One sentence on what the weight means."""
        return Markdown(
            "Lifts on deals won per 1,000 treatment accounts, with {:.0%} intervals. The "
            "calibrated lift weighs the experiment's lift and the model's by their precision "
            "(1 / variance): the *experiment weight* is the experiment's share of it, near 1 when "
            "the experiment is far more precise than the model (its lift sets the credit), "
            "near 0 when it is far noisier (the credit stays the model's); *scale*, calibrated "
            "over model lift, multiplies the channel's credit. The model's interval is its "
            "sampling noise only, not its error of form."
        ).format(self.level)

    @property
    def experiments(self) -> pl.DataFrame:
        """Each experiment's measured lift with its interval (empty without experiments).

        ``experiment, channel, outcome, lift, ci_low, ci_high, p_value, treatment_accounts,
        holdout_accounts``: per account, on opportunities opened, deals won and won revenue.
        """
        if self.lifts is None:
            return pl.DataFrame(schema=LIFT_SCHEMA)
        return self.lifts.table.select(list(LIFT_SCHEMA))

    @property
    def experiments_shown(self) -> pl.DataFrame:
        """The experiments table as the page shows it: each lift per 1,000 accounts.

        A lift per account on opportunities or wins is a few thousandths, which a table
        rounds to 0; per 1,000 accounts it reads as deals (and revenue) gained.

        Examples
        --------
        >>> IncrementalView.shown(pl.DataFrame(schema=LIFT_SCHEMA)).columns[2:5]
        ['outcome', 'lift_per_1000_accounts', 'interval_low']
        """
        return self.shown(self.experiments)

    @staticmethod
    def shown(table: pl.DataFrame) -> pl.DataFrame:
        """Scale a lift table to 1,000 accounts and name each outcome in words."""
        outcome = {"opportunity": "opportunities opened", "win": "deals won"}
        return table.with_columns(
            pl.col("outcome").replace(outcome),
            (pl.col("lift", "ci_low", "ci_high") * 1000).round(2),
        ).rename(
            {
                "lift": "lift_per_1000_accounts",
                "ci_low": "interval_low",
                "ci_high": "interval_high",
            }
        )

    @property
    def experiments_note(self) -> Markdown:
        """What the experiments show, or how to add one when the data hold none."""
        if self.lifts is None:
            return Markdown(
                "> **No experiment in these data.** Every channel's credit above rests on the "
                "model or on presence only. To test a channel, hold a random share of "
                "accounts out of it and add an `experiments` table (experiment, account_id, "
                "arm treatment/holdout, channel, start, end); `attribution.plan_experiment` "
                "gives the holdout size and duration needed."
            )
        calibrated = self.channels.filter(pl.col("evidence") == "experiment")[CHANNEL]
        names = Markdown(", ").join(calibrated.to_list()) or Markdown("none")
        text = Markdown(
            "Accounts were assigned at random to keep or lose a channel, so the lift is that "
            "channel's causal effect on these accounts over the experiment's window, with "
            "its interval. The incremental model's credit of each tested channel is "
            "calibrated by the measured lift on winning, weighed against the model's own by "
            "their precision (the calibration table; *scale* in the table above); channels "
            "calibrated: {}."
        ).format(names)
        return text + self._weak_note()

    def _weak_note(self) -> Markdown:
        """Return a sentence on experiments too noisy to move the model (weight below 0.1)."""
        table = self.result.calibration
        if table is None:
            return Markdown("")
        weak = table.filter(pl.col("weight") < WEAK_WEIGHT)
        if weak.height == 0:
            return Markdown("")
        return Markdown(
            " The experiment on {} got a weight below {:g}: its lift is far noisier than the "
            "model's, so the channel's credit is still essentially the model's, not set by "
            "the experiment."
        ).format(Markdown(", ").join(weak[CHANNEL].to_list()), WEAK_WEIGHT)

    @property
    def summary(self) -> Markdown:
        """One sentence on the baseline and the model the checks support."""
        supported = self.checks.supported or "none of the models"
        return Markdown(
            "The model credits **{:.0%}** of won revenue to no touch (the baseline). "
            "The model checks support **{}**."
        ).format(self.result.baseline_share, supported)


def incremental_view(run: RunData) -> IncrementalView:
    """Fit, bootstrap and check the incremental model on the run's data (see the module).

    Examples
    --------
    >>> from attribution.report.shared import open_run
    >>> run = open_run("", {"source": {"demo": {"accounts": 1500}}, "models": {"refit_draws": 20}})
    >>> v = incremental_view(run)
    >>> set(v.channels["evidence"]) <= {"experiment", "model", "presence only"}
    True
    """
    data, journeys = run.dataset, run.journeys
    level, draws = run.params.intervals.level, run.params.models.refit_draws
    lifts = lift(data, level=level) if data.experiments is not None else None
    options = {"controls": data, **({"calibrate": lifts} if lifts is not None else {})}
    result = incremental(journeys, **options)  # type: ignore[arg-type]
    models = [m for m in dict.fromkeys([*run.params.models.models, "incremental"]) if m in _CHECKED]
    specs: dict[str, dict[str, Any]] = {
        str(m): ({"controls": data} if m == "incremental" else {}) for m in models
    }
    # one bootstrap for the checked models (the same account resamples for each): the
    # checks' stability and the uncalibrated model's intervals (of the channels it
    # credits) come from it
    checked = compare(journeys, specs, level=level, draws=draws)
    comparison = checked
    if lifts is not None:  # the calibrated model's own intervals
        comparison = compare(journeys, {"incremental": options}, level=level, draws=draws)
    assert comparison.intervals is not None
    incremental_rows = (pl.col("model") == "incremental") & (pl.col("revenue") > 0)
    intervals = comparison.intervals.filter(incremental_rows).select(
        CHANNEL, "revenue", "ci_low", "ci_high"
    )
    channels = (
        result.table.join(intervals.drop("revenue"), on=CHANNEL, how="left")
        .filter(~pl.col(CHANNEL).is_in([BASELINE, NO_TOUCH]))
        .select(
            CHANNEL, "team", "revenue", "share", "ci_low", "ci_high", "evidence", "scale", "effect"
        )
    )
    checks = model_checks(
        journeys, models, controls=data, level=level, draws=draws, comparison=checked
    )
    notes = pl.DataFrame({"note": list(result.notes)}, schema={"note": pl.String})
    return IncrementalView(result, intervals, channels, checks, lifts, notes, level)
