"""Sales insight back to marketing: why deals are lost and leads rejected, who buys, who decides.

* :mod:`~attribution.feedback.reasons`: reasons normalised (case, spaces, synonyms); shares
  and changes with their intervals.
* :mod:`~attribution.feedback.frames`: the closed deals and worked leads the views count,
  with the dimensions they group by.
* :mod:`~attribution.feedback.heard`: what sales hears: loss and disqualification reasons
  by source, the sources whose leads sales rejects most, the change from the last period,
  recycled leads.
* :mod:`~attribution.feedback.profile`: the ideal customer profile: win rate, deal size,
  cycle and revenue by firmographics, and a model of winning on them.
* :mod:`~attribution.feedback.reach`: how much of marketing reaches the profile.
* :mod:`~attribution.feedback.buying`: buying groups: who was engaged before the close, by
  role (the deal's own contact roles where the data has them); win rate by group size;
  open deals with thin groups.
* :mod:`~attribution.feedback.buying_effect`: the win rate with and without a decision
  maker engaged, adjusted for segment and size.

Every view describes what happened; none of them shows what caused it.
"""

from __future__ import annotations

from attribution.feedback.buying import buying_groups, thin_open_deals, win_rate_by_group_size
from attribution.feedback.buying_effect import BuyingGroupEffect, decision_maker_effect
from attribution.feedback.heard import (
    Reasons,
    disqualification_reasons,
    loss_reasons,
    reason_changes,
    recycled_leads,
    rejection_rates,
)
from attribution.feedback.profile import (
    FIRMOGRAPHICS,
    ProfileEstimate,
    ideal_customer_profile,
    profile_table,
)
from attribution.feedback.reach import profile_reach
from attribution.feedback.reasons import NOT_RECORDED, SYNONYMS, normalise_reason

__all__ = [
    "FIRMOGRAPHICS",
    "NOT_RECORDED",
    "SYNONYMS",
    "BuyingGroupEffect",
    "ProfileEstimate",
    "Reasons",
    "buying_groups",
    "decision_maker_effect",
    "disqualification_reasons",
    "ideal_customer_profile",
    "loss_reasons",
    "normalise_reason",
    "profile_reach",
    "profile_table",
    "reason_changes",
    "recycled_leads",
    "rejection_rates",
    "thin_open_deals",
    "win_rate_by_group_size",
]
