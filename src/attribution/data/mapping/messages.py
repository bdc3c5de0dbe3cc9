"""Messages about a mapping's sources, in the user's words: file, column, problem, example.

Polars reports a failing expression with its query plan ("Resolved plan until
failure..."); :func:`polars_message` keeps the sentence a user can act on and adds the
closest column or table name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from attribution._text import did_you_mean

__all__ = ["by_mapping", "polars_message"]

_MAX = 300


def by_mapping(origin: str) -> str:
    """Return ``"mapping <origin> "`` for a mapping file or dict, ``""`` for plain renames.

    Examples
    --------
    >>> by_mapping("crm.yaml"), by_mapping("")
    ('mapping crm.yaml ', '')
    """
    return f"mapping {origin} " if origin else ""


def polars_message(
    exc: BaseException, names: Sequence[str] = (), tables: Sequence[str] = ()
) -> str:
    """Return the first sentence of a polars (or driver) error, without its query plan.

    A missing column or table gets the closest of ``names`` or ``tables``.

    Examples
    --------
    >>> import polars as pl
    >>> try:
    ...     pl.LazyFrame({"Amount": [1]}).select(pl.sql_expr("Amuont + 1")).collect()
    ... except pl.exceptions.ColumnNotFoundError as exc:
    ...     print(polars_message(exc, ["Amount"]))
    no column 'Amuont'; did you mean 'Amount'?
    """
    text = str(exc)
    first = re.split(r"\n\s*\n|\nThis error occurred|\nResolved plan", text, maxsplit=1)[0]
    first = " ".join(first.split())
    column = re.search(r'unable to find column "([^"]+)"', first)
    if column:
        hint = did_you_mean(column.group(1), names, otherwise=f"it has: {', '.join(names)}")
        return (
            f"no column {column.group(1)!r}; {hint}" if names else f"no column {column.group(1)!r}"
        )
    table = re.search(r"relation '([^']+)' was not found", first)
    if table:
        hint = did_you_mean(table.group(1), tables, otherwise=f"it has: {', '.join(tables)}")
        return f"no table {table.group(1)!r}; {hint}" if tables else f"no table {table.group(1)!r}"
    if "cannot compare 'date/datetime/time' to a string" in first:
        return (
            "a date column is compared with text: dates named in the mapping's dates (or a "
            "column's format) are dates by the time SQL sees them; compare them with a date, "
            "e.g. CloseDate >= DATE '2024-01-01'"
        )
    return first if len(first) <= _MAX else first[: _MAX - 3] + "..."
