"""Calibration: weigh an experiment's measured lift against the model's, by their precision.

An experiment (a holdout of one channel) measures how much keeping the channel raises the
chance that an account wins a deal: its *lift* per account ``L_e`` with its standard error
``se_e`` (:func:`attribution.lift`). The fitted win model implies a lift ``L_m`` for the
same accounts (:func:`.implied.implied_lift`: over the treatment accounts' deals closed
inside the experiment's window, ``p(win | their touches) - p(win | without the channel's touches)``,
summed and divided by the number of treatment accounts), with a standard error ``se_m``
from the win model's own uncertainty (:func:`.implied.implied_lift_se`: the delta method on
the Laplace posterior of the ridge Logit). The two are combined as two independent normal
estimates of one lift, the way marketing-mix tools use experiments as priors: the
*calibrated lift* is their inverse-variance weighted mean::

    L_c = w L_e + (1 - w) L_m,   w = (1 / se_e^2) / (1 / se_e^2 + 1 / se_m^2)

``w`` is the *weight* the experiment got: near 1 for an experiment far more precise than
the model (its lift sets the credit, as a rescale to the measured lift would), near 0 for
one too noisy to tell its lift from the model's (the credit stays the model's). The
channel's credit is multiplied by the factor ``k = L_c / L_m`` (floored at 0, at most
:data:`MAX_SCALE`; notes say when either bound binds) where it is credited: its share of
every won deal is multiplied by ``k`` and the baseline takes up the difference (a deal's
shares never exceed its amount, so every deal is conserved). Each channel calibrated this
way has the evidence level ``experiment``, whatever its weight.

Edge cases, each with a note: an experiment whose ``se`` is missing, negative or not
finite cannot be weighed and calibrates nothing; ``se = 0`` is taken as exact (weight 1);
a model lift with no uncertainty (``se_m = 0``, e.g. no closed deal among the treatment
accounts) gets weight 0 unless the experiment is exact too; when ``L_m <= 0`` the model
gives the channel no effect a factor could scale, so the credit stays the model's
(``k = 1``) unless the calibrated lift is not above 0 (``k = 0``).

In the bootstrap (:func:`attribution.models.compare.incremental.incremental_boot`) each
resample recomputes ``k`` from its re-fitted model's implied lift and a normal draw of the
measured lift (mean ``L_e``, sd ``se_e``), with the weight held at the full sample's
(:func:`factors`), so a calibrated channel's interval carries the experiment's noise.

The input is a table with one row per experiment on a channel: ``experiment``, ``channel``,
``lift`` and ``se`` (the lift on winning per account and its standard error) and
``accounts`` (the treatment arm's account ids, a list), and optionally ``deals`` (their
deals closed inside the experiment's window: the measured lift counts wins there, so the
model's lift is then summed over those deals only) — what ``at.lift(dataset)`` gives as
``.calibration``; the result itself may be passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from attribution.data.schema import ACCOUNT_ID, CHANNEL, OPPORTUNITY_ID
from attribution.errors import ParameterError
from attribution.models.incremental.design import Design
from attribution.models.incremental.fit import WinFit
from attribution.models.incremental.implied import implied_lift, implied_lift_se, information

__all__ = [
    "CALIBRATION_COLUMNS",
    "MAX_SCALE",
    "WEAK_WEIGHT",
    "WINDOW_DEALS",
    "Calibration",
    "Combined",
    "calibration_table",
    "combine",
    "factor_of",
    "factors",
    "rescale",
    "weigh",
]

CALIBRATION_COLUMNS = ("experiment", CHANNEL, "lift", "se", "accounts")
WINDOW_DEALS = "deals"
"""Optional column: the treatment accounts' deals closed inside the experiment's window
(the model's lift is then taken over those deals only, as the measured lift counts wins
in the window; without it, over every closed deal of the treatment accounts)."""
MAX_SCALE = 20.0
"""Largest factor a channel's exposure is scaled by; a lift that needs more is capped."""
WEAK_WEIGHT = 0.1
"""Below this weight an experiment barely moves the model's lift (said in a note)."""


class Calibration:
    """The experiments that calibrate channels, matched to the design's deals."""

    def __init__(self, table: pl.DataFrame, design: Design):
        self.table = table
        self.channel = [design.channels.index(c) for c in table[CHANNEL].to_list()]
        accounts = design.deals[ACCOUNT_ID]
        self.rows: list[np.ndarray] = []
        self.treated: list[int] = []
        windows = table[WINDOW_DEALS].to_list() if WINDOW_DEALS in table.columns else None
        for e, members in enumerate(table["accounts"].to_list()):
            treated = pl.Series(members, dtype=pl.String).unique()
            if windows is not None and windows[e] is not None:
                deals = pl.Series(windows[e], dtype=pl.String).implode()
                at = design.deals[OPPORTUNITY_ID].is_in(deals)
            else:
                at = accounts.is_in(treated.implode())
            self.rows.append(np.flatnonzero(at.to_numpy()))
            self.treated.append(max(treated.len(), 1))
        self.lift = table["lift"].to_numpy().astype(float)
        self.se = table["se"].to_numpy().astype(float)

    def implied(self, design: Design, fit: WinFit) -> np.ndarray:
        """Each experiment's lift per treatment account implied by ``fit``."""
        return np.array(
            [
                implied_lift(design, fit, self.rows[e], c) / self.treated[e]
                for e, c in enumerate(self.channel)
            ]
        )


def _check_input(calibrate: Any) -> pl.DataFrame:
    table = getattr(calibrate, "calibration", calibrate)
    if not isinstance(table, pl.DataFrame):
        raise ParameterError(
            "calibrate must be what attribution.lift(dataset) returns, or a table with "
            f"columns {', '.join(CALIBRATION_COLUMNS)}; got {type(calibrate).__name__}"
        )
    missing = [c for c in CALIBRATION_COLUMNS if c not in table.columns]
    if missing:
        raise ParameterError(
            f"calibrate: missing column(s) {', '.join(missing)}; expected "
            f"{', '.join(CALIBRATION_COLUMNS)} (one row per experiment on a channel)"
        )
    return table


def calibration_table(calibrate: Any, design: Design) -> tuple[pl.DataFrame, list[str]]:
    """Check the calibration input; keep the experiments on channels the model has.

    Returns the table (one row per usable experiment) and notes on the ones left out
    (a channel the model lacks; a standard error that is missing, negative or not finite).
    """
    table = _check_input(calibrate)
    table = table.filter(pl.col(CHANNEL).is_not_null() & pl.col("lift").is_not_null())
    notes = []
    usable = []
    for row in table.iter_rows(named=True):
        name, channel, se = row["experiment"], row[CHANNEL], row["se"]
        if channel not in design.channels:
            notes.append(f"experiment {name!r}: channel {channel!r} is in no closed deal")
        elif not design.estimable[design.channels.index(channel)]:
            notes.append(
                f"experiment {name!r}: {channel!r} is not in the win model (its effect cannot "
                "be estimated from the deals), so its lift is shown but calibrates nothing"
            )
        elif se is None or not np.isfinite(se) or se < 0:
            notes.append(
                f"experiment {name!r}: its lift has no usable standard error ({se!r}), so it "
                f"cannot be weighed against the model; {channel!r} is not calibrated"
            )
        else:
            usable.append(row)
    columns = [*CALIBRATION_COLUMNS, *([WINDOW_DEALS] if WINDOW_DEALS in table.columns else [])]
    chosen = pl.DataFrame(usable, schema=table.select(columns).schema)
    if chosen[CHANNEL].is_duplicated().any():
        dupes = sorted(set(chosen.filter(pl.col(CHANNEL).is_duplicated())[CHANNEL]))
        raise ParameterError(
            f"calibrate: more than one experiment on channel(s) {', '.join(dupes)}; pool them "
            "into one lift per channel first"
        )
    return chosen.select(columns), notes


def weigh(
    measured: np.ndarray, measured_se: np.ndarray, implied: np.ndarray, implied_se: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return the experiment's weight and the calibrated lift (inverse-variance mean).

    ``w = se_m^2 / (se_e^2 + se_m^2)`` (the same as ``(1/se_e^2) / (1/se_e^2 + 1/se_m^2)``,
    defined at ``se_e = 0``: 1); 1 when both are 0.

    Examples
    --------
    >>> w, c = weigh(np.array([4.0, 4.0]), np.array([0.0, 1.0]), np.array([2.0, 2.0]),
    ...              np.array([1.0, 1.0]))
    >>> w.tolist(), c.tolist()
    ([1.0, 0.5], [4.0, 3.0])
    """
    ve, vm = np.square(measured_se), np.square(implied_se)
    total = ve + vm
    weight = np.where(total > 0, vm / np.where(total > 0, total, 1.0), 1.0)
    return weight, weight * measured + (1.0 - weight) * implied


def factor_of(implied: np.ndarray, calibrated: np.ndarray) -> np.ndarray:
    """Return the credit factor ``calibrated / implied``, in ``[0, MAX_SCALE]``.

    0 where the calibrated lift is not above 0; 1 where the model's lift is not above 0
    (no effect to scale) but the calibrated one is.

    Examples
    --------
    >>> factor_of(np.array([2.0, 2.0, 0.0, 1.0]), np.array([3.0, -1.0, 1.0, 50.0])).tolist()
    [1.5, 0.0, 1.0, 20.0]
    """
    positive = implied > 0
    safe = np.where(positive, implied, 1.0)
    # the cap is decided before dividing, so a tiny model lift cannot overflow, and a
    # capped factor is MAX_SCALE exactly (not MAX_SCALE * x / x in floating point)
    over = calibrated / MAX_SCALE >= safe
    divide = ~over & ~(calibrated <= 0)  # a lift not above 0 gets 0 below, undivided
    ratio = np.divide(calibrated, safe, out=np.full(len(safe), MAX_SCALE), where=divide)
    ratio = np.minimum(ratio, MAX_SCALE)
    return np.where(calibrated <= 0, 0.0, np.where(positive, ratio, 1.0))


@dataclass(frozen=True)
class Combined:
    """Each experiment's measured lift weighed against the model's (arrays per experiment)."""

    implied: np.ndarray
    """The model's lift per treatment account (``L_m``)."""
    implied_se: np.ndarray
    weight: np.ndarray
    """The experiment's weight ``w`` in the calibrated lift."""
    calibrated: np.ndarray
    factor: np.ndarray
    """What the channel's credit is multiplied by."""
    scale: np.ndarray
    """Per channel of the design: its factor (1 unless calibrated)."""
    notes: tuple[str, ...]

    def table(self, cal: Calibration) -> pl.DataFrame:
        """Return one row per experiment (lifts on winning per treatment account).

        ``experiment, channel, measured, measured_se, implied, implied_se, weight,
        calibrated, scale``.
        """
        return pl.DataFrame(
            {
                "experiment": cal.table["experiment"].cast(pl.String),
                CHANNEL: cal.table[CHANNEL].cast(pl.String),
                "measured": cal.lift,
                "measured_se": cal.se,
                "implied": self.implied,
                "implied_se": self.implied_se,
                "weight": self.weight,
                "calibrated": self.calibrated,
                "scale": self.factor,
            }
        )


def combine(design: Design, fit: WinFit, cal: Calibration) -> Combined:
    """Weigh every experiment against the model's lift; the factor of every channel's credit."""
    implied = cal.implied(design, fit)
    info = information(design, fit) if fit.params.size else np.zeros((0, 0))
    implied_se = np.array(
        [
            implied_lift_se(design, fit, cal.rows[e], c, info) / cal.treated[e]
            for e, c in enumerate(cal.channel)
        ]
    )
    weight, calibrated = weigh(cal.lift, cal.se, implied, implied_se)
    factor = factor_of(implied, calibrated)
    scale = np.ones(len(design.channels))
    scale[cal.channel] = factor
    notes = [
        note
        for e, c in enumerate(cal.channel)
        for note in _notes(
            design.channels[c], cal.se[e], implied[e], implied_se[e], weight[e], calibrated[e]
        )
    ]
    return Combined(implied, implied_se, weight, calibrated, factor, scale, tuple(notes))


def _notes(
    channel: str, se: float, implied: float, implied_se: float, weight: float, calibrated: float
) -> list[str]:
    """Say what is odd about one channel's calibration, in words."""
    notes = []
    if se == 0:
        notes.append(
            f"{channel}: its experiment reports no noise (standard error 0), so it is taken "
            "as exact (weight 1)"
        )
    elif implied_se == 0:
        notes.append(
            f"{channel}: the model's lift for the experiment's accounts has no uncertainty "
            "(no closed deal of theirs, or no coefficient), so the experiment gets weight 0"
        )
    elif weight < WEAK_WEIGHT:
        notes.append(
            f"{channel}: its experiment got weight {weight:.2f} against the model (its lift "
            "is far noisier than the model's), so its credit is mostly the model's"
        )
    if calibrated <= 0:
        notes.append(f"{channel}: the calibrated lift is not above 0; its credit is floored at 0")
    elif implied <= 0:
        notes.append(
            f"{channel}: the model gives the channel no effect on the experiment's accounts "
            "to rescale; its credit stays the model's"
        )
    elif calibrated > MAX_SCALE * implied:
        notes.append(
            f"{channel}: the calibrated lift is more than {MAX_SCALE:g} times the model's; "
            f"its credit is scaled by {MAX_SCALE:g}"
        )
    return notes


def factors(
    design: Design, fit: WinFit, cal: Calibration, combined: Combined, measured: np.ndarray
) -> np.ndarray:
    """Per channel: its credit factor under another fit and measured lifts (a resample).

    The weights are ``combined``'s (the full sample's); the model's lift is ``fit``'s.
    """
    implied = cal.implied(design, fit)
    calibrated = combined.weight * measured + (1.0 - combined.weight) * implied
    scale = np.ones(len(design.channels))
    scale[cal.channel] = factor_of(implied, calibrated)
    return scale


def rescale(
    shares: np.ndarray, baseline: np.ndarray, scale: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Multiply each channel's shares by its factor; the baseline takes up the rest.

    Shares that would add up to more than 1 in a deal are scaled back to 1 (baseline 0).

    Examples
    --------
    >>> s, b = rescale(np.array([[0.2, 0.3]]), np.array([0.5]), np.array([3.0, 0.0]))
    >>> s.round(9).tolist(), b.round(9).tolist()
    ([[0.6, 0.0]], [0.4])
    """
    scaled = shares * scale
    total = scaled.sum(axis=1)
    over = total > 1.0
    scaled[over] /= total[over, None]
    return scaled, np.clip(1.0 - scaled.sum(axis=1), 0.0, None)
