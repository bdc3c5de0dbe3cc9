"""The Markov model on a path table: fit the chain, solve it, tabulate what it found."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import polars as pl

from attribution.data.schema import CHANNEL
from attribution.engines import Engine, adapter, check_engine
from attribution.errors import DataError, ParameterError
from attribution.models.fitted import ChannelFit
from attribution.models.markov.chain import (
    CONVERSION,
    NULL,
    START,
    Chain,
    Counts,
    check_order,
    count,
    prepare,
)
from attribution.models.markov.solver import solve
from attribution.models.pathtable import (
    EncodedPaths,
    as_path_table,
    encode,
    path_separator,
    path_table,
)

__all__ = ["NOTE", "MarkovResult", "fit", "markov", "result"]

NOTE = (
    "Removal effects of a Markov chain fitted on won and lost journeys: the share of won "
    "deals that would be lost if a channel's touches were taken out of every journey. They "
    "describe how journeys move between channels, not what a channel causes: a channel "
    "present in almost every journey, won or lost, can get a large removal effect."
)


@dataclass(frozen=True, kw_only=True, repr=False)
class MarkovResult(ChannelFit):
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

    The matrix wide (a row per state, a column per next state) is
    :meth:`wide_transition_matrix`.
    """

    WEIGHT: ClassVar[str] = "removal_effect"
    """Channel weights are the removal effects."""

    order: int
    transition_matrix: pl.DataFrame
    conversion_probability: float
    n_states: int
    note: str = NOTE

    def wide_transition_matrix(self) -> pl.DataFrame:
        """Return the transition matrix wide: one row per state, one column per next state.

        Rows are ``(start)`` then the chain's states; columns ``state_from``, the states,
        ``(conversion)`` and ``(null)``; each row's probabilities sum to 1 (0 where no
        journey made the move). Empty when the fit skipped the matrix.

        Examples
        --------
        >>> t = pl.DataFrame({"path": ["a > b", "b"], "conversions": [1, 0],
        ...     "value": [5.0, 0.0], "nulls": [1, 1]})
        >>> wide = markov(t).wide_transition_matrix()
        >>> wide.columns
        ['state_from', 'a', 'b', '(conversion)', '(null)']
        >>> for row in wide.with_columns(pl.exclude("state_from").round(3)).rows():
        ...     print(row)
        ('(start)', 0.667, 0.333, 0.0, 0.0)
        ('a', 0.0, 1.0, 0.0, 0.0)
        ('b', 0.0, 0.0, 0.333, 0.667)
        """
        long = self.transition_matrix
        if long.is_empty():
            return pl.DataFrame({"state_from": []}, schema={"state_from": pl.String})
        states = [s for s in long["state_from"].unique(maintain_order=True) if s != START]
        wide = long.pivot(on="state_to", index="state_from", values="probability")
        columns = [*states, CONVERSION, NULL]
        return (
            wide.with_columns(pl.lit(0.0).alias(c) for c in columns if c not in wide.columns)
            .select("state_from", *columns)
            .fill_null(0.0)
            .sort(pl.col("state_from").replace_strict([START, *states], range(len(states) + 1)))
        )


def _shares(effects: np.ndarray) -> np.ndarray:
    total = effects.sum()
    return effects / total if total > 0 else np.zeros_like(effects)


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

    The counts may come from :func:`~attribution.models.markov.chain.count` or be added up
    elsewhere (e.g. by the Spark engine, over partitions of the paths); only ``chain``'s
    channels, order, state codes and members are used.
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


def markov(
    paths: Any,
    *,
    order: int = 1,
    separator: str | None = None,
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
        and aggregated with :func:`attribution.paths` first, and so is the path of a CSV
        or Parquet file holding a path table.
    order
        Number of previous channels a state remembers (1 to about 4 is sensible).
    separator
        Joins channels in string paths (default ``" > "``, or the one the paths use, with a
        :class:`~attribution.DataWarning`).
    extra_nulls
        More non-converting paths (a path table), e.g. accounts that never opened an
        opportunity (:func:`~attribution.models.markov.prospect_paths`); their
        ``conversions`` and ``value`` are ignored and their ``nulls`` added.
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
        matrix and base conversion probability. The method is described in the docstring
        of :mod:`attribution.models.markov`.

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
        fitted: MarkovResult = adapter("spark").markov(
            paths, order=order, transition_matrix=transition_matrix
        )
        return fitted
    order = check_order(order)
    table = as_path_table(paths)
    separator = path_separator(table, separator)
    encoded = encode(
        _with_nulls(table, extra_nulls, separator), separator=separator, merge_repeats=True
    )
    if encoded.n_paths == 0 or len(encoded.channels) == 0:
        raise DataError("markov: the path table has no paths")
    return fit(encoded, order=order, transition_matrix=transition_matrix)


def _with_nulls(paths: pl.DataFrame, extra: pl.DataFrame | None, separator: str) -> pl.DataFrame:
    if extra is None:
        return paths
    ours = path_table(paths, separator=separator)
    more = path_table(extra, separator=separator).with_columns(
        pl.lit(0.0).alias("conversions"), pl.lit(0.0).alias("value")
    )
    return pl.concat([ours, more.select(ours.columns)])
