"""The result of :func:`attribution.contributions` and the vocabulary of its options."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import polars as pl

from attribution.data.schema import SEGMENT, TEAMS
from attribution.errors import ParameterError
from attribution.estimates.contributions.tables import COMPONENTS, components
from attribution.estimates.counterfactual import Split
from attribution.estimates.result import Estimate
from attribution.journey.features import PERIOD

__all__ = [
    "AMOUNT_MODELS",
    "CONTROLS",
    "INTERVALS",
    "NOTE",
    "SIZE_BAND",
    "AmountModel",
    "ContributionResult",
    "Control",
    "Interval",
    "note_for",
]

Interval = Literal["simulation", "bootstrap"]
AmountModel = Literal["gamma", "log_ols"]
Control = Literal["segment", "period", "size_band"]
SIZE_BAND = "size_band"
CONTROLS: tuple[str, ...] = (SEGMENT, PERIOD, SIZE_BAND)
INTERVALS: tuple[str, ...] = ("simulation", "bootstrap")
AMOUNT_MODELS: tuple[str, ...] = ("gamma", "log_ols")

NOTE = (
    "Associations from observational data, not proven causes: the split compares the fitted "
    "expected revenue of the closed deals with and without each team's touches, holding "
    "segment, period and deal size fixed. It is a causal effect only if touches were "
    "assigned at random (an experiment) or nothing unmeasured drives both the touches and "
    "winning; sales works harder on deals that look winnable and marketing reaches buyers "
    "who were already engaged, which can inflate both teams' figures. The baseline "
    "extrapolates to deals with no touch at all, which are rare: read it with its interval."
)
_INTERVAL_NOTE = {
    "simulation": (
        "{level:.0%} intervals: {draws} draws of both models' coefficients from their "
        "estimated sampling distribution, the split recomputed per draw; they reflect "
        "estimation uncertainty for these deals, assuming the models' form is right."
    ),
    "bootstrap": (
        "{level:.0%} intervals: {draws} bootstrap replicates resampling accounts with "
        "replacement and refitting both models; they reflect estimation uncertainty for "
        "these deals and are robust to misspecified variances."
    ),
}


def note_for(interval: str, level: float, draws: int) -> str:
    """Return the result's note: the caveat, then how the intervals are made.

    Examples
    --------
    >>> note_for("bootstrap", 0.9, 200).endswith("robust to misspecified variances.")
    True
    """
    return NOTE + " " + _INTERVAL_NOTE[interval].format(level=level, draws=draws)


@dataclass(frozen=True, kw_only=True, repr=False)
class ContributionResult(Estimate):
    """Baseline, marketing, sales and joint revenue, with intervals and diagnostics.

    Attributes
    ----------
    table
        One row per component (``baseline``, ``marketing``, ``sales``, ``joint``):
        ``revenue`` (fitted expected revenue of the closed deals) with its interval
        ``revenue_ci_low``/``revenue_ci_high``, and ``share`` of v(both) with its interval
        ``ci_low``/``ci_high``. Empty numbers when the data cannot support the estimate.
    shapley
        ``baseline``, ``marketing`` and ``sales``, each team with half the joint term
        (same columns as ``table``).
    groups
        With ``channel_groups``: one row per group (``group``, ``team``) with its exact
        Shapley value among the groups (same columns); otherwise ``None``.
    model
        The statsmodels results of the win model (``None`` when not fitted).
    amount_model
        The statsmodels results of the deal-size model (``None`` when not fitted).
    diagnostics
        Sample, fit, calibration and warnings (:class:`attribution.Diagnostics`).
    reconciliation
        ``metric``/``value``: fitted expected revenue v(both), booked revenue of the same
        deals, the gap, and the gap as a share of booked revenue.
    opportunities
        Per closed deal: exposures and controls, fitted ``p_win`` and
        ``expected_amount``, and ``v_none``, ``v_marketing``, ``v_sales``, ``v_both``.
    supported
        False when the data cannot support the estimate (the warnings say why); the
        numbers are then empty rather than misleading.
    note
        The interpretation caveat and how the intervals were made, for reports.
    interval, level, draws
        How the intervals were made: method, coverage, draws actually used.
    formula, amount_formula
        The two models' formulas.
    controls
        Controls actually used in the win model (a control with one level is dropped).
    """

    shapley: pl.DataFrame
    groups: pl.DataFrame | None
    amount_model: Any
    reconciliation: pl.DataFrame
    opportunities: pl.DataFrame
    interval: str
    formula: str = ""
    amount_formula: str = ""
    controls: tuple[str, ...] = ()
    _split: Split | None = field(default=None, repr=False, compare=False)

    @property
    def shares(self) -> dict[str, float | None]:
        """Estimated share of expected revenue per component."""
        return dict(zip(self.table["component"], self.table["share"], strict=True))

    @property
    def shapley_shares(self) -> dict[str, float | None]:
        """Each team's Shapley share (own share plus half the joint share)."""
        rows = self.shapley.filter(pl.col("component").is_in(TEAMS))
        return dict(zip(rows["component"], rows["share"], strict=True))

    @property
    def assumptions(self) -> str:
        """The identification assumption, in one paragraph, for reports."""
        return NOTE

    def split_at(
        self, win_params: Mapping[str, float], amount_params: Mapping[str, float]
    ) -> pl.DataFrame:
        """Recompute the split of these deals for given coefficients (what-if, checks).

        Parameters
        ----------
        win_params, amount_params
            Coefficients by the models' term names (``model.params.index``); terms not
            given are 0.

        Returns
        -------
        polars.DataFrame
            ``component``, ``revenue``, ``share``.
        """
        if self._split is None:
            raise ParameterError("split_at needs a fitted result; this one is not supported")
        vectors = []
        for given, names, label in (
            (win_params, self._split.win.names, "win_params"),
            (amount_params, self._split.amount.names, "amount_params"),
        ):
            unknown = sorted(set(given) - set(names))
            if unknown:
                raise ParameterError(
                    f"{label}: unknown term(s) {', '.join(unknown)}; the model's terms are "
                    + ", ".join(names)
                )
            vectors.append(np.array([[float(given.get(n, 0.0)) for n in names]]))
        v = self._split.values(list(self._split.team_subsets), vectors[0], vectors[1])[:, 0]
        comp = components(v[:, None])[:, 0]
        return pl.DataFrame(
            {"component": list(COMPONENTS), "revenue": comp, "share": comp / comp.sum()}
        )

    def headline(self) -> str:
        """Return one line: supported or not, the estimated shares, the sample."""
        if not self.supported:
            return super().headline()
        shares = ", ".join(
            f"{k}={v:.1%}" if v is not None and math.isfinite(v) else f"{k}=n/a"
            for k, v in self.shares.items()
        )
        return f"{super().headline()}; shares {shares}"
