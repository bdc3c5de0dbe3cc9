"""Markov-chain removal-effect attribution, computed exactly from the absorbing chain.

The chain (order ``k``) has one state per run of ``k`` consecutive channels seen in the
paths, plus ``(start)``, ``(conversion)`` and ``(null)``. As in ChannelAttribution:

* a path ``c1 > c2 > ... > cL`` with ``L >= k`` visits the states ``(c1..ck), (c2..ck+1),
  ..., (cL-k+1..cL)``; a shorter path is one state holding the whole path;
* consecutive repeats of the same state are merged (a self-transition changes no
  absorption or visit probability, so removal effects are the same either way);
* every transition of a path counts ``conversions + nulls`` times; its last state moves
  to ``(conversion)`` ``conversions`` times and to ``(null)`` ``nulls`` times.

The **removal effect** of a channel is the share of conversions lost when every state
holding it sends its traffic to ``(null)`` instead: ``1 - P(conv | removed) / P(conv)``,
which equals ``P(the path visits the channel | conversion)``. ChannelAttribution estimates
these probabilities by simulating paths; here they are solved from the absorbing chain
with linear algebra: for each channel, ``(I - Q) h = q`` on the transient states that
remain (``Q`` the transitions among them, ``q`` the one-step conversion probabilities),
and ``P(conv) = pi . h`` with ``pi`` the start distribution. Chains of up to 500 states
are solved by dense LU; larger ones by sparse BiCGSTAB to a relative residual of 1e-13
(checked, with a sparse LU fallback), i.e. to floating-point accuracy, not to a
simulation's percent. The result is deterministic.

Conversions attributed to a channel are ``total conversions * RE / sum(RE)``.

**Value** is attributed the way ChannelAttribution does it: each simulated conversion
draws a value from the per-conversion values of the observed paths that ended in the
same last state; the value removal effect is the share of that expected value lost when
the channel is removed, and value attributed is ``total value * REv / sum(REv)``.
Exactly: the expected converted value is ``pi . h`` with ``q`` replaced by ``r_s = (value
of paths ending in s) / (traffic leaving s)``.

ChannelAttribution also stops simulated paths after as many steps as the longest observed
path; the exact solution has no such cut-off (the difference is below its simulation
noise on its example data; see ``tests/results/README.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from attribution._time import DEFAULT_LOOKBACK_DAYS, MICROS_PER_DAY
from attribution._time import as_of as resolve_as_of
from attribution.data.dataset import Dataset
from attribution.data.schema import CHANNEL
from attribution.engines import Engine, adapter, check_engine
from attribution.errors import DataError, ParameterError
from attribution.models.pathtable import EncodedPaths, as_path_table, encode
from attribution.results import Result

if TYPE_CHECKING:
    from attribution.models.spread import JourneyPaths

__all__ = [
    "MarkovResult",
    "credits",
    "fit",
    "markov",
    "members_of",
    "prepare",
    "prospect_paths",
    "result",
]

START, CONVERSION, NULL = "(start)", "(conversion)", "(null)"
STATE_SEPARATOR = " > "
_MAX_CODE = 2**62
_DENSE_TABLE = 2**24  # state codes below this are compacted with a lookup table

NOTE = (
    "Removal effects of a Markov chain fitted on won and lost journeys: the share of won "
    "deals that would be lost if a channel's touches were taken out of every journey. They "
    "describe how journeys move between channels, not what a channel causes: a channel "
    "present in almost every journey, won or lost, can get a large removal effect."
)


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
    if order > 1:
        padded = np.concatenate([codes, np.zeros(order, dtype=code_type)])
        window = codes.copy()
        # a window starting at i is valid if no path starts inside (i, i + order)
        valid = np.ones(n_steps, dtype=bool)
        for j in range(1, order):
            window = window * base + padded[j : j + n_steps]
            valid &= ~is_start[j : j + n_steps]
        # a path shorter than the order is one state: its whole prefix
        short = nonempty & (lengths < order)
        first = offsets[:-1][short]
        window[first] //= np.power(base, order - lengths[short]).astype(code_type)
        valid[first] = True
        codes = window
    else:
        valid = np.ones(n_steps, dtype=bool)
    # merge consecutive repeats of a state within a path
    repeat = np.zeros(n_steps, dtype=bool)
    repeat[1:] = codes[1:] == codes[:-1]
    if order > 1:
        # compare with the previous *valid* window of the same path: windows are contiguous
        # within a path, so the previous step is the previous window when both are valid
        repeat[1:] &= valid[:-1]
    repeat &= ~is_start[:n_steps]
    keep = valid & ~repeat
    codes = codes[keep]
    kept = np.zeros(n_steps + 1, dtype=np.int32 if n_steps < 2**31 else np.int64)
    np.cumsum(keep, out=kept[1:])
    offsets = kept[offsets].astype(np.int64)
    # compact state codes to 0..n-1, in code order (so ids do not depend on row order)
    top = base**order
    if top <= _DENSE_TABLE:
        present = np.bincount(codes, minlength=top) > 0
        state_codes = np.flatnonzero(present)
        ids = (np.cumsum(present) - 1).astype(np.int32)
        steps = ids[codes]
    else:
        state_codes, steps = np.unique(codes, return_inverse=True)
    return Chain(
        channels=paths.channels,
        order=order,
        state_codes=state_codes,
        steps=steps,
        offsets=offsets,
        members=members_of(state_codes, order=order, n_channels=n_channels),
    )


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
    """Weighted transition counts (``conversions + nulls`` per path step)."""
    n = chain.n_states
    weight = conversions + nulls
    lengths = np.diff(chain.offsets)
    has = lengths > 0
    first = chain.steps[chain.offsets[:-1][has]]
    last = chain.steps[chain.offsets[1:][has] - 1]
    start = np.bincount(first, weights=weight[has], minlength=n)
    conversion = np.bincount(last, weights=conversions[has], minlength=n)
    null = np.bincount(last, weights=nulls[has], minlength=n)
    value_end = np.bincount(last, weights=value[has], minlength=n)
    if len(chain.steps) < 2:
        return Counts(
            sp.csr_matrix((n, n)), start, conversion, null, value_end,
            float(conversions[has].sum()), float(value[has].sum()),
        )  # fmt: skip
    # step i -> i + 1 is a transition unless step i ends its path: weigh those 0
    w = np.repeat(weight, lengths)[:-1]
    w[chain.offsets[1:][has][:-1] - 1] = 0.0
    src, dst = chain.steps[:-1], chain.steps[1:]
    if n * n <= _DENSE_TABLE:
        key = src.astype(np.int32) * np.int32(n) + dst  # < 2**24: fits in 32 bits
        dense = np.bincount(key, weights=w, minlength=n * n).reshape(n, n)
        transitions = sp.csr_matrix(dense)
    else:
        keep = w > 0
        src, dst, w = src[keep], dst[keep], w[keep]
        transitions = sp.coo_matrix((w, (src, dst)), shape=(n, n)).tocsr()
        transitions.sum_duplicates()
    return Counts(
        transitions=transitions,
        start=start,
        conversion=conversion,
        null=null,
        value=value_end,
        total_conversions=float(conversions[has].sum()),
        total_value=float(value[has].sum()),
    )


@dataclass(frozen=True)
class Solution:
    """Removal effects of one fit (conversions and value), per channel.

    ``systems`` holds the solution vector of every absorbing system solved (the full chain
    first, then one per channel; None where a channel was skipped): a later solve of a
    nearby chain (a bootstrap resample) starts from them.
    """

    removal_effect: np.ndarray
    removal_effect_value: np.ndarray
    base_probability: float
    base_value: float
    systems: tuple[np.ndarray | None, ...] = field(default=(), repr=False, compare=False)


_DENSE_STATES = 500
_RTOL = 1e-13


def _solve_system(
    system: sp.csc_matrix, rhs: np.ndarray, guess: np.ndarray | None = None
) -> np.ndarray:
    """Solve ``system @ h = rhs`` (one column per right-hand side) to floating-point accuracy.

    Small systems use a dense LU solve. Larger ones use BiCGSTAB, a Krylov method that on
    these absorbing-chain systems reaches a relative residual of 1e-13 in a few dozen
    sparse products (fill-in makes a sparse LU 10-100 times slower on dense state graphs);
    the residual is checked and a sparse LU factorisation is used when it is not met. A
    ``guess`` (e.g. the solution of a nearby system) only shortens the iteration: the
    stopping rule, and so the accuracy, is the same.
    """
    n = system.shape[0]
    if n <= _DENSE_STATES:
        return np.asarray(np.linalg.solve(system.toarray(), rhs))
    csr = system.tocsr()
    out = np.empty_like(rhs)
    for k in range(rhs.shape[1]):
        b = rhs[:, k]
        scale = max(float(np.abs(b).max()), 1e-300)
        x0 = None if guess is None else guess[:, k]
        h, info = spla.bicgstab(csr, b, x0=x0, rtol=_RTOL, atol=0.0, maxiter=10 * n)
        if info != 0 or np.abs(csr @ h - b).max() > 10 * _RTOL * scale:
            h = spla.splu(system).solve(b)
        out[:, k] = h
    return out


def _absorb(
    matrix: sp.csr_matrix | np.ndarray,
    rhs: np.ndarray,
    start: np.ndarray,
    keep: np.ndarray,
    guess: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``start . (I - Q)^-1 rhs`` on the states in ``keep``, and the solution (all states)."""
    idx = np.flatnonzero(keep)
    h = np.zeros_like(rhs)
    if len(idx) == 0:
        return np.zeros(rhs.shape[1]), h
    if isinstance(matrix, np.ndarray):  # a small chain, held dense: the same numbers, faster
        h[idx] = np.linalg.solve(np.eye(len(idx)) - matrix[np.ix_(idx, idx)], rhs[idx])
        return np.asarray(start[idx] @ h[idx]), h
    q = matrix[idx][:, idx]
    system = (sp.identity(len(idx), format="csc") - q).tocsc()
    h[idx] = _solve_system(system, rhs[idx], None if guess is None else guess[idx])
    return np.asarray(start[idx] @ h[idx]), h


def solve(
    chain: Chain,
    counts: Counts,
    *,
    value: bool = True,
    guesses: tuple[np.ndarray | None, ...] = (),
) -> Solution:
    """Exact removal effects of every channel from the absorbing chain.

    With ``value=False`` only the conversion removal effects are solved for (the value
    ones are NaN). ``guesses`` are the ``systems`` of an earlier solution of a chain with
    the same states, used as starting points (see :func:`_solve_system`).
    """
    out = np.asarray(counts.transitions.sum(axis=1)).ravel() + counts.conversion + counts.null
    active = out > 0
    scale = np.divide(1.0, out, out=np.zeros_like(out), where=active)
    q = sp.diags(scale) @ counts.transitions
    q = sp.csr_matrix(q)
    # systems of small chains are solved densely (see _solve_system): slice them dense too
    matrix = q.toarray() if chain.n_states <= _DENSE_STATES else q
    columns = [counts.conversion * scale]
    # values are solved in units of the largest one: the removal effects are ratios, and
    # the iterative solver's tolerance is absolute (tiny values would read as zero)
    unit = float(counts.value.max()) if value and counts.value.size else 0.0
    unit = unit if unit > 0 else 1.0
    if value:
        columns.append(counts.value * scale / unit)
    rhs = np.column_stack(columns)
    total_start = counts.start.sum()
    pi = counts.start / total_start if total_start > 0 else counts.start
    n_channels = len(chain.channels)

    def guess(i: int) -> np.ndarray | None:
        found = guesses[i] if i < len(guesses) else None
        return found if found is not None and found.shape == rhs.shape else None

    base, h = _absorb(matrix, rhs, pi, active, guess(0))
    systems: list[np.ndarray | None] = [h]
    effects = np.zeros((n_channels, rhs.shape[1]))
    for c in range(n_channels):
        holds = chain.members[:, c]
        if not (holds & active).any():
            systems.append(None)
            continue
        removed, h = _absorb(matrix, rhs, pi, active & ~holds, guess(c + 1))
        systems.append(h)
        with np.errstate(divide="ignore", invalid="ignore"):
            effects[c] = np.where(base > 0, 1.0 - removed / base, 0.0)
    effects = np.clip(effects, 0.0, 1.0)
    return Solution(
        removal_effect=effects[:, 0],
        removal_effect_value=effects[:, 1] if value else np.full(n_channels, np.nan),
        base_probability=float(base[0]),
        base_value=float(base[1]) * unit if value else float("nan"),
        systems=tuple(systems),
    )


def _shares(effects: np.ndarray) -> np.ndarray:
    total = effects.sum()
    return effects / total if total > 0 else np.zeros_like(effects)


@dataclass(frozen=True, kw_only=True, repr=False)
class MarkovResult(Result):
    """What :func:`markov` found.

    Attributes
    ----------
    table : polars.DataFrame
        One row per channel: ``channel``, ``removal_effect`` (share of conversions lost
        without it), ``removal_effect_value`` (share of converted value lost),
        ``conversions`` and ``value`` attributed, ``share`` (of conversions). Also
        available as ``channels``, its name in earlier versions.
    order : int
        Order of the chain.
    transition_matrix : polars.DataFrame
        Tidy: ``state_from``, ``state_to``, ``probability`` (states are channels, or runs of
        ``order`` channels joined by ``" > "``, plus ``(start)``, ``(conversion)``,
        ``(null)``).
    conversion_probability : float
        ``P(conversion)`` from ``(start)``; with no repeated-path weighting this is the
        observed conversion rate (flow is conserved in every state).
    n_states : int
        Number of transient states.
    """

    order: int
    transition_matrix: pl.DataFrame
    conversion_probability: float
    n_states: int
    note: str = NOTE

    @property
    def channels(self) -> pl.DataFrame:
        """The channel table (:attr:`table`), under the name earlier versions used."""
        return self.table

    def weights(self) -> dict[str, float]:
        """Channel weights used to spread credit over a deal's touches (removal effects)."""
        return dict(
            zip(
                self.table[CHANNEL].to_list(),
                self.table["removal_effect"].to_list(),
                strict=True,
            )
        )


def _transition_table(chain: Chain, counts: Counts) -> pl.DataFrame:
    labels = np.array([*chain.state_labels(), START, CONVERSION, NULL], dtype=object)
    n = chain.n_states
    coo = counts.transitions.tocoo()
    src = np.concatenate([coo.row, np.full(n, n), np.arange(n), np.arange(n)])
    dst = np.concatenate([coo.col, np.arange(n), np.full(n, n + 1), np.full(n, n + 2)])
    weight = np.concatenate([coo.data, counts.start, counts.conversion, counts.null])
    frame = pl.DataFrame(
        {"_src": src, "_dst": dst, "_w": weight},
        schema={"_src": pl.Int64, "_dst": pl.Int64, "_w": pl.Float64},
    ).filter(pl.col("_w") > 0)
    frame = frame.with_columns(
        (pl.col("_w") / pl.col("_w").sum().over("_src")).alias("probability")
    )
    frame = frame.sort("_src", "_dst")
    return pl.DataFrame(
        {
            "state_from": labels[frame["_src"].to_numpy()].tolist(),
            "state_to": labels[frame["_dst"].to_numpy()].tolist(),
            "probability": frame["probability"],
        },
        schema={"state_from": pl.String, "state_to": pl.String, "probability": pl.Float64},
    )


def fit(paths: EncodedPaths, *, order: int = 1, transition_matrix: bool = True) -> MarkovResult:
    """Fit an order-``order`` chain to encoded paths (see :func:`markov`)."""
    chain = prepare(paths, order=order)
    counts = count(chain, paths.conversions, paths.nulls, paths.value)
    return result(chain, counts, transition_matrix=transition_matrix)


def result(chain: Chain, counts: Counts, *, transition_matrix: bool = True) -> MarkovResult:
    """Solve a chain from its transition counts and tabulate the result (see :func:`markov`).

    The counts may come from :func:`count` or be added up elsewhere (e.g. by the Spark
    engine, over partitions of the paths); only ``chain``'s channels, order, state codes
    and members are used.
    """
    order = chain.order
    solution = solve(chain, counts)
    conv_share = _shares(solution.removal_effect)
    value_share = _shares(solution.removal_effect_value)
    table = pl.DataFrame(
        {
            CHANNEL: list(chain.channels),
            "removal_effect": solution.removal_effect,
            "removal_effect_value": solution.removal_effect_value,
            "conversions": conv_share * counts.total_conversions,
            "value": value_share * counts.total_value,
            "share": conv_share,
        },
        schema={
            CHANNEL: pl.String,
            "removal_effect": pl.Float64,
            "removal_effect_value": pl.Float64,
            "conversions": pl.Float64,
            "value": pl.Float64,
            "share": pl.Float64,
        },
    )
    matrix = _transition_table(chain, counts) if transition_matrix else pl.DataFrame()
    return MarkovResult(
        order=order,
        table=table,
        transition_matrix=matrix,
        conversion_probability=solution.base_probability,
        n_states=chain.n_states,
    )


def check_order(order: object) -> int:
    """Return ``order`` if it is an int >= 1, else raise :class:`ParameterError`."""
    if isinstance(order, bool) or not isinstance(order, int | np.integer) or order < 1:
        raise ParameterError(f"order must be an integer >= 1, got {order!r}")
    return int(order)


def markov(
    paths: Any,
    *,
    order: int = 1,
    separator: str = " > ",
    extra_nulls: pl.DataFrame | None = None,
    transition_matrix: bool = True,
    engine: Engine = "polars",
) -> MarkovResult:
    """Removal-effect attribution on an order-``order`` Markov chain, solved exactly.

    Parameters
    ----------
    paths
        A path table (``path``, ``conversions``, ``value``, ``nulls``; or
        ChannelAttribution's names), e.g. from :func:`attribution.paths`; ``path`` may be
        list[str] or a string joined by ``separator``. A journeys frame is accepted too
        and aggregated with :func:`attribution.paths` first.
    order
        Number of previous channels a state remembers (1 to about 4 is sensible).
    separator
        Joins channels in string paths.
    extra_nulls
        More non-converting paths (a path table), e.g. accounts that never opened an
        opportunity (:func:`prospect_paths`); their ``conversions`` and ``value`` are
        ignored and their ``nulls`` added.
    transition_matrix
        Also build the tidy transition matrix (skip it to save time on big chains).
    engine
        ``"polars"``, or ``"spark"`` for Spark journeys (a Spark DataFrame or table name):
        transition counts are then summed by Spark and only they come to this process,
        where the chain is solved (:func:`attribution.spark.markov`; no ``extra_nulls``).

    Returns
    -------
    MarkovResult
        Channel table (removal effects, conversions and value attributed), transition
        matrix and base conversion probability. The method is described in the module
        docstring.

    Examples
    --------
    >>> import polars as pl
    >>> t = pl.DataFrame({"path": ["a > b", "a", "b"], "conversions": [2, 1, 0],
    ...     "value": [20.0, 5.0, 0.0], "nulls": [1, 1, 3]})
    >>> markov(t).table["conversions"].round(6).to_list()
    [1.5, 1.5]
    >>> r = markov(t, order=2)
    >>> r.table.select("channel", pl.col("conversions").round(6)).rows()
    [('a', 1.8), ('b', 1.2)]
    >>> round(r.conversion_probability, 4)
    0.375
    """
    if check_engine(engine) == "spark":
        if extra_nulls is not None:
            raise ParameterError("extra_nulls is not available with engine='spark'")
        return adapter("spark").markov(paths, order=order, transition_matrix=transition_matrix)
    order = check_order(order)
    table = as_path_table(paths)
    encoded = encode(
        _with_nulls(table, extra_nulls, separator), separator=separator, merge_repeats=True
    )
    if encoded.n_paths == 0 or len(encoded.channels) == 0:
        raise DataError("markov: the path table has no paths")
    return fit(encoded, order=order, transition_matrix=transition_matrix)


def _with_nulls(paths: pl.DataFrame, extra: pl.DataFrame | None, separator: str) -> pl.DataFrame:
    if extra is None:
        return paths
    from attribution.models.pathtable import path_table

    ours = path_table(paths, separator=separator)
    more = path_table(extra, separator=separator).with_columns(
        pl.lit(0.0).alias("conversions"), pl.lit(0.0).alias("value")
    )
    return pl.concat([ours, more.select(ours.columns)])


def weights_of(paths: EncodedPaths, *, order: int) -> np.ndarray:
    """Return the removal effects (conversions) per channel code of ``paths``."""
    chain = prepare(paths, order=order)
    return solve(chain, count(chain, paths.conversions, paths.nulls, paths.value)).removal_effect


def journey_weights(
    jp: JourneyPaths, *, order: int = 1, extra_nulls: pl.DataFrame | None = None
) -> tuple[EncodedPaths, dict[str, float]]:
    """Return the paths fitted (deals', then ``extra_nulls``) and each channel's removal effect."""
    order = check_order(order)
    extra = encode(extra_nulls) if extra_nulls is not None else None
    encoded = jp.with_extra(extra)
    if encoded.n_paths == 0:
        return encoded, {}
    effects = weights_of(encoded, order=order)
    return encoded, dict(zip(encoded.channels, effects, strict=True))


def credits(
    journeys: pl.DataFrame | pl.LazyFrame,
    *,
    team: str | None = None,
    order: int = 1,
    include_open: bool = False,
    extra_nulls: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Markov credits: removal effects fitted on the deals' paths, spread to their touches.

    Lost deals are the non-converting paths (open ones too with ``include_open=True``, and
    any ``extra_nulls`` path table, e.g. :func:`prospect_paths`). Each won deal's credit is
    shared by the channels it touched in proportion to their removal effects, then equally
    among each channel's touches (see :mod:`attribution.models.spread`).

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=200, seed=2))
    >>> c = credits(j, order=2)
    >>> won = j.filter(status="won").unique("opportunity_id")
    >>> round(c["revenue"].sum()) == round(won["amount"].sum())
    True
    """
    from attribution.models.spread import journey_paths, spread

    order = check_order(order)
    jp = journey_paths(journeys, team=team, include_open=include_open)
    _, weights = journey_weights(jp, order=order, extra_nulls=extra_nulls)
    return spread(journeys, weights, team=team)


def prospect_paths(
    dataset: Dataset,
    *,
    lookback_days: float = DEFAULT_LOOKBACK_DAYS,
    as_of: datetime | None = None,
    team: str | None = None,
) -> pl.DataFrame:
    """Path table of accounts that never opened an opportunity: extra non-converting paths.

    Each such account contributes one path: its touches in the ``lookback_days`` before
    ``as_of`` (default: the latest timestamp in the data), in time order. Pass the result
    as ``extra_nulls`` to :func:`markov` or to the ``markov`` model.

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=100, seed=4)
    >>> p = prospect_paths(ds)
    >>> p.columns, int(p["conversions"].sum())
    (['path', 'conversions', 'value', 'nulls'], 0)
    """
    from attribution.data.schema import ACCOUNT_ID, OCCURRED_AT, TEAM, TIMESTAMP, TOUCH_ID
    from attribution.models.credits import check_team

    check_team(team)
    if not lookback_days >= 0:
        raise ParameterError(f"lookback_days must be >= 0, got {lookback_days!r}")
    end = pl.lit(resolve_as_of(dataset, as_of)).cast(TIMESTAMP)
    start = end - pl.duration(microseconds=int(lookback_days * MICROS_PER_DAY))
    touches = dataset.lazy("touches").filter(
        (pl.col(OCCURRED_AT) >= start) & (pl.col(OCCURRED_AT) <= end)
    )
    if team is not None:
        touches = touches.filter(pl.col(TEAM) == team)
    with_opps = dataset.lazy("opportunities").select(ACCOUNT_ID).unique()
    return (
        touches.join(with_opps, on=ACCOUNT_ID, how="anti")
        .sort(ACCOUNT_ID, OCCURRED_AT, TOUCH_ID)
        .group_by(ACCOUNT_ID)
        .agg(pl.col(CHANNEL).cast(pl.String).alias("path"))
        .sort(ACCOUNT_ID)
        .select(
            "path",
            pl.lit(0, dtype=pl.Int64).alias("conversions"),
            pl.lit(0.0).alias("value"),
            pl.lit(1, dtype=pl.Int64).alias("nulls"),
        )
        .collect()
    )
