"""Credits: the one table every model returns, and the one allocation step they share.

A credits table has one row per (won opportunity, credited touch). Its first six columns are
the contract (``opportunity_id, touch_id, channel, team, credit, revenue``); ``credit`` is
the touch's share of the deal in [0, 1] and ``revenue = credit * amount``. Grouping columns
the reports need follow (``account_id, campaign, closed_at, position``).

Every model is a per-touch *weight* (a polars expression over the creditable touches of a
deal, with role columns computed here) plus :func:`allocate`, which normalises the weights
within each deal so its credits sum to exactly 1:

* Only won deals are credited. Touches of the other team are dropped first when ``team`` is
  given, and the roles below are computed on the touches that remain.
* A won deal with no creditable touch (none in its window, or none of the requested team)
  gets one ``(no touch)`` row with credit 1, so totals always reconcile to booked revenue.
* A fitted model may keep part of a deal for no touch: a ``(baseline)`` row (channel, team
  and campaign ``(baseline)``, no touch id) carries it.
* A deal whose touches all weigh zero (e.g. custom weights on a milestone it lacks) is
  shared equally among its touches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import polars as pl

from attribution._text import did_you_mean
from attribution.data.schema import (
    ACCOUNT_ID,
    AMOUNT,
    CAMPAIGN,
    CHANNEL,
    CLOSED_AT,
    OCCURRED_AT,
    OPPORTUNITY_ID,
    TEAM,
    TEAMS,
    TOUCH_ID,
)
from attribution.errors import ParameterError, SchemaError
from attribution.journey.columns import (
    DAYS_BEFORE_CLOSE,
    LEAD_CREATED_AT,
    OPPORTUNITY_CREATED_AT,
    POSITION,
    STATUS,
)

__all__ = [
    "BASELINE",
    "CREDIT",
    "CREDIT_COLUMNS",
    "DEAL",
    "EXTRA_COLUMNS",
    "NO_TOUCH",
    "REVENUE",
    "allocate",
    "check_options",
    "check_team",
    "credit_expr",
    "creditable",
    "in_deal_order",
    "weight_expr",
    "won_deals",
    "won_frame",
]

CREDIT = "credit"
REVENUE = "revenue"
CREDIT_COLUMNS: tuple[str, ...] = (OPPORTUNITY_ID, TOUCH_ID, CHANNEL, TEAM, CREDIT, REVENUE)
"""The contract columns of a credits table, in order."""
EXTRA_COLUMNS: tuple[str, ...] = (ACCOUNT_ID, CAMPAIGN, CLOSED_AT, POSITION)
"""Grouping columns appended after the contract columns."""
NO_TOUCH = "(no touch)"
"""Label of the row that carries a won deal with no creditable touch."""
BASELINE = "(baseline)"
"""Label of the row carrying the share of a won deal a fitted model credits to no touch
(the ``incremental`` model's baseline: what it predicts without the deal's touches)."""

DEAL = "_deal"
"""Integer key of a won deal (its rank in ``opportunity_id`` order): per-deal windows use it."""
# Role columns available to weight expressions (computed per deal on creditable touches).
RANK = "_rank"  # 1-based order among the creditable touches
COUNT = "_count"  # number of creditable touches of the deal
IS_FIRST = "_is_first"
IS_LEAD = "_is_lead_creation"
IS_OPPORTUNITY = "_is_opportunity_creation"
IS_CLOSE = "_is_close"
ROLE_COLUMNS = (IS_FIRST, IS_LEAD, IS_OPPORTUNITY, IS_CLOSE)

_REQUIRED = (
    OPPORTUNITY_ID,
    ACCOUNT_ID,
    STATUS,
    AMOUNT,
    CLOSED_AT,
    TOUCH_ID,
    OCCURRED_AT,
    TEAM,
    CHANNEL,
    POSITION,
)
_OPTIONAL: dict[str, pl.DataType] = {
    CAMPAIGN: pl.String(),
    LEAD_CREATED_AT: pl.Datetime("us", "UTC"),
    OPPORTUNITY_CREATED_AT: pl.Datetime("us", "UTC"),
    DAYS_BEFORE_CLOSE: pl.Float64(),
}

WeightFn = Callable[[pl.LazyFrame], pl.Expr]
"""Builds a per-touch weight expression; may look at the creditable touches first."""


def check_team(team: str | None) -> None:
    """Raise :class:`ParameterError` unless ``team`` is ``None``, marketing or sales."""
    if team is not None and team not in TEAMS:
        raise ParameterError(f"team must be one of {TEAMS} or None, got {team!r}")


def check_options(model: str, options: Mapping[str, Any], allowed: Sequence[str]) -> None:
    """Raise :class:`ParameterError` for options ``model`` does not take, suggesting names."""
    unknown = [k for k in options if k not in allowed]
    if not unknown:
        return
    hints = []
    for name in unknown:
        hint = did_you_mean(name, allowed)
        hints.append(f"{name!r}" + (f" ({hint})" if hint else ""))
    valid = ", ".join(allowed) if allowed else "none"
    raise ParameterError(
        f"model {model!r} got unknown option(s) {', '.join(hints)}; its options are: {valid}"
    )


def in_deal_order() -> pl.Expr:
    """Check that rows are strictly ordered by ``opportunity_id``, then ``position``."""
    prev_id, prev_position = pl.col(OPPORTUNITY_ID).shift(1), pl.col(POSITION).shift(1)
    later = (pl.col(OPPORTUNITY_ID) > prev_id) | (
        (pl.col(OPPORTUNITY_ID) == prev_id) & (pl.col(POSITION) > prev_position)
    )
    return later.fill_null(True).all()


def won_frame(journeys: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Return the won rows of a journeys frame, checked, sorted and numbered by deal.

    Rows are in ``opportunity_id``, ``position`` order (journeys already are, so the sort is
    skipped after a linear check) and carry :data:`DEAL`, the deal's integer rank, which
    per-deal window expressions use as their (fast) key. Raises :class:`SchemaError`
    naming every missing journeys column.
    """
    lf = journeys.lazy()
    schema = lf.collect_schema()
    missing = [c for c in _REQUIRED if c not in schema]
    if missing:
        raise SchemaError(
            f"journeys: missing column(s) {', '.join(missing)}; build journeys with "
            f"attribution.journeys(dataset) (columns present: {', '.join(schema.names())})"
        )
    lf = lf.with_columns(
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in _OPTIONAL.items()
        if name not in schema
    )
    # materialised in sorted order: per-deal float sums then add up in the same order
    # whatever the input row order (a lazy plan may evaluate them before the sort)
    won = lf.filter(pl.col(STATUS) == "won").collect()
    if not (won.schema[OPPORTUNITY_ID] == pl.String and won.select(in_deal_order()).item()):
        won = won.sort(OPPORTUNITY_ID, POSITION)
    return won.with_columns(pl.col(OPPORTUNITY_ID).rle_id().alias(DEAL))


def won_deals(journeys: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """Return the won rows of a journeys frame, checked and sorted, as a LazyFrame.

    Raises :class:`SchemaError` naming every missing journeys column (see
    :func:`won_frame`).
    """
    return won_frame(journeys).lazy()


def _last_at_or_before(limit: str) -> pl.Expr:
    last = pl.col(RANK).filter(pl.col(OCCURRED_AT) <= pl.col(limit)).max().over(DEAL)
    return (pl.col(RANK) == last).fill_null(False)


def roles(won: pl.DataFrame, team: str | None) -> pl.LazyFrame:
    """Creditable touches of the won rows of :func:`won_frame`, with their role columns."""
    touched = won.lazy().filter(pl.col(TOUCH_ID).is_not_null())
    if team is not None:
        touched = touched.filter(pl.col(TEAM) == team)
    return touched.with_columns(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int32).over(DEAL).alias(RANK),
        pl.len().over(DEAL).cast(pl.Int32).alias(COUNT),
    ).with_columns(
        (pl.col(RANK) == 1).alias(IS_FIRST),
        _last_at_or_before(LEAD_CREATED_AT).alias(IS_LEAD),
        _last_at_or_before(OPPORTUNITY_CREATED_AT).alias(IS_OPPORTUNITY),
        (pl.col(RANK) == pl.col(COUNT)).alias(IS_CLOSE),
    )


def creditable(journeys: pl.DataFrame | pl.LazyFrame, team: str | None) -> pl.LazyFrame:
    """Won deals' creditable touches with their role columns (see the module docstring).

    Roles are computed on the touches that remain after the team filter: first and last
    (close) touch, lead creation (the last touch at or before ``lead_created_at``) and
    opportunity creation (the last touch at or before ``opportunity_created_at``).
    """
    check_team(team)
    return roles(won_frame(journeys), team)


def weight_expr(weight: pl.Expr) -> pl.Expr:
    """Clip a weight expression at 0, as Float64 (materialise it as a column before use)."""
    return pl.max_horizontal(weight.cast(pl.Float64), pl.lit(0.0))


def credit_expr(weight_column: str) -> pl.Expr:
    """Normalise the weight column of :func:`weight_expr` within each deal: the credit."""
    raw = pl.col(weight_column)
    # a running sum is sequential, so the total adds up in row order on every run (a plain
    # windowed sum may be split across threads and differ in the last bit)
    total = raw.cum_sum().last().over(DEAL)
    return pl.when(total > 0).then(raw / total).otherwise(1.0 / pl.col(COUNT))


def first_rows(won: pl.DataFrame) -> pl.DataFrame:
    """One row per won deal (its first), in deal order: account, amount, close."""
    return won.filter(pl.col(DEAL).is_first_distinct()).select(
        DEAL, OPPORTUNITY_ID, ACCOUNT_ID, AMOUNT, CLOSED_AT
    )


def no_touch_rows(deals: pl.DataFrame) -> pl.DataFrame:
    """Build the ``(no touch)`` credit rows of the given deals (rows of :func:`first_rows`)."""
    return deals.select(
        OPPORTUNITY_ID,
        pl.lit(None, dtype=pl.String).alias(TOUCH_ID),
        pl.lit(NO_TOUCH).alias(CHANNEL),
        pl.lit(NO_TOUCH).alias(TEAM),
        pl.lit(1.0).alias(CREDIT),
        pl.col(AMOUNT).cast(pl.Float64).alias(REVENUE),
        ACCOUNT_ID,
        pl.lit(NO_TOUCH).alias(CAMPAIGN),
        CLOSED_AT,
        pl.lit(0, dtype=pl.Int32).alias(POSITION),
    )


def allocate(
    journeys: pl.DataFrame | pl.LazyFrame,
    weight: WeightFn,
    *,
    team: str | None = None,
) -> pl.DataFrame:
    """Turn a per-touch weight into credits: normalise within each won deal, add no-touch rows.

    Parameters
    ----------
    journeys
        Output of :func:`attribution.journeys` (eager or lazy).
    weight
        Called with the creditable touches (a LazyFrame with the role columns); returns a
        non-negative weight expression evaluated per touch.
    team
        ``None`` credits touches of both teams; ``"marketing"`` or ``"sales"`` only that
        team's touches.

    Returns
    -------
    polars.DataFrame
        The credits table (:data:`CREDIT_COLUMNS` then ``account_id, campaign, closed_at,
        position``), sorted by ``opportunity_id`` then ``position``; zero-credit touches are
        left out.

    Examples
    --------
    >>> import polars as pl
    >>> j = pl.DataFrame({"opportunity_id": ["o1", "o1"], "account_id": ["a", "a"],
    ...     "status": ["won", "won"], "amount": [90.0, 90.0], "closed_at": [None, None],
    ...     "touch_id": ["t1", "t2"], "occurred_at": [None, None],
    ...     "team": ["marketing", "sales"], "channel": ["email", "demo"], "position": [1, 2]})
    >>> allocate(j, lambda lf: pl.lit(1.0))["revenue"].to_list()
    [45.0, 45.0]
    """
    check_team(team)
    won = won_frame(journeys)
    touches = roles(won, team)
    columns = [*CREDIT_COLUMNS, *EXTRA_COLUMNS]
    credited = (
        touches.with_columns(weight_expr(weight(touches)).alias("_w"))
        .with_columns(credit_expr("_w").alias(CREDIT))
        .filter(pl.col(CREDIT) > 0)
        .with_columns((pl.col(CREDIT) * pl.col(AMOUNT)).alias(REVENUE))
        .select(
            DEAL,
            *(
                pl.col(c).cast(pl.String) if c in (CHANNEL, TEAM, CAMPAIGN, TOUCH_ID) else c
                for c in columns
            ),
        )
        .with_columns(pl.col(POSITION).cast(pl.Int32))
        .collect()
    )
    deals = first_rows(won)
    untouched = deals.filter(~pl.col(DEAL).is_in(credited[DEAL].unique().implode()))
    no_touch = no_touch_rows(untouched)
    credited = credited.drop(DEAL)
    if no_touch.is_empty():
        return credited
    if no_touch.schema == credited.schema:
        # both are in opportunity order and no deal is in both: a linear merge
        return credited.merge_sorted(no_touch, key=OPPORTUNITY_ID)
    out = pl.concat([credited, no_touch], how="vertical_relaxed")
    return out.sort(OPPORTUNITY_ID, POSITION)
