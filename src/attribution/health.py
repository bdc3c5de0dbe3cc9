"""Data health: what was loaded, over what time, and how much won revenue has touches."""

from __future__ import annotations

import polars as pl

from attribution.dataset import Dataset, Frame
from attribution.journeys import N_TOUCHES, STATUS
from attribution.schema import AMOUNT, OPPORTUNITY_ID, TABLES, TEAM, TIMESTAMP

__all__ = ["coverage", "null_counts", "table_summary"]

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
