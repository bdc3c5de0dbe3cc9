"""What the attribution page shows of the incremental model: credit, intervals, checks, evidence.

One call for the page (:func:`incremental_view`): the ``incremental`` model fitted on the
run's journeys with the dataset's controls, calibrated by the dataset's experiments when it
has them; its credit per channel with account-bootstrap intervals (the win model re-fitted
on every resample); the model checks of the run's models; and one table per channel of its
credit, interval and evidence level (experiment, model, presence only). Only this page
shows them, so they are computed here, not among the run's shared estimates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from attribution._markdown import Markdown
from attribution.data.schema import CHANNEL
from attribution.estimates.lift import LiftResult, lift
from attribution.models.checks import ModelChecks, model_checks
from attribution.models.compare import compare
from attribution.models.credits import BASELINE, NO_TOUCH
from attribution.models.incremental import IncrementalResult, incremental
from attribution.report.shared import RunData

__all__ = ["LIFT_SCHEMA", "IncrementalView", "incremental_view"]

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
        return Markdown(
            "Accounts were assigned at random to keep or lose a channel, so the lift is that "
            "channel's causal effect on these accounts over the experiment's window, with "
            "its interval. The incremental model's effect of each tested channel is rescaled "
            "to the measured lift on winning (*scale* in the table above); channels "
            "calibrated: {}."
        ).format(names)

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
    return IncrementalView(result, intervals, channels, checks, lifts, notes)
