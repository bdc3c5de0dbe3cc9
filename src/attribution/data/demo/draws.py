"""Vectorised random draws and array helpers the simulation steps share.

Every draw takes the chunk's generator explicitly, so the order of the calls in
:mod:`attribution.data.demo.simulate` is the order of the draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Touches", "choice", "group_starts", "logistic", "ranks", "uniform_between"]


def choice(rng: np.random.Generator, n: int, probs: np.ndarray) -> np.ndarray:
    """Draw ``n`` categories, one probability row per draw (``n x k``) or one row for all.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> choice(rng, 4, np.array([[0.0, 1.0]])).tolist()
    [1, 1, 1, 1]
    """
    cum = np.cumsum(probs, axis=1)
    u = rng.random(n)[:, None] * cum[:, -1:]
    picked: np.ndarray = (u > cum).sum(axis=1)
    return picked


def uniform_between(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Draw one uniform value in ``[lo, hi]`` per row (``lo`` where ``hi < lo``)."""
    drawn: np.ndarray = lo + rng.random(lo.shape[0]) * np.maximum(hi - lo, 0.0)
    return drawn


def logistic(x: np.ndarray) -> np.ndarray:
    """Return ``1 / (1 + exp(-x))``."""
    p: np.ndarray = 1.0 / (1.0 + np.exp(-x))
    return p


def ranks(counts: np.ndarray) -> np.ndarray:
    """Return ``0 .. count-1`` for every group, concatenated (the rank within the group).

    Examples
    --------
    >>> ranks(np.array([2, 0, 3])).tolist()
    [0, 1, 0, 1, 2]
    """
    counts = np.asarray(counts, dtype=np.int64)
    first = np.cumsum(counts) - counts
    within: np.ndarray = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(first, counts)
    return within


def group_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """Positions where a new key begins in a non-empty sorted array.

    Examples
    --------
    >>> group_starts(np.array([3, 3, 5, 7, 7])).tolist()
    [0, 2, 3]
    """
    starts: np.ndarray = np.r_[0, np.flatnonzero(np.diff(sorted_keys)) + 1]
    return starts


@dataclass
class Touches:
    """Touches under construction, as parallel numpy arrays."""

    account: list[np.ndarray] = field(default_factory=list)
    day: list[np.ndarray] = field(default_factory=list)
    channel: list[np.ndarray] = field(default_factory=list)  # index into ALL_CHANNELS
    contact: list[np.ndarray] = field(default_factory=list)  # chunk contact index or -1
    rep: list[np.ndarray] = field(default_factory=list)  # rep index or -1

    def add(
        self,
        account: np.ndarray,
        day: np.ndarray,
        channel: np.ndarray,
        contact: np.ndarray | None = None,
        rep: np.ndarray | None = None,
    ) -> None:
        """Append touches; ``contact`` and ``rep`` default to none (-1)."""
        n = account.shape[0]
        self.account.append(account.astype(np.int64))
        self.day.append(day.astype(np.float64))
        self.channel.append(channel.astype(np.int64))
        self.contact.append(np.full(n, -1, np.int64) if contact is None else contact)
        self.rep.append(np.full(n, -1, np.int64) if rep is None else rep)

    def arrays(self) -> dict[str, np.ndarray]:
        """Every touch so far, one array per field."""
        return {
            k: np.concatenate(getattr(self, k))
            for k in ("account", "day", "channel", "contact", "rep")
        }
