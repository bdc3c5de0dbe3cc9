"""A change between two periods: its table's columns, its interval, and whether it beats its noise.

The intervals :mod:`attribution.handoff.periods` puts on every change: the MOVER interval
for a difference of two Poisson counts, Newcombe's for a difference of two proportions
(both from :mod:`statsmodels.stats`), and a percentile bootstrap for a difference of two
medians. A change is *larger than its noise* when its interval leaves out zero.

Examples
--------
>>> import numpy as np
>>> n = np.array([100])
>>> low, high = share_interval(np.array([60]), n, np.array([40]), n, 0.9)
>>> bool(low[0] > 0), bool(high[0] < 0.4)
(True, True)
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import polars as pl

from attribution._intervals import quantiles

__all__ = ["CHANGE_COLUMNS", "count_interval", "finish_change", "median_interval", "share_interval"]

_BLOCK_CELLS = 4_000_000  # resampled values held at once

CHANGE_COLUMNS: dict[str, type[pl.DataType] | pl.DataType] = {
    "measure": pl.String,
    "unit": pl.String,
    "current": pl.Float64,
    "previous": pl.Float64,
    "change": pl.Float64,
    "change_low": pl.Float64,
    "change_high": pl.Float64,
    "beyond_noise": pl.Boolean,
    "current_base": pl.Int64,
    "previous_base": pl.Int64,
}
"""Columns of every comparison table (the funnel's start with ``stage`` and ``step``)."""


def count_interval(
    now: np.ndarray, before: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """MOVER interval of ``now - before`` for two Poisson counts (statsmodels)."""
    from statsmodels.stats.rates import confint_poisson_2indep

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # a ratio of two zero counts
        low, high = confint_poisson_2indep(
            now, 1.0, before, 1.0, method="mover", compare="diff", alpha=1 - level
        )
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)


def share_interval(
    hits: np.ndarray, n: np.ndarray, hits_before: np.ndarray, n_before: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's interval of a difference of two proportions; NaN where a base is 0."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    ok = (n > 0) & (n_before > 0)
    low, high = np.full(n.shape, np.nan), np.full(n.shape, np.nan)
    if ok.any():
        lo, hi = confint_proportions_2indep(
            hits[ok], n[ok], hits_before[ok], n_before[ok],
            method="newcomb", compare="diff", alpha=1 - level,
        )  # fmt: skip
        low[ok], high[ok] = lo, hi
    return low, high


def finish_change(frame: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    """Add the change and its flag; order the columns."""
    return frame.with_columns(
        (pl.col("current") - pl.col("previous")).alias("change"),
        pl.col("change_low", "change_high").cast(pl.Float64).fill_nan(None),
    ).with_columns(
        ((pl.col("change_low") > 0) | (pl.col("change_high") < 0)).fill_null(False)
        .alias("beyond_noise"),
    ).select(*keys, *(pl.col(c).cast(t) for c, t in CHANGE_COLUMNS.items()))  # fmt: skip


def median_interval(
    now: np.ndarray, before: np.ndarray, level: float, draws: int, seed: int
) -> tuple[float | None, float | None]:
    """Percentile bootstrap of ``median(now) - median(before)``, leads resampled per window."""
    if not now.size or not before.size:
        return None, None
    rng = np.random.default_rng(seed)
    block = max(1, _BLOCK_CELLS // max(now.size, before.size))
    diffs = np.concatenate(
        [
            np.median(rng.choice(now, (size, now.size)), axis=1)
            - np.median(rng.choice(before, (size, before.size)), axis=1)
            for size in (min(block, draws - first) for first in range(0, draws, block))
        ]
    )
    q_low, q_high = quantiles(level)
    return float(np.quantile(diffs, q_low)), float(np.quantile(diffs, q_high))
