"""The ``incremental`` model: fit it, and its two answers (see the package docstring).

:func:`fit_incremental` fits the win model and splits every won deal; :func:`credits` gives
the credits per touch (:mod:`.touches`) and :func:`incremental` the channel table
(:mod:`.summary`); the fitted model and the result types are in :mod:`.result`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from attribution.data.dataset import Dataset
from attribution.data.schema import CHANNEL
from attribution.models.credits import check_team
from attribution.models.incremental.calibrate import (
    Calibration,
    calibration_table,
    combine,
    rescale,
)
from attribution.models.incremental.design import Design, Exposure, build_design
from attribution.models.incremental.fit import DEFAULT_PENALTY, fit_win_model
from attribution.models.incremental.result import Incremental, IncrementalResult
from attribution.models.incremental.select import choose_exposure
from attribution.models.incremental.split import deal_shares
from attribution.models.incremental.summary import summarise
from attribution.models.incremental.touches import credits_of

__all__ = ["credits", "fit_design", "fit_incremental", "incremental"]


def fit_incremental(
    journeys: pl.DataFrame | pl.LazyFrame,
    *,
    team: str | None = None,
    controls: Dataset | pl.DataFrame | None = None,
    exposure: Exposure = "auto",
    penalty: float | str = DEFAULT_PENALTY,
    min_deals: int = 10,
    calibrate: Any = None,
) -> Incremental:
    """Fit the incremental model on journeys and split every won deal (see :func:`incremental`)."""
    check_team(team)
    design = build_design(journeys, controls=controls, exposure=exposure, min_deals=min_deals)
    return fit_design(design, team=team, exposure=exposure, penalty=penalty, calibrate=calibrate)


def fit_design(
    design: Design,
    *,
    team: str | None = None,
    exposure: Exposure = "auto",
    penalty: float | str = DEFAULT_PENALTY,
    calibrate: Any = None,
) -> Incremental:
    """Fit the incremental model on its data (:func:`~.design.build_design`, or summed by Spark).

    ``exposure="auto"`` chooses the exposure form on held-out accounts; the rest is
    :func:`fit_incremental`.
    """
    check_team(team)
    notes = []
    if exposure == "auto":
        design, win, losses = choose_exposure(design, penalty=penalty)
        if all(np.isfinite(v) for v in losses.values()):
            scored = ", ".join(f"{k} {v:.4f}" for k, v in losses.items())
            notes.append(f"exposure: {design.exposure} (held-out log-loss of winning: {scored})")
    else:
        win = fit_win_model(design, penalty=penalty)
    notes += [
        f"{c}: not in the win model ({reason}); no credit"
        for c, reason in design.presence.filter(~pl.col("estimable"))
        .select(CHANNEL, "reason")
        .iter_rows()
    ]
    if win.message:
        notes.append(win.message)
    rows = np.flatnonzero(design.won)
    shares, baseline, floored = deal_shares(design, win, rows, team=team)
    scale, calibration, combined = np.ones(len(design.channels)), None, None
    if calibrate is not None:
        table, left_out = calibration_table(calibrate, design)
        notes += left_out
        if table.height:
            calibration = Calibration(table, design)
            combined = combine(design, win, calibration)
            scale = combined.scale
            notes += combined.notes
            shares, baseline = rescale(shares, baseline, scale)
    return Incremental(
        design,
        win,
        team,
        rows,
        shares,
        baseline,
        floored,
        scale,
        calibration,
        tuple(notes),
        combined,
    )


def credits(
    journeys: pl.DataFrame | pl.LazyFrame,
    *,
    team: str | None = None,
    controls: Dataset | pl.DataFrame | None = None,
    exposure: Exposure = "auto",
    penalty: float | str = DEFAULT_PENALTY,
    min_deals: int = 10,
    calibrate: Any = None,
) -> pl.DataFrame:
    """Incremental credits: each won deal split by its channels' Shapley value in a win model.

    Each channel's share of a deal goes to its touches in equal parts; the baseline share
    is one ``(baseline)`` row per deal (team and campaign ``(baseline)``, no touch). See
    :func:`incremental` for the options.

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=1_000, seed=2))
    >>> c = credits(j)
    >>> float(c.group_by("opportunity_id").agg(pl.col("credit").sum())["credit"].min().__round__(9))
    1.0
    """
    model = fit_incremental(
        journeys,
        team=team,
        controls=controls,
        exposure=exposure,
        penalty=penalty,
        min_deals=min_deals,
        calibrate=calibrate,
    )
    return credits_of(model, journeys)


def incremental(
    journeys: pl.DataFrame | pl.LazyFrame,
    *,
    team: str | None = None,
    controls: Dataset | pl.DataFrame | None = None,
    exposure: Exposure = "auto",
    penalty: float | str = DEFAULT_PENALTY,
    min_deals: int = 10,
    calibrate: Any = None,
) -> IncrementalResult:
    """Incremental attribution: what each channel adds to winning, by a fitted win model.

    A ridge Logit of winning is fitted on every closed (won and lost) deal: its exposure to
    each channel (``log1p`` of its touches, or the count), the marketing x sales
    interaction, and controls (the quarter it was opened, a band of its amount, and
    ``controls``). Each won deal's revenue is then split by the exact Shapley value of its
    channels in the fitted model (every coalition of its channels, the others kept as they
    were), divided by its predicted win probability; the rest is the baseline, what the
    model predicts without those touches. Negative effects are floored at no effect and
    reported (a channel's negative Shapley value in a deal: ``floored``; the team terms as
    estimated: ``team_terms``). Channels whose presence does not vary among won
    and lost deals (in almost every deal, or only in won ones) cannot be estimated: they
    get no credit and the evidence level ``presence only``.

    Parameters
    ----------
    journeys
        Output of :func:`attribution.journeys`.
    team
        Credit only this team's channels (the other team's touches are held as they were).
    controls
        A :class:`~attribution.data.dataset.Dataset` (its accounts' segment is a control)
        or a frame keyed by ``opportunity_id`` or ``account_id`` whose other columns are
        categorical controls.
    exposure
        How a channel's touches enter the model: ``"log"`` (``log1p`` of its touches),
        ``"presence"`` (whether it touched the deal at all), ``"count"``, or ``"auto"``
        (default: of ``log`` and ``presence``, the one that predicts winning better on
        held-out accounts, :mod:`attribution.models.incremental.select`).
    penalty
        Ridge penalty of each channel's difference from its team's average touch (per
        deal; a normal prior of variance ``1 / penalty``, default 25: standard deviation
        0.2 in log-odds per unit of exposure).
    min_deals
        A channel's effect is estimated only if at least this many won deals and this many
        lost deals have it, and as many of each lack it.
    calibrate
        Experiments that measured channels' lift (what :func:`attribution.lift` returns, or
        its ``.calibration`` table): each such channel's credit is rescaled to the
        calibrated lift, the measured and the model's lift weighed by their precision
        (:mod:`attribution.models.incremental.calibrate`; the result's ``calibration``).

    Returns
    -------
    IncrementalResult
        One row per channel (credited revenue, share, effect, evidence level) and the
        baseline.

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=2_000, seed=1)
    >>> r = at.incremental(at.journeys(ds), controls=ds)
    >>> round(r.table["share"].sum(), 9), 0 < r.baseline_share < 1
    (1.0, True)
    """
    model = fit_incremental(
        journeys,
        team=team,
        controls=controls,
        exposure=exposure,
        penalty=penalty,
        min_deals=min_deals,
        calibrate=calibrate,
    )
    return summarise(model)
