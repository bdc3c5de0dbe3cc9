"""Each lead's hand-off: its first MQL, the first sales touch after it, and what followed.

The unit is the **account** (the unit opportunities and revenue belong to): its first MQL
is the hand-off from marketing to sales, and its response is the first sales touch of the
account at or after it. :func:`response_times` is the one table the funnel's speed-to-lead
views, the speed-to-lead estimates and the scorecard's KPIs all read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

import polars as pl

from attribution._time import as_of as resolve_as_of
from attribution._time import hours_between
from attribution.data.dataset import Dataset
from attribution.data.schema import (
    ACCOUNT_ID,
    CLOSED_AT,
    CONTACT_ID,
    CREATED_AT,
    IS_WON,
    LEAD_SOURCE,
    MQL_AT,
    OCCURRED_AT,
    REP,
    SALES,
    SEGMENT,
    TEAM,
    TIMESTAMP,
    TOUCH_ID,
)
from attribution.errors import ParameterError
from attribution.journey.controls import UNKNOWN, period_label, with_segment
from attribution.journey.features import FIRST_RESPONSE_AT

__all__ = [
    "NO_RESPONSE",
    "RESPONSE_COLUMNS",
    "SPEED_BY",
    "SpeedBy",
    "by_list",
    "need_contacts",
    "response_times",
    "sales_only_on_won",
]

SpeedBy = Literal["rep", "lead_source", "month", "segment"]
NO_RESPONSE = "(no response)"
SPEED_BY: tuple[str, ...] = ("rep", "lead_source", "month", "segment")

RESPONSE_COLUMNS: tuple[str, ...] = (
    ACCOUNT_ID,
    CONTACT_ID,
    MQL_AT,
    LEAD_SOURCE,
    SEGMENT,
    "month",
    FIRST_RESPONSE_AT,
    REP,
    "response_hours",
    "followed_up",
    "pending",
    "within_sla",
    "opportunity",
    "won",
)
"""Columns of :func:`response_times`, in order."""


def by_list(by: str | Sequence[str] | None, allowed: Sequence[str], name: str) -> list[str]:
    """Return the grouping columns ``by`` names, checked against ``allowed``, once each.

    Examples
    --------
    >>> by_list(["rep", "month", "rep"], ["rep", "month"], "speed_to_lead")
    ['rep', 'month']
    >>> by_list(None, ["rep"], "speed_to_lead")
    []
    """
    if by is None:
        return []
    items = [by] if isinstance(by, str) else list(by)
    bad = [b for b in items if b not in allowed]
    if bad:
        raise ParameterError(
            f"{name}: by must be one of {', '.join(allowed)} (or a list of them, or None); "
            f"got {by!r}"
        )
    return list(dict.fromkeys(items))


def need_contacts(dataset: Dataset, what: str) -> None:
    """Raise a :class:`ParameterError` naming ``what`` when the dataset has no contacts."""
    if dataset.contacts is None:
        raise ParameterError(
            f"{what} needs the contacts table (leads with created_at and mql_at); "
            f"the dataset from {dataset.source} has none"
        )


def sales_only_on_won(dataset: Dataset) -> bool:
    """Whether sales touches exist only on accounts that won a deal, while others lost.

    Some exports (e.g. Olist's closed-deals file) record sales work only for won deals;
    then follow-up, speed-to-lead and sales' contribution cannot be measured.

    Examples
    --------
    >>> import attribution as at
    >>> sales_only_on_won(at.demo.generate(n_accounts=300, seed=0))
    False
    """
    opps = dataset.lazy("opportunities")
    won = opps.filter(pl.col(IS_WON)).select(ACCOUNT_ID).unique()
    sales = dataset.lazy("touches").filter(pl.col(TEAM) == SALES).select(ACCOUNT_ID).unique()
    n_sales, n_lost, outside = pl.collect_all(
        [
            sales.select(pl.len()),
            opps.filter(~pl.col(IS_WON) & pl.col(CLOSED_AT).is_not_null()).select(pl.len()),
            sales.join(won, on=ACCOUNT_ID, how="anti").select(pl.len()),
        ]
    )
    return bool(n_sales.item() and n_lost.item() and outside.item() == 0)


def response_times(
    dataset: Dataset,
    *,
    sla_hours: float = 24,
    as_of: datetime | None = None,
) -> pl.DataFrame:
    """One row per account's first MQL: hours to the first sales touch, SLA and outcome.

    The first MQL of an account is the hand-off; its response is the first sales touch of
    the account at or after it. An MQL not followed up by ``as_of`` is *never followed up*,
    unless it is younger than ``sla_hours`` (then *pending*: its SLA cannot be judged yet).

    Parameters
    ----------
    dataset
        A validated dataset with ``contacts`` (``mql_at``) and sales touches.
    sla_hours
        The agreed maximum hours from MQL to the first sales touch.
    as_of
        The moment the data is seen at (default: its latest timestamp); later MQLs,
        touches and deals are left out.

    Returns
    -------
    polars.DataFrame
        ``account_id``, ``contact_id`` (the MQL), ``mql_at``, ``lead_source``,
        ``segment``, ``month`` (of the MQL), ``first_response_at``, ``rep`` (who made that
        touch; ``(no response)`` when none), ``response_hours``, ``followed_up``,
        ``pending``, ``within_sla`` (empty while pending), ``opportunity`` (an opportunity
        created at or after the MQL), ``won`` (that account won a deal by ``as_of``).

    Examples
    --------
    >>> import attribution as at
    >>> r = at.response_times(at.demo.generate(n_accounts=500, seed=1))
    >>> r.filter(r["followed_up"])["response_hours"].min() >= 0
    True
    """
    need_contacts(dataset, "response_times")
    if not sla_hours > 0:
        raise ParameterError(f"sla_hours must be a positive number of hours; got {sla_hours!r}")
    now = pl.lit(resolve_as_of(dataset, as_of)).cast(TIMESTAMP)
    mqls = _first_mqls(dataset, now)
    out = (
        mqls.join(_first_responses(dataset, mqls, now), on=ACCOUNT_ID, how="left")
        .join(_opportunities_after(dataset, mqls, now), on=ACCOUNT_ID, how="left")
        .pipe(with_segment, dataset)
    )
    return (
        _with_outcomes(out, now, sla_hours)
        .select(RESPONSE_COLUMNS)
        .sort(MQL_AT, ACCOUNT_ID)
        .collect()
    )


def _first_mqls(dataset: Dataset, now: pl.Expr) -> pl.LazyFrame:
    """Each account's first MQL by ``now``: its contact, time and lead source."""
    return (
        dataset.lazy("contacts")
        .filter(pl.col(MQL_AT).is_not_null() & (pl.col(MQL_AT) <= now))
        .group_by(ACCOUNT_ID)
        .agg(
            pl.col(CONTACT_ID).sort_by(MQL_AT, CONTACT_ID).first(),
            pl.col(MQL_AT).min(),
            pl.col(LEAD_SOURCE).sort_by(MQL_AT, CONTACT_ID).first().fill_null(UNKNOWN),
        )
    )


def _first_responses(dataset: Dataset, mqls: pl.LazyFrame, now: pl.Expr) -> pl.LazyFrame:
    """Each account's first sales touch at or after its MQL (by ``now``), and its rep."""
    sales = dataset.lazy("touches").filter((pl.col(TEAM) == SALES) & (pl.col(OCCURRED_AT) <= now))
    return (
        mqls.select(ACCOUNT_ID, MQL_AT)
        .join(sales.select(ACCOUNT_ID, OCCURRED_AT, REP, TOUCH_ID), on=ACCOUNT_ID)
        .filter(pl.col(OCCURRED_AT) >= pl.col(MQL_AT))
        .group_by(ACCOUNT_ID)
        .agg(
            pl.col(OCCURRED_AT).min().alias(FIRST_RESPONSE_AT),
            pl.col(REP).sort_by(OCCURRED_AT, TOUCH_ID).first(),
        )
    )


def _opportunities_after(dataset: Dataset, mqls: pl.LazyFrame, now: pl.Expr) -> pl.LazyFrame:
    """Whether each MQL's account created an opportunity after it, and won a deal by ``now``."""
    return (
        dataset.lazy("opportunities")
        .filter(pl.col(CREATED_AT) <= now)
        .join(mqls.select(ACCOUNT_ID, MQL_AT), on=ACCOUNT_ID)
        .group_by(ACCOUNT_ID)
        .agg(
            (pl.col(CREATED_AT) >= pl.col(MQL_AT)).any().alias("opportunity"),
            (pl.col(IS_WON) & (pl.col(CLOSED_AT) <= now)).any().alias("won"),
        )
    )


def _with_outcomes(out: pl.LazyFrame, now: pl.Expr, sla_hours: float) -> pl.LazyFrame:
    """Add the MQL's month, response hours, follow-up, pending and SLA flags."""
    followed = pl.col(FIRST_RESPONSE_AT).is_not_null()
    pending = ~followed & (hours_between(now, MQL_AT) < sla_hours)
    return out.with_columns(
        period_label(MQL_AT, "month").alias("month"),
        hours_between(FIRST_RESPONSE_AT, MQL_AT).alias("response_hours"),
        followed.alias("followed_up"),
        pending.alias("pending"),
        pl.col(REP).fill_null(NO_RESPONSE),
        pl.col("opportunity").fill_null(False),
        pl.col("won").fill_null(False),
    ).with_columns(
        pl.when(pl.col("pending"))
        .then(None)
        .otherwise(pl.col("followed_up") & (pl.col("response_hours") <= sla_hours))
        .alias("within_sla")
    )
