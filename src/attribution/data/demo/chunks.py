"""Generate the demo chunk by chunk, or whole as a :class:`Dataset` in memory."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import polars as pl

from attribution.data.dataset import Dataset
from attribution.data.demo.params import DemoParams
from attribution.data.demo.simulate import simulate
from attribution.data.demo.truth import DemoTruth, contributions
from attribution.errors import ParameterError

__all__ = ["CHUNK_ACCOUNTS", "generate", "iter_chunks"]

CHUNK_ACCOUNTS = 20_000
"""Accounts simulated at once by :func:`iter_chunks` unless told otherwise."""


def _check_size(n_accounts: int, chunk_accounts: int) -> None:
    if not isinstance(n_accounts, int | np.integer) or n_accounts < 1:
        raise ParameterError(f"n_accounts must be a positive integer, got {n_accounts!r}")
    if n_accounts > 9_999_999:
        raise ParameterError(f"n_accounts must be below 10,000,000, got {n_accounts:,}")
    if chunk_accounts < 1:
        raise ParameterError(f"chunk_accounts must be positive, got {chunk_accounts!r}")


def iter_chunks(
    *,
    n_accounts: int,
    seed: int = 0,
    params: DemoParams | None = None,
    chunk_accounts: int = CHUNK_ACCOUNTS,
) -> Iterator[tuple[dict[str, pl.DataFrame], pl.DataFrame]]:
    """Yield the simulation chunk by chunk: ``(tables, per-deal truth)`` per chunk.

    Chunks are independent (accounts do not interact), each seeded from ``(seed, chunk)``,
    so the same ``seed``, ``n_accounts`` and ``chunk_accounts`` give the same data.

    Examples
    --------
    >>> chunks = list(iter_chunks(n_accounts=30, seed=2, chunk_accounts=20))
    >>> [tables["accounts"].height for tables, _ in chunks]
    [20, 10]
    """
    _check_size(n_accounts, chunk_accounts)
    p = params or DemoParams()
    for i, first in enumerate(range(0, n_accounts, chunk_accounts)):
        size = min(chunk_accounts, n_accounts - first)
        rng = np.random.default_rng([seed, i])
        yield simulate(first, size, rng, p)


def generate(
    *, n_accounts: int = 2_000, seed: int = 0, params: DemoParams | None = None
) -> Dataset:
    """Generate the demo dataset in memory.

    Parameters
    ----------
    n_accounts
        Number of companies to simulate (about 35% open an opportunity; each account has
        about a dozen touches).
    seed
        Random seed: the same seed and size give identical data.
    params
        Simulation parameters (default :class:`DemoParams`).

    Returns
    -------
    Dataset
        All five tables, with ``.truth`` a :class:`DemoTruth`.

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=200, seed=7)
    >>> sorted(ds.tables())
    ['accounts', 'contacts', 'opportunities', 'stage_history', 'touches']
    >>> round(sum(ds.truth.shares.values()), 6)
    1.0
    """
    p = params or DemoParams()
    parts = list(iter_chunks(n_accounts=n_accounts, seed=seed, params=p))
    tables = {name: pl.concat([t[name] for t, _ in parts]) for name in parts[0][0]}
    truth_opps = pl.concat([t for _, t in parts])
    truth = DemoTruth(params=p, contributions=contributions(truth_opps), opportunities=truth_opps)
    return Dataset(
        touches=tables["touches"],
        opportunities=tables["opportunities"],
        contacts=tables.get("contacts"),
        accounts=tables.get("accounts"),
        stage_history=tables.get("stage_history"),
        source=f"demo(n_accounts={n_accounts}, seed={seed})",
        truth=truth,
    )
