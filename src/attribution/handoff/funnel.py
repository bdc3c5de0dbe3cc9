"""The stage funnel: accounts reaching lead, MQL, SQL, opportunity and won.

Tables are tidy polars frames for the report's charts: one row per group and stage,
counts as integers, rates as fractions (0-1), durations in days.

The unit of the funnel is the **account** (the unit opportunities and revenue belong to):
its first lead, its first MQL (the hand-off), its first opportunity, and whether it won.

The other hand-off tables live beside this one and stay importable from here:
:func:`~attribution.handoff.sourcing.sourced_influenced` (pipeline and revenue each channel
sourced and influenced) and :func:`~attribution.handoff.speed.speed_to_lead` (follow-up of
MQLs within the service-level agreement, from
:func:`~attribution.journey.response.response_times`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise
from typing import Literal

import polars as pl

from attribution._time import as_of as resolve_as_of
from attribution._time import days_between
from attribution.data.dataset import Dataset
from attribution.data.schema import (
    ACCOUNT_ID,
    AMOUNT,
    CLOSED_AT,
    CONTACT_ID,
    CREATED_AT,
    IS_WON,
    LEAD_SOURCE,
    MQL_AT,
    SQL_AT,
    TIMESTAMP,
)
from attribution.errors import emit
from attribution.journey.controls import UNKNOWN, Period, period_label, with_segment
from attribution.journey.response import (
    by_list,
    need_contacts,
)

__all__ = ["FunnelBy", "account_stages", "funnel"]

FunnelBy = Literal["lead_source", "segment", "period"]
STAGES: tuple[str, ...] = ("lead", "mql", "sql", "opportunity", "won")
_FUNNEL_BY: tuple[str, ...] = ("lead_source", "segment", "period")
_NO_VALUE = pl.lit(None, dtype=pl.Float64)


def funnel(
    dataset: Dataset,
    *,
    by: FunnelBy | Sequence[FunnelBy] | None = None,
    period: Period = "quarter",
    as_of: datetime | None = None,
) -> pl.DataFrame:
    """Accounts reaching lead, MQL, SQL, opportunity and won, with conversion and timing.

    An account *reaches* a stage when it has that stage's date or any later one (so counts
    never grow down the funnel; an opportunity without a recorded SQL still passed SQL).
    Dates are the account's first: lead = first contact created, MQL = first ``mql_at``,
    SQL = first ``sql_at``, opportunity = first opportunity created, won = first won deal
    closed, all by ``as_of``. A stage with no date anywhere in the data is left out (with a
    warning), as it cannot be counted.

    Parameters
    ----------
    dataset
        A validated dataset with a ``contacts`` table.
    by
        Group by ``lead_source`` (of the account's first lead), ``segment`` or ``period``
        (of the first lead), or a list of them; ``None`` for one funnel.
    period
        ``month``, ``quarter`` or ``year`` for ``by="period"``.
    as_of
        The moment the data is seen at (default: its latest timestamp).

    Returns
    -------
    polars.DataFrame
        One row per group and stage: the ``by`` columns, ``stage``, ``step`` (1 = lead),
        ``accounts`` (reached it), ``conversion`` (from the previous stage),
        ``conversion_from_lead``, ``median_days`` (from the previous stage's date, among
        accounts with both), ``median_days_from_lead``, ``revenue`` (won stage only).

    Examples
    --------
    >>> import attribution as at
    >>> f = at.funnel(at.demo.generate(n_accounts=500, seed=1))
    >>> f["stage"].to_list()
    ['lead', 'mql', 'sql', 'opportunity', 'won']
    >>> (f["accounts"].diff().drop_nulls() <= 0).all()
    True
    """
    need_contacts(dataset, "funnel")
    keys = by_list(by, _FUNNEL_BY, "funnel")
    now = pl.lit(resolve_as_of(dataset, as_of)).cast(TIMESTAMP)
    data = _account_stages(dataset, now, period).collect()
    stages = _recorded_stages(data)
    table = _with_conversion(_stage_counts(data, stages, keys), keys)
    emit([*_missing_stage_messages(stages), *_same_date_messages(data, stages)])
    return table.select(
        *keys,
        "stage",
        pl.col("step").cast(pl.Int64),
        "accounts",
        "conversion",
        "conversion_from_lead",
        "median_days",
        "median_days_from_lead",
        "revenue",
    )


def account_stages(dataset: Dataset, *, as_of: datetime | None = None) -> pl.DataFrame:
    """One row per account with a lead: the first time it reached each stage by ``as_of``.

    The dates :func:`funnel` counts (``lead``, ``mql``, ``sql``, ``opportunity``,
    ``won``; empty when not reached), e.g. for
    :func:`attribution.handoff.periods.funnel_change`.

    Examples
    --------
    >>> import attribution as at
    >>> account_stages(at.demo.generate(n_accounts=300, seed=1)).columns
    ['account_id', 'lead', 'mql', 'sql', 'opportunity', 'won']
    """
    need_contacts(dataset, "funnel")
    now = pl.lit(resolve_as_of(dataset, as_of)).cast(TIMESTAMP)
    return _account_stages(dataset, now, "quarter").select(ACCOUNT_ID, *STAGES).collect()


def _account_stages(dataset: Dataset, as_of: pl.Expr, period: Period) -> pl.LazyFrame:
    """One row per account with a lead: first time it reached each stage, its groups."""
    stages = _lead_stages(dataset, as_of).join(
        _deal_stages(dataset, as_of), on=ACCOUNT_ID, how="left"
    )
    return with_segment(stages, dataset).with_columns(
        pl.col(LEAD_SOURCE).fill_null(UNKNOWN),
        period_label("lead", period).alias("period"),
        pl.col("revenue").fill_null(0.0),
    )


def _lead_stages(dataset: Dataset, as_of: pl.Expr) -> pl.LazyFrame:
    """Per account: its first lead, that lead's source, its first MQL and SQL by ``as_of``."""
    contacts = dataset.lazy("contacts").filter(pl.col(CREATED_AT) <= as_of)
    return contacts.group_by(ACCOUNT_ID).agg(
        pl.col(CREATED_AT).min().alias("lead"),
        pl.col(LEAD_SOURCE).sort_by(CREATED_AT, CONTACT_ID).first().alias(LEAD_SOURCE),
        pl.col(MQL_AT).filter(pl.col(MQL_AT) <= as_of).min().alias("mql"),
        pl.col(SQL_AT).filter(pl.col(SQL_AT) <= as_of).min().alias("sql"),
    )


def _deal_stages(dataset: Dataset, as_of: pl.Expr) -> pl.LazyFrame:
    """Per account: its first opportunity, first won deal and won revenue by ``as_of``."""
    won = pl.col(IS_WON) & (pl.col(CLOSED_AT) <= as_of)
    return (
        dataset.lazy("opportunities")
        .filter(pl.col(CREATED_AT) <= as_of)
        .group_by(ACCOUNT_ID)
        .agg(
            pl.col(CREATED_AT).min().alias("opportunity"),
            pl.col(CLOSED_AT).filter(won).min().alias("won"),
            pl.col(AMOUNT).filter(won).sum().alias("revenue"),
        )
    )


def _recorded_stages(data: pl.DataFrame) -> list[str]:
    """Return the stages dated somewhere in the data (the lead stage always)."""
    present = data.select([pl.col(s).is_not_null().any().alias(s) for s in STAGES]).row(
        0, named=True
    )
    return [s for s in STAGES if present[s] or s == "lead"]


def _missing_stage_messages(stages: Sequence[str]) -> list[str]:
    """Word a warning for each stage left out because the data has no date for it."""
    return [
        f"funnel: no {s.upper() if s in ('mql', 'sql') else s} dates in the data, so the "
        f"stage is left out"
        for s in STAGES
        if s not in stages
    ]


def _stage_counts(data: pl.DataFrame, stages: Sequence[str], keys: list[str]) -> pl.DataFrame:
    """One row per group and stage: accounts reaching it, median days, won revenue."""
    parts = []
    for k, stage in enumerate(stages):
        reached = pl.any_horizontal([pl.col(s).is_not_null() for s in stages[k:]])
        aggs = [
            reached.sum().cast(pl.Int64).alias("accounts"),
            (days_between(stage, stages[k - 1]).median() if k else _NO_VALUE).alias("median_days"),
            (days_between(stage, "lead").median() if k else _NO_VALUE).alias(
                "median_days_from_lead"
            ),
            (pl.col("revenue").sum() if stage == "won" else _NO_VALUE).alias("revenue"),
        ]
        grouped = data.group_by(keys).agg(aggs) if keys else data.select(aggs)
        parts.append(
            grouped.with_columns(
                pl.lit(stage).alias("stage"), pl.lit(STAGES.index(stage) + 1).alias("step")
            )
        )
    return pl.concat(parts, how="vertical_relaxed").sort([*keys, "step"])


def _with_conversion(table: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Add each stage's conversion from the previous stage and from lead, within groups."""

    def per_group(expr: pl.Expr) -> pl.Expr:
        return expr.over(keys) if keys else expr

    accounts = pl.col("accounts")
    return table.with_columns(
        per_group(accounts / accounts.shift(1)).alias("conversion"),
        per_group(accounts / accounts.first()).alias("conversion_from_lead"),
    )


def _same_date_messages(data: pl.DataFrame, stages: Sequence[str]) -> list[str]:
    """Word a warning for each stage dated as the one before for nearly all accounts."""
    messages = []
    for prev, stage in pairwise(stages):
        either = data.filter(pl.col(stage).is_not_null() | pl.col(prev).is_not_null())
        same = int((either[stage] == either[prev]).fill_null(False).sum())
        if either.height and same >= 0.99 * either.height:
            messages.append(
                f"funnel: the {stage} stage has the same date as the {prev} stage for "
                f"{same:,} of {either.height:,} accounts; the data records no separate "
                f"{stage} step, so its conversion says nothing"
            )
    return messages
