"""The incremental model's channel table: revenue, share, effect, evidence and the baseline."""

from __future__ import annotations

import numpy as np
import polars as pl

from attribution.data.schema import AMOUNT, CHANNEL, TEAM
from attribution.models.credits import REVENUE
from attribution.models.incremental.result import Incremental, IncrementalResult
from attribution.models.incremental.split import players_of, win_probability

__all__ = ["summarise"]


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
        calibration=(
            model.combined.table(model.calibration)
            if model.combined is not None and model.calibration is not None
            else None
        ),
    )
