"""The data contract: canonical tables, their columns and types, and validation.

Every other module addresses columns through the constants defined here.

:func:`validate` converts a user's tables to the contract's types where that loses nothing
(CSV strings to datetimes, integers to floats, ``"yes"``/``"no"`` to booleans), keeps any extra
columns, checks every rule, and raises **one** :class:`~attribution.errors.SchemaError` or
:class:`~attribution.errors.DataError` listing every problem found, each with the table, the
column, what is wrong, how many rows and up to five example rows.

The package: :mod:`~attribution.data.schema.contract` (the tables and columns, declared),
:mod:`~attribution.data.schema.convert` (reading values as the contract's types),
:mod:`~attribution.data.schema.checks` (the rules as polars expressions),
:mod:`~attribution.data.schema.problems` (one problem per broken rule, one error for all) and
:mod:`~attribution.data.schema.validation` (:func:`validate`).
"""

from __future__ import annotations

from attribution.data.dataset import TableName
from attribution.data.schema.contract import (
    ACCOUNT_ID,
    ACTIVITY,
    AMOUNT,
    CAMPAIGN,
    CHANNEL,
    CLOSED_AT,
    CONTACT_ID,
    COST,
    CREATED_AT,
    DISQUALIFIED_AT,
    DISQUALIFIED_REASON,
    EMPLOYEES,
    ENTERED_AT,
    INDUSTRY,
    IS_WON,
    LEAD_PROFILE,
    LEAD_SOURCE,
    LEAD_STATUS,
    LOST_REASON,
    MARKETING,
    MQL_AT,
    OCCURRED_AT,
    OPPORTUNITY_ID,
    PERIOD_END,
    PERIOD_START,
    REGION,
    REP,
    ROLE,
    SALES,
    SCORE,
    SEGMENT,
    SOURCE,
    SQL_AT,
    STAGE,
    TABLE_ORDER,
    TABLES,
    TEAM,
    TEAMS,
    TIMESTAMP,
    TITLE,
    TOUCH_ID,
    Column,
    Table,
)
from attribution.data.schema.convert import check_time_zone, converted, has_offset
from attribution.data.schema.problems import Problem, raise_problems
from attribution.data.schema.validation import validate

__all__ = [
    "ACCOUNT_ID",
    "ACTIVITY",
    "AMOUNT",
    "CAMPAIGN",
    "CHANNEL",
    "CLOSED_AT",
    "CONTACT_ID",
    "COST",
    "CREATED_AT",
    "DISQUALIFIED_AT",
    "DISQUALIFIED_REASON",
    "EMPLOYEES",
    "ENTERED_AT",
    "INDUSTRY",
    "IS_WON",
    "LEAD_PROFILE",
    "LEAD_SOURCE",
    "LEAD_STATUS",
    "LOST_REASON",
    "MARKETING",
    "MQL_AT",
    "OCCURRED_AT",
    "OPPORTUNITY_ID",
    "PERIOD_END",
    "PERIOD_START",
    "REGION",
    "REP",
    "ROLE",
    "SALES",
    "SCORE",
    "SEGMENT",
    "SOURCE",
    "SQL_AT",
    "STAGE",
    "TABLES",
    "TABLE_ORDER",
    "TEAM",
    "TEAMS",
    "TIMESTAMP",
    "TITLE",
    "TOUCH_ID",
    "Column",
    "Problem",
    "Table",
    "TableName",
    "check_time_zone",
    "converted",
    "has_offset",
    "raise_problems",
    "validate",
]
