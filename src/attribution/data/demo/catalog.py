"""The demo's vocabulary: segments, industries, channels, reps, stages and channel mixes.

Channels are addressed by their index into :data:`ALL_CHANNELS` (marketing channels first,
then sales channels); a *mix* is a probability row over channels.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = [
    "ACTIVITY",
    "ALL_CHANNELS",
    "CAMPAIGN_PREFIX",
    "CAMPAIGN_THEMES",
    "COST",
    "DEAL_MIX",
    "FOLLOW_UP_MIX",
    "FORM_MIX",
    "INDUSTRIES",
    "MARKETING_CHANNELS",
    "NURTURE_MIX",
    "N_MARKETING",
    "PRE_LEAD_MIX",
    "PROSPECT_MIX",
    "REPS",
    "SALES_CHANNELS",
    "SEGMENTS",
    "STAGES",
    "STAGE_NAMES",
    "STAGE_OFFSETS",
    "mix",
]

SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
INDUSTRIES = (
    "Software",
    "Financial services",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Education",
    "Logistics",
    "Media",
)
MARKETING_CHANNELS = (
    "paid_search",
    "paid_social",
    "organic_search",
    "email",
    "webinar",
    "content",
    "event",
    "review_site",
    "direct",
)
SALES_CHANNELS = ("sales_call", "sales_email", "meeting", "demo")
ALL_CHANNELS = MARKETING_CHANNELS + SALES_CHANNELS
N_MARKETING = len(MARKETING_CHANNELS)
"""Channel indices at or above this are sales channels."""

REPS = (
    "Avery Chen",
    "Jordan Patel",
    "Sam Okafor",
    "Riley Novak",
    "Morgan Silva",
    "Casey Larsen",
    "Quinn Abara",
    "Drew Kowalski",
    "Jamie Moreau",
    "Taylor Haddad",
    "Alex Lindqvist",
    "Robin Tanaka",
)
STAGES = ("Discovery", "Qualification", "Proposal", "Negotiation")
STAGE_NAMES = (*STAGES, "Closed Won", "Closed Lost")
"""Every stage a deal can be in; index 4 is won, 5 is lost."""
STAGE_OFFSETS = np.array([0.0, 0.2, 0.45, 0.7])
"""When each open stage is entered, as a share of the deal's cycle."""

ACTIVITY = {
    "paid_search": "ad click",
    "paid_social": "ad click",
    "organic_search": "site visit",
    "email": "email click",
    "webinar": "webinar attended",
    "content": "content download",
    "event": "event visit",
    "review_site": "review profile visit",
    "direct": "site visit",
    "sales_call": "call",
    "sales_email": "email",
    "meeting": "meeting",
    "demo": "demo",
}
CAMPAIGN_PREFIX = {
    "paid_search": "Search",
    "paid_social": "Social",
    "email": "Nurture",
    "webinar": "Webinar",
    "content": "Content",
    "event": "Event",
    "review_site": "Reviews",
}
CAMPAIGN_THEMES = {
    "paid_search": ("Brand", "Competitor", "Category"),
    "paid_social": ("LinkedIn ABM", "Retargeting"),
    "email": ("Newsletter", "Onboarding drip", "Product update"),
    "webinar": ("Forecasting 101", "RevOps roundtable"),
    "content": ("State of RevOps report", "ROI calculator", "Buyer's guide"),
    "event": ("Annual summit", "Regional roadshow", "Field dinner"),
    "review_site": ("G2 profile", "Capterra listing"),
}
COST = {  # cost per touch in the revenue currency
    "paid_search": 7.5,
    "paid_social": 4.0,
    "organic_search": 0.0,
    "email": 0.4,
    "webinar": 45.0,
    "content": 12.0,
    "event": 160.0,
    "review_site": 22.0,
    "direct": 0.0,
}


def mix(weights: Mapping[str, float], channels: tuple[str, ...]) -> np.ndarray:
    """Return ``weights`` as a probability row over ``channels`` (absent channels get 0).

    Examples
    --------
    >>> mix({"sales_call": 1.0, "demo": 3.0}, SALES_CHANNELS).tolist()
    [0.25, 0.0, 0.0, 0.75]
    """
    w = np.array([weights.get(c, 0.0) for c in channels], dtype=float)
    probs: np.ndarray = w / w.sum()
    return probs


PRE_LEAD_MIX = mix(
    {
        "paid_search": 0.3,
        "organic_search": 0.25,
        "paid_social": 0.2,
        "review_site": 0.1,
        "direct": 0.15,
    },
    MARKETING_CHANNELS,
)
"""Anonymous browsing before a form fill."""

FORM_MIX = mix(
    {
        "content": 0.3,
        "webinar": 0.2,
        "paid_search": 0.15,
        "event": 0.1,
        "paid_social": 0.1,
        "organic_search": 0.1,
        "review_site": 0.05,
    },
    MARKETING_CHANNELS,
)
"""The touch through which a person becomes a contact."""

_NURTURE_WEIGHTS = {  # per segment: SMB, Mid-Market, Enterprise
    "email": (0.38, 0.35, 0.30),
    "webinar": (0.10, 0.12, 0.14),
    "content": (0.15, 0.15, 0.14),
    "event": (0.03, 0.06, 0.12),
    "paid_social": (0.12, 0.10, 0.08),
    "direct": (0.12, 0.12, 0.12),
    "organic_search": (0.05, 0.05, 0.05),
    "paid_search": (0.05, 0.05, 0.05),
}
NURTURE_MIX = np.vstack(
    [
        mix({c: w[segment] for c, w in _NURTURE_WEIGHTS.items()}, MARKETING_CHANNELS)
        for segment in range(len(SEGMENTS))
    ]
)
"""Nurture touches after the first lead: one row per segment."""

PROSPECT_MIX = mix({"sales_call": 0.55, "sales_email": 0.45}, SALES_CHANNELS)
"""A rep's first touch of an account."""
FOLLOW_UP_MIX = mix({"sales_call": 0.45, "sales_email": 0.4, "meeting": 0.15}, SALES_CHANNELS)
"""A rep's follow-ups before an opportunity is opened."""
DEAL_MIX = mix(
    {"sales_call": 0.32, "sales_email": 0.36, "meeting": 0.2, "demo": 0.12}, SALES_CHANNELS
)
"""Sales touches during a deal."""
