"""Engines: where journeys and models run, polars in this process or an adapter elsewhere.

``engine="polars"`` (the default) runs everything in this process. Any other engine is an
adapter package that the core looks up **by name**, only when asked for: the core never
imports an adapter, so it neither depends on nor waits for one. ``engine="spark"`` loads
:mod:`attribution.spark`, which needs the optional ``spark`` extra
(``pip install 'attribution[spark]'``).
"""

from __future__ import annotations

import importlib
from typing import Any, Literal, Protocol, get_args

from attribution._text import did_you_mean
from attribution.errors import ParameterError

__all__ = ["ADAPTERS", "ENGINES", "Adapter", "Engine", "adapter", "check_engine"]

Engine = Literal["polars", "spark"]
ENGINES: tuple[str, ...] = get_args(Engine)
"""Names of the engines."""

ADAPTERS: dict[str, str] = {"spark": "attribution.spark"}
"""The package of each engine that runs outside this process, imported on first use."""


class Adapter(Protocol):
    """What an engine adapter offers: the core's calls, run where the adapter runs them."""

    def require(self) -> None:
        """Raise a clear error when the adapter's own dependencies are missing."""

    def journeys(self, dataset: Any, **options: Any) -> Any:
        """Journeys, as :func:`attribution.journeys` builds them."""

    def paths(self, journeys: Any, **options: Any) -> Any:
        """Path table, as :func:`attribution.paths` builds it."""

    def attribute(self, journeys: Any, model: str, **options: Any) -> Any:
        """Credits, as :func:`attribution.attribute` returns them."""

    def compare(self, journeys: Any, models: Any, **options: Any) -> Any:
        """Models side by side, as :func:`attribution.compare` sets them."""

    def markov(self, paths: Any, **options: Any) -> Any:
        """Markov removal effects, as :func:`attribution.markov` computes them."""

    def shapley(self, paths: Any, **options: Any) -> Any:
        """Shapley values, as :func:`attribution.shapley` computes them."""


def check_engine(engine: object) -> str:
    """Return ``engine`` if it names an engine, else raise :class:`ParameterError`.

    Examples
    --------
    >>> check_engine("polars")
    'polars'
    >>> check_engine("sprak")
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: unknown engine 'sprak'; did you mean 'spark'? ...
    """
    if isinstance(engine, str) and engine in ENGINES:
        return engine
    hint = did_you_mean(engine, ENGINES)
    hint = f"; {hint}" if hint else ""
    raise ParameterError(f"unknown engine {engine!r}{hint} Engines: {', '.join(ENGINES)}")


def adapter(engine: str) -> Adapter:
    """Import the adapter package of ``engine`` (e.g. ``"spark"``) and check it can run.

    Examples
    --------
    >>> adapter("polars")
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: engine 'polars' runs in this process; it has no adapter
    """
    name = check_engine(engine)
    if name not in ADAPTERS:
        raise ParameterError(f"engine {name!r} runs in this process; it has no adapter")
    module: Adapter = importlib.import_module(ADAPTERS[name])
    module.require()
    return module
