"""Bootstrap resamples of accounts, and sums weighed by every resample at once.

Accounts are resampled with replacement (all of an account's deals, won, lost and open,
move together, so the dependence between an account's deals is kept). Every quantity the
models need is linear in the accounts' resample weights, so it is summed per account once
and weighed by all resamples in one sparse matrix product.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
import scipy.sparse as sp

from attribution.data.schema import ACCOUNT_ID

__all__ = ["Resamples", "codes", "path_counts", "reweigh", "sum_rows"]


class Resamples:
    """The accounts and their bootstrap weights (resamples × accounts), shared by all models.

    Examples
    --------
    >>> r = Resamples(pl.DataFrame({"account_id": ["b", "a", "b"]}), "channel", 3, seed=0)
    >>> r.accounts.to_list(), r.weights.shape, r.weights.sum(axis=1).tolist()
    (['a', 'b'], (3, 2), [2.0, 2.0, 2.0])
    """

    def __init__(self, journeys: pl.DataFrame | pl.LazyFrame, by: str, draws: int, seed: int):
        accounts = journeys.lazy().select(pl.col(ACCOUNT_ID).unique().sort()).collect()
        self.accounts = accounts.to_series()
        rng = np.random.default_rng(seed)
        n = len(self.accounts)
        by_account = np.zeros((n, draws))
        if n:
            # drawn a few resamples at a time (the same draws as all at once), stored
            # accounts × resamples: little memory beyond the result
            p = np.full(n, 1.0 / n)
            for start in range(0, draws, 16):
                size = min(16, draws - start)
                by_account[:, start : start + size] = rng.multinomial(n, p, size=size).T
        self.weights = by_account.T
        self.by = by
        self.seed = seed
        """The resamples' seed (models that draw more than accounts seed from it)."""

    @property
    def weights(self) -> np.ndarray:
        """Resample weight of every account (resamples × accounts)."""
        return self._weights

    @weights.setter
    def weights(self, value: np.ndarray) -> None:
        # kept as accounts × resamples, contiguous: the right operand of every sparse product
        self.by_account = np.ascontiguousarray(value.T, dtype=np.float64)
        self._weights = self.by_account.T

    def account_index(self, frame: pl.DataFrame) -> np.ndarray:
        """Return the position of each row's account in the sorted account list."""
        return self.accounts.search_sorted(frame[ACCOUNT_ID], side="left").to_numpy()


def codes(values: pl.Expr, names: Sequence[str], default: int | None = None) -> pl.Expr:
    """Position of each value in ``names`` (``default`` for values not in it).

    Examples
    --------
    >>> pl.select(codes(pl.lit(pl.Series(["b", "z"])), ["a", "b"], -1)).to_series().to_list()
    [1, -1]
    """
    return values.replace_strict(
        pl.Series(list(names), dtype=pl.String),
        pl.Series(np.arange(len(names)), dtype=pl.Int64),
        default=default,
        return_dtype=pl.Int64,
    )


def reweigh(
    rows: np.ndarray, cols: np.ndarray, values: np.ndarray, frame: Resamples, n: int
) -> np.ndarray:
    """Sum ``values`` into (account, column) cells and weigh by every resample: (draws, n)."""
    matrix = sp.csr_matrix((values, (rows, cols)), shape=(len(frame.accounts), n))
    return np.asarray((matrix.T @ frame.by_account).T)


def sum_rows(group: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum the rows of ``values`` by ``group``: (n_groups, columns).

    Examples
    --------
    >>> sum_rows(np.array([1, 0, 1]), np.array([[1.0], [2.0], [3.0]]), 2).tolist()
    [[2.0], [4.0]]
    """
    one_hot = sp.csr_matrix(
        (np.ones(len(group)), (group, np.arange(len(group)))), shape=(n_groups, len(group))
    )
    return np.asarray(one_hot @ values)


def path_counts(
    n_deals: int,
    deal_account: np.ndarray,
    item: np.ndarray,
    path: np.ndarray,
    coefficient: np.ndarray,
    n_items: int,
    frame: Resamples,
) -> np.ndarray:
    """Compute counts linear in path weights, for every resample: (n_items, resamples).

    Entry ``(item[i], path[i])`` holds ``coefficient[i]``; a deal's path (the first
    ``n_deals`` paths) weighs its account's resample weight, any extra path weighs 1.
    """
    deal = path < n_deals
    by_account = sp.csr_matrix(
        (coefficient[deal], (item[deal], deal_account[path[deal]])),
        shape=(n_items, len(frame.accounts)),
    )
    fixed = np.bincount(item[~deal], weights=coefficient[~deal], minlength=n_items)
    return np.asarray(by_account @ frame.by_account) + fixed[:, None]
