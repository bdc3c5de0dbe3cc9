"""Slices of journeys: each deal's attributes beside its touches, and deals kept by a condition.

**Attributes** (``include=`` of :func:`attribution.journeys`) are columns of the
opportunity or of its account copied onto every row of its journey, so any of them can
group credits (``compare(..., by="segment")``) or restrict deals (``where=``). A name is a
column of ``opportunities`` or ``accounts`` (the contract's ``stage``, ``source``,
``segment``, ``industry``, ``employees``, or any extra column the source kept, such as a
``region``); ``owner`` is the opportunity's ``rep``; ``"table.column"`` names one table's
column when both have it, or when the name is already a journey column (``rep`` there is
the rep who made the touch; ``opportunities.rep`` comes in as ``opportunity_rep``).
``include="all"`` takes every attribute there is (a column both tables have comes in
twice, as ``opportunity_<column>`` and ``account_<column>``).

**Restricting deals** (``where=`` of the main calls) keeps the deals for which a polars
expression is true, evaluated once per deal on the deal's columns (its window columns,
``n_touches`` and its attributes), so aggregations compare deals, not touches
(``pl.col("amount") > pl.col("amount").median()`` is the larger half of the deals). A
condition on a touch's column (``channel``) is refused: it would cut journeys, not pick
deals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, TypeVar

import polars as pl

from attribution._text import did_you_mean
from attribution.data.dataset import Dataset
from attribution.data.schema import ACCOUNT_ID, OPPORTUNITY_ID, REP
from attribution.errors import ParameterError
from attribution.journey.columns import (
    DAYS_BEFORE_CLOSE,
    JOURNEY_COLUMNS,
    LEAD_CREATED_AT,
    MILESTONES,
    N_TOUCHES,
    OPPORTUNITY_COLUMNS,
    POSITION,
    TOUCH_COLUMNS,
)
from attribution.journey.windows import opportunity_windows

__all__ = [
    "ALL",
    "DEAL_COLUMNS",
    "OWNER",
    "TOUCH_LEVEL",
    "Attribute",
    "Include",
    "attributes",
    "check_where",
    "deals",
    "keep_deals",
    "restrict",
    "with_attributes",
]

Include = Sequence[str] | str | None
"""Attributes to carry: names, one name, ``"all"``, or ``None`` for none."""
ALL = "all"
OWNER = "owner"
"""The opportunity's owner: its ``rep`` column."""
DEAL_COLUMNS: tuple[str, ...] = (*OPPORTUNITY_COLUMNS, LEAD_CREATED_AT, N_TOUCHES)
"""The journey columns that describe the deal (the same on every row of its journey)."""
TOUCH_LEVEL: tuple[str, ...] = (*TOUCH_COLUMNS, POSITION, DAYS_BEFORE_CLOSE, *MILESTONES)
"""The journey columns that describe one touch."""
_TABLES: dict[str, tuple[str, str]] = {  # table -> (key, prefix of a qualified name)
    "opportunities": (OPPORTUNITY_ID, "opportunity"),
    "accounts": (ACCOUNT_ID, "account"),
}
_TAKEN = {"opportunities": {"created_at", "is_won", "amount", "closed_at"}}  # in the window

F = TypeVar("F", pl.DataFrame, pl.LazyFrame)


@dataclass(frozen=True)
class Attribute:
    """One attribute: the table and column it comes from, its name in journeys."""

    table: Literal["opportunities", "accounts"]
    column: str
    name: str


def _available(dataset: Dataset) -> dict[str, list[str]]:
    """Attribute columns per table: every column but the keys and the window's."""
    found: dict[str, list[str]] = {}
    for table, (key, _) in _TABLES.items():
        frame = dataset.tables().get(table)
        names = [] if frame is None else frame.lazy().collect_schema().names()
        found[table] = [
            c for c in names if c not in (key, ACCOUNT_ID) and c not in _TAKEN.get(table, set())
        ]
    return found


def _one(name: str, available: dict[str, list[str]]) -> Attribute:
    """Resolve one requested name (see the module docstring)."""
    if "." in name:
        table, column = name.split(".", 1)
        if table not in _TABLES or column not in available[table]:
            raise ParameterError(
                f"include: {name!r} is not an attribute; " + _hint(name, available, qualified=True)
            )
        prefix = _TABLES[table][1]
        clash = column in JOURNEY_COLUMNS or column == OWNER
        return Attribute(table, column, f"{prefix}_{column}" if clash else column)  # type: ignore[arg-type]
    if name == OWNER and REP in available["opportunities"]:
        return Attribute("opportunities", REP, OWNER)
    if name in JOURNEY_COLUMNS:
        owner = " (the deal's owner is 'owner')" if name == REP else ""
        raise ParameterError(
            f"include: {name!r} is already a journey column{owner}; name one table's "
            f"column as 'opportunities.{name}' or 'accounts.{name}'"
        )
    tables = [t for t, cols in available.items() if name in cols]
    if len(tables) > 1:
        raise ParameterError(
            f"include: both opportunities and accounts have {name!r}; name one: "
            f"'opportunities.{name}' or 'accounts.{name}'"
        )
    if not tables:
        raise ParameterError(f"include: no attribute {name!r}; " + _hint(name, available))
    return Attribute(tables[0], name, name)  # type: ignore[arg-type]


def _hint(name: str, available: dict[str, list[str]], *, qualified: bool = False) -> str:
    choices = (
        [f"{t}.{c}" for t, cols in available.items() for c in cols]
        if qualified
        else [
            OWNER,
            *(c for cols in available.values() for c in cols if c != REP),
        ]
    )
    listed = ", ".join(choices) or "none (the dataset has no attribute columns)"
    return did_you_mean(name, choices, otherwise=f"the attributes are: {listed}")


def attributes(dataset: Dataset, include: Include) -> list[Attribute]:
    """Resolve ``include`` against the dataset's opportunities and accounts.

    Raises
    ------
    ParameterError
        A name that is no attribute (with the closest one), one both tables have, or one
        that is already a journey column; a name given twice.

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=50, seed=0)
    >>> [a.name for a in attributes(ds, ["segment", "owner", "opportunities.source"])]
    ['segment', 'owner', 'source']
    >>> [a.name for a in attributes(ds, "all")]
    ['stage', 'source', 'owner', 'lost_reason', 'segment', 'industry', 'employees', 'region']
    >>> attributes(ds, ["segmnet"])
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: include: no attribute 'segmnet'; did you mean 'segment'?
    """
    if include is None:
        return []
    available = _available(dataset)
    if isinstance(include, str) and include == ALL:
        found = []
        for table, columns in available.items():
            for column in columns:
                plain = OWNER if (table, column) == ("opportunities", REP) else column
                shared = sum(column in cs for cs in available.values()) > 1
                if plain in JOURNEY_COLUMNS or shared:  # e.g. a region both tables have
                    plain = f"{_TABLES[table][1]}_{column}"
                found.append(Attribute(table, column, plain))  # type: ignore[arg-type]
        return found
    requested = [include] if isinstance(include, str) else list(include)
    found = [_one(str(n), available) for n in requested]
    names = [a.name for a in found]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ParameterError(f"include names {', '.join(repeated)} more than once")
    return found


def with_attributes(
    deals: pl.LazyFrame, dataset: Dataset, found: Sequence[Attribute]
) -> pl.LazyFrame:
    """Join the attributes onto one-row-per-deal ``deals`` (its opportunity and account)."""
    for table, (key, _) in _TABLES.items():
        mine = [a for a in found if a.table == table]
        if mine:
            part = dataset.lazy(table).select(key, *(pl.col(a.column).alias(a.name) for a in mine))
            deals = deals.join(part, on=key, how="left", maintain_order="left")
    return deals


def deals(
    dataset: Dataset,
    wanted: Sequence[Attribute],
    where: pl.Expr | None,
    *,
    lookback_days: float,
    as_of: datetime | None,
) -> pl.LazyFrame:
    """Return every deal's window with the ``wanted`` attributes, restricted by ``where``.

    One row per opportunity known at ``as_of`` (see
    :func:`attribution.journey.windows.opportunity_windows`). Attributes that ``where``
    names but ``wanted`` does not are joined for the condition only.

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=80, seed=1)
    >>> smb = deals(ds, [], pl.col("segment") == "SMB", lookback_days=90, as_of=None)
    >>> "segment" in smb.collect_schema(), smb.collect().height < ds.opportunities.height
    (False, True)
    """
    opps = opportunity_windows(dataset, lookback_days=lookback_days, as_of=as_of)
    if where is None:
        return with_attributes(opps, dataset, wanted)
    base = [*opps.collect_schema().names(), *(a.name for a in wanted)]
    usable = [*base, *(a.name for a in attributes(dataset, ALL) if a.name not in base)]
    check_where(where, usable, what="the deals")
    extra = [n for n in dict.fromkeys(where.meta.root_names()) if n not in base]
    helpers = attributes(dataset, extra) if extra else []
    kept = keep_deals(with_attributes(opps, dataset, [*wanted, *helpers]), where)
    return kept.drop(*(a.name for a in helpers))


def check_where(where: object, columns: Sequence[str], *, what: str = "the deals") -> pl.Expr:
    """Check that ``where`` is a polars expression on ``columns`` only; return it.

    Examples
    --------
    >>> check_where(pl.col("segment") == "smb", ["segment", "amount"]).meta.root_names()
    ['segment']
    >>> check_where(pl.col("channel") == "email", ["segment"])
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: where: 'channel' is a column of a touch; where= keeps ...
    """
    if not isinstance(where, pl.Expr):
        raise ParameterError(
            f"where must be a polars expression, e.g. pl.col('segment') == 'enterprise'; "
            f"got {type(where).__name__}"
        )
    for name in where.meta.root_names():
        if name in columns:
            continue
        listed = ", ".join(columns)
        if name in TOUCH_LEVEL:
            raise ParameterError(
                f"where: {name!r} is a column of a touch; where= keeps or drops whole deals, "
                f"so it may use the deal's columns: {listed}"
            )
        hint = did_you_mean(name, columns, otherwise=f"{what} have: {listed}")
        raise ParameterError(
            f"where: no column {name!r} ({hint}); carry an attribute onto journeys with "
            "include=, e.g. attribution.journeys(dataset, include=['segment'])"
        )
    return where


def keep_deals(deals: F, where: pl.Expr | None) -> F:
    """Keep the rows of one-row-per-deal ``deals`` where ``where`` is true.

    The deals are computed here (one row per deal is small), so a condition polars cannot
    evaluate on them is a :class:`ParameterError` with polars' message, not a plan.
    """
    if where is None:
        return deals
    try:
        dtype = deals.lazy().select(where.alias("_where")).collect_schema()["_where"]
        if dtype != pl.Boolean:
            raise ParameterError(f"where must give true or false per deal; it gives {dtype}")
        kept = deals.lazy().filter(where.fill_null(False)).collect()
    except pl.exceptions.PolarsError as exc:
        raise ParameterError(
            f"where: cannot evaluate it on the deals: {_first_line(exc)}"
        ) from None
    return kept.lazy() if isinstance(deals, pl.LazyFrame) else kept


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def restrict(journeys: F, where: object) -> F:
    """Keep the journeys of the deals where ``where`` (a deal-level condition) is true.

    Parameters
    ----------
    journeys
        Output of :func:`attribution.journeys` (any ``include=`` attributes are deal
        columns too).
    where
        A polars expression on the deal's columns, or ``None`` for every deal.

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=80, seed=1), include=["segment"])
    >>> kept = restrict(j, pl.col("segment") == "Enterprise")
    >>> kept["segment"].unique().to_list(), kept.columns == j.columns
    (['Enterprise'], True)
    """
    if where is None:
        return journeys
    names = journeys.lazy().collect_schema().names()
    deal_columns = [c for c in names if c not in TOUCH_LEVEL]
    expr = check_where(where, deal_columns, what="the journeys")
    one_per_deal = journeys.lazy().filter(pl.col(OPPORTUNITY_ID).is_first_distinct())
    kept = keep_deals(one_per_deal.select(deal_columns), expr).select(OPPORTUNITY_ID).collect()
    return journeys.filter(pl.col(OPPORTUNITY_ID).is_in(kept.to_series().implode()))
