"""Scenarios of the demo that break naive attribution models, selectable by name.

The built-in demo (``"default"``) lets every touch of a team count the same in the win
model. Each other scenario changes what generates the data in one way that a model
crediting touches by their presence or position gets wrong, while the truth stays known
(:attr:`DemoTruth.channels`):

``ubiquitous``
    Website visits (``direct``) happen in almost every deal's window (1 to 10 extra visits
    in 95% of deals) and have no effect on winning. Tests: a channel present everywhere,
    in won and lost deals alike, deserves no credit (a Markov removal effect calls it
    essential, and its many touches take much of any rule model's credit).
``useless_frequent``
    Marketing email is by far the most frequent channel (a newsletter: 1 to 9 extra sends
    in 80% of deals) and has no effect on winning. Tests: a channel's frequency is not its
    effect.
``demand_capture``
    Paid search has no effect, but buyers who have already decided search for the brand
    right before the deal closes: paid-search touches appear in the last three days of 85%
    of won deals and 10% of lost ones, added after the outcome was drawn. Tests what no
    observational model can see: the touch follows the decision, so every model that
    learns from won and lost deals credits it; only an experiment (a holdout of paid
    search) shows that it adds nothing.
``confounded``
    Reps work harder on deals that were likely to be won anyway: a deal's propensity raises
    the number of sales touches (up to 2.5 times as many for the likeliest deals), the
    chance to win (log-odds + 1 per unit) and the deal's amount (x exp(0.4) per unit). The
    propensity is mostly the account's industry (reps know which industries buy: from
    +1 to -1 by industry) plus a part no data show (normal, standard deviation 0.4).
    Tests: sales effort that follows win propensity is not all effect (sales' true credit
    is only the effect of its touches); a model that compares like with like (same
    industry, deal size) sees most of it, one that credits presence sees none.
``segment_effects``
    Channels work differently by segment: events and webinars only for Mid-Market and
    Enterprise accounts, paid search and paid social only for SMB, meetings and demos
    three times as much for Enterprise. Tests: a model that pools segments can still
    credit channels by their average effect over the deals they touched.

Scenarios other than ``"default"`` draw extra random numbers from a generator of their
own, so the default demo keeps giving the same data for the same seed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from attribution._text import closest
from attribution.data.demo.catalog import ALL_CHANNELS, SEGMENTS
from attribution.errors import ParameterError

__all__ = ["INDUSTRY_PROPENSITY", "SCENARIOS", "Scenario", "channel_weights", "scenario"]

INDUSTRY_PROPENSITY = (1.0, 0.7, 0.3, 0.0, -0.2, -0.5, -0.8, -1.0)
"""The ``confounded`` scenario's propensity of each industry (in ``INDUSTRIES`` order)."""
HIDDEN_PROPENSITY = 0.4
"""Standard deviation of the part of that propensity no data show."""


@dataclass(frozen=True)
class Scenario:
    """How a scenario changes what generates the demo (see the module docstring).

    Attributes
    ----------
    name, description
        Its name and what it tests.
    effect
        Per channel, how much one of its touches counts in the win model relative to the
        default (1; 0 is no effect), for every segment.
    segment_effect
        Per channel, the same per segment (SMB, Mid-Market, Enterprise); overrides
        ``effect``.
    extra
        Per channel, extra touches in deals' windows: ``(share of deals, most extra
        touches)``; each chosen deal gets 1 to that many, uniformly.
    capture, capture_won, capture_lost
        A demand-capture channel: touches in the last three days before the close of that
        share of won and of lost deals, added after the outcome was drawn.
    confounding
        Strength of a hidden propensity that raises both sales effort and winning (0:
        none).
    """

    name: str
    description: str
    effect: Mapping[str, float] = field(default_factory=dict)
    segment_effect: Mapping[str, tuple[float, float, float]] = field(default_factory=dict)
    extra: Mapping[str, tuple[float, int]] = field(default_factory=dict)
    capture: str | None = None
    capture_won: float = 0.0
    capture_lost: float = 0.0
    confounding: float = 0.0

    @property
    def is_default(self) -> bool:
        """Whether the scenario changes nothing (the built-in demo)."""
        return not (
            self.effect or self.segment_effect or self.extra or self.capture or self.confounding
        )


_SCENARIOS = (
    Scenario("default", "the built-in demo: every touch of a team counts the same"),
    Scenario(
        "ubiquitous",
        "a channel present in almost every deal (website visits) with no effect",
        effect={"direct": 0.0},
        extra={"direct": (0.95, 10)},
    ),
    Scenario(
        "useless_frequent",
        "the most frequent channel (marketing email) has no effect",
        effect={"email": 0.0},
        extra={"email": (0.80, 9)},
    ),
    Scenario(
        "demand_capture",
        "paid search appears right before the close of deals already decided, with no effect",
        effect={"paid_search": 0.0},
        capture="paid_search",
        capture_won=0.85,
        capture_lost=0.10,
    ),
    Scenario(
        "confounded",
        "sales effort follows a hidden propensity to win (reps work the likely deals)",
        confounding=1.0,
    ),
    Scenario(
        "segment_effects",
        "channels work differently by segment",
        segment_effect={
            "event": (0.0, 1.5, 3.0),
            "webinar": (0.0, 1.5, 2.5),
            "paid_search": (2.0, 0.0, 0.0),
            "paid_social": (2.0, 0.0, 0.0),
            "meeting": (0.5, 1.0, 3.0),
            "demo": (0.5, 1.0, 3.0),
        },
    ),
)

SCENARIOS: Mapping[str, Scenario] = MappingProxyType({s.name: s for s in _SCENARIOS})
"""Every scenario by name (``default`` first)."""


def scenario(name: str | Scenario) -> Scenario:
    """Return the scenario called ``name``; an unknown name lists the valid ones.

    Examples
    --------
    >>> scenario("ubiquitous").extra
    {'direct': (0.95, 10)}
    >>> scenario("ubiquitus")
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: unknown demo scenario 'ubiquitus'. Did you mean ...
    """
    if isinstance(name, Scenario):
        return name
    if isinstance(name, str) and name in SCENARIOS:
        return SCENARIOS[name]
    match = closest(name, SCENARIOS)
    hint = f" Did you mean {match!r}?" if match is not None else ""
    raise ParameterError(
        f"unknown demo scenario {name!r}.{hint} Valid scenarios: {', '.join(SCENARIOS)}"
    )


def channel_weights(s: Scenario, segment: np.ndarray) -> np.ndarray:
    """How much one touch of each channel counts in the win model, per account (n x channels).

    Examples
    --------
    >>> w = channel_weights(scenario("segment_effects"), np.array([0, 2]))
    >>> w[:, ALL_CHANNELS.index("event")].tolist()
    [0.0, 3.0]
    """
    by_segment = np.ones((len(SEGMENTS), len(ALL_CHANNELS)))
    for name, value in s.effect.items():
        by_segment[:, ALL_CHANNELS.index(name)] = value
    for name, values in s.segment_effect.items():
        by_segment[:, ALL_CHANNELS.index(name)] = values
    weights: np.ndarray = by_segment[segment]
    return weights
