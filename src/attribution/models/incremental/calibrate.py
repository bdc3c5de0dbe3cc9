"""Calibration: rescale a channel's effect to the lift an experiment measured.

An experiment (a holdout of one channel) measures how much keeping the channel raises the
chance that an account wins a deal: its *lift* per account (:func:`attribution.lift`).
The fitted win model implies a lift for the same accounts: over the closed deals of the
experiment's treatment accounts, ``p(win | their touches) - p(win | without the channel's
touches)``, summed and divided by the number of treatment accounts. The factor ``k =
measured / implied`` (0 when the measured lift is not above 0, at most
:data:`MAX_SCALE`) rescales the channel's effect where it is credited: its share of every
won deal is multiplied by ``k`` and the baseline takes up the difference (a deal's shares
never exceed its amount). Each channel calibrated this way has the evidence level
``experiment``.

The input is a table with one row per experiment on a channel: ``experiment``, ``channel``,
``lift`` and ``se`` (the lift on winning per account and its standard error) and
``accounts`` (the treatment arm's account ids, a list) — what ``at.lift(dataset)`` gives as
``.calibration``; the result itself may be passed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from attribution.data.schema import ACCOUNT_ID, CHANNEL
from attribution.errors import ParameterError
from attribution.models.incremental.design import Design
from attribution.models.incremental.fit import WinFit
from attribution.models.incremental.split import win_probability

__all__ = [
    "CALIBRATION_COLUMNS",
    "MAX_SCALE",
    "Calibration",
    "calibration_table",
    "implied_lift",
    "rescale",
    "scales",
]

CALIBRATION_COLUMNS = ("experiment", CHANNEL, "lift", "se", "accounts")
MAX_SCALE = 20.0
"""Largest factor a channel's exposure is scaled by; a lift that needs more is capped."""


class Calibration:
    """The experiments that calibrate channels, matched to the design's deals."""

    def __init__(self, table: pl.DataFrame, design: Design):
        self.table = table
        self.channel = [design.channels.index(c) for c in table[CHANNEL].to_list()]
        accounts = design.deals[ACCOUNT_ID]
        self.rows: list[np.ndarray] = []
        self.treated: list[int] = []
        for members in table["accounts"].to_list():
            treated = pl.Series(members, dtype=pl.String).unique()
            self.rows.append(np.flatnonzero(accounts.is_in(treated.implode()).to_numpy()))
            self.treated.append(max(treated.len(), 1))
        self.lift = table["lift"].to_numpy().astype(float)
        self.se = table["se"].to_numpy().astype(float)


def calibration_table(calibrate: Any, design: Design) -> tuple[pl.DataFrame, list[str]]:
    """Check the calibration input; keep the experiments on channels the model has.

    Returns the table (one row per usable experiment) and notes on the ones left out.
    """
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
    table = table.filter(pl.col(CHANNEL).is_not_null() & pl.col("lift").is_not_null())
    notes = []
    usable = []
    for row in table.iter_rows(named=True):
        name, channel = row["experiment"], row[CHANNEL]
        if channel not in design.channels:
            notes.append(f"experiment {name!r}: channel {channel!r} is in no closed deal")
        elif not design.estimable[design.channels.index(channel)]:
            notes.append(
                f"experiment {name!r}: {channel!r} is not in the win model (its effect cannot "
                "be estimated from the deals), so its lift is shown but calibrates nothing"
            )
        else:
            usable.append(row)
    chosen = pl.DataFrame(usable, schema=table.select(CALIBRATION_COLUMNS).schema)
    if chosen[CHANNEL].is_duplicated().any():
        dupes = sorted(set(chosen.filter(pl.col(CHANNEL).is_duplicated())[CHANNEL]))
        raise ParameterError(
            f"calibrate: more than one experiment on channel(s) {', '.join(dupes)}; pool them "
            "into one lift per channel first"
        )
    return chosen.select(CALIBRATION_COLUMNS), notes


def implied_lift(design: Design, fit: WinFit, rows: np.ndarray, channel: int) -> float:
    """Return the model's lift on winning over the deals at ``rows``: sum of p(all) - p(without)."""
    if len(rows) == 0:
        return 0.0
    counts = design.counts[rows]
    without = counts.copy()
    without[:, channel] = 0.0
    kept = win_probability(design, fit, rows, counts)
    return float((kept - win_probability(design, fit, rows, without)).sum())


def scales(
    design: Design, fit: WinFit, cal: Calibration, lifts: np.ndarray | None = None
) -> tuple[np.ndarray, list[str]]:
    """Return the factor of every channel's credit (1 unless calibrated) and notes on odd ones.

    ``lifts`` replaces the measured lifts (e.g. a bootstrap draw of them).
    """
    scale = np.ones(len(design.channels))
    notes = []
    target = cal.lift if lifts is None else lifts
    for e, c in enumerate(cal.channel):
        implied = implied_lift(design, fit, cal.rows[e], c) / cal.treated[e]
        if target[e] <= 0:
            scale[c] = 0.0
        elif implied <= 0:
            scale[c] = 1.0
            notes.append(
                f"{design.channels[c]}: the experiment measured a lift, but the model gives "
                "the channel no effect to rescale; its credit stays the model's"
            )
        else:
            scale[c] = min(target[e] / implied, MAX_SCALE)
            if target[e] / implied > MAX_SCALE:
                notes.append(
                    f"{design.channels[c]}: the measured lift is more than {MAX_SCALE:g} times "
                    f"the model's; its credit is scaled by {MAX_SCALE:g}"
                )
    return scale, notes


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
