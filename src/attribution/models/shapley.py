"""Shapley-value attribution: channels as players, journeys grouped by their channel set.

Each journey's *coalition* is the set of distinct channels it touched. For a coalition
``T`` let ``c(T)`` be its conversions, ``n(T)`` its non-converting journeys and ``v(T)``
its converted value. Two characteristic functions are offered; both give a coalition
``S`` the worth of every observed coalition inside it:

``value="conversion_rate"`` (default)
    ``worth(S) = sum over T ⊆ S of c(T) / (c(T) + n(T))``: the conversion rates of the
    channel combinations ``S`` makes possible (the form most Shapley attribution write-ups
    use). Shapley values are then scaled so they add up to the total conversions.
``value="conversions"``
    ``worth(S) = sum over T ⊆ S of c(T)``: the *simplified Shapley value* of Zhao et al.
    (2018, "Shapley value methods for attribution modeling in online advertising"); each
    converting journey's credit is shared equally by its channels and efficiency holds
    without scaling.

Both worths are sums of one term per observed coalition (its Harsanyi dividend ``d(T)``,
the rate or the count), so the Shapley value has the closed form ``phi_j = sum over T ∋ j
of d(T) / |T|``. That is exact for any number of channels in O(coalitions × channels):
no enumeration of the ``2^n`` subsets and no sampling is needed, however many channels
there are (tests check it against brute-force enumeration of all player orderings and the
efficiency, symmetry and null-player axioms). Value is attributed the same way with
``v(T)`` (or ``v(T) / (c(T) + n(T))``) as the dividend.

``ordered=True`` adds an ordered variant: each channel's value broken down by the position
at which it first appears in the converting journeys (:func:`positions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal, get_args

import numpy as np
import polars as pl

from attribution.data.schema import CHANNEL
from attribution.engines import Engine, adapter, check_engine
from attribution.errors import DataError, ParameterError
from attribution.models.fitted import ChannelFit
from attribution.models.pathtable import EncodedPaths, as_path_table, encode, path_separator
from attribution.models.spread import JourneyPaths, journey_paths, spread

__all__ = [
    "ShapleyResult",
    "ShapleyValue",
    "channel_weights",
    "coalitions",
    "dividends",
    "shapley",
    "split_dividends",
]

ShapleyValue = Literal["conversion_rate", "conversions"]
VALUES: tuple[str, ...] = get_args(ShapleyValue)

NOTE = (
    "Shapley values of channels over the channel sets of won and lost journeys: each "
    "channel's average contribution to the conversion measure over every order in which the "
    "channels could join. They describe which sets of channels come before wins, not what a "
    "channel causes."
)
RATE_NOTE = (
    " With value='conversion_rate' a channel's 'conversions' are its share of the summed "
    "conversion rates of the channel sets, scaled to the total conversions: a share, not a "
    "count of journeys. A channel can be credited more conversions than the journeys holding "
    "it converted (the sanity check of attribution.model_checks flags it); "
    "value='conversions' keeps every conversion within the channels of its journey."
)
"""Added to the note of the ``conversion_rate`` worth: what its conversions mean."""


def check_value(value: object) -> str:
    """Return ``value`` if it names a characteristic function, else raise."""
    if value not in VALUES:
        raise ParameterError(f"value must be one of {VALUES}, got {value!r}")
    return str(value)


@dataclass(frozen=True)
class Coalitions:
    """Observed coalitions: membership (m × channels) and their summed counts."""

    channels: tuple[str, ...]
    members: np.ndarray
    conversions: np.ndarray
    nulls: np.ndarray
    value: np.ndarray
    index: np.ndarray  # coalition of each path


def coalitions(paths: EncodedPaths) -> Coalitions:
    """Group paths by their set of distinct channels (bit masks, no Python loop over paths).

    Examples
    --------
    >>> import polars as pl
    >>> from attribution.models.pathtable import encode
    >>> e = encode(pl.DataFrame({"path": ["a > b > a", "b > a", "b"], "conversions": [1, 2, 0]}))
    >>> c = coalitions(e)
    >>> c.members.tolist(), c.conversions.tolist()
    ([[False, True], [True, True]], [0.0, 3.0])
    """
    n_channels = len(paths.channels)
    lengths = paths.lengths
    nonempty = lengths > 0
    starts = paths.offsets[:-1][nonempty]
    words = max(1, -(-n_channels // 63))
    masks = np.zeros((paths.n_paths, words), dtype=np.int64)
    for w in range(words):
        local = paths.codes.astype(np.int64) - 63 * w
        inside = (local >= 0) & (local < 63)
        bits = np.where(inside, np.left_shift(1, np.clip(local, 0, 62)), 0)
        if len(bits):
            masks[nonempty, w] = np.bitwise_or.reduceat(bits, starts)
    unique, index = np.unique(masks, axis=0, return_inverse=True)
    index = index.ravel()
    members = np.zeros((len(unique), n_channels), dtype=bool)
    for c in range(n_channels):
        members[:, c] = (unique[:, c // 63] >> (c % 63)) & 1 == 1
    m = len(unique)
    return Coalitions(
        channels=paths.channels,
        members=members,
        conversions=np.bincount(index, weights=paths.conversions, minlength=m),
        nulls=np.bincount(index, weights=paths.nulls, minlength=m),
        value=np.bincount(index, weights=paths.value, minlength=m),
        index=index,
    )


def dividends(co: Coalitions, value: str) -> tuple[np.ndarray, np.ndarray]:
    """Harsanyi dividends of each coalition: for conversions and for value."""
    if value == "conversions":
        return co.conversions, co.value
    journeys = co.conversions + co.nulls
    rate = np.divide(co.conversions, journeys, out=np.zeros_like(journeys), where=journeys > 0)
    value_rate = np.divide(co.value, journeys, out=np.zeros_like(journeys), where=journeys > 0)
    return rate, value_rate


def split_dividends(members: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Shapley values: each coalition's dividend shared equally by its members."""
    size = members.sum(axis=1)
    share = np.divide(values, size, out=np.zeros_like(values), where=size > 0)
    return np.asarray(share @ members)


def channel_weights(paths: EncodedPaths, *, value: str = "conversion_rate") -> np.ndarray:
    """Shapley values (conversion dividends) per channel code of ``paths``."""
    co = coalitions(paths)
    conversion_dividends, _ = dividends(co, value)
    return split_dividends(co.members, conversion_dividends)


@dataclass(frozen=True, kw_only=True, repr=False)
class ShapleyResult(ChannelFit):
    """What :func:`shapley` found.

    Attributes
    ----------
    table : polars.DataFrame
        ``channel``, ``shapley_value`` (in the units of the characteristic function),
        ``conversions`` and ``value`` attributed, ``share`` (of conversions). Also
        available as ``channels``, its name in earlier versions.
    value : str
        The characteristic function used.
    coalitions : polars.DataFrame
        One row per observed channel set: ``coalition`` (sorted list of channels),
        ``conversions``, ``nulls``, ``value``, ``conversion_rate``.
    positions : polars.DataFrame or None
        With ``ordered=True``: ``channel``, ``position``, ``shapley_value``, ``conversions``;
        each channel's value broken down by the position at which it first appears among
        the distinct channels of the converting journeys (see :func:`positions`).
    """

    WEIGHT: ClassVar[str] = "shapley_value"
    """Channel weights are the Shapley values."""

    value: str
    coalitions: pl.DataFrame
    positions: pl.DataFrame | None = None
    note: str = NOTE


def _scale(phi: np.ndarray, total: float) -> np.ndarray:
    s = phi.sum()
    return phi / s * total if s > 0 else np.zeros_like(phi)


def positions(
    paths: EncodedPaths, co: Coalitions, conversion_dividends: np.ndarray
) -> pl.DataFrame:
    """Break each channel's Shapley value down by position (the ordered variant).

    A coalition's dividend goes to its channels in equal parts (that is the Shapley value);
    here each channel's part is further shared among the coalition's converting journeys in
    proportion to their conversions, at the position (1 = first) where the channel first
    appears among the journey's distinct channels, in the spirit of the ordered Shapley
    value of Zhao et al. (2018). Positions of a channel add up to its Shapley value.
    """
    n_channels = len(paths.channels)
    lengths = paths.lengths
    path_of = np.repeat(np.arange(paths.n_paths), lengths)
    key = path_of * n_channels + paths.codes
    _, first = np.unique(key, return_index=True)  # first step of each (path, channel)
    first.sort()
    p, c = path_of[first], paths.codes[first]
    start = np.zeros(paths.n_paths + 1, dtype=np.int64)
    np.cumsum(np.bincount(p, minlength=paths.n_paths), out=start[1:])
    rank = np.arange(len(first)) - start[p] + 1
    size = co.members.sum(axis=1)
    coalition = co.index[p]
    per_journey = np.divide(
        conversion_dividends[coalition] * paths.conversions[p],
        size[coalition] * co.conversions[coalition],
        out=np.zeros(len(p)),
        where=co.conversions[coalition] > 0,
    )
    frame = (
        pl.DataFrame({"_c": c, "position": rank.astype(np.int32), "shapley_value": per_journey})
        .filter(pl.col("shapley_value") > 0)
        .group_by("_c", "position")
        .agg(pl.col("shapley_value").cum_sum().last())
        .sort("_c", "position")
    )
    names = np.array(paths.channels, dtype=object)[frame["_c"].to_numpy()]
    return frame.select(pl.Series(CHANNEL, names, dtype=pl.String), "position", "shapley_value")


def fit(
    paths: EncodedPaths, *, value: str = "conversion_rate", ordered: bool = False
) -> ShapleyResult:
    """Shapley values of encoded paths (see :func:`shapley`)."""
    co = coalitions(paths)
    conversion_dividends, value_dividends = dividends(co, value)
    phi = split_dividends(co.members, conversion_dividends)
    phi_value = split_dividends(co.members, value_dividends)
    total_conversions = float(paths.conversions.sum())
    conversions = _scale(phi, total_conversions)
    table = pl.DataFrame(
        {
            CHANNEL: list(co.channels),
            "shapley_value": phi,
            "conversions": conversions,
            "value": _scale(phi_value, float(paths.value.sum())),
            "share": conversions / total_conversions if total_conversions > 0 else 0.0 * phi,
        },
        schema={
            CHANNEL: pl.String,
            "shapley_value": pl.Float64,
            "conversions": pl.Float64,
            "value": pl.Float64,
            "share": pl.Float64,
        },
    )
    row, col = np.nonzero(co.members)  # row-major: channels in name order within a row
    lists = (
        pl.DataFrame({"row": row, "channel": np.array(co.channels, dtype=object)[col]})
        .group_by("row", maintain_order=True)
        .agg(pl.col("channel").cast(pl.String))
    )
    members = (
        pl.DataFrame({"row": np.arange(len(co.members), dtype=row.dtype)})
        .join(lists, on="row", how="left", maintain_order="left")
        .get_column("channel")
    )
    journeys = co.conversions + co.nulls
    coalition_table = pl.DataFrame(
        {
            "coalition": members,
            "conversions": co.conversions,
            "nulls": co.nulls,
            "value": co.value,
            "conversion_rate": np.divide(
                co.conversions, journeys, out=np.zeros_like(journeys), where=journeys > 0
            ),
        },
        schema={
            "coalition": pl.List(pl.String),
            "conversions": pl.Float64,
            "nulls": pl.Float64,
            "value": pl.Float64,
            "conversion_rate": pl.Float64,
        },
    ).sort("conversions", descending=True, maintain_order=True)
    by_position = None
    if ordered:
        scale = total_conversions / phi.sum() if phi.sum() > 0 else 0.0
        by_position = positions(paths, co, conversion_dividends).with_columns(
            (pl.col("shapley_value") * scale).alias("conversions")
        )
    note = NOTE + (RATE_NOTE if value == "conversion_rate" else "")
    return ShapleyResult(
        value=value, table=table, coalitions=coalition_table, positions=by_position, note=note
    )


def shapley(
    paths: Any,
    *,
    value: ShapleyValue = "conversion_rate",
    ordered: bool = False,
    separator: str | None = None,
    engine: Engine = "polars",
) -> ShapleyResult:
    """Shapley-value attribution over the channel sets of a path table.

    Parameters
    ----------
    paths
        A path table (``path``, ``conversions``, ``value``, ``nulls``; or
        ChannelAttribution's names), e.g. from :func:`attribution.paths`, a journeys
        frame (aggregated with :func:`attribution.paths` first), or the path of a CSV or
        Parquet file holding a path table.
    value
        Characteristic function: ``"conversion_rate"`` or ``"conversions"`` (the
        simplified Shapley value); see the module docstring.
    ordered
        Also break each channel's value down by the position at which it first appears in
        the converting journeys (``result.positions``; see :func:`positions`).
    separator
        Joins channels in string paths (default ``" > "``, or the one the paths use, with a
        :class:`~attribution.DataWarning`).
    engine
        ``"polars"``, or ``"spark"`` for Spark journeys (a Spark DataFrame or table name):
        counts per channel set are then summed by Spark and only they come to this
        process (:func:`attribution.spark.shapley`).

    Returns
    -------
    ShapleyResult
        Channel table (Shapley values, conversions and value attributed) and the observed
        coalitions.

    Examples
    --------
    >>> import polars as pl
    >>> t = pl.DataFrame({"path": ["a > b", "a", "b > b"], "conversions": [2, 1, 0],
    ...     "nulls": [2, 1, 4]})
    >>> shapley(t, value="conversions").table.select("channel", "conversions").rows()
    [('a', 2.0), ('b', 1.0)]
    >>> shapley(t).table["conversions"].round(3).to_list()
    [2.25, 0.75]
    """
    if check_engine(engine) == "spark":
        fitted: ShapleyResult = adapter("spark").shapley(paths, value=value, ordered=ordered)
        return fitted
    value = check_value(value)  # type: ignore[assignment]
    table = as_path_table(paths)
    encoded = encode(table, separator=path_separator(table, separator), merge_repeats=True)
    if encoded.n_paths == 0 or len(encoded.channels) == 0:
        raise DataError("shapley: the path table has no paths")
    if not isinstance(ordered, bool):
        raise ParameterError(f"ordered must be True or False, got {ordered!r}")
    return fit(encoded, value=value, ordered=ordered)


def credits(
    journeys: pl.DataFrame | pl.LazyFrame,
    *,
    team: str | None = None,
    value: ShapleyValue = "conversion_rate",
    include_open: bool = False,
) -> pl.DataFrame:
    """Shapley credits: values fitted on the deals' channel sets, spread to their touches.

    Each won deal's credit is shared by the channels it touched in proportion to their
    Shapley values, then equally among each channel's touches (see
    :mod:`attribution.models.spread`).

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=200, seed=2))
    >>> c = credits(j, value="conversions")
    >>> float(c.group_by("opportunity_id").agg(pl.col("credit").sum())["credit"].min().__round__(9))
    1.0
    """
    value = check_value(value)  # type: ignore[assignment]
    jp = journey_paths(journeys, team=team, include_open=include_open)
    _, weights = journey_weights(jp, value=value)
    return spread(journeys, weights, team=team)


def journey_weights(
    jp: JourneyPaths, *, value: str = "conversion_rate"
) -> tuple[EncodedPaths, dict[str, float]]:
    """Return the deals' paths and each channel's Shapley value (conversion dividends)."""
    value = check_value(value)
    if jp.encoded.n_paths == 0:
        return jp.encoded, {}
    phi = channel_weights(jp.encoded, value=value)
    return jp.encoded, dict(zip(jp.encoded.channels, phi, strict=True))
