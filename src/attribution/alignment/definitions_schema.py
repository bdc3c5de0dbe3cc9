"""The rules of a definitions file, as typed dataclasses: MQL score and behaviours, SQL, SLA.

Each field's docstring says what the key means; its ``metadata`` sets the range that
:func:`attribution.config.check_schema` enforces. :mod:`attribution.alignment.definitions`
reads a file into these and adds the checks across keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "Acceptance",
    "Behaviour",
    "Combine",
    "MqlRule",
    "PointsBy",
    "ScoreFrom",
    "ScoreRule",
    "ServiceLevel",
    "SqlRule",
]

PointsBy = Literal["channel", "activity"]
ScoreFrom = Literal["touches", "crm"]
Combine = Literal["all", "any"]
Acceptance = Literal["sales_touch", "opportunity"]

_SHARE = {"min": 0.0, "max": 1.0}


@dataclass(frozen=True)
class ScoreRule:
    """A lead score and the threshold that makes a contact an MQL."""

    source: ScoreFrom = "touches"
    """``touches``: points per touch of the contact; ``crm``: the contacts' ``score`` column
    (today's value, no history: the MQL moment is then the first moment the other
    conditions hold, at the earliest the contact's creation)."""
    points: dict[str, float] | None = None
    """Points per touch, by channel (or activity, see ``points_by``); others score 0."""
    points_by: PointsBy = "channel"
    """Whether ``points`` are keyed by the touches' ``channel`` or ``activity``."""
    fit_points: dict[str, float] | None = None
    """Points a contact has from its creation, by its account's ``segment``."""
    threshold: float | None = None
    """The score at which a contact becomes an MQL (reached when at least this)."""
    window_days: float | None = field(default=None, metadata={"min": 0, "max": 3650})
    """Only touches of the last N days count (null: every touch so far)."""


@dataclass(frozen=True)
class Behaviour:
    """A named behaviour: some touches of given channels or activities within N days."""

    name: str | None = None
    """How the reports call it, e.g. ``attended a webinar or an event``."""
    channels: list[str] | None = None
    """Touches of any of these channels count."""
    activities: list[str] | None = None
    """Touches of any of these activities count (with ``channels``: either counts)."""
    count: int = field(default=1, metadata={"min": 1, "max": 1000})
    """At least this many such touches."""
    within_days: float | None = field(default=None, metadata={"min": 0, "max": 3650})
    """In the N days up to the MQL moment, both ends included (null: any time before)."""


@dataclass(frozen=True)
class MqlRule:
    """When a contact becomes a marketing-qualified lead."""

    score: ScoreRule | None = None
    """A lead score reaching a threshold."""
    behaviours: list[Behaviour] = field(default_factory=list)
    """Named behaviours."""
    combine: Combine = "all"
    """``all``: the score and every behaviour must hold at once; ``any``: one of them."""


@dataclass(frozen=True)
class SqlRule:
    """When an MQL is accepted by sales (a sales-qualified lead)."""

    accepted_by: list[Acceptance] = field(default_factory=lambda: ["sales_touch", "opportunity"])
    """Events that accept an MQL: a ``sales_touch`` on its account, an ``opportunity``
    created for its account; the first one counts."""
    sales_channels: list[str] | None = None
    """Sales touches of these channels count (null: any sales touch)."""
    sales_activities: list[str] | None = None
    """Sales touches of these activities count (with ``sales_channels``: either counts)."""
    within_days: float | None = field(default=30.0, metadata={"min": 0, "max": 3650})
    """At most N days after the MQL moment, both ends included (null: any time)."""


@dataclass(frozen=True)
class ServiceLevel:
    """The service-level agreement of the hand-off; empty numbers are not agreed."""

    response_hours: float = field(default=24.0, metadata={"min": 0.01, "max": 8760})
    """Sales answers an MQL (first sales touch on its account) within this many hours."""
    within_sla_share: float | None = field(default=None, metadata=_SHARE)
    """Sales answers at least this share of MQLs within ``response_hours``."""
    followed_up_share: float | None = field(default=None, metadata=_SHARE)
    """Sales follows up at least this share of MQLs at all (coverage)."""
    mqls_per_month: float | None = field(default=None, metadata={"min": 0})
    """Marketing delivers at least this many MQLs a month (quantity)."""
    mql_to_sql_rate: float | None = field(default=None, metadata=_SHARE)
    """At least this share of those MQLs become SQL (quality)."""
