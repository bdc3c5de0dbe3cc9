"""The chain of a set of paths: its states, each path's state sequence, and its counts.

A state of an order-``k`` chain is a run of ``k`` consecutive channels, coded as the
channels' codes plus one in base ``n_channels + 1`` (most significant first, 0 padding a
state shorter than the order). :func:`prepare` turns encoded paths into state sequences
once; :func:`count` weighs them into transition counts, as often as the path weights
change (a bootstrap resample only changes the counts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import scipy.sparse as sp

from attribution.errors import ParameterError
from attribution.models.pathtable import EncodedPaths

__all__ = [
    "CONVERSION",
    "NULL",
    "START",
    "STATE_SEPARATOR",
    "Chain",
    "Counts",
    "check_order",
    "count",
    "members_of",
    "prepare",
]

START, CONVERSION, NULL = "(start)", "(conversion)", "(null)"
STATE_SEPARATOR = " > "
_MAX_CODE = 2**62
DENSE_TABLE = 2**24
"""State codes (and transition keys) below this are tallied with a dense lookup table."""


def check_order(order: object) -> int:
    """Return ``order`` if it is an int >= 1, else raise :class:`ParameterError`.

    Examples
    --------
    >>> check_order(2)
    2
    >>> check_order(0)
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: order must be an integer >= 1, got 0
    """
    if isinstance(order, bool) or not isinstance(order, int | np.integer) or order < 1:
        raise ParameterError(f"order must be an integer >= 1, got {order!r}")
    return int(order)


@dataclass(frozen=True)
class Chain:
    """The state sequences of a set of paths, independent of their counts.

    ``steps`` holds each path's state ids (consecutive repeats merged), ``offsets`` its
    boundaries; ``members`` says which channels each state holds.
    """

    channels: tuple[str, ...]
    order: int
    state_codes: np.ndarray
    steps: np.ndarray
    offsets: np.ndarray
    members: np.ndarray  # (n_states, n_channels) bool

    @property
    def n_states(self) -> int:
        """Number of transient states."""
        return len(self.state_codes)

    def state_labels(self) -> list[str]:
        """Human-readable state names: the channels of each state joined by ``" > "``."""
        base = len(self.channels) + 1
        names = np.array(["", *self.channels], dtype=object)
        rest = self.state_codes.copy()
        digits = []
        for _ in range(self.order):  # most significant digit last
            rest, d = np.divmod(rest, base)
            digits.append(names[d])
        frame = pl.DataFrame(
            [pl.Series(f"d{i}", d, dtype=pl.String) for i, d in enumerate(reversed(digits))]
        )
        steps = [pl.when(pl.col(c) != "").then(pl.col(c)) for c in frame.columns]
        joined = pl.concat_str(steps, separator=STATE_SEPARATOR, ignore_nulls=True)
        return frame.select(joined).to_series().to_list()


def prepare(paths: EncodedPaths, *, order: int = 1) -> Chain:
    """Encode each path as its sequence of order-``order`` states (all numpy, no loops).

    Examples
    --------
    >>> import polars as pl
    >>> from attribution.models.pathtable import encode
    >>> e = encode(pl.DataFrame({"path": ["a > a > b", "c"], "conversions": [1, 0]}))
    >>> c = prepare(e, order=2)
    >>> [c.state_labels()[s] for s in c.steps], c.offsets.tolist()
    (['a > a', 'a > b', 'c'], [0, 2, 3])
    """
    n_channels = len(paths.channels)
    base = n_channels + 1
    if base**order >= _MAX_CODE:
        raise ParameterError(
            f"order={order} with {n_channels} channels has more states than fit in 64 bits; "
            "use a lower order"
        )
    codes, keep = _states(paths, order, base)
    codes = codes[keep]
    kept = np.zeros(len(keep) + 1, dtype=np.int32 if len(keep) < 2**31 else np.int64)
    np.cumsum(keep, out=kept[1:])
    offsets = kept[paths.offsets].astype(np.int64)
    state_codes, steps = _compact(codes, base**order)
    return Chain(
        channels=paths.channels,
        order=order,
        state_codes=state_codes,
        steps=steps,
        offsets=offsets,
        members=members_of(state_codes, order=order, n_channels=n_channels),
    )


def _states(paths: EncodedPaths, order: int, base: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the state code of the window starting at every step, and which to keep.

    A step is kept when its window is a valid state (no path starts inside it; a path
    shorter than the order is one state) and is not a repeat of the state before it.
    """
    lengths = paths.lengths
    n_steps = len(paths.codes)
    offsets = paths.offsets
    nonempty = lengths > 0
    is_start = np.zeros(n_steps + order, dtype=bool)
    is_start[offsets[:-1][nonempty]] = True
    is_start[n_steps:] = True  # sentinels: no window reaches past the end
    # 32-bit codes while they fit: half the memory traffic of every pass below
    code_type = np.int32 if base**order < 2**31 else np.int64
    codes = paths.codes.astype(code_type) + 1
    valid = np.ones(n_steps, dtype=bool)
    if order > 1:
        padded = np.concatenate([codes, np.zeros(order, dtype=code_type)])
        window = codes.copy()
        # a window starting at i is valid if no path starts inside (i, i + order)
        for j in range(1, order):
            window = window * base + padded[j : j + n_steps]
            valid &= ~is_start[j : j + n_steps]
        # a path shorter than the order is one state: its whole prefix
        short = nonempty & (lengths < order)
        first = offsets[:-1][short]
        window[first] //= np.power(base, order - lengths[short]).astype(code_type)
        valid[first] = True
        codes = window
    # merge consecutive repeats of a state within a path
    repeat = np.zeros(n_steps, dtype=bool)
    repeat[1:] = codes[1:] == codes[:-1]
    if order > 1:
        # compare with the previous *valid* window of the same path: windows are contiguous
        # within a path, so the previous step is the previous window when both are valid
        repeat[1:] &= valid[:-1]
    repeat &= ~is_start[:n_steps]
    return codes, valid & ~repeat


def _compact(codes: np.ndarray, top: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the distinct state codes and each step's state id (0..n-1, in code order).

    Ids follow the codes, so they do not depend on row order.
    """
    if top <= DENSE_TABLE:
        present = np.bincount(codes, minlength=top) > 0
        ids = (np.cumsum(present) - 1).astype(np.int32)
        return np.flatnonzero(present), ids[codes]
    state_codes, steps = np.unique(codes, return_inverse=True)
    return state_codes, steps


def members_of(state_codes: np.ndarray, *, order: int, n_channels: int) -> np.ndarray:
    """Which channels each state holds (states x channels, bool), from the state codes.

    A state code is its channels' codes plus one, in base ``n_channels + 1``, most
    significant first (0 pads a state shorter than the order).

    Examples
    --------
    >>> members_of(np.array([1, 2 * 3 + 1]), order=2, n_channels=2).tolist()
    [[True, False], [True, True]]
    """
    base = n_channels + 1
    members = np.zeros((len(state_codes), n_channels), dtype=bool)
    rest = np.asarray(state_codes).copy()
    for _ in range(order):
        rest, d = np.divmod(rest, base)
        held = d > 0
        members[np.flatnonzero(held), d[held] - 1] = True
    return members


@dataclass(frozen=True)
class Counts:
    """Transition counts of a chain under one set of path weights."""

    transitions: sp.csr_matrix  # (n, n) among transient states
    start: np.ndarray  # (n,)
    conversion: np.ndarray  # (n,)
    null: np.ndarray  # (n,)
    value: np.ndarray  # (n,) value of conversions whose last state is s
    total_conversions: float
    total_value: float


def count(chain: Chain, conversions: np.ndarray, nulls: np.ndarray, value: np.ndarray) -> Counts:
    """Weighted transition counts (``conversions + nulls`` per path step).

    Examples
    --------
    >>> import polars as pl
    >>> from attribution.models.pathtable import encode
    >>> e = encode(pl.DataFrame({"path": ["a > b", "b"], "conversions": [1, 0], "nulls": [1, 2]}))
    >>> c = count(prepare(e), e.conversions, e.nulls, e.value)
    >>> c.transitions.toarray().tolist(), c.start.tolist(), c.null.tolist()
    ([[0.0, 2.0], [0.0, 0.0]], [2.0, 2.0], [0.0, 3.0])
    """
    n = chain.n_states
    weight = conversions + nulls
    lengths = np.diff(chain.offsets)
    has = lengths > 0
    first = chain.steps[chain.offsets[:-1][has]]
    last = chain.steps[chain.offsets[1:][has] - 1]
    return Counts(
        transitions=_transitions(chain, weight, lengths, has),
        start=np.bincount(first, weights=weight[has], minlength=n),
        conversion=np.bincount(last, weights=conversions[has], minlength=n),
        null=np.bincount(last, weights=nulls[has], minlength=n),
        value=np.bincount(last, weights=value[has], minlength=n),
        total_conversions=float(conversions[has].sum()),
        total_value=float(value[has].sum()),
    )


def _transitions(
    chain: Chain, weight: np.ndarray, lengths: np.ndarray, has: np.ndarray
) -> sp.csr_matrix:
    """Sum each path's weight over its steps into (from state, to state) counts."""
    n = chain.n_states
    if len(chain.steps) < 2:
        return sp.csr_matrix((n, n))
    # step i -> i + 1 is a transition unless step i ends its path: weigh those 0
    w = np.repeat(weight, lengths)[:-1]
    w[chain.offsets[1:][has][:-1] - 1] = 0.0
    src, dst = chain.steps[:-1], chain.steps[1:]
    if n * n <= DENSE_TABLE:
        key = src.astype(np.int32) * np.int32(n) + dst  # < 2**24: fits in 32 bits
        dense = np.bincount(key, weights=w, minlength=n * n).reshape(n, n)
        return sp.csr_matrix(dense)
    keep = w > 0
    src, dst, w = src[keep], dst[keep], w[keep]
    transitions = sp.coo_matrix((w, (src, dst)), shape=(n, n)).tocsr()
    transitions.sum_duplicates()
    return transitions
