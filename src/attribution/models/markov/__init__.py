"""Markov-chain removal-effect attribution, computed exactly from the absorbing chain.

The chain (order ``k``) has one state per run of ``k`` consecutive channels seen in the
paths, plus ``(start)``, ``(conversion)`` and ``(null)``. As in ChannelAttribution:

* a path ``c1 > c2 > ... > cL`` with ``L >= k`` visits the states ``(c1..ck), (c2..ck+1),
  ..., (cL-k+1..cL)``; a shorter path is one state holding the whole path;
* consecutive repeats of the same state are merged (a self-transition changes no
  absorption or visit probability, so removal effects are the same either way);
* every transition of a path counts ``conversions + nulls`` times; its last state moves
  to ``(conversion)`` ``conversions`` times and to ``(null)`` ``nulls`` times.

The **removal effect** of a channel is the share of conversions lost when every state
holding it sends its traffic to ``(null)`` instead: ``1 - P(conv | removed) / P(conv)``,
which equals ``P(the path visits the channel | conversion)``. ChannelAttribution estimates
these probabilities by simulating paths; here they are solved from the absorbing chain
with linear algebra: for each channel, ``(I - Q) h = q`` on the transient states that
remain (``Q`` the transitions among them, ``q`` the one-step conversion probabilities),
and ``P(conv) = pi . h`` with ``pi`` the start distribution. Chains of up to 500 states
are solved by dense LU; larger ones by sparse BiCGSTAB to a relative residual of 1e-13
(checked, with a sparse LU fallback), i.e. to floating-point accuracy, not to a
simulation's percent. The result is deterministic.

Conversions attributed to a channel are ``total conversions * RE / sum(RE)``.

**Value** is attributed the way ChannelAttribution does it: each simulated conversion
draws a value from the per-conversion values of the observed paths that ended in the
same last state; the value removal effect is the share of that expected value lost when
the channel is removed, and value attributed is ``total value * REv / sum(REv)``.
Exactly: the expected converted value is ``pi . h`` with ``q`` replaced by ``r_s = (value
of paths ending in s) / (traffic leaving s)``.

ChannelAttribution also stops simulated paths after as many steps as the longest observed
path; the exact solution has no such cut-off (the difference is below its simulation
noise on its example data; see ``tests/results/README.md``).

The modules: :mod:`~attribution.models.markov.chain` (states, state sequences, transition
counts), :mod:`~attribution.models.markov.solver` (the exact solve),
:mod:`~attribution.models.markov.model` (:func:`markov` on a path table and its result),
:mod:`~attribution.models.markov.journeys` (credits on journeys, prospects' paths).
"""

from __future__ import annotations

from attribution.models.markov.chain import (
    CONVERSION,
    NULL,
    START,
    STATE_SEPARATOR,
    Chain,
    Counts,
    check_order,
    count,
    members_of,
    prepare,
)
from attribution.models.markov.journeys import (
    credits,
    journey_weights,
    prospect_paths,
    weights_of,
)
from attribution.models.markov.model import NOTE, MarkovResult, fit, markov, result
from attribution.models.markov.solver import Solution, solve

__all__ = [
    "CONVERSION",
    "NOTE",
    "NULL",
    "START",
    "STATE_SEPARATOR",
    "Chain",
    "Counts",
    "MarkovResult",
    "Solution",
    "check_order",
    "count",
    "credits",
    "fit",
    "journey_weights",
    "markov",
    "members_of",
    "prepare",
    "prospect_paths",
    "result",
    "solve",
    "weights_of",
]
