"""The rules of the contract, as polars expressions: how each table is converted and checked.

:func:`plan_table` turns a table's raw schema into the expressions that convert it, the row
checks to run on the converted rows, and the problems already visible from the schema
(missing columns, types that cannot be read).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

from attribution.data.schema.contract import (
    ACCOUNT_ID,
    AMOUNT,
    ARM,
    ARMS,
    CAMPAIGN,
    CHANNEL,
    CLOSED_AT,
    COST,
    CREATED_AT,
    EMPLOYEES,
    END,
    EXPERIMENT,
    IS_WON,
    PERIOD_END,
    PERIOD_START,
    SCORE,
    START,
    TEAM,
    TEAMS,
    Column,
    Table,
)
from attribution.data.schema.convert import convert, expected, has_offset
from attribution.data.schema.plausible import Plausible
from attribution.data.schema.problems import Problem

__all__ = ["RAW_PREFIX", "Check", "TablePlan", "example_columns", "plan_table"]

RAW_PREFIX = "__raw__"
"""Prefix of the columns keeping values as the source gave them (for error examples)."""


@dataclass(frozen=True)
class Check:
    """One row rule: the rows where ``mask`` is true break it."""

    column: str | None
    message: str
    mask: pl.Expr
    show: tuple[str, ...]
    kind: Literal["schema", "data"] = "data"
    screen: pl.Expr | None = None
    """A cheap aggregate that is 0 only when no row can fail (the mask is then skipped)."""


@dataclass
class TablePlan:
    """Conversion expressions, row checks and schema problems for one table."""

    conversions: list[pl.Expr] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class _Rule:
    """A value rule of one table, checked when the columns it ``needs`` converted cleanly."""

    table: str
    needs: tuple[str, ...]
    column: str
    message: str
    mask: pl.Expr


def _bad_money(name: str) -> pl.Expr:
    m = pl.col(name)
    return m.is_not_null() & (m.is_nan() | m.is_infinite() | (m < 0))


_MONEY = "negative or non-finite amounts (must be a number >= 0)"
_RULES = (  # in the order problems are reported
    _Rule(
        "touches",
        (TEAM,),
        TEAM,
        f"unknown team; allowed: {', '.join(TEAMS)} (case-insensitive)",
        pl.col(TEAM).is_not_null() & ~pl.col(TEAM).is_in(TEAMS),
    ),
    _Rule("opportunities", (AMOUNT,), AMOUNT, _MONEY, _bad_money(AMOUNT)),
    _Rule("touches", (COST,), COST, _MONEY, _bad_money(COST)),
    _Rule("spend", (AMOUNT,), AMOUNT, _MONEY, _bad_money(AMOUNT)),
    _Rule(
        "spend",
        (PERIOD_START, PERIOD_END),
        PERIOD_END,
        "period_end is not after period_start",
        pl.col(PERIOD_END) <= pl.col(PERIOD_START),
    ),
    _Rule(
        "contacts",
        (SCORE,),
        SCORE,
        "non-finite scores",
        pl.col(SCORE).is_not_null() & (pl.col(SCORE).is_nan() | pl.col(SCORE).is_infinite()),
    ),
    _Rule(
        "accounts",
        (EMPLOYEES,),
        EMPLOYEES,
        "negative employee counts",
        pl.col(EMPLOYEES).is_not_null() & (pl.col(EMPLOYEES) < 0),
    ),
    _Rule(
        "opportunities",
        (IS_WON, CLOSED_AT),
        CLOSED_AT,
        "won opportunities without closed_at",
        pl.col(IS_WON).fill_null(False) & pl.col(CLOSED_AT).is_null(),
    ),
    _Rule(
        "opportunities",
        (CREATED_AT, CLOSED_AT),
        CLOSED_AT,
        "closed_at is before created_at",
        pl.col(CLOSED_AT) < pl.col(CREATED_AT),
    ),
    _Rule(
        "experiments",
        (ARM,),
        ARM,
        f"unknown arm; allowed: {', '.join(ARMS)} (case-insensitive)",
        pl.col(ARM).is_not_null() & ~pl.col(ARM).is_in(ARMS),
    ),
    _Rule(
        "experiments",
        (START, END),
        END,
        "end is before start",
        pl.col(END) < pl.col(START),
    ),
    _Rule(
        "experiments",
        (CHANNEL, CAMPAIGN),
        CHANNEL,
        "neither a channel nor a campaign says what was held out",
        pl.col(CHANNEL).is_null() & pl.col(CAMPAIGN).is_null(),
    ),
    _Rule(
        "experiments",
        (EXPERIMENT, ACCOUNT_ID),
        ACCOUNT_ID,
        "account listed more than once in one experiment",
        pl.struct(EXPERIMENT, ACCOUNT_ID).is_duplicated() & pl.col(ACCOUNT_ID).is_not_null(),
    ),
    _Rule(
        "experiments",
        (EXPERIMENT, CHANNEL, CAMPAIGN, START, END),
        EXPERIMENT,
        "an experiment's rows disagree on its channel, campaign, start or end",
        (pl.struct(CHANNEL, CAMPAIGN, START, END).n_unique().over(EXPERIMENT) > 1),
    ),
)


def example_columns(table: Table, present: Sequence[str], *extra: str) -> tuple[str, ...]:
    """Columns shown in a problem's example rows: the key (or first columns), then ``extra``.

    Examples
    --------
    >>> from attribution.data.schema.contract import TABLES
    >>> example_columns(TABLES["touches"], ["touch_id", "team"], "team")
    ('touch_id', 'team')
    """
    cols = [table.key] if table.key else [c for c in table.required_columns[:2]]
    cols += [e for e in extra if e not in cols]
    return tuple(c for c in cols if c in present)


def _raw(name: str) -> str:
    """Name of the column keeping a value as the source gave it (for error examples)."""
    return f"{RAW_PREFIX}{name}"


def _tidy(table: Table, spec: Column, expr: pl.Expr) -> pl.Expr:
    """Empty ids and blank labels are missing; labels are trimmed, teams lower-cased."""
    if spec.dtype != pl.String():
        return expr
    if spec.name.endswith("_id"):
        # ids are compared exactly, not trimmed (trimming 10M ids costs seconds), but an
        # empty id is a missing one (exports quote empty fields: "")
        return pl.when(expr.str.len_bytes() > 0).then(expr)
    # trim labels (they are grouped on); whitespace-only values count as missing
    expr = expr.str.strip_chars()
    expr = pl.when(expr.str.len_bytes() > 0).then(expr)
    if (table.name, spec.name) in (("touches", TEAM), ("experiments", ARM)):
        expr = expr.str.to_lowercase()
    return expr


def _unreadable(
    spec: Column, source: pl.DataType, show: tuple[str, ...], time_zone: str
) -> list[Check]:
    """Check the values that did not convert (shown as the source gave them)."""
    raw = pl.col(_raw(spec.name))
    shown = tuple(_raw(spec.name) if s == spec.name else s for s in show)
    bad = raw.is_not_null() & pl.col(spec.name).is_null()
    if source == pl.String():
        bad = bad & (raw.str.strip_chars() != "")
    what = "cannot be read as " + expected(spec.dtype)
    if isinstance(spec.dtype, pl.Datetime) and time_zone != "UTC":
        what += f" (or does not exist in time zone {time_zone})"
    if spec.dtype.is_numeric() and source == pl.String():
        what += (
            "; if they hold thousands separators or decimal commas, say so in a mapping: "
            "csv: {thousands: ','} (or {thousands: '.', decimal_comma: true})"
        )
    elif isinstance(spec.dtype, pl.Datetime) and source == pl.String():
        what += "; for another layout give its format in a mapping: dates: {column: '%d/%m/%Y'}"
    checks = [Check(spec.name, f"values {what}", bad, shown)]
    if isinstance(spec.dtype, pl.Datetime) and source == pl.String():
        aware = has_offset(_raw(spec.name))
        mixed = (aware.any() & (~aware).any()) & pl.col(spec.name).is_not_null()
        message = (
            "mixes timestamps with and without a time zone offset; give every value an "
            f"offset, or none (naive values are read as {time_zone})"
        )
        checks.append(Check(spec.name, message, mixed & ~aware, shown))
    return checks


def _required(spec: Column, source: pl.DataType, show: tuple[str, ...], kept_raw: bool) -> Check:
    """Check that a required column has a value in every row."""
    value = pl.col(_raw(spec.name)) if kept_raw else pl.col(spec.name)
    if spec.name.endswith("_id") and source == pl.String():
        is_null = value.is_null() | (value.str.len_bytes() == 0)
    elif source == pl.String() or spec.dtype == pl.String():
        is_null = value.is_null() | (value.cast(pl.String).str.strip_chars() == "")
    else:
        is_null = value.is_null()
    return Check(spec.name, "required value is empty", is_null, show)


def _plan_column(
    plan: TablePlan, table: Table, spec: Column, raw_schema: pl.Schema, time_zone: str
) -> None:
    """Add one column's conversion, checks or schema problem to ``plan``."""
    present = list(raw_schema.names())
    if spec.name not in raw_schema:
        if spec.required:
            have = ", ".join(present) or "none"
            message = f"required column is missing; the table has: {have}"
            plan.problems.append(Problem(table.name, spec.name, message, 0, kind="schema"))
        else:
            plan.conversions.append(pl.lit(None, dtype=spec.dtype).alias(spec.name))
        return
    source = raw_schema[spec.name]
    expr = convert(spec.name, source, spec.dtype, time_zone)
    if expr is None:
        message = f"has type {source}, which cannot be read as {expected(spec.dtype)}"
        plan.problems.append(Problem(table.name, spec.name, message, 0, kind="schema"))
        return
    plan.conversions.append(_tidy(table, spec, expr).alias(spec.name))
    show = example_columns(table, present, spec.name)
    kept_raw = source != spec.dtype and source != pl.Null()
    if kept_raw:
        # keep the raw value beside the converted one for error examples
        plan.conversions.append(pl.col(spec.name).alias(_raw(spec.name)))
        plan.checks.extend(_unreadable(spec, source, show, time_zone))
    if spec.required or (table.name == "opportunities" and spec.name == AMOUNT):
        # amounts are optional as a column (count-only data) but, when given, every deal has one
        plan.checks.append(_required(spec, source, show, kept_raw))


def _key_check(table: Table, present: Sequence[str]) -> Check:
    assert table.key is not None
    key = pl.col(table.key)
    return Check(
        table.key,
        "duplicate ids",
        key.is_not_null() & key.is_duplicated(),
        example_columns(table, present),
        # distinct hashes == non-null ids proves uniqueness (collisions can only
        # lower the count, so they never hide a duplicate); ~10x cheaper than the mask
        screen=key.count() - key.drop_nulls().hash().n_unique(),
    )


def plan_table(
    table: Table, raw_schema: pl.Schema, time_zone: str, plausible: Plausible | None = None
) -> TablePlan:
    """Return the conversions, row checks and schema problems of one table.

    ``plausible`` sets the range of believable timestamps (default :class:`Plausible`).

    Examples
    --------
    >>> from attribution.data.schema.contract import TABLES
    >>> plan = plan_table(TABLES["accounts"], pl.Schema({"account_id": pl.String()}), "UTC")
    >>> [c.message for c in plan.checks], plan.problems
    (['required value is empty', 'duplicate ids'], [])
    """
    plan = TablePlan()
    present = list(raw_schema.names())
    for spec in table.columns:
        _plan_column(plan, table, spec, raw_schema, time_zone)
    ok = {c.name for c in table.columns if c.name in raw_schema} - {p.column for p in plan.problems}
    if table.key and table.key in ok:
        plan.checks.append(_key_check(table, present))
    for rule in _RULES:
        if rule.table == table.name and set(rule.needs) <= ok:
            show = example_columns(table, present, *rule.needs)
            plan.checks.append(Check(rule.column, rule.message, rule.mask, show))
    for column, message, mask in (plausible or Plausible()).rules(table, ok):
        plan.checks.append(Check(column, message, mask, example_columns(table, present, column)))
    if table.name == "opportunities" and IS_WON in ok and CLOSED_AT not in ok:
        plan.problems.append(
            Problem(
                table.name,
                CLOSED_AT,
                "column is missing, but it is needed to know when won deals closed",
                0,
                kind="schema",
            )
        )
    return plan
