"""Each table as loaded (or as read, before validation): rows, time range, empty values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from attribution.data.dataset import Dataset, Frame
from attribution.data.schema import TABLES, TIMESTAMP, converted

__all__ = ["column_nulls", "null_counts", "source_summary", "table_summary"]

_MAIN_TIME = {
    "touches": "occurred_at",
    "opportunities": "created_at",
    "contacts": "created_at",
    "stage_history": "entered_at",
    "experiments": "start",
    "spend": "period_start",
}
"""The timestamp whose range :func:`source_summary` reports, per table."""

_SUMMARY_SCHEMA = {
    "table": pl.String(),
    "rows": pl.Int64(),
    "columns": pl.Int64(),
    "time_column": pl.String(),
    "first": TIMESTAMP,
    "last": TIMESTAMP,
}

_NULLS_SCHEMA = {
    "table": pl.String,
    "column": pl.String,
    "in_contract": pl.Boolean,
    "required": pl.Boolean,
    "nulls": pl.Int64,
    "null_share": pl.Float64,
}


def table_summary(dataset: Dataset) -> pl.DataFrame:
    """One row per table: rows, columns, and the range of its main timestamp.

    Parameters
    ----------
    dataset
        The validated dataset.

    Returns
    -------
    polars.DataFrame
        Columns ``table``, ``rows``, ``columns``, ``time_column``, ``first``, ``last``.

    Examples
    --------
    >>> import attribution as at
    >>> at.health.table_summary(at.demo.generate(n_accounts=50)).get_column("table").to_list()
    ['touches', 'opportunities', 'contacts', 'accounts', 'stage_history', 'spend']
    """
    return source_summary(dataset.tables())


def null_counts(dataset: Dataset) -> pl.DataFrame:
    """Empty values per column of every table, contract columns first.

    Parameters
    ----------
    dataset
        The validated dataset.

    Returns
    -------
    polars.DataFrame
        Columns ``table``, ``column``, ``in_contract``, ``required``, ``nulls``,
        ``null_share``; contract columns first, in contract order.

    Examples
    --------
    >>> import attribution as at
    >>> n = at.health.null_counts(at.demo.generate(n_accounts=50))
    >>> n.filter(n["required"])["nulls"].sum()
    0
    """
    return column_nulls(dataset.tables())


def source_summary(tables: Mapping[str, Frame], *, time_zone: str = "UTC") -> pl.DataFrame:
    """Like :func:`table_summary`, for tables as read, before (or without) validation.

    The main timestamp of each table is read the way validation reads it (text parsed,
    naive values in ``time_zone``); values it cannot read are left out of the range.

    Parameters
    ----------
    tables
        Contract table name -> frame, e.g. from :func:`attribution.data.load.read_tables` or
        ``Dataset.tables()``.
    time_zone
        Zone of naive timestamps.

    Returns
    -------
    polars.DataFrame
        Columns ``table``, ``rows``, ``columns``, ``time_column``, ``first``, ``last``.

    Examples
    --------
    >>> import polars as pl
    >>> raw = {"touches": pl.DataFrame({"occurred_at": ["2024-01-05", "2024-02-01", "soon"]})}
    >>> source_summary(raw).select("rows", "first").row(0)
    (3, datetime.datetime(2024, 1, 5, 0, 0, tzinfo=zoneinfo.ZoneInfo(key='UTC')))
    """
    rows = [_summary_row(name, tables[name].lazy(), time_zone) for name in _contract_order(tables)]
    return pl.DataFrame(rows, schema=_SUMMARY_SCHEMA)


def column_nulls(tables: Mapping[str, Frame]) -> pl.DataFrame:
    """Empty values per column of tables as read (blank text counts as empty).

    Parameters
    ----------
    tables
        Contract table name -> frame, as for :func:`source_summary`.

    Returns
    -------
    polars.DataFrame
        Columns ``table``, ``column``, ``in_contract``, ``required``, ``nulls``,
        ``null_share``; contract columns first, in contract order.

    Examples
    --------
    >>> import polars as pl
    >>> raw = {"accounts": pl.DataFrame({"account_id": ["a1", " "], "industry": [None, "x"]})}
    >>> column_nulls(raw).select("column", "nulls").rows()
    [('account_id', 1), ('industry', 1)]
    """
    parts = [_table_nulls(name, tables[name].lazy()) for name in _contract_order(tables)]
    return pl.concat(parts) if parts else pl.DataFrame(schema=_NULLS_SCHEMA)


def _contract_order(tables: Mapping[str, Frame]) -> list[str]:
    """Return the names of the contract's tables present in ``tables``, in contract order."""
    return [t for t in TABLES if t in tables]


def _summary_row(name: str, lf: pl.LazyFrame, time_zone: str) -> dict[str, Any]:
    """Rows, columns and main-timestamp range of one table."""
    schema = lf.collect_schema()
    time_col = _MAIN_TIME.get(name)
    value = (
        converted(name, time_col, schema[time_col], time_zone=time_zone)
        if time_col in schema and time_col is not None
        else None
    )
    if value is None:
        value = pl.lit(None, dtype=TIMESTAMP)
    stats = lf.select(
        pl.len().alias("rows"), value.min().alias("first"), value.max().alias("last")
    ).collect()
    return {
        "table": name,
        "rows": stats["rows"].item(),
        "columns": len(schema),
        "time_column": time_col,
        "first": stats["first"].item(),
        "last": stats["last"].item(),
    }


def _table_nulls(name: str, lf: pl.LazyFrame) -> pl.DataFrame:
    """Empty values per column of one table: contract columns first, then the others."""
    schema = lf.collect_schema()
    spec = {c.name: c.required for c in TABLES[name].columns}
    order = [c for c in spec if c in schema] + [c for c in schema if c not in spec]
    counts = lf.select(pl.len().alias("__n__"), *[_empty(c, schema[c]) for c in order])
    row = counts.collect().row(0, named=True)
    n = row.pop("__n__")
    return pl.DataFrame(
        {
            "table": [name] * len(order),
            "column": order,
            "in_contract": [c in spec for c in order],
            "required": [spec.get(c, False) for c in order],
            "nulls": [int(row[c]) for c in order],
            "null_share": [row[c] / n if n else 0.0 for c in order],
        },
        schema=_NULLS_SCHEMA,
    )


def _empty(column: str, dtype: pl.DataType) -> pl.Expr:
    """Count the empty values of ``column`` (nulls, and blank text for text columns)."""
    col = pl.col(column)
    missing = col.is_null()
    if dtype == pl.String():
        missing = missing | (col.str.strip_chars() == "")
    return missing.sum().alias(column)
