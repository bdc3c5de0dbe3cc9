"""Path tables: journeys aggregated into one row per distinct ordered path.

A path is the sequence of one journey column's values (channels, campaigns, teams...) over
an opportunity's touches, in order. The table counts, per path, the deals won (and their
revenue) and the deals lost (and, when asked, still open): the form Markov and Shapley
models and other attribution packages read.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from attribution.data.schema import AMOUNT, CHANNEL, OPPORTUNITY_ID, TEAM, TEAMS
from attribution.engines import Engine, adapter, check_engine
from attribution.errors import ParameterError
from attribution.journey.columns import (
    CONVERSIONS,
    N_TOUCHES,
    NULLS,
    PATH,
    POSITION,
    STATUS,
    VALUE,
)
from attribution.journey.slices import restrict

__all__ = ["paths"]


def paths(
    journeys: Any,
    *,
    by: str = CHANNEL,
    team: str | None = None,
    include_open: bool = False,
    engine: Engine = "polars",
    where: pl.Expr | None = None,
) -> pl.DataFrame:
    """Aggregate journeys into a path table: one row per distinct ordered path.

    This is the form other attribution packages consume (e.g. ChannelAttribution's
    ``path``, ``total_conversions``, ``total_conversion_value``, ``total_null``).

    Parameters
    ----------
    journeys
        Output of :func:`attribution.journeys`.
    by
        Journey column whose values make up the path steps (``channel``, ``campaign``,
        ``team``...).
    team
        Keep only touches of this team (``"marketing"`` or ``"sales"``).
    include_open
        Count open opportunities as non-converting paths (default: leave them out, their
        outcome is not known yet).
    engine
        ``"polars"``, or ``"spark"`` for Spark journeys (a Spark DataFrame or table name):
        per-deal paths are built in Spark and counted by a Spark aggregation
        (:func:`attribution.spark.paths`); the result is the same polars table.
    where
        Keep only the deals where this polars expression on the deal's columns is true
        (see :func:`attribution.journey.slices.restrict`).

    Returns
    -------
    polars.DataFrame
        Columns ``path`` (list of str), ``conversions`` (won deals), ``value`` (their
        revenue), ``nulls`` (lost deals, plus open ones when asked), sorted by number of
        journeys, descending, then path. Journeys with no touch (after the team filter)
        have no path and are left out.

    Examples
    --------
    >>> import polars as pl
    >>> j = pl.DataFrame({"opportunity_id": ["a", "a", "b"], "status": ["won", "won", "lost"],
    ...     "amount": [10.0, 10.0, 5.0], "position": [1, 2, 1], "n_touches": [2, 2, 1],
    ...     "team": ["marketing"] * 3, "channel": ["email", "webinar", "email"]})
    >>> paths(j).to_dicts()[0]
    {'path': ['email'], 'conversions': 0, 'value': 0.0, 'nulls': 1}
    """
    if check_engine(engine) == "spark":
        if where is not None:
            raise ParameterError("where applies to the polars engine only")
        table: pl.DataFrame = adapter("spark").paths(
            journeys, by=by, team=team, include_open=include_open
        )
        return table
    journeys = restrict(journeys, where)
    rows = _path_rows(journeys.lazy(), by=by, team=team, include_open=include_open)
    return _count_paths(_per_journey(rows, by)).collect()


def _path_rows(lf: pl.LazyFrame, *, by: str, team: str | None, include_open: bool) -> pl.LazyFrame:
    """Keep the journey rows that make up paths: touched deals of the statuses and team."""
    if team is not None and team not in TEAMS:
        raise ParameterError(f"team must be one of {TEAMS} or None, got {team!r}")
    if by not in lf.collect_schema():
        raise ParameterError(f"by={by!r} is not a journeys column")
    statuses = ["won", "lost", "open"] if include_open else ["won", "lost"]
    lf = lf.filter(pl.col(STATUS).is_in(statuses) & (pl.col(N_TOUCHES) > 0))
    return lf if team is None else lf.filter(pl.col(TEAM) == team)


def _per_journey(rows: pl.LazyFrame, by: str) -> pl.LazyFrame:
    """One row per opportunity: its path (``by`` in touch order), whether won, its amount."""
    return (
        rows.sort(OPPORTUNITY_ID, POSITION)
        .group_by(OPPORTUNITY_ID)
        .agg(
            pl.col(by).cast(pl.String).fill_null("(none)").alias(PATH),
            (pl.col(STATUS).first() == "won").alias("_won"),
            pl.col(AMOUNT).first().alias("_amount"),
        )
    )


def _count_paths(per_journey: pl.LazyFrame) -> pl.LazyFrame:
    """Count won and other journeys per path, most journeys first, then by path text."""
    return (
        per_journey.group_by(PATH)
        .agg(
            pl.col("_won").sum().cast(pl.Int64).alias(CONVERSIONS),
            pl.when(pl.col("_won"))
            .then(pl.col("_amount"))
            .otherwise(0.0)
            .sum()
            .cast(pl.Float64)
            .alias(VALUE),
            (~pl.col("_won")).sum().cast(pl.Int64).alias(NULLS),
        )
        .with_columns(pl.col(PATH).list.join(" > ").alias("_key"))
        .sort(pl.col(CONVERSIONS) + pl.col(NULLS), "_key", descending=[True, False])
        .drop("_key")
    )
