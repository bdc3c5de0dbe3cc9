"""Data health: what was loaded, over what time, and how much won revenue has touches."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from attribution.data.dataset import Dataset, Frame
from attribution.data.schema import (
    ACCOUNT_ID,
    AMOUNT,
    CAMPAIGN,
    CHANNEL,
    CLOSED_AT,
    CONTACT_ID,
    COST,
    MARKETING,
    MQL_AT,
    OCCURRED_AT,
    OPPORTUNITY_ID,
    REP,
    SALES,
    SCORE,
    SEGMENT,
    TABLES,
    TEAM,
    TIMESTAMP,
    converted,
)
from attribution.errors import ParameterError
from attribution.journey.build import N_TOUCHES, OPPORTUNITY_CREATED_AT, STATUS

__all__ = [
    "activity",
    "channel_summary",
    "checks",
    "column_nulls",
    "coverage",
    "null_counts",
    "opportunities_by_month",
    "source_summary",
    "table_summary",
    "touch_histogram",
]

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
    return source_summary(dataset.tables())


def null_counts(dataset: Dataset) -> pl.DataFrame:
    """Empty values per column of every table, contract columns first.

    Returns
    -------
    polars.DataFrame
        Columns ``table``, ``column``, ``in_contract``, ``required``, ``nulls``,
        ``null_share``; contract columns first, in contract order.
    """
    return column_nulls(dataset.tables())


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


_CHECK_SCHEMA = {
    "check": pl.String,
    "table": pl.String,
    "rows": pl.Int64,
    "share": pl.Float64,
    "status": pl.String,
    "meaning": pl.String,
}


def _status(share: float | None, *, warn: float) -> str:
    if share is None or share == 0:
        return "ok"
    return "warning" if share >= warn else "note"


def checks(dataset: Dataset, journeys: Frame) -> pl.DataFrame:
    """Check for data gaps that do not stop a run but limit what can be concluded.

    Validation already refused data that breaks the contract; these checks look for gaps
    in data that is valid: won revenue with no touches in its window, won deals without
    an amount, touches without contact, campaign or rep, open deals that look stale, and
    optional tables or columns that are absent or empty (and what they would unlock).

    Parameters
    ----------
    dataset
        The validated dataset.
    journeys
        Its journeys (:func:`attribution.journeys`).

    Returns
    -------
    polars.DataFrame
        One row per check: ``check``, ``table``, ``rows`` affected, ``share`` of the
        table (or of won revenue, where the check says so), ``status`` (``ok``, ``note``
        or ``warning``) and ``meaning`` (what it affects).

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=100, seed=1)
    >>> c = checks(ds, at.journeys(ds))
    >>> set(c.get_column("status")) <= {"ok", "note", "warning"}
    True
    """
    rows: list[dict[str, object]] = []

    def add(check: str, table: str, n: int, share: float | None, status: str, meaning: str) -> None:
        rows.append(
            {
                "check": check,
                "table": table,
                "rows": n,
                "share": share,
                "status": status,
                "meaning": meaning,
            }
        )

    per_opp = (
        journeys.lazy()
        .group_by(OPPORTUNITY_ID)
        .agg(pl.col(STATUS).first(), pl.col(AMOUNT).first(), pl.col(N_TOUCHES).first())
        .filter(pl.col(STATUS) == "won")
        .collect()
    )
    won_total = float(per_opp.get_column(AMOUNT).sum() or 0.0)
    dark = per_opp.filter(pl.col(N_TOUCHES) == 0)
    dark_share = float(dark.get_column(AMOUNT).sum()) / won_total if won_total else None
    add(
        "won deals with no touch in their window (share of won revenue)",
        "opportunities",
        dark.height,
        dark_share,
        _status(dark_share, warn=0.05),
        "their revenue cannot be attributed to any channel or team",
    )
    zero = int((per_opp.get_column(AMOUNT) == 0).sum())
    add(
        "won deals with an amount of 0",
        "opportunities",
        zero,
        zero / per_opp.height if per_opp.height else None,
        _status(zero / per_opp.height if per_opp.height else None, warn=0.05),
        "they count as wins but add no revenue to credit",
    )

    touches = dataset.lazy("touches")
    stats = (
        touches.select(
            pl.len().alias("n"),
            pl.col(CONTACT_ID).is_null().sum().alias("no_contact"),
            (pl.col(TEAM) == MARKETING).sum().alias("marketing"),
            ((pl.col(TEAM) == MARKETING) & pl.col(CAMPAIGN).is_null()).sum().alias("no_campaign"),
            (pl.col(TEAM) == SALES).sum().alias("sales"),
            ((pl.col(TEAM) == SALES) & pl.col(REP).is_null()).sum().alias("no_rep"),
            pl.col(COST).is_null().all().alias("no_cost"),
        )
        .collect()
        .row(0, named=True)
    )
    n = stats["n"]
    add(
        "touches without a contact (anonymous, account level)",
        "touches",
        stats["no_contact"],
        stats["no_contact"] / n,
        "note" if stats["no_contact"] else "ok",
        "they count for the account's journeys but not for lead-level views",
    )
    share = stats["no_campaign"] / stats["marketing"] if stats["marketing"] else None
    add(
        "marketing touches without a campaign",
        "touches",
        stats["no_campaign"],
        share,
        _status(share, warn=0.5),
        "campaign-level credit leaves them out",
    )
    share = stats["no_rep"] / stats["sales"] if stats["sales"] else None
    add(
        "sales touches without a rep",
        "touches",
        stats["no_rep"],
        share,
        _status(share, warn=0.5),
        "rep-level views leave them out",
    )
    add(
        "touch cost is empty",
        "touches",
        n if stats["no_cost"] else 0,
        1.0 if stats["no_cost"] else 0.0,
        "note" if stats["no_cost"] else "ok",
        "cost per won revenue cannot be computed",
    )

    as_of = dataset.as_of
    opps = dataset.lazy("opportunities")
    open_stats = (
        opps.filter(pl.col(CLOSED_AT).is_null() | (pl.col(CLOSED_AT) > as_of))
        .select(
            pl.len().alias("open"),
            (pl.col("created_at") < pl.lit(as_of) - pl.duration(days=365)).sum().alias("stale"),
        )
        .collect()
        .row(0, named=True)
    )
    share = open_stats["stale"] / open_stats["open"] if open_stats["open"] else None
    add(
        "open deals created more than a year before the data ends",
        "opportunities",
        open_stats["stale"],
        share,
        _status(share, warn=0.25),
        "stale pipeline inflates open value; close or remove such deals in the CRM",
    )

    optional = [
        ("contacts", None, "lead creation milestones, funnel, speed-to-lead"),
        ("contacts", MQL_AT, "speed-to-lead and the MQL stage of the funnel"),
        ("contacts", SCORE, "lead-score calibration"),
        ("accounts", None, "views by segment and industry"),
        ("accounts", SEGMENT, "views by segment"),
        ("stage_history", None, "stage-by-stage conversion in the funnel"),
    ]
    tables = dataset.tables()
    for table, column, unlocks in optional:
        if table not in tables:
            if column is None:
                add(f"no {table} table", table, 0, None, "note", f"not available: {unlocks}")
            continue
        if column is None:
            continue
        empty = bool(dataset.lazy(table).select(pl.col(column).is_null().all()).collect().item())
        add(
            f"{table}.{column} is empty" if empty else f"{table}.{column} is filled",
            table,
            0,
            None,
            "note" if empty else "ok",
            f"not available: {unlocks}" if empty else f"available: {unlocks}",
        )
    return pl.DataFrame(rows, schema=_CHECK_SCHEMA)


def activity(dataset: Dataset, *, every: str = "1w") -> pl.DataFrame:
    """Touches per period and team: when the data has activity, and of which kind.

    Parameters
    ----------
    dataset
        The validated dataset.
    every
        Period length as a polars duration (``"1w"``, ``"1mo"``...); weeks start on Monday.

    Returns
    -------
    polars.DataFrame
        ``period`` (date the period starts), ``team``, ``touches``; sorted.

    Examples
    --------
    >>> import attribution as at
    >>> at.health.activity(at.demo.generate(n_accounts=50), every="1mo").columns
    ['period', 'team', 'touches']
    """
    return (
        dataset.lazy("touches")
        .group_by(pl.col(OCCURRED_AT).dt.truncate(every).dt.date().alias("period"), TEAM)
        .agg(pl.len().cast(pl.Int64).alias("touches"))
        .sort("period", TEAM)
        .collect()
    )


def opportunities_by_month(journeys: Frame) -> pl.DataFrame:
    """Opportunities by the month they were created and their status at ``as_of``.

    Returns
    -------
    polars.DataFrame
        ``month`` (first day), ``status`` (won, lost, open), ``opportunities``, ``amount``.

    Examples
    --------
    >>> import attribution as at
    >>> at.health.opportunities_by_month(at.journeys(at.demo.generate(n_accounts=50))).columns
    ['month', 'status', 'opportunities', 'amount']
    """
    order = {"won": 0, "lost": 1, "open": 2}
    return (
        journeys.lazy()
        .group_by(OPPORTUNITY_ID)
        .agg(pl.col(OPPORTUNITY_CREATED_AT).first(), pl.col(STATUS).first(), pl.col(AMOUNT).first())
        .group_by(
            pl.col(OPPORTUNITY_CREATED_AT).dt.truncate("1mo").dt.date().alias("month"), STATUS
        )
        .agg(pl.len().cast(pl.Int64).alias("opportunities"), pl.col(AMOUNT).sum())
        .sort("month", pl.col(STATUS).replace_strict(order, return_dtype=pl.Int8))
        .collect()
    )


def touch_histogram(journeys: Frame, *, cap: int = 30) -> pl.DataFrame:
    """How many touches opportunities have in their window, by status.

    Parameters
    ----------
    journeys
        Output of :func:`attribution.journeys`.
    cap
        Counts above ``cap`` are grouped into ``cap`` (shown as "cap or more").

    Returns
    -------
    polars.DataFrame
        ``touches`` (0..cap), ``status``, ``opportunities``; sorted.

    Examples
    --------
    >>> import attribution as at
    >>> h = at.health.touch_histogram(at.journeys(at.demo.generate(n_accounts=50)), cap=5)
    >>> h.get_column("touches").max() <= 5
    True
    """
    if cap < 1:
        raise ParameterError(f"cap must be at least 1, got {cap!r}")
    order = {"won": 0, "lost": 1, "open": 2}
    return (
        journeys.lazy()
        .group_by(OPPORTUNITY_ID)
        .agg(pl.col(N_TOUCHES).first(), pl.col(STATUS).first())
        .group_by(pl.col(N_TOUCHES).clip(upper_bound=cap).cast(pl.Int64).alias("touches"), STATUS)
        .agg(pl.len().cast(pl.Int64).alias("opportunities"))
        .sort("touches", pl.col(STATUS).replace_strict(order, return_dtype=pl.Int8))
        .collect()
    )


def channel_summary(dataset: Dataset) -> pl.DataFrame:
    """Touches per channel: team, how many, on how many accounts, first and last seen.

    Examples
    --------
    >>> import attribution as at
    >>> at.health.channel_summary(at.demo.generate(n_accounts=50)).columns
    ['channel', 'team', 'touches', 'accounts', 'first', 'last']
    """
    return (
        dataset.lazy("touches")
        .group_by(CHANNEL, TEAM)
        .agg(
            pl.len().cast(pl.Int64).alias("touches"),
            pl.col(ACCOUNT_ID).n_unique().cast(pl.Int64).alias("accounts"),
            pl.col(OCCURRED_AT).min().alias("first"),
            pl.col(OCCURRED_AT).max().alias("last"),
        )
        .sort("touches", CHANNEL, descending=[True, False])
        .collect()
    )


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
