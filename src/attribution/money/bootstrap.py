"""Account bootstrap of grouped sums: the draws behind every interval of this package part.

A journey never crosses accounts, so accounts are the units resampled: each draw takes as
many accounts as there are, with replacement, and sums each group's values over them.
Draws are made in blocks, so memory stays near ``block x accounts`` whatever ``draws`` is.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from attribution._intervals import check_draws, quantiles

__all__ = ["account_draws", "interval"]

_BLOCK_CELLS = 4_000_000  # draws x accounts held at once


def account_draws(
    frame: pl.DataFrame,
    *,
    account: str,
    group: str,
    groups: Sequence[str],
    values: Sequence[str],
    draws: int,
    seed: int = 0,
) -> np.ndarray:
    """Resample accounts and sum ``values`` per group: an array ``draws x groups x values``.

    Parameters
    ----------
    frame
        Rows with the ``account`` column, the ``group`` column and numeric ``values``.
    account, group
        Names of the account and group columns.
    groups
        The groups, in the order of the result's second axis (others are ignored).
    values
        The value columns, in the order of the result's third axis.
    draws
        Number of resamples (checked by :func:`attribution._intervals.check_draws`).
    seed
        Random seed: the same seed gives the same draws.

    Examples
    --------
    >>> f = pl.DataFrame({"a": ["x", "y"], "g": ["c", "c"], "v": [1.0, 3.0]})
    >>> d = account_draws(f, account="a", group="g", groups=["c"], values=["v"], draws=50)
    >>> d.shape, bool(((d >= 2) & (d <= 6)).all())
    ((50, 1, 1), True)
    """
    draws = check_draws(draws)
    keys = pl.Series(list(groups), dtype=pl.String)
    per = (
        frame.lazy()
        .filter(pl.col(group).cast(pl.String).is_in(keys.implode()))
        .group_by(account, group)
        .agg(pl.col(v).cast(pl.Float64).sum() for v in values)
        .with_columns(
            pl.col(account).rank("dense").cast(pl.Int64).sub(1).alias("_a"),
            pl.col(group).cast(pl.String).replace_strict(keys, range(len(keys))).alias("_g"),
        )
        .collect()
    )
    n_accounts = int(frame.select(pl.col(account).n_unique()).item()) if frame.height else 0
    out = np.zeros((draws, len(groups), len(values)))
    if n_accounts == 0 or per.is_empty():
        return out
    matrix = np.zeros((n_accounts, len(groups) * len(values)))
    rows, cols = per["_a"].to_numpy(), per["_g"].to_numpy() * len(values)
    for j, v in enumerate(values):
        np.add.at(matrix, (rows, cols + j), per[v].to_numpy())
    rng = np.random.default_rng(seed)
    block = max(1, _BLOCK_CELLS // n_accounts)
    p = np.full(n_accounts, 1.0 / n_accounts)
    for first in range(0, draws, block):
        size = min(block, draws - first)
        weights = rng.multinomial(n_accounts, p, size=size).astype(float)
        out[first : first + size] = (weights @ matrix).reshape(size, len(groups), len(values))
    return out


def interval(samples: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Central ``level`` interval of ``samples`` along the first axis, ignoring NaNs.

    Examples
    --------
    >>> low, high = interval(np.arange(101.0).reshape(101, 1), 0.9)
    >>> round(float(low[0]), 6), round(float(high[0]), 6)
    (5.0, 95.0)
    """
    q_low, q_high = quantiles(level)
    finite = np.where(np.isfinite(samples), samples, np.nan)
    with np.errstate(all="ignore"):
        if np.isnan(finite).all(axis=0).any():
            low = np.full(samples.shape[1:], np.nan)
            high = np.full(samples.shape[1:], np.nan)
            ok = ~np.isnan(finite).all(axis=0)
            low[ok] = np.nanquantile(finite[:, ok], q_low, axis=0)
            high[ok] = np.nanquantile(finite[:, ok], q_high, axis=0)
            return low, high
        return np.nanquantile(finite, q_low, axis=0), np.nanquantile(finite, q_high, axis=0)
