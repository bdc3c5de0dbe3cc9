"""What a dataset holds, as far as the report sections care: counted once, in one pass per table.

:func:`facts` feeds :func:`attribution.report.readiness.readiness`, which decides from these
counts which sections every page can show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from attribution.data.dataset import Dataset
from attribution.data.schema import (
    CAMPAIGN,
    CLOSED_AT,
    CONTACT_ID,
    COST,
    IS_WON,
    MARKETING,
    MQL_AT,
    OPPORTUNITY_ID,
    REP,
    SALES,
    SQL_AT,
    TEAM,
)
from attribution.report.feedback_sections import insight_counts

__all__ = ["Facts", "facts"]


@dataclass(frozen=True)
class Facts:
    """What a dataset holds, as far as the report sections care (counts of rows)."""

    tables: frozenset[str]
    marketing_touches: int
    sales_touches: int
    with_rep: int
    with_campaign: int
    with_contact: int
    linked: int
    won: int
    lost: int
    mqls: int
    sqls: int
    count_only: bool
    agreed: bool
    """The scorecard has both agreement files (or the data is the built-in demo)."""
    with_cost: int = 0
    """Touches with a positive cost (spend without a spend table)."""
    insight: Mapping[str, int] = field(default_factory=dict)
    """What the sales-insight sections rest on (:func:`insight_counts`)."""


def _count(frame: pl.LazyFrame, column: str) -> pl.Expr:
    names = frame.collect_schema().names()
    return pl.col(column).is_not_null().sum() if column in names else pl.lit(0)


def _positive(frame: pl.LazyFrame, column: str) -> pl.Expr:
    names = frame.collect_schema().names()
    return (pl.col(column) > 0).sum() if column in names else pl.lit(0)


def facts(dataset: Dataset, *, agreed: bool) -> Facts:
    """Count what the report sections need, in one pass over each table.

    Examples
    --------
    >>> import attribution as at
    >>> f = facts(at.demo.generate(n_accounts=200, seed=0), agreed=True)
    >>> "contacts" in f.tables, f.marketing_touches > 0, f.count_only
    (True, True, False)
    """
    t = dataset.lazy("touches")
    o = dataset.lazy("opportunities")
    closed = pl.col(CLOSED_AT).is_not_null()
    queries = [
        t.select(
            (pl.col(TEAM) == MARKETING).sum().alias("m"),
            (pl.col(TEAM) == SALES).sum().alias("s"),
            _count(t, REP).alias("rep"),
            _count(t, CAMPAIGN).alias("campaign"),
            _count(t, CONTACT_ID).alias("contact"),
            _count(t, OPPORTUNITY_ID).alias("linked"),
            _positive(t, COST).alias("cost"),
        ),
        o.select(
            (closed & pl.col(IS_WON)).sum().alias("won"),
            (closed & ~pl.col(IS_WON)).sum().alias("lost"),
        ),
    ]
    if dataset.contacts is not None:
        c = dataset.lazy("contacts")
        queries.append(c.select(_count(c, MQL_AT).alias("mqls"), _count(c, SQL_AT).alias("sqls")))
    rows = [row for frame in pl.collect_all(queries) for row in frame.to_dicts()]
    got = {k: int(v or 0) for row in rows for k, v in row.items()}
    return Facts(
        tables=frozenset(dataset.tables()),
        marketing_touches=got["m"],
        sales_touches=got["s"],
        with_rep=got["rep"],
        with_campaign=got["campaign"],
        with_contact=got["contact"],
        linked=got["linked"],
        won=got["won"],
        lost=got["lost"],
        mqls=got.get("mqls", 0),
        sqls=got.get("sqls", 0),
        count_only=bool(getattr(dataset, "count_only", False)),
        agreed=agreed,
        with_cost=got["cost"],
        insight=insight_counts(dataset),
    )
