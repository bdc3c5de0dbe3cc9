"""Data health: what was loaded, over what time, and how much won revenue has touches."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from attribution.dataset import Dataset, Frame
from attribution.journeys import N_TOUCHES, STATUS
from attribution.schema import AMOUNT, OPPORTUNITY_ID, TABLES, TEAM, TIMESTAMP, converted

__all__ = ["column_nulls", "coverage", "null_counts", "source_summary", "table_summary"]

_MAIN_TIME = {
    "touches": "occurred_at",
    "opportunities": "created_at",
    "contacts": "created_at",
    "stage_history": "entered_at",
}


def table_summary(dataset: Dataset) -> pl.DataFrame:
    """One row per table: rows, columns, and the range of its main timestamp.

    Returns
    -------
    polars.DataFrame
        Columns ``table``, ``rows``, ``columns``, ``time_column``, ``first``, ``last``.

    Examples
    --------
    >>> import attribution as at
    >>> at.health.table_summary(at.demo.generate(n_accounts=50)).get_column("table").to_list()
    ['touches', 'opportunities', 'contacts', 'accounts', 'stage_history']
    """
    rows = []
    for name, frame in dataset.tables().items():
        lf = frame.lazy()
        time_col = _MAIN_TIME.get(name)
        aggs = [pl.len().alias("rows")]
        if time_col:
            aggs += [pl.col(time_col).min().alias("first"), pl.col(time_col).max().alias("last")]
        else:
            aggs += [
                pl.lit(None, dtype=TIMESTAMP).alias("first"),
                pl.lit(None, dtype=TIMESTAMP).alias("last"),
            ]
        stats = lf.select(aggs).collect().row(0, named=True)
        rows.append(
            {
                "table": name,
                "rows": stats["rows"],
                "columns": len(lf.collect_schema()),
                "time_column": time_col,
                "first": stats["first"],
                "last": stats["last"],
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "table": pl.String,
            "rows": pl.Int64,
            "columns": pl.Int64,
            "time_column": pl.String,
            "first": TIMESTAMP,
            "last": TIMESTAMP,
        },
    )


def null_counts(dataset: Dataset) -> pl.DataFrame:
    """Empty values per column of every table, contract columns first.

    Returns
    -------
    polars.DataFrame
        Columns ``table``, ``column``, ``in_contract``, ``required``, ``nulls``,
        ``null_share``.
    """
    parts = []
    for name, frame in dataset.tables().items():
        lf = frame.lazy()
        cols = lf.collect_schema().names()
        counts = lf.select(pl.len().alias("__n__"), *[pl.col(c).null_count() for c in cols])
        row = counts.collect().row(0, named=True)
        n = row.pop("__n__")
        spec = TABLES[name]
        contract = {c.name: c.required for c in spec.columns}
        parts.append(
            pl.DataFrame(
                {
                    "table": [name] * len(cols),
                    "column": cols,
                    "in_contract": [c in contract for c in cols],
                    "required": [contract.get(c, False) for c in cols],
                    "nulls": [row[c] for c in cols],
                    "null_share": [row[c] / n if n else 0.0 for c in cols],
                }
            )
        )
    return pl.concat(parts).sort("table", pl.col("in_contract").not_(), maintain_order=True)


def coverage(journeys: Frame) -> pl.DataFrame:
    """How many opportunities, and how much of their value, have touches in their window.

    Parameters
    ----------
    journeys
        Output of :func:`attribution.journeys`.

    Returns
    -------
    polars.DataFrame
        One row per status (``won``, ``lost``, ``open``) and a ``total`` row: number of
        opportunities, how many have at least one touch (and any marketing or sales touch),
        their amount, the share of the amount on opportunities with touches
        (``value_coverage``), and the mean and median touches per opportunity.
    """
    per_opp = (
        journeys.lazy()
        .group_by(OPPORTUNITY_ID)
        .agg(
            pl.col(STATUS).first(),
            pl.col(AMOUNT).first(),
            pl.col(N_TOUCHES).first(),
            (pl.col(TEAM) == "marketing").any().fill_null(False).alias("has_marketing"),
            (pl.col(TEAM) == "sales").any().fill_null(False).alias("has_sales"),
        )
    )
    aggs = [
        pl.len().alias("opportunities"),
        (pl.col(N_TOUCHES) > 0).sum().alias("with_touches"),
        pl.col("has_marketing").sum().alias("with_marketing"),
        pl.col("has_sales").sum().alias("with_sales"),
        pl.col(AMOUNT).sum().alias("amount"),
        pl.col(AMOUNT).filter(pl.col(N_TOUCHES) > 0).sum().alias("amount_with_touches"),
        pl.col(N_TOUCHES).mean().alias("mean_touches"),
        pl.col(N_TOUCHES).median().alias("median_touches"),
    ]
    by_status = per_opp.group_by(STATUS).agg(aggs)
    total = per_opp.select(pl.lit("total").alias(STATUS), *aggs)
    order = {"won": 0, "lost": 1, "open": 2, "total": 3}
    return (
        pl.concat([by_status, total], how="vertical_relaxed")
        .with_columns(
            (pl.col("amount_with_touches") / pl.col("amount"))
            .fill_nan(None)
            .alias("value_coverage")
        )
        .sort(pl.col(STATUS).replace_strict(order, return_dtype=pl.Int8))
        .collect()
    )


def source_summary(tables: Mapping[str, Frame], *, time_zone: str = "UTC") -> pl.DataFrame:
    """Like :func:`table_summary`, for tables as read, before (or without) validation.

    The main timestamp of each table is read the way validation reads it (text parsed,
    naive values in ``time_zone``); values it cannot read are left out of the range.

    Parameters
    ----------
    tables
        Contract table name -> frame, e.g. from :func:`attribution.io.read_tables` or
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
    rows = []
    for name in [t for t in TABLES if t in tables]:
        lf = tables[name].lazy()
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
        rows.append(
            {
                "table": name,
                "rows": stats["rows"].item(),
                "columns": len(schema),
                "time_column": time_col,
                "first": stats["first"].item(),
                "last": stats["last"].item(),
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "table": pl.String,
            "rows": pl.Int64,
            "columns": pl.Int64,
            "time_column": pl.String,
            "first": TIMESTAMP,
            "last": TIMESTAMP,
        },
    )


def column_nulls(tables: Mapping[str, Frame]) -> pl.DataFrame:
    """Empty values per column of tables as read (blank text counts as empty).

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
    parts = []
    for name in [t for t in TABLES if t in tables]:
        lf = tables[name].lazy()
        schema = lf.collect_schema()
        spec = {c.name: c.required for c in TABLES[name].columns}
        order = [c for c in spec if c in schema] + [c for c in schema if c not in spec]
        counts = lf.select(pl.len().alias("__n__"), *[_empty(c, schema[c]) for c in order])
        row = counts.collect().row(0, named=True)
        n = row.pop("__n__")
        parts.append(
            pl.DataFrame(
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
        )
    return pl.concat(parts) if parts else pl.DataFrame(schema=_NULLS_SCHEMA)


_NULLS_SCHEMA = {
    "table": pl.String,
    "column": pl.String,
    "in_contract": pl.Boolean,
    "required": pl.Boolean,
    "nulls": pl.Int64,
    "null_share": pl.Float64,
}


def _empty(column: str, dtype: pl.DataType) -> pl.Expr:
    col = pl.col(column)
    missing = col.is_null()
    if dtype == pl.String():
        missing = missing | (col.str.strip_chars() == "")
    return missing.sum().alias(column)
