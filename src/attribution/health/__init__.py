"""Data health: what was loaded, over what time, and how much won revenue has touches.

* :mod:`~attribution.health.tables`: each table as loaded or as read: rows, time range,
  empty values per column;
* :mod:`~attribution.health.activity`: touches over time and per channel;
* :mod:`~attribution.health.deals`: opportunities from their journeys: touch coverage of
  their value, touches per deal, deals by month;
* :mod:`~attribution.health.overlap`: touches that count for several deals of one account,
  and touches linked to deals;
* :mod:`~attribution.health.checks`: gaps in valid data that limit what can be concluded.

Every function is reachable here, as ``attribution.health.<name>``.
"""

from __future__ import annotations

from attribution.health.activity import activity, channel_summary
from attribution.health.checks import checks
from attribution.health.deals import coverage, opportunities_by_month, touch_histogram
from attribution.health.overlap import linked_touches, shared_touches
from attribution.health.tables import column_nulls, null_counts, source_summary, table_summary

__all__ = [
    "activity",
    "channel_summary",
    "checks",
    "column_nulls",
    "coverage",
    "linked_touches",
    "null_counts",
    "opportunities_by_month",
    "shared_touches",
    "source_summary",
    "table_summary",
    "touch_histogram",
]
