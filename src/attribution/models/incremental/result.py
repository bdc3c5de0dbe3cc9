"""What the ``incremental`` model holds once fitted, and what it reports (see the package)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from attribution.models.incremental.calibrate import Calibration, Combined
from attribution.models.incremental.design import Design
from attribution.models.incremental.fit import WinFit
from attribution.results import Result

__all__ = ["EVIDENCE", "NOTE", "Incremental", "IncrementalResult"]

EVIDENCE = ("experiment", "model", "presence only")
"""What a channel's credit rests on, strongest first."""

NOTE = (
    "Each won deal's revenue split by the Shapley value of its channels in a regularised "
    "win model fitted on won and lost deals (exposure per channel, the marketing x sales "
    "interaction, period, deal size and the given controls), divided by its predicted win "
    "probability; what the model predicts without any touch is the baseline. It estimates "
    "effects from deals that differ in exposure, so it is still observational: a touch that "
    "follows the decision to buy (a brand search right before signing) or effort aimed at "
    "deals likely to close looks like an effect, and no model of these data can tell. "
    "Only an experiment (a holdout) can; channels calibrated by one say so."
)


@dataclass(frozen=True, kw_only=True, repr=False)
class IncrementalResult(Result):
    """What :func:`incremental` found.

    Attributes
    ----------
    table : polars.DataFrame
        One row per channel: ``channel, team, revenue`` (credited), ``share`` (of the
        revenue credited to channels), ``effect`` (the average drop in the predicted
        chance to win when the channel's touches are taken out of the closed deals that
        have them; negative: its touches go with losing), ``floored`` (revenue of the deals
        where its Shapley value came out negative and was set to 0), ``present_won`` and
        ``present_lost`` (share of won and lost deals touched by it), ``evidence``
        (``experiment``, ``model`` or ``presence only``), ``scale`` (the calibration factor
        of its credit; 1 without an experiment) and ``reason`` (why a channel is not in the
        model). Sorted by revenue.
    baseline_revenue, baseline_share : float
        Won revenue the model says would have come without the touches credited, and its
        share of won revenue (credited to ``(baseline)`` rows).
    won_revenue : float
        Revenue of the won deals.
    team_terms : polars.DataFrame
        The team terms of the win model: ``term`` (marketing, sales, interaction,
        speed-to-lead), ``estimate`` and ``negative`` (a term that lowers the chance to
        win; its part of a channel's credit is floored per deal, see ``floored``).
    notes : tuple of str
        What the fit left out or capped (channels not estimable, calibration notes).
    model : object
        The statsmodels results of the win model (``None`` when it could not be fitted).
    calibration : polars.DataFrame or None
        One row per experiment that calibrated a channel: ``experiment, channel``,
        ``measured`` and ``measured_se`` (its lift on winning per treatment account),
        ``implied`` and ``implied_se`` (the model's lift for the same accounts), ``weight``
        (the experiment's in the calibrated lift), ``calibrated`` and ``scale`` (the factor
        of the channel's credit); see :mod:`attribution.models.incremental.calibrate`.
        ``None`` without calibration.
    """

    baseline_revenue: float = 0.0
    baseline_share: float = 0.0
    won_revenue: float = 0.0
    team_terms: pl.DataFrame | None = None
    notes: tuple[str, ...] = ()
    model: Any = None
    calibration: pl.DataFrame | None = None
    note: str = NOTE


@dataclass(frozen=True)
class Incremental:
    """A fitted incremental model: its design, win model, calibration and won deals' shares."""

    design: Design
    fit: WinFit
    team: str | None
    rows: np.ndarray
    """Positions of the won deals in the design."""
    shares: np.ndarray
    baseline: np.ndarray
    floored: np.ndarray
    """Per won deal and channel: the negative share floored at 0 (see :mod:`.split`)."""
    scale: np.ndarray
    calibration: Calibration | None
    notes: tuple[str, ...]
    combined: Combined | None = None
    """Each experiment weighed against the model's lift (``None`` without calibration)."""

    def evidence(self) -> list[str]:
        """Return the evidence level of every channel of the design."""
        calibrated = set(self.calibration.channel) if self.calibration is not None else set()
        return [
            "experiment" if c in calibrated else "model" if ok else "presence only"
            for c, ok in enumerate(self.design.estimable)
        ]
