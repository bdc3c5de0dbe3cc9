"""The agreed MQL and SQL moments of contacts, found in the touches and opportunities.

The steps of :func:`attribution.apply_definitions` (its module,
:mod:`attribution.alignment.qualification`, says how the moments are found): the candidate
moments of each contact with its score and behaviours there, the first at which the MQL
rules hold, the first accepting event in the SQL window, and the campaign that led to the
MQL. The frames passed in are already cut at ``as_of``.
"""

from __future__ import annotations

import polars as pl

from attribution._time import MICROS_PER_DAY, duration_days
from attribution.alignment.definitions import Definitions
from attribution.alignment.definitions_schema import MqlRule, ScoreRule
from attribution.data.dataset import Dataset
from attribution.data.schema import (
    ACCOUNT_ID,
    ACTIVITY,
    CAMPAIGN,
    CHANNEL,
    CONTACT_ID,
    CREATED_AT,
    MQL_AT,
    OCCURRED_AT,
    SALES,
    SCORE,
    SEGMENT,
    SQL_AT,
    TEAM,
    TOUCH_ID,
)

__all__ = [
    "MAX_SCORE",
    "SCORE_AT_MQL",
    "first_campaigns",
    "matches",
    "mql_moments",
    "sql_moments",
]

SCORE_AT_MQL = "score_at_mql"
MAX_SCORE = "max_score"


# ------------------------------------------------------------------------------ helpers
def _running(column: str, days: float | None) -> pl.Expr:
    """Sum of ``column`` over the contact's moments at or before each moment (or N days)."""
    if days is None:
        return pl.col(column).cum_sum().over(CONTACT_ID)
    if days == 0:  # the moment itself (moments are already one row per contact and time)
        return pl.col(column)
    return (
        pl.col(column)
        .rolling_sum_by("t", window_size=f"{round(days * MICROS_PER_DAY)}us", closed="both")
        .over(CONTACT_ID)
    )


def matches(channels: list[str] | None, activities: list[str] | None) -> pl.Expr:
    """Whether a touch is of one of ``channels`` or ``activities`` (none given: no touch).

    Examples
    --------
    >>> t = pl.DataFrame({"channel": ["event", "email"], "activity": [None, "reply"]})
    >>> t.select(matches(["event"], ["reply"]).alias("m"))["m"].to_list()
    [True, True]
    """
    expr = pl.lit(False)
    if channels:
        expr = expr | pl.col(CHANNEL).is_in(channels)
    if activities:
        expr = expr | pl.col(ACTIVITY).is_in(activities).fill_null(False)
    return expr


# ------------------------------------------------------------------------------ MQL
def mql_moments(
    dataset: Dataset, d: Definitions, contacts: pl.LazyFrame, touches: pl.LazyFrame
) -> pl.LazyFrame:
    """Per contact: the agreed MQL moment, the score then, the highest score by as_of."""
    m = d.mql
    per_moment = _per_moment(contacts, touches, _touch_points(m))
    per_moment, score = _with_score(dataset, m.score, contacts, per_moment)
    scored = (
        per_moment.sort(CONTACT_ID, "t")
        .with_columns(score.alias("_score"))
        .with_columns((_qualifies(m) & (pl.col("t") >= pl.col(CREATED_AT))).alias("_ok"))
    )
    return scored.group_by(CONTACT_ID).agg(
        pl.col("t").filter(pl.col("_ok")).min().alias(MQL_AT),
        pl.col("_score").filter(pl.col("_ok")).first().alias(SCORE_AT_MQL),
        pl.col("_score").max().alias(MAX_SCORE),
    )


def _touch_points(m: MqlRule) -> list[pl.Expr]:
    """Per touch: its score points (``_pts``) and whether it counts for behaviour i (``_bi``)."""
    parts: list[pl.Expr] = []
    score = m.score
    if score is not None and score.source == "touches":
        points = score.points or {}
        parts.append(
            pl.col(score.points_by)
            .replace_strict(points, default=0.0, return_dtype=pl.Float64)
            .fill_null(0.0)
            .alias("_pts")
        )
    for i, b in enumerate(m.behaviours):
        parts.append(matches(b.channels, b.activities).cast(pl.Int64).alias(f"_b{i}"))
    return parts


def _per_moment(
    contacts: pl.LazyFrame, touches: pl.LazyFrame, parts: list[pl.Expr]
) -> pl.LazyFrame:
    """One row per contact and candidate moment (its touches and its creation), summed."""
    cols = [p.meta.output_name() for p in parts]
    own = contacts.select(CONTACT_ID, ACCOUNT_ID, CREATED_AT)
    moments = (
        touches.filter(pl.col(CONTACT_ID).is_not_null())
        .join(own.select(CONTACT_ID), on=CONTACT_ID)
        .select(CONTACT_ID, pl.col(OCCURRED_AT).alias("t"), *parts)
    )
    created = own.select(
        CONTACT_ID,
        pl.col(CREATED_AT).alias("t"),
        *[pl.lit(0, dtype=pl.Float64 if c == "_pts" else pl.Int64).alias(c) for c in cols],
    )
    return (
        pl.concat([moments, created], how="vertical_relaxed")
        .group_by(CONTACT_ID, "t")
        .agg(*[pl.col(c).sum() for c in cols])
        .join(own, on=CONTACT_ID)
    )


def _with_score(
    dataset: Dataset, score: ScoreRule | None, contacts: pl.LazyFrame, per_moment: pl.LazyFrame
) -> tuple[pl.LazyFrame, pl.Expr]:
    """Join what the score needs; return the moments and the score at each (null: no rule)."""
    if score is None:
        return per_moment, pl.lit(None, dtype=pl.Float64)
    base = pl.lit(0.0)
    if score.fit_points and dataset.accounts is not None:
        segments = dataset.lazy("accounts").select(ACCOUNT_ID, pl.col(SEGMENT).cast(pl.String))
        per_moment = per_moment.join(segments, on=ACCOUNT_ID, how="left")
        base = (
            pl.col(SEGMENT)
            .replace_strict(score.fit_points, default=0.0, return_dtype=pl.Float64)
            .fill_null(0.0)
        )
    if score.source == "crm":
        crm = contacts.select(CONTACT_ID, pl.col(SCORE).alias("_crm"))
        return per_moment.join(crm, on=CONTACT_ID, how="left"), base + pl.col("_crm")
    return per_moment, base + _running("_pts", score.window_days)


def _qualifies(m: MqlRule) -> pl.Expr:
    """Whether the rules hold at a moment: the score and behaviours, combined as agreed."""
    conditions: list[pl.Expr] = []
    if m.score is not None:
        conditions.append((pl.col("_score") >= (m.score.threshold or 0.0)).fill_null(False))
    for i, b in enumerate(m.behaviours):
        conditions.append(_running(f"_b{i}", b.within_days) >= b.count)
    return pl.all_horizontal(conditions) if m.combine == "all" else pl.any_horizontal(conditions)


# ------------------------------------------------------------------------------ SQL
def sql_moments(
    d: Definitions,
    mqls: pl.LazyFrame,
    touches: pl.LazyFrame,
    opportunities: pl.LazyFrame,
) -> pl.LazyFrame:
    """Per MQL contact: the first accepting event in its SQL window."""
    s = d.sql
    events = []
    if "sales_touch" in s.accepted_by:
        sales = touches.filter(pl.col(TEAM) == SALES)
        if s.sales_channels or s.sales_activities:
            sales = sales.filter(matches(s.sales_channels, s.sales_activities))
        events.append(sales.select(ACCOUNT_ID, pl.col(OCCURRED_AT).alias("t")))
    if "opportunity" in s.accepted_by:
        events.append(opportunities.select(ACCOUNT_ID, pl.col(CREATED_AT).alias("t")))
    window = pl.col("t") >= pl.col(MQL_AT)
    if s.within_days is not None:
        window &= pl.col("t") <= pl.col(MQL_AT) + duration_days(s.within_days)
    return (
        mqls.join(pl.concat(events), on=ACCOUNT_ID)
        .filter(window)
        .group_by(CONTACT_ID)
        .agg(pl.col("t").min().alias(SQL_AT))
    )


def first_campaigns(touches: pl.LazyFrame, mqls: pl.LazyFrame) -> pl.LazyFrame:
    """Per MQL contact: the campaign of its first touch with one, at or before the MQL."""
    return (
        touches.filter(pl.col(CONTACT_ID).is_not_null() & pl.col(CAMPAIGN).is_not_null())
        .join(mqls.select(CONTACT_ID, MQL_AT), on=CONTACT_ID)
        .filter(pl.col(OCCURRED_AT) <= pl.col(MQL_AT))
        .group_by(CONTACT_ID)
        .agg(pl.col(CAMPAIGN).sort_by(OCCURRED_AT, TOUCH_ID).first())
    )
