"""One deal's journey: its touches in time order, its milestones, and each model's credit.

:func:`largest_deals` picks the deals a reviewer asks about first (the largest won and
lost); :func:`deal_journey` lists one deal's touches (team, channel, campaign, activity),
its creation and close, its stage changes when the data has them, and the share of the
deal each model gave each touch, so the credits can be checked by eye.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from attribution._text import did_you_mean
from attribution.data.schema import (
    ACCOUNT_ID,
    ACTIVITY,
    AMOUNT,
    CAMPAIGN,
    CHANNEL,
    CLOSED_AT,
    CREATED_AT,
    ENTERED_AT,
    IS_WON,
    MQL_AT,
    OCCURRED_AT,
    OPPORTUNITY_ID,
    SQL_AT,
    STAGE,
    TEAM,
    TOUCH_ID,
)
from attribution.errors import ParameterError
from attribution.journey.columns import OPPORTUNITY_CREATED_AT, POSITION, STATUS

__all__ = ["deal_journey", "largest_deals"]

_EVENT_COLUMNS = ("at", "event", TEAM, CHANNEL, CAMPAIGN, ACTIVITY, TOUCH_ID)


def largest_deals(opportunities: pl.DataFrame | pl.LazyFrame, *, n: int = 5) -> pl.DataFrame:
    """Return the ``n`` largest won and ``n`` largest lost deals, won first.

    Examples
    --------
    >>> import attribution as at
    >>> d = largest_deals(at.demo.generate(n_accounts=300, seed=0).opportunities, n=2)
    >>> d["status"].to_list()
    ['won', 'won', 'lost', 'lost']
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ParameterError(f"n must be a positive whole number, got {n!r}")
    status = (
        pl.when(pl.col(IS_WON))
        .then(pl.lit("won"))
        .when(pl.col(CLOSED_AT).is_not_null())
        .then(pl.lit("lost"))
        .otherwise(pl.lit("open"))
    )
    return (
        opportunities.lazy()
        .with_columns(status.alias(STATUS))
        .filter(pl.col(STATUS) != "open")
        .sort(AMOUNT, OPPORTUNITY_ID, descending=[True, False])
        .group_by(STATUS, maintain_order=True)
        .head(n)
        .sort(pl.col(STATUS) == "lost", pl.col(AMOUNT), descending=[False, True])
        .select(OPPORTUNITY_ID, ACCOUNT_ID, STATUS, AMOUNT, CREATED_AT, CLOSED_AT)
        .collect()
    )


def deal_journey(
    journeys: pl.DataFrame | pl.LazyFrame,
    opportunity_id: str,
    *,
    credits: Mapping[str, pl.DataFrame] | None = None,
    stage_history: pl.DataFrame | pl.LazyFrame | None = None,
    contacts: pl.DataFrame | pl.LazyFrame | None = None,
) -> pl.DataFrame:
    """List one deal's touches and milestones in time order, with each model's credit.

    Parameters
    ----------
    journeys
        Output of :func:`attribution.journeys`.
    opportunity_id
        The deal; an unknown id names the closest one.
    credits
        ``{model name: credits table}``: adds a ``credit <model>`` column (the touch's share
        of the deal, 0 for a touch the model did not credit).
    stage_history
        The ``stage_history`` table, for the deal's stage changes.
    contacts
        The ``contacts`` table, for the account's first lead, MQL and SQL (those dated
        by the deal's close).

    Returns
    -------
    polars.DataFrame
        ``at, event, team, channel, campaign, activity, touch_id`` then one credit column
        per model; ``event`` is ``touch``, ``lead``, ``mql``, ``sql`` (with
        ``contacts``), ``created``, ``stage: <name>``, ``won`` or ``lost``.

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=300, seed=0)
    >>> j = at.journeys(ds)
    >>> deal = largest_deals(ds.opportunities, n=1)["opportunity_id"][0]
    >>> t = deal_journey(j, deal, credits={"linear": at.attribute(j, "linear")})
    >>> round(t["credit linear"].sum(), 9)
    1.0
    """
    rows = journeys.lazy().filter(pl.col(OPPORTUNITY_ID) == opportunity_id).collect()
    if rows.is_empty():
        known = journeys.lazy().select(pl.col(OPPORTUNITY_ID).unique()).collect().to_series()
        hint = did_you_mean(opportunity_id, known.to_list())
        raise ParameterError(
            f"no opportunity {opportunity_id!r} in the journeys" + (f"; {hint}" if hint else "")
        )
    table = _events(rows, opportunity_id, stage_history)
    if contacts is not None:
        table = _with_lead_milestones(table, contacts, rows.row(0, named=True))
    for name, table_of_model in (credits or {}).items():
        table = _with_credit(table, table_of_model, opportunity_id, f"credit {name}")
    return table


def _events(
    rows: pl.DataFrame, opportunity_id: str, stage_history: pl.DataFrame | pl.LazyFrame | None
) -> pl.DataFrame:
    """Order a deal's touches, creation, stage changes and close in time."""
    first = rows.row(0, named=True)
    touches = rows.filter(pl.col(TOUCH_ID).is_not_null()).sort(POSITION)
    events = [
        touches.select(
            pl.col(OCCURRED_AT).alias("at"),
            pl.lit("touch").alias("event"),
            *(pl.col(c).cast(pl.String) for c in (TEAM, CHANNEL, CAMPAIGN, ACTIVITY, TOUCH_ID)),
        ),
        _milestone(first[OPPORTUNITY_CREATED_AT], "created"),
    ]
    if first[CLOSED_AT] is not None:
        events.append(_milestone(first[CLOSED_AT], "won" if first[STATUS] == "won" else "lost"))
    if stage_history is not None:
        mine = stage_history.lazy().filter(pl.col(OPPORTUNITY_ID) == opportunity_id).collect()
        events.append(
            mine.select(
                pl.col(ENTERED_AT).alias("at"),
                pl.concat_str(pl.lit("stage: "), pl.col(STAGE).cast(pl.String)).alias("event"),
            )
        )
    order = {"created": 0, "touch": 1, "won": 3, "lost": 3}  # stage changes: 2
    return (
        pl.concat(events, how="diagonal_relaxed")
        .select(*_EVENT_COLUMNS)
        .with_columns(pl.col("event").replace_strict(order, default=2).alias("_o"))
        .sort("at", "_o", nulls_last=True, maintain_order=True)
        .drop("_o")
    )


def _with_lead_milestones(
    table: pl.DataFrame, contacts: pl.DataFrame | pl.LazyFrame, deal: dict[str, Any]
) -> pl.DataFrame:
    """Add the account's first lead, MQL and SQL (by the deal's close) to its events."""
    end = deal[CLOSED_AT]
    mine = contacts.lazy().filter(pl.col(ACCOUNT_ID) == deal[ACCOUNT_ID])
    firsts = [
        mine.select(
            pl.col(column).filter(pl.col(column) <= end) if end is not None else column
        ).select(pl.col(column).min().alias("at"), pl.lit(event).alias("event"))
        for column, event in ((CREATED_AT, "lead"), (MQL_AT, "mql"), (SQL_AT, "sql"))
        if column in mine.collect_schema()
    ]
    if not firsts:
        return table
    found = pl.concat(firsts).filter(pl.col("at").is_not_null()).collect()
    order = {"lead": 0, "mql": 1, "sql": 2, "created": 3, "touch": 4, "won": 6, "lost": 6}
    return (
        pl.concat([table, found], how="diagonal_relaxed")
        .with_columns(pl.col("event").replace_strict(order, default=5).alias("_o"))
        .sort("at", "_o", nulls_last=True, maintain_order=True)
        .drop("_o")
    )


def _with_credit(
    table: pl.DataFrame, credits: pl.DataFrame, opportunity_id: str, column: str
) -> pl.DataFrame:
    """Add one model's share of the deal per touch (0 for a touch it did not credit)."""
    shares = (
        credits.lazy()
        .filter(pl.col(OPPORTUNITY_ID) == opportunity_id)
        .group_by(TOUCH_ID)
        .agg(pl.col("credit").sum().alias(column))
        .collect()
    )
    return table.join(shares, on=TOUCH_ID, how="left", maintain_order="left").with_columns(
        pl.when(pl.col("event") == "touch").then(pl.col(column).fill_null(0.0)).alias(column)
    )


def _milestone(moment: object, event: str) -> pl.DataFrame:
    return pl.DataFrame(
        {"at": [moment], "event": [event]},
        schema={"at": pl.Datetime("us", "UTC"), "event": pl.String},
    )
