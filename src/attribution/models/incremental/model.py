"""The ``incremental`` model: fit, result and credits (see the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from attribution.data.dataset import Dataset
from attribution.data.schema import (
    ACCOUNT_ID,
    AMOUNT,
    CAMPAIGN,
    CHANNEL,
    CLOSED_AT,
    OPPORTUNITY_ID,
    TEAM,
    TOUCH_ID,
)
from attribution.journey.columns import POSITION
from attribution.models.credits import (
    BASELINE,
    CREDIT,
    CREDIT_COLUMNS,
    DEAL,
    EXTRA_COLUMNS,
    REVENUE,
    check_team,
    first_rows,
    no_touch_rows,
    won_frame,
)
from attribution.models.incremental.calibrate import (
    Calibration,
    calibration_table,
    rescale,
    scales,
)
from attribution.models.incremental.design import Design, Exposure, build_design
from attribution.models.incremental.fit import DEFAULT_PENALTY, WinFit, fit_win_model
from attribution.models.incremental.select import choose_exposure
from attribution.models.incremental.split import deal_shares, players_of, win_probability
from attribution.results import Result

__all__ = [
    "EVIDENCE",
    "Incremental",
    "IncrementalResult",
    "credits",
    "fit_incremental",
    "incremental",
]

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
    """

    baseline_revenue: float = 0.0
    baseline_share: float = 0.0
    won_revenue: float = 0.0
    team_terms: pl.DataFrame | None = None
    notes: tuple[str, ...] = ()
    model: Any = None
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

    def evidence(self) -> list[str]:
        """Return the evidence level of every channel of the design."""
        calibrated = set(self.calibration.channel) if self.calibration is not None else set()
        return [
            "experiment" if c in calibrated else "model" if ok else "presence only"
            for c, ok in enumerate(self.design.estimable)
        ]


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
    scale, calibration = np.ones(len(design.channels)), None
    if calibrate is not None:
        table, left_out = calibration_table(calibrate, design)
        notes += left_out
        if table.height:
            calibration = Calibration(table, design)
            scale, odd = scales(design, win, calibration)
            notes += odd
            shares, baseline = rescale(shares, baseline, scale)
    return Incremental(
        design, win, team, rows, shares, baseline, floored, scale, calibration, tuple(notes)
    )


def credits_of(model: Incremental, journeys: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Return the credits table of a fitted model (see :func:`credits`)."""
    won = won_frame(journeys)
    design, team = model.design, model.team
    touched = won.filter(pl.col(TOUCH_ID).is_not_null())
    if team is not None:
        touched = touched.filter(pl.col(TEAM) == team)
    ids = design.deals[OPPORTUNITY_ID]
    row_of = np.full(ids.len(), -1, dtype=np.int64)
    row_of[model.rows] = np.arange(len(model.rows))
    deal_row = row_of[ids.search_sorted(touched[OPPORTUNITY_ID]).to_numpy()]
    codes = touched[CHANNEL].cast(pl.String).cast(pl.Enum(design.channels)).to_physical()
    share = model.shares[deal_row, codes.to_numpy().astype(np.int64)]
    columns = [*CREDIT_COLUMNS, *EXTRA_COLUMNS]
    credited = (
        touched.with_columns(pl.Series("_s", share), pl.Series("_r", deal_row))
        .with_columns((pl.col("_s") / pl.len().over(DEAL, CHANNEL)).alias(CREDIT))
        .filter(pl.col(CREDIT) > 0)
        .with_columns((pl.col(CREDIT) * pl.col(AMOUNT)).alias(REVENUE))
    )
    deals = first_rows(won)
    has_touch = deals[DEAL].is_in(touched[DEAL].unique().implode())
    base_deals = deals.filter(has_touch).with_columns(
        pl.Series(
            "_b",
            model.baseline[row_of[ids.search_sorted(deals.filter(has_touch)[OPPORTUNITY_ID])]],
        )
    )
    baseline = base_deals.filter(pl.col("_b") > 0).select(
        OPPORTUNITY_ID,
        pl.lit(None, dtype=pl.String).alias(TOUCH_ID),
        pl.lit(BASELINE).alias(CHANNEL),
        pl.lit(BASELINE).alias(TEAM),
        pl.col("_b").alias(CREDIT),
        (pl.col("_b") * pl.col(AMOUNT).cast(pl.Float64)).alias(REVENUE),
        ACCOUNT_ID,
        pl.lit(BASELINE).alias(CAMPAIGN),
        CLOSED_AT,
        pl.lit(0, dtype=pl.Int32).alias(POSITION),
    )
    touches = credited.select(
        *(
            pl.col(c).cast(pl.String) if c in (CHANNEL, TEAM, CAMPAIGN, TOUCH_ID) else c
            for c in columns
        )
    ).with_columns(pl.col(POSITION).cast(pl.Int32))
    untouched = no_touch_rows(deals.filter(~has_touch))
    out = pl.concat([touches, baseline, untouched], how="vertical_relaxed")
    return out.sort(OPPORTUNITY_ID, POSITION)


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


def _effects(model: Incremental) -> np.ndarray:
    """Per channel: the average drop in predicted win probability without its touches."""
    design, win = model.design, model.fit
    out = np.full(len(design.channels), np.nan)
    for c in win.players:
        rows = np.flatnonzero(design.counts[:, c] > 0)
        counts = design.counts[rows]
        without = counts.copy()
        without[:, c] = 0.0
        drop = win_probability(design, win, rows, counts) - win_probability(
            design, win, rows, without
        )
        out[c] = float(drop.mean()) if len(rows) else np.nan
    return out


def summarise(model: Incremental) -> IncrementalResult:
    """Return the channel table and the baseline of a fitted model."""
    design, win = model.design, model.fit
    amounts = design.deals[AMOUNT].fill_null(0.0).to_numpy()[model.rows]
    revenue = (model.shares * amounts[:, None]).sum(axis=0)
    floored = -(model.floored * amounts[:, None]).sum(axis=0)
    players = players_of(design, win, model.team)
    credited = revenue[players].sum()
    table = design.presence.select(
        CHANNEL, TEAM, "present_won", "present_lost", "reason"
    ).with_columns(
        pl.Series(REVENUE, revenue),
        pl.Series("share", revenue / credited if credited > 0 else np.zeros_like(revenue)),
        pl.Series("effect", _effects(model)),
        pl.Series("floored", floored),
        pl.Series("evidence", model.evidence()),
        pl.Series("scale", model.scale),
    )
    if model.team is not None:
        table = table.filter(pl.col(TEAM) == model.team)
    columns = [CHANNEL, TEAM, REVENUE, "share", "effect", "floored", "present_won"]
    columns += ["present_lost", "evidence", "scale", "reason"]
    table = table.select(columns).sort([REVENUE, CHANNEL], descending=[True, False])
    won_revenue = float(amounts.sum())
    base = float((model.baseline * amounts).sum())
    terms = pl.DataFrame(
        {
            "term": ["marketing", "sales", "interaction", "speed-to-lead"],
            "estimate": win.raw_team,
            "negative": np.nan_to_num(win.raw_team, nan=0.0) < 0,
        }
    ).filter(pl.col("estimate").is_not_nan())
    return IncrementalResult(
        table=table,
        baseline_revenue=base,
        baseline_share=base / won_revenue if won_revenue > 0 else float("nan"),
        won_revenue=won_revenue,
        team_terms=terms,
        notes=model.notes,
        model=win.results,
    )


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
        its ``.calibration`` table): each such channel's effect is rescaled to the measured
        lift (:mod:`attribution.models.incremental.calibrate`).

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
