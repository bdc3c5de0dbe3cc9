"""Exact Shapley values of many small games at once: one game per row, its present players.

Each row (a deal) is a game whose players are the row's *present* players (the channels it
touched) and whose worth of a coalition ``S`` is ``value(sum over j in S of parts[j])``:
every player brings ``K`` additive parts (a coefficient times an exposure, a
touch count...) and ``value`` turns their sum into the worth (a win probability, an
expected revenue). Absent players are null players and get 0.

The Shapley value of player ``j`` among ``k`` present players is

    phi_j = sum over S not holding j of |S|! (k - |S| - 1)! / k! * (v(S + j) - v(S)),

computed exactly by enumerating the ``2^k`` coalitions of every row at once: rows are
grouped by ``k``; the coalitions' part sums of a group are one matrix product per part (rows x
coalitions), ``value`` is evaluated on all of them, and the Shapley values are one
more matrix product with a fixed (coalitions x players) matrix of weights. There is no
Python loop over rows, only over the distinct ``k`` and over chunks that bound memory.
"""

from __future__ import annotations

from collections.abc import Callable
from math import factorial

import numpy as np

from attribution.errors import ParameterError

__all__ = ["MAX_PLAYERS", "Worth", "coalition_bits", "row_shapley", "shapley_weights"]

MAX_PLAYERS = 20
"""Most players present in one row (2^20 coalitions per row); more is an error."""
_CELLS = 1 << 22
"""Coalition part sums evaluated at once (rows x coalitions x parts): memory per chunk."""

Worth = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""``value(sums, rows) -> worth``: part sums (K x m x coalitions) of the rows ``rows``
(positions in the input) to the worth of every coalition (m x coalitions)."""


def coalition_bits(k: int) -> np.ndarray:
    """Membership of every coalition of ``k`` players: (2^k x k), coalition ``c`` = bits of c.

    Examples
    --------
    >>> coalition_bits(2).astype(int).tolist()
    [[0, 0], [1, 0], [0, 1], [1, 1]]
    """
    codes = np.arange(1 << k, dtype=np.int64)
    bits: np.ndarray = (codes[:, None] >> np.arange(k)) & 1 == 1
    return bits


def shapley_weights(k: int) -> np.ndarray:
    """Matrix ``W`` (2^k x k) with ``phi = worth @ W`` for games of ``k`` players.

    Row ``T`` holds ``+w(|T| - 1)`` for the members of ``T`` (``T`` is ``S + j``) and
    ``-w(|T|)`` for the others (``T`` is ``S``), with ``w(s) = s! (k - s - 1)! / k!``.

    Examples
    --------
    >>> shapley_weights(2).tolist()
    [[-0.5, -0.5], [0.5, -0.5], [-0.5, 0.5], [0.5, 0.5]]
    """
    bits = coalition_bits(k)
    size = bits.sum(axis=1)
    w = np.array([factorial(s) * factorial(k - s - 1) / factorial(k) for s in range(k)] + [0.0])
    weights: np.ndarray = np.where(bits, w[np.maximum(size - 1, 0)][:, None], -w[size][:, None])
    return weights


def row_shapley(present: np.ndarray, parts: np.ndarray, value: Worth) -> np.ndarray:
    """Exact Shapley values of one game per row over its present players.

    Parameters
    ----------
    present
        (n x P) booleans: which players each row has.
    parts
        (n x P x K) additive parts each player brings to a coalition (ignored where absent).
    value
        Worth of coalitions from their part sums (see :data:`Worth`); it must accept any
        number of rows and coalitions.

    Returns
    -------
    numpy.ndarray
        (n x P) Shapley values; 0 for absent players. Each row sums to ``v(present) -
        v(empty)`` (efficiency).

    Raises
    ------
    ParameterError
        A row has more than :data:`MAX_PLAYERS` players present.

    Examples
    --------
    >>> present = np.array([[True, True, False], [False, True, True]])
    >>> parts = np.array([[[1.0], [2.0], [9.0]], [[0.0], [3.0], [1.0]]])
    >>> row_shapley(present, parts, lambda s, rows: s[0] ** 2).tolist()
    [[3.0, 6.0, 0.0], [0.0, 12.0, 4.0]]
    """
    present = np.asarray(present, dtype=bool)
    parts = np.asarray(parts, dtype=np.float64)
    n, players = present.shape
    if parts.ndim != 3 or parts.shape[:2] != (n, players):
        raise ParameterError(f"parts must be (rows x players x parts), got {parts.shape}")
    out = np.zeros((n, players))
    counts = present.sum(axis=1)
    too_many = counts > MAX_PLAYERS
    if too_many.any():
        raise ParameterError(
            f"{int(too_many.sum()):,} rows have more than {MAX_PLAYERS} players present (up "
            f"to {int(counts.max())}); exact Shapley values need every coalition of them: "
            "group the channels into fewer ones"
        )
    # present players first, in player order: column i of a row is its i-th present player
    order = np.argsort(~present, axis=1, kind="stable")
    for k in np.unique(counts[counts > 0]):
        rows = np.flatnonzero(counts == k)
        bits = coalition_bits(int(k)).T.astype(np.float64)  # (k, coalitions)
        weights = shapley_weights(int(k))
        chunk = max(1, _CELLS // (bits.shape[1] * parts.shape[2]))
        for start in range(0, len(rows), chunk):
            r = rows[start : start + chunk]
            who = order[r, :k]
            mine = np.moveaxis(parts[r[:, None], who], 2, 0)  # (K, m, k)
            sums = np.matmul(mine, bits)  # (K, m, coalitions)
            worth = np.asarray(value(sums, r), dtype=np.float64)
            out[r[:, None], who] = worth @ weights
    return out
