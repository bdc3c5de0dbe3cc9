"""Global reductions on Spark: path tables, Markov transition counts, Shapley coalitions.

Each bucket of opportunities is summarised by the polars kernels (its path table, its
chain's transition counts, its channel sets); Spark adds the summaries up across buckets,
and only the sums come to the driver, where the exact solvers run:

* :func:`paths`: path counts (one row per distinct path);
* :func:`markov`: transition counts between order-``k`` states (states are encoded with
  the global channel list, so buckets agree on them), starts and ends; at most
  ``states**2`` rows whatever the number of touches;
* :func:`shapley`: counts per ordered set of distinct channels (at most one row per
  coalition and order of first appearance).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
import scipy.sparse as sp

from attribution.data.schema import CHANNEL, OPPORTUNITY_ID, TEAM, TEAMS
from attribution.errors import DataError, ParameterError
from attribution.journey.columns import CONVERSIONS, N_TOUCHES, NULLS, PATH, STATUS, VALUE
from attribution.journey.paths import paths as polars_paths
from attribution.models import markov as markov_model
from attribution.models import shapley as shapley_model
from attribution.models.credits import check_team
from attribution.models.pathtable import EncodedPaths, encode
from attribution.spark.frames import grouped_map, to_polars
from attribution.spark.session import as_frame, require

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["channels", "markov", "markov_weights", "paths", "shapley", "shapley_weights"]

_START, _END = -1, -2  # pseudo state codes: (start) as a source, the path's end as a target
_SPARK_PATH_SCHEMA = {
    PATH: pl.List(pl.String),
    CONVERSIONS: pl.Int64,
    VALUE: pl.Float64,
    NULLS: pl.Int64,
}


def _journeys(frame: Any) -> DataFrame:
    require()
    sdf = as_frame(frame, name="journeys")
    missing = [c for c in (OPPORTUNITY_ID, STATUS, N_TOUCHES, CHANNEL) if c not in sdf.columns]
    if missing:
        from attribution.errors import SchemaError

        raise SchemaError(
            f"journeys: missing column(s) {', '.join(missing)}; build journeys with "
            f"attribution.journeys(dataset, engine='spark') (columns present: "
            f"{', '.join(sdf.columns)})"
        )
    return sdf


def _closed(sdf: DataFrame, *, team: str | None, include_open: bool) -> DataFrame:
    """Rows of the deals a path is built for (as :func:`attribution.paths` filters them)."""
    from pyspark.sql import functions as sf

    if team is not None and team not in TEAMS:
        raise ParameterError(f"team must be one of {TEAMS} or None, got {team!r}")
    if not isinstance(include_open, bool):
        raise ParameterError(f"include_open must be True or False, got {include_open!r}")
    statuses = ["won", "lost", "open"] if include_open else ["won", "lost"]
    rows = sdf.filter(sf.col(STATUS).isin(*statuses) & (sf.col(N_TOUCHES) > 0))
    if team is not None:
        rows = rows.filter(sf.col(TEAM) == team)
    return rows


def paths(
    journeys: Any,
    *,
    by: str = CHANNEL,
    team: str | None = None,
    include_open: bool = False,
    buckets: int | None = None,
) -> pl.DataFrame:
    """Path table of Spark journeys: :func:`attribution.paths` per bucket, summed by Spark.

    Returns the polars path table :func:`attribution.paths` gives (same rows, order and
    types; ``value`` sums may differ in the last bits, being added in another order).
    """
    from pyspark.sql import functions as sf

    sdf = _journeys(journeys)
    if by not in sdf.columns:
        raise ParameterError(f"by={by!r} is not a journeys column")
    rows = _closed(sdf, team=team, include_open=include_open)

    def per_bucket(batch: pl.DataFrame) -> pl.DataFrame:
        return polars_paths(batch, by=by, team=team, include_open=include_open)

    partial = grouped_map(rows, OPPORTUNITY_ID, buckets, per_bucket, _SPARK_PATH_SCHEMA)
    summed = partial.groupBy(PATH).agg(
        sf.sum(CONVERSIONS).alias(CONVERSIONS),
        sf.sum(VALUE).alias(VALUE),
        sf.sum(NULLS).alias(NULLS),
    )
    table = to_polars(summed.toArrow()).with_columns(
        pl.col(PATH).cast(pl.List(pl.String)),
        pl.col(CONVERSIONS).cast(pl.Int64),
        pl.col(VALUE).cast(pl.Float64),
        pl.col(NULLS).cast(pl.Int64),
    )
    return (
        table.with_columns(pl.col(PATH).list.join(" > ").alias("_key"))
        .sort(pl.col(CONVERSIONS) + pl.col(NULLS), "_key", descending=[True, False])
        .drop("_key")
        .select(list(_SPARK_PATH_SCHEMA))
    )


def channels(rows: DataFrame) -> tuple[str, ...]:
    """Return the channels of the path rows, as the path encoding names them (sorted, trimmed)."""
    from pyspark.sql import functions as sf

    names = rows.select(sf.coalesce(sf.col(CHANNEL), sf.lit("(none)")).alias(CHANNEL)).distinct()
    found = to_polars(names.toArrow())[CHANNEL].cast(pl.String).str.strip_chars()
    return tuple(sorted(set(found.to_list())))


def _global_codes(encoded: EncodedPaths, names: tuple[str, ...]) -> EncodedPaths:
    """Re-express a bucket's encoded paths with the global channel list ``names``."""
    index = {c: i for i, c in enumerate(names)}
    remap = np.array([index[c] for c in encoded.channels], dtype=np.int32)
    codes = remap[encoded.codes] if len(encoded.codes) else encoded.codes
    return EncodedPaths(
        names, codes.astype(np.int32), encoded.offsets, encoded.conversions, encoded.nulls,
        encoded.value,
    )  # fmt: skip


_TRANSITION_SCHEMA = {
    "src": pl.Int64,
    "dst": pl.Int64,
    "n": pl.Float64,
    "conversions": pl.Float64,
    "nulls": pl.Float64,
    "value": pl.Float64,
}


def _bucket_transitions(
    batch: pl.DataFrame, names: tuple[str, ...], order: int, team: str | None, include_open: bool
) -> pl.DataFrame:
    """Transition, start and end counts of one bucket's paths, keyed by global state codes."""
    table = polars_paths(batch, team=team, include_open=include_open)
    if table.is_empty():
        return pl.DataFrame(schema=_TRANSITION_SCHEMA)
    encoded = _global_codes(encode(table), names)
    chain = markov_model.prepare(encoded, order=order)
    counts = markov_model.count(chain, encoded.conversions, encoded.nulls, encoded.value)
    codes = chain.state_codes.astype(np.int64)
    coo = counts.transitions.tocoo()
    n = chain.n_states
    zeros = np.zeros(n)
    parts = [
        {"src": codes[coo.row], "dst": codes[coo.col], "n": coo.data},
        {"src": np.full(n, _START), "dst": codes, "n": counts.start},
        {
            "src": codes,
            "dst": np.full(n, _END),
            "n": zeros,
            "conversions": counts.conversion,
            "nulls": counts.null,
            "value": counts.value,
        },
    ]
    frames = [
        pl.DataFrame(part).with_columns(
            pl.lit(0.0).alias(c) for c in ("conversions", "nulls", "value") if c not in part
        )
        for part in parts
    ]
    return (
        pl.concat([f.select(list(_TRANSITION_SCHEMA)) for f in frames])
        .cast(_TRANSITION_SCHEMA)  # type: ignore[arg-type]
        .filter((pl.col("n") > 0) | (pl.col("dst") == _END))
    )


def _chain_counts(
    sums: pl.DataFrame, names: tuple[str, ...], order: int
) -> tuple[markov_model.Chain, markov_model.Counts]:
    """Build the chain and its counts from the transition sums Spark returned."""
    src, dst = sums["src"].to_numpy(), sums["dst"].to_numpy()
    state_codes = np.unique(np.concatenate([src[src >= 0], dst[dst >= 0]]))
    n = len(state_codes)
    inner = (src >= 0) & (dst >= 0)
    starts = src == _START
    ends = dst == _END
    weight = sums["n"].to_numpy()

    def ids(codes: np.ndarray) -> np.ndarray:
        return np.searchsorted(state_codes, codes)

    transitions = sp.coo_matrix(
        (weight[inner], (ids(src[inner]), ids(dst[inner]))), shape=(n, n)
    ).tocsr()
    transitions.sum_duplicates()

    def per_state(mask: np.ndarray, column: str | np.ndarray, at: np.ndarray) -> np.ndarray:
        values = sums[column].to_numpy() if isinstance(column, str) else column
        return np.bincount(ids(at[mask]), weights=values[mask], minlength=n)

    conversion = per_state(ends, "conversions", src)
    value = per_state(ends, "value", src)
    chain = markov_model.Chain(
        channels=names,
        order=order,
        state_codes=state_codes,
        steps=np.zeros(0, dtype=np.int32),
        offsets=np.zeros(1, dtype=np.int64),
        members=markov_model.members_of(state_codes, order=order, n_channels=len(names)),
    )
    counts = markov_model.Counts(
        transitions=transitions,
        start=per_state(starts, weight, dst),
        conversion=conversion,
        null=per_state(ends, "nulls", src),
        value=value,
        total_conversions=float(conversion.sum()),
        total_value=float(value.sum()),
    )
    return chain, counts


def _markov_fit(
    journeys: Any,
    *,
    order: int,
    team: str | None,
    include_open: bool,
    buckets: int | None,
    transition_matrix: bool,
) -> markov_model.MarkovResult:
    from pyspark.sql import functions as sf

    order = markov_model.check_order(order)
    check_team(team)
    rows = _closed(_journeys(journeys), team=team, include_open=include_open)
    names = channels(rows)
    if not names:
        raise DataError("markov: the journeys have no closed deal with a touch")
    if (len(names) + 1) ** order >= 2**62:
        raise ParameterError(
            f"order={order} with {len(names)} channels has more states than fit in 64 bits; "
            "use a lower order"
        )

    def per_bucket(batch: pl.DataFrame) -> pl.DataFrame:
        return _bucket_transitions(batch, names, order, team, include_open)

    partial = grouped_map(rows, OPPORTUNITY_ID, buckets, per_bucket, _TRANSITION_SCHEMA)
    summed = partial.groupBy("src", "dst").agg(
        *[sf.sum(c).alias(c) for c in ("n", "conversions", "nulls", "value")]
    )
    sums = to_polars(summed.toArrow()).sort("src", "dst")
    chain, counts = _chain_counts(sums, names, order)
    return markov_model.result(chain, counts, transition_matrix=transition_matrix)


def markov(
    journeys: Any,
    *,
    order: int = 1,
    transition_matrix: bool = True,
    buckets: int | None = None,
) -> markov_model.MarkovResult:
    """Markov removal effects of Spark journeys, as :func:`attribution.markov` on journeys.

    Transition counts are summed by Spark; the absorbing chain is solved on the driver.
    """
    return _markov_fit(
        journeys,
        order=order,
        team=None,
        include_open=False,
        buckets=buckets,
        transition_matrix=transition_matrix,
    )


def markov_weights(
    journeys: Any,
    *,
    order: int = 1,
    team: str | None = None,
    include_open: bool = False,
    buckets: int | None = None,
) -> dict[str, float]:
    """Return the removal effect of each channel: the weights the ``markov`` model spreads."""
    fitted = _markov_fit(
        journeys,
        order=order,
        team=team,
        include_open=include_open,
        buckets=buckets,
        transition_matrix=False,
    )
    return fitted.weights()


_FIRST_SEEN_SCHEMA = {
    PATH: pl.List(pl.String),
    CONVERSIONS: pl.Float64,
    NULLS: pl.Float64,
    VALUE: pl.Float64,
}


def _bucket_first_seen(batch: pl.DataFrame, team: str | None, include_open: bool) -> pl.DataFrame:
    """Each path reduced to its distinct channels in order of first appearance, counted.

    Shapley values depend on a path's channel set only, and the ordered variant on the
    position where each channel first appears: both survive this reduction.
    """
    table = polars_paths(batch, team=team, include_open=include_open)
    steps = pl.col(PATH).list.eval(pl.element().str.strip_chars().unique(maintain_order=True))
    return (
        table.select(steps.alias(PATH), CONVERSIONS, NULLS, VALUE)
        .group_by(PATH)
        .agg(pl.col(c).cast(pl.Float64).sum() for c in (CONVERSIONS, NULLS, VALUE))
    )


def _shapley_paths(
    journeys: Any, *, team: str | None, include_open: bool, buckets: int | None
) -> EncodedPaths:
    from pyspark.sql import functions as sf

    check_team(team)
    rows = _closed(_journeys(journeys), team=team, include_open=include_open)

    def per_bucket(batch: pl.DataFrame) -> pl.DataFrame:
        return _bucket_first_seen(batch, team, include_open)

    partial = grouped_map(rows, OPPORTUNITY_ID, buckets, per_bucket, _FIRST_SEEN_SCHEMA)
    summed = partial.groupBy(PATH).agg(*[sf.sum(c).alias(c) for c in (CONVERSIONS, NULLS, VALUE)])
    table = to_polars(summed.toArrow()).with_columns(pl.col(PATH).cast(pl.List(pl.String)))
    table = table.with_columns(pl.col(PATH).list.join("\x1f").alias("_key")).sort("_key")
    return encode(table.drop("_key"))


def shapley(
    journeys: Any,
    *,
    value: shapley_model.ShapleyValue = "conversion_rate",
    ordered: bool = False,
    buckets: int | None = None,
) -> shapley_model.ShapleyResult:
    """Shapley values of Spark journeys, as :func:`attribution.shapley` on journeys."""
    value = shapley_model.check_value(value)  # type: ignore[assignment]
    if not isinstance(ordered, bool):
        raise ParameterError(f"ordered must be True or False, got {ordered!r}")
    encoded = _shapley_paths(journeys, team=None, include_open=False, buckets=buckets)
    if encoded.n_paths == 0 or len(encoded.channels) == 0:
        raise DataError("shapley: the path table has no paths")
    return shapley_model.fit(encoded, value=value, ordered=ordered)


def shapley_weights(
    journeys: Any,
    *,
    value: str = "conversion_rate",
    team: str | None = None,
    include_open: bool = False,
    buckets: int | None = None,
) -> dict[str, float]:
    """Return the Shapley value of each channel: the weights the ``shapley`` model spreads."""
    value = shapley_model.check_value(value)
    encoded = _shapley_paths(journeys, team=team, include_open=include_open, buckets=buckets)
    if encoded.n_paths == 0:
        return {}
    phi = shapley_model.channel_weights(encoded, value=value)
    return dict(zip(encoded.channels, phi, strict=True))
