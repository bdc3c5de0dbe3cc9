"""The rows the sales-insight views count: closed deals and the leads sales worked.

Each row carries the dimensions the views group by: the **channel** and **campaign** of the
first marketing touch (a deal's: in its journey window; a lead's: the first reaching that
person), the account's **segment**, **industry**, **region** and **size band**, and for deals
the **rep** and recorded **source**. A missing value is a level of its own
(:data:`NONE_LABEL`), so every row is counted somewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Literal

import polars as pl

from attribution._time import DEFAULT_LOOKBACK_DAYS, days_between
from attribution.data.dataset import Dataset
from attribution.data.dispositions import is_disqualified
from attribution.data.roles import ROLES, buying_role, role_expr
from attribution.errors import SchemaError
from attribution.estimates.modeling import bin_by_edges
from attribution.feedback.reasons import normalise_reason
from attribution.journey.build import journeys

__all__ = [
    "DEAL_DIMENSIONS",
    "LEAD_DIMENSIONS",
    "NONE_LABEL",
    "SIZE_BANDS",
    "DealBy",
    "LeadBy",
    "account_firmographics",
    "closed_deals",
    "contacts_with_roles",
    "deal_roles",
    "is_disqualified",
    "worked_leads",
]

NONE_LABEL = "(none)"
"""The level of a row without a value in the dimension (e.g. no marketing touch)."""
SIZE_EDGES = (50.0, 250.0, 1000.0, 5000.0)
SIZE_BANDS = ("1-49", "50-249", "250-999", "1,000-4,999", "5,000+")
"""Company size bands by employees."""

DealBy = Literal["channel", "campaign", "segment", "industry", "region", "size", "rep", "source"]
LeadBy = Literal[
    "channel",
    "campaign",
    "segment",
    "industry",
    "region",
    "size",
    "lead_source",
    "lead_profile",
    "rep",
]
DEAL_DIMENSIONS: tuple[str, ...] = DealBy.__args__  # type: ignore[attr-defined]
LEAD_DIMENSIONS: tuple[str, ...] = LeadBy.__args__  # type: ignore[attr-defined]


def _labels(columns: list[str]) -> list[pl.Expr]:
    return [pl.col(c).cast(pl.String).fill_null(NONE_LABEL).alias(c) for c in columns]


def account_firmographics(dataset: Dataset) -> pl.LazyFrame:
    """Per account: segment, industry, region and size band (empty without accounts)."""
    if dataset.accounts is None:
        return pl.LazyFrame(schema={"account_id": pl.String})
    accounts = dataset.lazy("accounts")
    names = accounts.collect_schema().names()
    out = [pl.col("account_id")]
    for c in ("segment", "industry", "region"):
        out.append(pl.col(c).cast(pl.String) if c in names else pl.lit(None, pl.String).alias(c))
    size = (
        bin_by_edges(pl.col("employees").cast(pl.Float64), SIZE_EDGES, SIZE_BANDS)
        if "employees" in names
        else pl.lit(None, pl.String)
    )
    out.append(size.alias("size"))
    if "employees" in names:
        out.append(pl.col("employees").cast(pl.Float64))
    return accounts.select(out)


def _with_accounts(frame: pl.LazyFrame, dataset: Dataset) -> pl.LazyFrame:
    joined = frame.join(account_firmographics(dataset), on="account_id", how="left")
    names = joined.collect_schema().names()
    missing = [c for c in ("segment", "industry", "region", "size") if c not in names]
    return joined.with_columns(pl.lit(None, pl.String).alias(c) for c in missing)


def closed_deals(
    dataset: Dataset,
    *,
    synonyms: Mapping[str, str] | None = None,
    lookback_days: float = DEFAULT_LOOKBACK_DAYS,
    as_of: datetime | None = None,
) -> pl.DataFrame:
    """Return one row per deal closed by ``as_of``: outcome, normalised loss reason, dimensions.

    Columns: ``opportunity_id``, ``account_id``, ``is_won``, ``closed_at``, ``amount``,
    ``cycle_days``, ``reason`` (lost deals only), and the dimensions of :data:`DealBy`.
    """
    path = journeys(dataset, lookback_days=lookback_days, as_of=as_of, lazy=True)
    first = (
        path.filter(pl.col("team") == "marketing")
        .group_by("opportunity_id")
        .agg(pl.col("channel", "campaign").sort_by("position").first())
    )
    opps = dataset.lazy("opportunities")
    names = opps.collect_schema().names()
    cutoff = pl.lit(as_of) if as_of is not None else pl.col("closed_at").max()
    frame = (
        opps.filter(pl.col("closed_at").is_not_null() & (pl.col("closed_at") <= cutoff))
        .select(
            "opportunity_id",
            "account_id",
            "is_won",
            "closed_at",
            (pl.col("amount") if "amount" in names else pl.lit(1.0)).alias("amount"),
            days_between("closed_at", "created_at").alias("cycle_days"),
            *(
                pl.col(c).cast(pl.String) if c in names else pl.lit(None, pl.String).alias(c)
                for c in ("rep", "source")
            ),
            pl.when(~pl.col("is_won"))
            .then(
                normalise_reason(
                    pl.col("lost_reason") if "lost_reason" in names else pl.lit(None, pl.String),
                    synonyms,
                )
            )
            .alias("reason"),
        )
        .join(first, on="opportunity_id", how="left")
    )
    frame = _with_accounts(frame, dataset)
    return frame.with_columns(_labels(list(DEAL_DIMENSIONS))).collect()


def worked_leads(dataset: Dataset, *, synonyms: Mapping[str, str] | None = None) -> pl.DataFrame:
    """Return the leads sales worked: MQLs (every lead without MQL dates), and the rejected.

    Columns: ``contact_id``, ``account_id``, ``mql_at``, ``sql_at``, ``status``,
    ``disqualified`` (bool), ``disqualified_at``, ``recycled`` (bool), ``reason``
    (disqualified leads only) and the dimensions of :data:`LeadBy` (a lead's ``rep`` is
    who made the first sales touch to that person).

    Raises
    ------
    SchemaError
        The dataset has no contacts table.
    """
    if dataset.contacts is None:
        raise SchemaError(
            "the disqualification view needs the contacts table (with status or "
            "disqualified_reason); the source has none"
        )
    contacts = dataset.lazy("contacts")
    names = contacts.collect_schema().names()

    def text(c: str) -> pl.Expr:
        return pl.col(c).cast(pl.String) if c in names else pl.lit(None, pl.String).alias(c)

    def moment(c: str) -> pl.Expr:
        return pl.col(c) if c in names else pl.lit(None, pl.Datetime("us", "UTC")).alias(c)

    first = (
        dataset.lazy("touches")
        .filter((pl.col("team") == "marketing") & pl.col("contact_id").is_not_null())
        .sort("occurred_at", "touch_id")
        .group_by("contact_id")
        .agg(pl.col("channel", "campaign").first())
    )
    touches = dataset.lazy("touches")
    rep = (
        touches.filter((pl.col("team") == "sales") & pl.col("contact_id").is_not_null())
        .sort("occurred_at", "touch_id")
        .group_by("contact_id")
        .agg(pl.col("rep").first())
        if "rep" in touches.collect_schema().names()
        else pl.LazyFrame(schema={"contact_id": pl.String, "rep": pl.String})
    )
    dq = is_disqualified(names)
    has_mql = moment("mql_at").is_not_null().any()
    frame = (
        contacts.select(
            "contact_id",
            "account_id",
            moment("mql_at"),
            moment("sql_at"),
            text("status"),
            text("lead_source"),
            text("lead_profile"),
            dq.alias("disqualified"),
            moment("disqualified_at"),
            (text("status").str.contains("(?i)recycl").fill_null(False) & dq).alias("recycled"),
            pl.when(dq)
            .then(normalise_reason(text("disqualified_reason"), synonyms))
            .alias("reason"),
        )
        .filter(pl.col("disqualified") | pl.col("mql_at").is_not_null() | ~has_mql)
        .join(first, on="contact_id", how="left")
        .join(rep, on="contact_id", how="left")
    )
    frame = _with_accounts(frame, dataset)
    return frame.with_columns(_labels(list(LEAD_DIMENSIONS))).collect()


def contacts_with_roles(dataset: Dataset) -> pl.LazyFrame:
    """Return ``contact_id`` and ``role`` (given, else derived from the title)."""
    if dataset.contacts is None:
        return pl.LazyFrame(schema={"contact_id": pl.String, "role": pl.String})
    contacts = dataset.lazy("contacts")
    return contacts.select("contact_id", role_expr(contacts.collect_schema().names()))


def deal_roles(dataset: Dataset) -> pl.LazyFrame:
    """Return each person's role on each deal, where the CRM lists one (``opportunity_contacts``).

    Columns ``opportunity_id``, ``contact_id``, ``deal_role`` (one of
    :data:`~attribution.data.roles.ROLES`, by :func:`~attribution.data.roles.buying_role`).
    A person listed twice on one deal keeps the most senior role (in the order of
    ``ROLES``); rows without a role are left out. Empty without the table.

    Examples
    --------
    >>> ds = Dataset(touches=pl.DataFrame(), opportunities=pl.DataFrame(),
    ...     opportunity_contacts=pl.DataFrame({"opportunity_id": ["o1", "o1", "o2"],
    ...     "contact_id": ["c1", "c1", "c1"], "role": ["Business User", "Economic Buyer", ""]}))
    >>> deal_roles(ds).collect().rows()
    [('o1', 'c1', 'decision_maker')]
    """
    empty = {"opportunity_id": pl.String, "contact_id": pl.String, "deal_role": pl.String}
    if dataset.opportunity_contacts is None:
        return pl.LazyFrame(schema=empty)
    listed = dataset.lazy("opportunity_contacts")
    if "role" not in listed.collect_schema().names():
        return pl.LazyFrame(schema=empty)
    rank = {r: i for i, r in enumerate(ROLES)}
    return (
        listed.select(
            pl.col("opportunity_id").cast(pl.String),
            pl.col("contact_id").cast(pl.String),
            buying_role(pl.col("role")).alias("deal_role"),
        )
        .filter(pl.col("deal_role").is_not_null())
        .group_by("opportunity_id", "contact_id")
        .agg(
            pl.col("deal_role")
            .sort_by(pl.col("deal_role").replace_strict(rank, return_dtype=pl.Int64))
            .first()
        )
        .sort("opportunity_id", "contact_id")
    )
