"""Models side by side, with bootstrap intervals on the revenue each credits to a group.

:func:`compare` runs several models on the same journeys and returns one row per channel
(or team, or campaign) with one column per model: the revenue that model credits there.

Every model is a per-touch weight plus one shared allocation step, so the models are
evaluated side by side in one pass: the won deals' creditable touches and their roles are
computed once, each model adds its weight and credit columns, and one group-by sums them
all. Markov and Shapley are fitted once per set of journey paths (built once), and their
channel weights spread to the touches in the same pass. The numbers are those of
:func:`attribution.attribute` summed by group, to the last bit.

With ``level=0.9`` every cell also gets a 90% interval from a bootstrap that resamples
*accounts* with replacement (all of an account's deals, won, lost and open, move together,
so the dependence between an account's deals is kept). The resampling is seeded, so the
same inputs and seed give the same intervals. It is cheap:

* rule models credit each deal the same way whatever the sample, so a resample only
  reweights accounts: one matrix product per model (resamples × accounts × groups);
* Markov and Shapley are re-fitted on every resample from reweighted path counts. Every
  count they need (transitions, starts, ends; coalition conversions) is linear in the
  account weights, so the counts of all resamples come from one sparse matrix product;
  Shapley values then follow for all resamples at once, and each Markov resample is one
  exact solve that starts from the full sample's solution;
* spreading a resample's channel weights over the won deals' touches only depends, per
  deal, on its set of channels: the touches are summarised once per (channel set, channel,
  group), so each resample costs a few array operations on those summaries.

Intervals are percentile intervals; they show how much a model's answer moves with the
sample of accounts, not whether the model is right.

The modules: :mod:`~attribution.models.compare.specs` (which models, with which options),
:mod:`~attribution.models.compare.onepass` (the one-pass credit table),
:mod:`~attribution.models.compare.resample`, :mod:`~attribution.models.compare.refit`,
:mod:`~attribution.models.compare.respread` and :mod:`~attribution.models.compare.bootstrap`
(the intervals), :mod:`~attribution.models.compare.comparison` (:func:`compare` and its
result).
"""

from __future__ import annotations

from attribution.models.compare.comparison import NOTE, By, Comparison, compare
from attribution.models.compare.onepass import NO_GROUP
from attribution.models.compare.specs import DEFAULT_MODELS, Spec, label_specs, model_specs

__all__ = [
    "DEFAULT_MODELS",
    "NOTE",
    "NO_GROUP",
    "By",
    "Comparison",
    "Spec",
    "compare",
    "label_specs",
    "model_specs",
]

_specs = label_specs  # the name other packages' modules import
