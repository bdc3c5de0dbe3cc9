"""The column names of journeys and path tables, and their order.

A declarative module: :mod:`attribution.journey.build` and :mod:`attribution.journey.paths`
build frames with these columns, and every consumer names them from here (or through
:mod:`attribution.journey.build`, which re-exports them).
"""

from __future__ import annotations

from attribution.data.schema import (
    ACCOUNT_ID,
    ACTIVITY,
    AMOUNT,
    CAMPAIGN,
    CHANNEL,
    CLOSED_AT,
    CONTACT_ID,
    COST,
    IS_WON,
    OCCURRED_AT,
    OPPORTUNITY_ID,
    REP,
    TEAM,
    TOUCH_ID,
)

__all__ = [
    "CONVERSIONS",
    "DAYS_BEFORE_CLOSE",
    "IS_CLOSE",
    "IS_FIRST",
    "IS_LEAD_CREATION",
    "IS_OPPORTUNITY_CREATION",
    "JOURNEY_COLUMNS",
    "LEAD_CREATED_AT",
    "MILESTONES",
    "NULLS",
    "N_TOUCHES",
    "OPPORTUNITY_COLUMNS",
    "OPPORTUNITY_CREATED_AT",
    "PATH",
    "PATH_COLUMNS",
    "POSITION",
    "STATUS",
    "TOUCH_COLUMNS",
    "VALUE",
    "WINDOW_END",
    "WINDOW_START",
]

STATUS = "status"
OPPORTUNITY_CREATED_AT = "opportunity_created_at"
WINDOW_START = "window_start"
WINDOW_END = "window_end"
LEAD_CREATED_AT = "lead_created_at"
POSITION = "position"
N_TOUCHES = "n_touches"
DAYS_BEFORE_CLOSE = "days_before_close"
IS_FIRST = "is_first"
IS_LEAD_CREATION = "is_lead_creation"
IS_OPPORTUNITY_CREATION = "is_opportunity_creation"
IS_CLOSE = "is_close"
MILESTONES = (IS_FIRST, IS_LEAD_CREATION, IS_OPPORTUNITY_CREATION, IS_CLOSE)

OPPORTUNITY_COLUMNS: tuple[str, ...] = (
    OPPORTUNITY_ID,
    ACCOUNT_ID,
    STATUS,
    IS_WON,
    AMOUNT,
    OPPORTUNITY_CREATED_AT,
    CLOSED_AT,
    WINDOW_START,
    WINDOW_END,
)
"""The leading columns of a journeys frame that describe the opportunity and its window."""

TOUCH_COLUMNS: tuple[str, ...] = (
    TOUCH_ID,
    OCCURRED_AT,
    TEAM,
    CHANNEL,
    CAMPAIGN,
    ACTIVITY,
    CONTACT_ID,
    REP,
    COST,
)
"""The columns a journeys frame takes from the touches table, in order."""

JOURNEY_COLUMNS: tuple[str, ...] = (
    *OPPORTUNITY_COLUMNS,
    LEAD_CREATED_AT,
    *TOUCH_COLUMNS,
    POSITION,
    N_TOUCHES,
    DAYS_BEFORE_CLOSE,
    *MILESTONES,
)
"""Columns of a journeys frame, in order."""

PATH = "path"
CONVERSIONS = "conversions"
VALUE = "value"
NULLS = "nulls"
PATH_COLUMNS: tuple[str, ...] = (PATH, CONVERSIONS, VALUE, NULLS)
"""Columns of a path table, in order."""
