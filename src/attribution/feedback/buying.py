"""Buying groups: the people engaged in each deal before it closed, by role.

A deal's buying group is every contact touched (by either team) in its journey window
(:func:`attribution.journeys`): from ``lookback_days`` before the deal opened to its close,
or to ``as_of`` while it is open. Each person's role is their role on that deal where the
CRM lists one (the optional ``opportunity_contacts`` table, e.g. Salesforce's
``OpportunityContactRole``), else their contact role, else the one their title implies
(:func:`attribution.data.roles.role_expr`).

:func:`win_rate_by_group_size` describes how winning goes with the group's size and
:func:`thin_open_deals` lists open deals with a thin group; the adjusted estimate of the
decision maker's association with winning is in :mod:`attribution.feedback.buying_effect`.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from attribution._intervals import DEFAULT_LEVEL, check_level
from attribution._time import DEFAULT_LOOKBACK_DAYS, days_between
from attribution._time import as_of as resolve_as_of
from attribution.data.dataset import Dataset
from attribution.data.roles import DECISION_MAKER, ROLES
from attribution.feedback.frames import (
    NONE_LABEL,
    account_firmographics,
    contacts_with_roles,
    deal_roles,
)
from attribution.feedback.reasons import with_share_intervals
from attribution.journey.build import journeys
from attribution.results import Result

__all__ = [
    "buying_groups",
    "thin_open_deals",
    "win_rate_by_group_size",
]

UNKNOWN_ROLE = "unknown"
GROUP_BANDS = ("0", "1", "2", "3", "4+")


def buying_groups(
    dataset: Dataset, *, lookback_days: float = DEFAULT_LOOKBACK_DAYS, as_of: datetime | None = None
) -> pl.DataFrame:
    """Return one row per deal: its status and the people engaged before the close, by role.

    Columns: ``opportunity_id``, ``account_id``, ``status`` (won, lost, open), ``amount``,
    ``created_at``, ``segment``, ``size``, ``engaged`` (distinct contacts), one count per
    role (:data:`~attribution.data.roles.ROLES` and ``unknown``), ``has_decision_maker``
    and ``group_band``.

    Examples
    --------
    >>> import attribution as at
    >>> g = buying_groups(at.demo.generate(n_accounts=200, seed=2))
    >>> int((g["engaged"] >= g["decision_maker"]).sum()) == g.height
    True
    """
    path = journeys(dataset, lookback_days=lookback_days, as_of=as_of, lazy=True)
    people = (
        path.filter(pl.col("contact_id").is_not_null())
        .select("opportunity_id", "contact_id")
        .unique()
        .join(contacts_with_roles(dataset), on="contact_id", how="left")
        .join(deal_roles(dataset), on=["opportunity_id", "contact_id"], how="left")
        .with_columns(pl.coalesce("deal_role", "role").fill_null(UNKNOWN_ROLE).alias("role"))
    )
    roles = (*ROLES, UNKNOWN_ROLE)
    counts = people.group_by("opportunity_id").agg(
        pl.len().cast(pl.Int64).alias("engaged"),
        *((pl.col("role") == r).sum().cast(pl.Int64).alias(r) for r in roles),
    )
    deals = (
        path.select(
            "opportunity_id",
            "account_id",
            "status",
            "amount",
            pl.col("opportunity_created_at").alias("created_at"),
        )
        .unique("opportunity_id")
        .join(account_firmographics(dataset), on="account_id", how="left")
        .join(counts, on="opportunity_id", how="left")
    )
    names = deals.collect_schema().names()
    fill = [pl.col(c).fill_null(0) for c in ("engaged", *roles)]
    return (
        deals.with_columns(
            *fill,
            *(
                (pl.col(c).cast(pl.String) if c in names else pl.lit(None, pl.String))
                .fill_null(NONE_LABEL)
                .alias(c)
                for c in ("segment", "size")
            ),
        )
        .with_columns(
            (pl.col(DECISION_MAKER) > 0).alias("has_decision_maker"),
            pl.when(pl.col("engaged") >= 4)
            .then(pl.lit("4+"))
            .otherwise(pl.col("engaged").cast(pl.String))
            .alias("group_band"),
        )
        .select(
            "opportunity_id",
            "account_id",
            "status",
            "amount",
            "created_at",
            "segment",
            "size",
            "engaged",
            *roles,
            "has_decision_maker",
            "group_band",
        )
        .sort("opportunity_id")
        .collect()
    )


def win_rate_by_group_size(
    groups: pl.DataFrame, *, level: float = DEFAULT_LEVEL, by: str = "group_band"
) -> Result:
    """Return the win rate of closed deals by the size of their buying group (or ``by``).

    Examples
    --------
    >>> g = pl.DataFrame(
    ...     {"status": ["won", "lost", "won", "open"], "group_band": ["1", "1", "2", "2"]}
    ... )
    >>> win_rate_by_group_size(g).table.select("group_band", "closed", "won").rows()
    [('1', 2, 1), ('2', 1, 1)]
    """
    level = check_level(level)
    closed = groups.filter(pl.col("status") != "open")
    table = (
        closed.group_by(by)
        .agg(
            pl.len().cast(pl.Int64).alias("closed"),
            (pl.col("status") == "won").sum().cast(pl.Int64).alias("won"),
        )
        .sort(by)
    )
    table = with_share_intervals(table, "won", "closed", level=level, prefix="win_rate")
    note = (
        f"Win rate of closed deals by the people engaged before the close ({level:.0%} "
        "Wilson intervals). Bigger groups go with bigger deals and longer cycles: a "
        "description, not the gain from adding a person."
    )
    return Result(table=table, note=note, level=level)


def thin_open_deals(
    dataset: Dataset,
    *,
    min_engaged: int = 2,
    lookback_days: float = DEFAULT_LOOKBACK_DAYS,
    as_of: datetime | None = None,
) -> Result:
    """Return the open deals at risk now: fewer than ``min_engaged`` people, or no decision maker.

    Largest amount first; ``days_open`` is counted to ``as_of``.

    Examples
    --------
    >>> import attribution as at
    >>> r = thin_open_deals(at.demo.generate(n_accounts=300, seed=2))
    >>> "has_decision_maker" in r.table.columns
    True
    """
    groups = buying_groups(dataset, lookback_days=lookback_days, as_of=as_of)
    now = resolve_as_of(dataset, as_of)
    table = (
        groups.filter(
            (pl.col("status") == "open")
            & ((pl.col("engaged") < min_engaged) | ~pl.col("has_decision_maker"))
        )
        .with_columns(days_between(pl.lit(now), "created_at").round(0).alias("days_open"))
        .select(
            "opportunity_id",
            "account_id",
            "segment",
            "amount",
            "days_open",
            "engaged",
            "has_decision_maker",
            *ROLES[1:],
        )
        .sort(["amount", "opportunity_id"], descending=[True, False])
    )
    note = (
        f"Open deals with fewer than {min_engaged} people engaged or no decision maker "
        "engaged so far. Closed deals like these won less often here (see the buying-group "
        "estimate); the CRM may not log every person a rep has met."
    )
    return Result(table=table, note=note)
