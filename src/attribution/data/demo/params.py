"""The simulation's knobs: :class:`DemoParams`, whose defaults are the built-in demo's truth."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["DemoParams"]


@dataclass(frozen=True)
class DemoParams:
    """Every knob of the simulation; the defaults are the built-in demo's truth.

    Rates are per account unless stated; times are days unless the name says hours.
    The win model is ``logit P(win) = win_intercept + win_segment[segment]
    + win_marketing * log1p(m) + win_sales * log1p(s) + win_joint * log1p(m) * log1p(s)
    + win_speed * [s > 0] * log1p(h / 24)`` where ``m`` and ``s`` are the marketing and sales
    touches in the journey window (``lookback_days`` before creation up to the close) and
    ``h`` the hours from the account's first MQL to its first sales touch (0 if none).
    The amount model is ``E[amount] = amount_mean[segment] * exp(amount_sales * log1p(s))``
    with Gamma noise of shape ``amount_shape``.

    Examples
    --------
    >>> p = DemoParams(win_joint=0.0)
    >>> p.win_joint, p.to_dict()["start"]
    (0.0, '2025-01-01T00:00:00+00:00')
    """

    start: datetime = datetime(2025, 1, 1, tzinfo=UTC)
    end: datetime = datetime(2026, 6, 30, tzinfo=UTC)
    lookback_days: int = 180
    segment_share: tuple[float, float, float] = (0.55, 0.30, 0.15)
    lead_rate: float = 0.85
    anonymous_touches: float = 1.0
    days_to_first_lead: float = 14.0
    extra_contacts: tuple[float, float, float] = (0.4, 1.2, 2.5)
    nurture_per_month: float = 1.1
    fit_points: tuple[float, float, float] = (5.0, 10.0, 15.0)
    score_points: Mapping[str, float] = field(
        default_factory=lambda: {
            "paid_search": 5,
            "paid_social": 3,
            "organic_search": 4,
            "email": 3,
            "webinar": 12,
            "content": 8,
            "event": 15,
            "review_site": 6,
            "direct": 2,
        }
    )
    mql_threshold: float = 40.0
    self_serve_share_smb: float = 0.3
    self_serve_opportunity_rate: float = 0.35
    follow_up_rate: float = 0.9
    rep_median_response_hours: tuple[float, ...] = (0.5, 1, 2, 3, 4, 6, 8, 12, 24, 36, 48, 72)
    rep_effort: tuple[float, ...] = (1.3, 1.1, 1.0, 0.8, 1.2, 0.9, 1.0, 1.1, 0.7, 1.0, 0.9, 1.2)
    outbound_rate: tuple[float, float, float] = (0.08, 0.18, 0.35)
    opportunity_intercept: float = -0.4
    opportunity_segment: tuple[float, float, float] = (0.0, 0.2, 0.3)
    opportunity_weights: Mapping[str, float] = field(
        default_factory=lambda: {
            "paid_search": 0.10,
            "paid_social": -0.05,
            "organic_search": 0.10,
            "email": 0.05,
            "webinar": 0.35,
            "content": 0.25,
            "event": 0.40,
            "review_site": 0.30,
            "direct": 0.15,
        }
    )
    opportunity_speed: float = -0.2
    outbound_opportunity_rate: float = 0.35
    cycle_median_days: tuple[float, float, float] = (25.0, 50.0, 90.0)
    sales_touches_per_week: float = 1.1
    win_intercept: float = -2.3
    win_segment: tuple[float, float, float] = (0.0, -0.2, -0.4)
    win_marketing: float = 0.25
    win_sales: float = 0.35
    win_joint: float = 0.04
    win_speed: float = -0.3
    amount_mean: tuple[float, float, float] = (12_000.0, 45_000.0, 160_000.0)
    amount_sales: float = 0.05
    amount_shape: float = 2.5

    @property
    def horizon(self) -> float:
        """Days from :attr:`start` to :attr:`end`: the simulated period."""
        return (self.end - self.start).total_seconds() / 86_400

    def to_dict(self) -> dict[str, Any]:
        """Return the parameters as plain Python values (for manifests and reports)."""
        out = asdict(self)
        out["start"], out["end"] = self.start.isoformat(), self.end.isoformat()
        out["score_points"] = dict(self.score_points)
        out["opportunity_weights"] = dict(self.opportunity_weights)
        return out
