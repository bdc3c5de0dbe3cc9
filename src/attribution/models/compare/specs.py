"""Which models :func:`~attribution.models.compare.compare` sets side by side, and their options."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from attribution.errors import ParameterError
from attribution.models.registry import lookup

__all__ = ["DEFAULT_MODELS", "Spec", "label_specs", "model_specs"]

DEFAULT_MODELS: tuple[str, ...] = (
    "first_touch",
    "last_touch",
    "linear",
    "time_decay",
    "u_shaped",
    "w_shaped",
    "markov",
    "shapley",
)

Spec = tuple[str, str, dict[str, Any]]
"""One model of a comparison: its column label, its registry name and its options."""


def label_specs(models: Sequence[str] | Mapping[str, Mapping[str, Any]]) -> list[Spec]:
    """Return (label, registry name, options) per model.

    Examples
    --------
    >>> label_specs({"linear": {}, "m2": {"model": "markov", "order": 2}})
    [('linear', 'linear', {}), ('m2', 'markov', {'order': 2})]
    >>> label_specs([])
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: models must name at least one model
    """
    if isinstance(models, str):
        models = [models]
    specs: list[Spec]
    if isinstance(models, Mapping):
        specs = []
        for label, options in models.items():
            opts = dict(options or {})
            name = opts.pop("model", label)
            specs.append((str(label), str(name), opts))
    else:
        specs = [(str(m), str(m), {}) for m in models]
    if not specs:
        raise ParameterError("models must name at least one model")
    labels = [s[0] for s in specs]
    if len(set(labels)) != len(labels):
        raise ParameterError(f"models has repeated labels: {labels}")
    return specs


def model_specs(
    models: Sequence[str],
    *,
    markov_order: int = 1,
    half_life_days: float = 7.0,
    custom_weights: Mapping[str, float] | None = None,
) -> dict[str, dict[str, Any]]:
    """Each named model with its options, as :func:`compare` takes them (report parameters).

    ``markov`` gets ``order``, ``time_decay`` ``half_life_days`` and ``custom`` its milestone
    ``weights``; the other models take no options.

    Examples
    --------
    >>> model_specs(["linear", "time_decay", "markov"], markov_order=2, half_life_days=14)
    {'linear': {}, 'time_decay': {'half_life_days': 14}, 'markov': {'order': 2}}
    >>> model_specs(["custom"])
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: the custom model needs milestone weights ...
    """
    names = [models] if isinstance(models, str) else list(models)
    if not names:
        raise ParameterError("models must name at least one model")
    repeated = sorted({m for m in names if names.count(m) > 1})
    if repeated:
        raise ParameterError(f"models names {', '.join(repeated)} more than once")
    options: dict[str, dict[str, Any]] = {
        "markov": {"order": markov_order},
        "time_decay": {"half_life_days": half_life_days},
    }
    if "custom" in names:
        if not custom_weights:
            raise ParameterError(
                "the custom model needs milestone weights (custom_weights), e.g. "
                "{first: 0.4, lead_creation: 0.2, opportunity_creation: 0.2, close: 0.2}"
            )
        options["custom"] = {"weights": dict(custom_weights)}
    for name in names:
        lookup(name)
    return {name: dict(options.get(name, {})) for name in names}
