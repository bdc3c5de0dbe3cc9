"""Attribution models, looked up by name in one registry.

Every model has the same signature ``model(journeys, *, team=None, **options) -> credits``
and returns the credits table of :mod:`attribution.models.credits`. The registry is
:mod:`~attribution.models.registry`; rule models are in :mod:`~attribution.models.rules`,
the data-driven ones in :mod:`~attribution.models.markov` and
:mod:`~attribution.models.shapley`; :func:`compare` sets them side by side.
"""

from __future__ import annotations

from attribution.models.credits import CREDIT_COLUMNS, NO_TOUCH
from attribution.models.onpaths import attribute_paths, compare_paths
from attribution.models.registry import (
    MODELS,
    ModelName,
    attribute,
    lookup,
    model_options,
)

__all__ = [
    "CREDIT_COLUMNS",
    "MODELS",
    "NO_TOUCH",
    "ModelName",
    "attribute",
    "attribute_paths",
    "compare_paths",
    "lookup",
    "model_options",
]
