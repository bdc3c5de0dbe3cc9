"""Numbers for people, formatted one way everywhere: counts, money, shares, hours and days.

* counts: whole numbers with thousands separators (``1,097``), never ``1,097.00``;
* money: the currency symbol, thousands separators, no cents from 1,000 up (``$9,734``,
  ``$12.50``), a sign before the symbol (``-$300``);
* shares and rates: percent, one decimal by default, and never ``-0.0%``;
* hours and days: one decimal.

Each comes twice: a function for one value in a sentence (:func:`money`) and a polars
expression for a column (:func:`money_expr`), so a table and the sentence beside it agree.
An empty or non-finite value is ``n/a``, never ``null`` or ``NaN``.
"""

from __future__ import annotations

import math
from typing import Literal

import polars as pl

from attribution._text import DEALS

__all__ = [
    "MISSING",
    "Kind",
    "count",
    "count_expr",
    "decimal",
    "decimal_expr",
    "format_expr",
    "money",
    "money_expr",
    "share",
    "share_expr",
]

MISSING = "n/a"
"""What an empty or non-finite value reads as."""

Kind = Literal["count", "currency", "share", "number", "days", "hours"]


def _ok(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def count(value: float | None) -> str:
    """Format a count: ``1,097``.

    Examples
    --------
    >>> count(1097.0), count(None)
    ('1,097', 'n/a')
    """
    return f"{round(value):,}" if value is not None and _ok(value) else MISSING


def money(value: float | None, currency: str = "$", *, signed: bool = False) -> str:
    """Format money: the symbol, separators, no cents from 1,000 up.

    With count-only data (``currency`` :data:`attribution._text.DEALS`) every deal counts
    as one, and the amount is written as a number of deals. ``signed`` writes ``+`` before
    a gain.

    Examples
    --------
    >>> money(153683900.0), money(12.5, "€"), money(-300.0), money(float("nan"))
    ('$153,683,900', '€12.50', '-$300', 'n/a')
    >>> money(227, DEALS), money(1, DEALS), money(1200, signed=True)
    ('227 deals', '1 deal', '+$1,200')
    """
    if value is None or not _ok(value):
        return MISSING
    if currency == DEALS:
        n = round(abs(value))
        sign = "-" if value < 0 and n else ("+" if signed and n else "")
        return f"{sign}{n:,} deal{'' if n == 1 else 's'}"
    digits = 0 if abs(value) >= 1000 or value == round(value) else 2
    shown = round(value, digits)
    sign = "-" if shown < 0 else ("+" if signed and shown > 0 else "")
    return f"{sign}{currency}{abs(value):,.{digits}f}"


def share(value: float | None, decimals: int = 1) -> str:
    """Format a share as percent, never ``-0.0%``.

    Examples
    --------
    >>> share(0.3307), share(-0.00004), share(0.25, 0)
    ('33.1%', '0.0%', '25%')
    """
    if value is None or not _ok(value):
        return MISSING
    shown = round(value * 100, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{shown:.{decimals}f}%"


def decimal(value: float | None, decimals: int = 1) -> str:
    """Format a plain number (hours, days, ratios) with separators.

    Examples
    --------
    >>> decimal(8.14), decimal(1234.5, 0)
    ('8.1', '1,234')
    """
    if value is None or not _ok(value):
        return MISSING
    return f"{round(value, decimals) + 0.0:,.{decimals}f}"


# ------------------------------------------------------------------------------ columns
def _grouped(whole: pl.Expr) -> pl.Expr:
    """Digits of a non-negative whole number with a comma every three, as text."""
    return (
        whole.cast(pl.Int64)
        .cast(pl.String)
        .str.reverse()
        .str.replace_all(r"(\d{3})", "${1},")
        .str.strip_chars_end(",")
        .str.reverse()
    )


def _fixed(value: pl.Expr, decimals: int) -> pl.Expr:
    """``value`` (non-negative) with separators and ``decimals`` decimals, as text."""
    rounded = value.round(decimals)
    whole = _grouped(rounded.floor())
    if decimals == 0:
        return whole
    fraction = ((rounded - rounded.floor()) * 10**decimals).round(0).cast(pl.Int64)
    out: pl.Expr = whole + "." + fraction.cast(pl.String).str.zfill(decimals)
    return out


def _or_missing(value: pl.Expr, text: pl.Expr) -> pl.Expr:
    """``text`` where ``value`` is a finite number, else :data:`MISSING`; ``value``'s name."""
    name: str | None = value.meta.output_name(raise_if_undetermined=False)
    out: pl.Expr = pl.when(value.is_finite()).then(text).otherwise(pl.lit(MISSING))
    return out.alias(name) if name else out


def count_expr(column: str | pl.Expr) -> pl.Expr:
    """Format a column of counts (see :func:`count`).

    Examples
    --------
    >>> pl.select(count_expr(pl.lit(1097.0))).item()
    '1,097'
    """
    x = (pl.col(column) if isinstance(column, str) else column).cast(pl.Float64)
    sign = pl.when(x.round(0) < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return _or_missing(x, sign + _fixed(x.abs(), 0))


def money_expr(column: str | pl.Expr, currency: str = "$") -> pl.Expr:
    """Format a column of money (see :func:`money`).

    Examples
    --------
    >>> frame = pl.DataFrame({"x": [153683900.0, 12.5, -300.0, None]})
    >>> frame.select(money_expr("x"))["x"].to_list()
    ['$153,683,900', '$12.50', '-$300', 'n/a']
    """
    x = (pl.col(column) if isinstance(column, str) else column).cast(pl.Float64)
    if currency == DEALS:
        n = x.round(0)
        noun = pl.when(n.abs() == 1).then(pl.lit(" deal")).otherwise(pl.lit(" deals"))
        return _or_missing(x, count_expr(x) + noun)
    big = (x.abs() >= 1000) | (x == x.round(0))
    digits = pl.when(big).then(_fixed(x.abs(), 0)).otherwise(_fixed(x.abs(), 2))
    sign = pl.when(pl.when(big).then(x.round(0)).otherwise(x.round(2)) < 0).then(pl.lit("-"))
    return _or_missing(x, sign.otherwise(pl.lit("")) + pl.lit(currency) + digits)


def share_expr(column: str | pl.Expr, decimals: int = 1) -> pl.Expr:
    """Format a column of shares as percent (see :func:`share`).

    Examples
    --------
    >>> pl.DataFrame({"x": [0.3307, -0.00004, None]}).select(share_expr("x"))["x"].to_list()
    ['33.1%', '0.0%', 'n/a']
    """
    x = (pl.col(column) if isinstance(column, str) else column).cast(pl.Float64) * 100
    sign = pl.when(x.round(decimals) < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return _or_missing(x, sign + _fixed(x.abs(), decimals) + "%")


def decimal_expr(column: str | pl.Expr, decimals: int = 1) -> pl.Expr:
    """Format a column of plain numbers with separators (see :func:`decimal`).

    Examples
    --------
    >>> pl.DataFrame({"x": [1234.56, -0.004, None]}).select(decimal_expr("x", 2))["x"].to_list()
    ['1,234.56', '0.00', 'n/a']
    """
    x = (pl.col(column) if isinstance(column, str) else column).cast(pl.Float64)
    sign = pl.when(x.round(decimals) < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return _or_missing(x, sign + _fixed(x.abs(), decimals))


def format_expr(column: str, kind: Kind, currency: str = "$") -> pl.Expr:
    """Format ``column`` by its kind of value; the result keeps the column's name.

    Examples
    --------
    >>> pl.DataFrame({"h": [8.14]}).select(format_expr("h", "hours"))["h"].to_list()
    ['8.1']
    """
    x = pl.col(column).cast(pl.Float64)
    if kind == "count":
        out = count_expr(x)
    elif kind == "currency":
        out = money_expr(x, currency)
    elif kind == "share":
        out = share_expr(x)
    else:
        out = decimal_expr(x, 2 if kind == "number" else 1)
    return out.alias(column)
