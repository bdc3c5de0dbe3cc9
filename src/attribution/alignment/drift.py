"""Drift: how the CRM's own MQL/SQL labels compare with the agreed moments, per contact.

Each contact that either side labels falls in one of :data:`AGREEMENT_LEVELS`; the drift
table counts them per stage and the examples show the contacts furthest apart.
"""

from __future__ import annotations

import polars as pl

from attribution._time import MICROS_PER_HOUR
from attribution.alignment.moments import MAX_SCORE
from attribution.data.schema import ACCOUNT_ID, CONTACT_ID, CREATED_AT, MQL_AT, SQL_AT, TIMESTAMP

__all__ = [
    "AGREEMENT_LEVELS",
    "CRM_MQL_AT",
    "CRM_SQL_AT",
    "DRIFT_SCHEMA",
    "EXAMPLE_SCHEMA",
    "STAGES",
    "agreement_level",
    "drift_tables",
]

CRM_MQL_AT = "crm_mql_at"
CRM_SQL_AT = "crm_sql_at"
AGREEMENT_LEVELS: tuple[str, ...] = (
    "both, same time",
    "both, different time",
    "CRM only",
    "agreed only",
)
"""How the CRM's label and the agreed definition compare for one contact (contacts that
neither labels are not counted)."""
STAGES: tuple[tuple[str, str, str, str], ...] = (
    ("MQL", MQL_AT, CRM_MQL_AT, "mql_agreement"),
    ("SQL", SQL_AT, CRM_SQL_AT, "sql_agreement"),
)
"""Per stage: its name, the agreed moment, the CRM's moment and the agreement column."""
DRIFT_SCHEMA = pl.Schema(
    {
        "stage": pl.String,
        "agreement": pl.String,
        "contacts": pl.Int64,
        "share": pl.Float64,
        "median_hours_apart": pl.Float64,
    }
)
EXAMPLE_SCHEMA = pl.Schema(
    {
        "stage": pl.String(),
        "agreement": pl.String(),
        CONTACT_ID: pl.String(),
        ACCOUNT_ID: pl.String(),
        CREATED_AT: TIMESTAMP,
        "crm_at": TIMESTAMP,
        "agreed_at": TIMESTAMP,
        "hours_apart": pl.Float64(),
        MAX_SCORE: pl.Float64(),
    }
)


def agreement_level(crm: str, agreed: str, tolerance_us: int) -> pl.Expr:
    """One of :data:`AGREEMENT_LEVELS` (or ``neither``) for the CRM's and the agreed moment.

    Examples
    --------
    >>> from datetime import datetime
    >>> f = pl.DataFrame({"crm": [datetime(2026, 1, 1), None], "ok": [datetime(2026, 1, 3)] * 2})
    >>> f.select(agreement_level("crm", "ok", 3_600_000_000).alias("a"))["a"].to_list()
    ['both, different time', 'agreed only']
    """
    both = pl.col(crm).is_not_null() & pl.col(agreed).is_not_null()
    apart = (pl.col(crm) - pl.col(agreed)).dt.total_microseconds().abs()
    return (
        pl.when(both & (apart <= tolerance_us))
        .then(pl.lit(AGREEMENT_LEVELS[0]))
        .when(both)
        .then(pl.lit(AGREEMENT_LEVELS[1]))
        .when(pl.col(crm).is_not_null())
        .then(pl.lit(AGREEMENT_LEVELS[2]))
        .when(pl.col(agreed).is_not_null())
        .then(pl.lit(AGREEMENT_LEVELS[3]))
        .otherwise(pl.lit("neither"))
    )


def drift_tables(
    contacts: pl.DataFrame, crm_labels: dict[str, bool], examples: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return the drift table and the example contacts, for the stages the CRM labels.

    ``contacts`` carries the agreed and the CRM's moments and the agreement columns
    (``mql_agreement``, ``sql_agreement``); ``examples`` contacts per stage and kind of
    disagreement, furthest apart first.
    """
    tables, samples = [], []
    for stage, agreed, crm, column in STAGES:
        if not crm_labels[stage]:
            continue
        rows = contacts.filter(pl.col(column) != "neither").with_columns(
            ((pl.col(crm) - pl.col(agreed)).dt.total_microseconds() / MICROS_PER_HOUR).alias(
                "hours_apart"
            )
        )
        tables.append(_stage_table(stage, rows, column))
        samples.append(_stage_examples(stage, rows, column, crm, agreed, examples))
    drift = pl.concat(tables) if tables else pl.DataFrame(schema=DRIFT_SCHEMA)
    order = {a: i for i, a in enumerate(AGREEMENT_LEVELS)}
    sample = (
        pl.concat(samples).sort(
            "stage",
            pl.col("agreement").replace_strict(order, return_dtype=pl.Int64),
            maintain_order=True,
        )
        if samples
        else pl.DataFrame(schema=EXAMPLE_SCHEMA)
    )
    return drift, sample


def _stage_table(stage: str, rows: pl.DataFrame, column: str) -> pl.DataFrame:
    """Contacts, their share and the median hours apart per agreement level of one stage."""
    levels = pl.DataFrame({"agreement": list(AGREEMENT_LEVELS)})
    counted = rows.group_by(pl.col(column).alias("agreement")).agg(
        pl.len().cast(pl.Int64).alias("contacts"),
        pl.col("hours_apart").abs().median().alias("median_hours_apart"),
    )
    table = (
        levels.join(counted, on="agreement", how="left")
        .with_columns(pl.col("contacts").fill_null(0))
        .with_columns(
            pl.lit(stage).alias("stage"),
            (pl.col("contacts") / pl.col("contacts").sum()).fill_nan(None).alias("share"),
        )
    )
    return table.select("stage", "agreement", "contacts", "share", "median_hours_apart")


def _stage_examples(
    stage: str, rows: pl.DataFrame, column: str, crm: str, agreed: str, examples: int
) -> pl.DataFrame:
    """Pick the ``examples`` contacts furthest apart per kind of disagreement of one stage."""
    return (
        rows.filter(pl.col(column) != AGREEMENT_LEVELS[0])
        .sort(pl.col("hours_apart").abs().fill_null(0.0), CONTACT_ID, descending=[True, False])
        .group_by(pl.col(column).alias("agreement"), maintain_order=True)
        .head(examples)
        .select(
            pl.lit(stage).alias("stage"),
            "agreement",
            CONTACT_ID,
            ACCOUNT_ID,
            CREATED_AT,
            pl.col(crm).alias("crm_at"),
            pl.col(agreed).alias("agreed_at"),
            "hours_apart",
            MAX_SCORE,
        )
    )
