"""From simulated arrays to the contract's tables (and the per-deal truth), in polars.

Ids are made from the account's number in the whole simulation: accounts ``A0000042``,
contacts ``A0000042-C1``, touches ``A0000042-T001``, opportunities ``A0000042-O1``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import polars as pl

from attribution.data.demo.catalog import (
    ACTIVITY,
    ALL_CHANNELS,
    CAMPAIGN_PREFIX,
    CAMPAIGN_THEMES,
    COST,
    INDUSTRIES,
    MARKETING_CHANNELS,
    N_MARKETING,
    REPS,
    SEGMENTS,
    STAGE_NAMES,
)
from attribution.data.demo.channels import true_channel_values
from attribution.data.demo.marketing import Accounts, Contacts, Scores
from attribution.data.demo.sales import Deals, Routes, Stages
from attribution.data.demo.truth import BASELINE, TRUE_PREFIX, Outcome, deal_values
from attribution.data.schema import MARKETING, SALES, TIMESTAMP

__all__ = [
    "account_ids",
    "accounts_table",
    "contact_ids",
    "contacts_table",
    "link_sales_touches",
    "opportunities_table",
    "stage_history_table",
    "touches_table",
    "truth_table",
]


def _timestamps(start: datetime, day: pl.Expr) -> pl.Expr:
    """Day offsets -> UTC timestamps rounded to the second."""
    start_us = int(start.timestamp() * 1_000_000)
    return (
        (pl.lit(start_us) + (day * 86_400).round(0).cast(pl.Int64) * 1_000_000)
        .cast(pl.Datetime("us"))
        .dt.replace_time_zone("UTC")
        .cast(TIMESTAMP)
    )


def _lookup(values: Any, index: pl.Expr) -> pl.Expr:
    """Vectorised ``values[index]`` inside a polars expression."""
    series = values if isinstance(values, pl.Series) else pl.Series(values)
    return pl.lit(series).gather(index)


def account_ids(first: int) -> pl.Expr:
    """Return the account id of column ``acc`` (the account's number in a chunk from ``first``).

    Examples
    --------
    >>> pl.DataFrame({"acc": [0, 41]}).select(account_ids(1))["acc"].to_list()
    ['A0000001', 'A0000042']
    """
    return pl.format("A{}", (pl.col("acc") + first).cast(pl.String).str.zfill(7))


def _opportunity_ids(aid: pl.Expr) -> pl.Expr:
    return pl.format("{}-O1", aid).alias("opportunity_id")


def accounts_table(acc: Accounts, aid: pl.Expr) -> pl.DataFrame:
    """Build the ``accounts`` table."""
    frame = pl.DataFrame(
        {"acc": acc.index, "seg": acc.segment, "ind": acc.industry, "emp": acc.employees}
    )
    return frame.select(
        aid.alias("account_id"),
        _lookup(SEGMENTS, pl.col("seg")).alias("segment"),
        _lookup(INDUSTRIES, pl.col("ind")).alias("industry"),
        pl.col("emp").alias("employees"),
    )


def contact_ids(contacts: Contacts, aid: pl.Expr) -> pl.Series:
    """Contact ids: the account id and the contact's rank within the account."""
    return (
        pl.DataFrame({"acc": contacts.account})
        .with_columns(pl.int_range(1, pl.len() + 1).over("acc").alias("k"))
        .select(pl.format("{}-C{}", aid, pl.col("k")).alias("contact_id"))["contact_id"]
    )


def contacts_table(
    contacts: Contacts,
    scores: Scores,
    sql_day: np.ndarray,
    ids: pl.Series,
    aid: pl.Expr,
    start: datetime,
) -> pl.DataFrame:
    """Build the ``contacts`` table: lead source, the CRM's MQL and SQL marks, the lead score."""
    frame = pl.DataFrame(
        {
            "contact_id": ids,
            "acc": contacts.account,
            "day": contacts.day,
            "src": contacts.source,
            "mql": scores.mql_day,
            "sql": sql_day,
            "score": scores.score,
        },
        nan_to_null=True,
    )
    return frame.select(
        "contact_id",
        aid.alias("account_id"),
        _timestamps(start, pl.col("day")).alias("created_at"),
        _lookup(MARKETING_CHANNELS, pl.col("src")).alias("lead_source"),
        _timestamps(start, pl.col("mql")).alias("mql_at"),
        _timestamps(start, pl.col("sql")).alias("sql_at"),
        pl.col("score").cast(pl.Float64),
    )


def _campaign() -> pl.Expr:
    """``<prefix> <theme> <year>Q<quarter>`` for channels with campaigns, else null."""
    themes = [CAMPAIGN_THEMES.get(c, ("",)) for c in ALL_CHANNELS]
    themes_flat = pl.Series([t for group in themes for t in group])
    prefix = _lookup(
        pl.Series([CAMPAIGN_PREFIX.get(c) for c in ALL_CHANNELS], dtype=pl.String), pl.col("ch")
    )
    return (
        pl.when(prefix.is_not_null())
        .then(
            pl.format(
                "{} {} {}Q{}",
                prefix,
                _lookup(themes_flat, pl.col("theme_idx")),
                pl.col("occurred_at").dt.year(),
                pl.col("occurred_at").dt.quarter(),
            )
        )
        .alias("campaign")
    )


def _theme_index() -> pl.Expr:
    """Index into the flat list of campaign themes: the channel's themes, drawn at random."""
    sizes = [len(CAMPAIGN_THEMES.get(c, ("",))) for c in ALL_CHANNELS]
    n_themes = pl.Series(sizes)
    offsets = pl.Series(np.r_[0, np.cumsum(sizes)][:-1])
    ch = pl.col("ch")
    return (_lookup(offsets, ch) + pl.col("theme") % _lookup(n_themes, ch)).alias("theme_idx")


def touches_table(
    touches: dict[str, np.ndarray],
    theme: np.ndarray,
    ids: pl.Series,
    aid: pl.Expr,
    start: datetime,
    horizon: float,
) -> pl.DataFrame:
    """Build the ``touches`` table, numbered per account in time order (``theme``: campaigns)."""
    n_c = ids.len()
    frame = pl.DataFrame(
        {
            "acc": touches["account"],
            "day": touches["day"],
            "ch": touches["channel"],
            "contact": np.where(touches["contact"] >= 0, touches["contact"], n_c),
            "rep": touches["rep"],
            "theme": theme,
        }
    ).filter(pl.col("day") < horizon)
    number = pl.int_range(1, pl.len() + 1).over("acc").cast(pl.String).str.zfill(3)
    contact_lookup = pl.concat([ids, pl.Series([None], dtype=pl.String)])
    ch = pl.col("ch")
    return (
        frame.with_columns(_timestamps(start, pl.col("day")).alias("occurred_at"), _theme_index())
        .sort("acc", "day", "ch")
        .select(
            pl.format("{}-T{}", aid, number).alias("touch_id"),
            aid.alias("account_id"),
            "occurred_at",
            pl.when(ch < N_MARKETING)
            .then(pl.lit(MARKETING))
            .otherwise(pl.lit(SALES))
            .alias("team"),
            _lookup(ALL_CHANNELS, ch).alias("channel"),
            _lookup(contact_lookup, pl.col("contact")).alias("contact_id"),
            _campaign(),
            ch.replace_strict({i: ACTIVITY[c] for i, c in enumerate(ALL_CHANNELS)}).alias(
                "activity"
            ),
            ch.replace_strict(
                {i: COST.get(c) for i, c in enumerate(ALL_CHANNELS)}, return_dtype=pl.Float64
            ).alias("cost"),
            pl.when(pl.col("rep") >= 0)
            .then(_lookup(REPS, pl.col("rep").clip(0, len(REPS) - 1)))
            .alias("rep"),
        )
    )


def link_sales_touches(touches: pl.DataFrame, opportunities: pl.DataFrame) -> pl.DataFrame:
    """Log the sales touches made from a deal's creation on to that deal, as a CRM does.

    Adds ``opportunity_id`` (empty for marketing touches and earlier sales touches). An
    account has one deal at most, so journeys are the same with and without the link.
    """
    deals = opportunities.select("account_id", "opportunity_id", pl.col("created_at").alias("_at"))
    on_deal = (pl.col("team") == SALES) & (pl.col("occurred_at") >= pl.col("_at"))
    return (
        touches.join(deals, on="account_id", how="left", maintain_order="left")
        .with_columns(pl.when(on_deal).then(pl.col("opportunity_id")).alias("opportunity_id"))
        .drop("_at")
    )


def opportunities_table(
    deals: Deals,
    routes: Routes,
    outcome: Outcome,
    stages: Stages,
    aid: pl.Expr,
    start: datetime,
) -> pl.DataFrame:
    """Build the ``opportunities`` table: one deal per account that opened one."""
    o = np.flatnonzero(deals.has_opp)
    frame = pl.DataFrame(
        {
            "acc": o,
            "created": deals.created[o],
            "closed": np.where(deals.is_closed[o], deals.close_plan[o], np.nan),
            "won": outcome.won[o],
            "amount": outcome.amount[o],
            "stage": stages.now[o],
            "source": np.where(routes.outbound[o], 1, 0),
            "rep": np.where(routes.self_serve[o], -1, routes.rep[o]),
        },
        nan_to_null=True,
    )
    return frame.select(
        _opportunity_ids(aid),
        aid.alias("account_id"),
        _timestamps(start, pl.col("created")).alias("created_at"),
        pl.col("won").alias("is_won"),
        pl.col("amount").cast(pl.Float64),
        _timestamps(start, pl.col("closed")).alias("closed_at"),
        _lookup(STAGE_NAMES, pl.col("stage")).alias("stage"),
        pl.when(pl.col("source") == 1)
        .then(pl.lit("outbound"))
        .otherwise(pl.lit("marketing"))
        .alias("source"),
        pl.when(pl.col("rep") >= 0).then(_lookup(REPS, pl.col("rep").clip(0))).alias("rep"),
    )


def stage_history_table(stages: Stages, aid: pl.Expr, start: datetime) -> pl.DataFrame:
    """Build the ``stage_history`` table, in account and time order."""
    return (
        pl.DataFrame({"acc": stages.account, "stage": stages.stage, "day": stages.day})
        .sort("acc", "day", "stage")
        .select(
            _opportunity_ids(aid),
            _lookup(STAGE_NAMES, pl.col("stage")).alias("stage"),
            _timestamps(start, pl.col("day")).alias("entered_at"),
        )
    )


def truth_table(
    deals: Deals, outcome: Outcome, aid: pl.Expr, extra: dict[str, np.ndarray] | None = None
) -> pl.DataFrame:
    """Per closed deal: exposures, true win probability, expected amount and values.

    Then the deal's amount, its true incremental revenue per channel (``true_<channel>``),
    its baseline (``true_baseline``) and any ``extra`` columns (already for closed deals).
    """
    c = np.flatnonzero(deals.is_closed)
    values, baseline = true_channel_values(outcome, c)
    return pl.DataFrame(
        {
            "acc": c,
            "m": outcome.m[c].astype(np.int64),
            "s": outcome.s[c].astype(np.int64),
            "speed_hours": outcome.speed_hours[c],
            "p_win": outcome.p_win[c],
            "expected_amount": outcome.model.mean_amount(True)[c],
            "is_won": outcome.won[c],
            **deal_values(outcome.model, c),
            "amount": outcome.amount[c],
            **{f"{TRUE_PREFIX}{name}": values[:, i] for i, name in enumerate(ALL_CHANNELS)},
            f"{TRUE_PREFIX}{BASELINE}": baseline,
            **(extra or {}),
        },
        nan_to_null=True,
    ).select(_opportunity_ids(aid), pl.exclude("acc"))
