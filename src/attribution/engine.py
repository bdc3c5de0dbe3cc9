"""Engines: where journeys and models run, polars on this machine or Apache Spark.

``engine="polars"`` (the default) runs everything in this process. ``engine="spark"``
hands the same work to :mod:`attribution.spark`, which needs the optional ``spark`` extra
(``pip install 'attribution[spark]'``) and is imported only then.
"""

from __future__ import annotations

import difflib
from types import ModuleType
from typing import Literal, get_args

from attribution.errors import ParameterError

__all__ = ["ENGINES", "Engine", "check_engine", "spark_engine"]

Engine = Literal["polars", "spark"]
ENGINES: tuple[str, ...] = get_args(Engine)
"""Names of the engines."""


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
    close = difflib.get_close_matches(str(engine), ENGINES, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ParameterError(f"unknown engine {engine!r}{hint} Engines: {', '.join(ENGINES)}")


def spark_engine() -> ModuleType:
    """Return :mod:`attribution.spark`, after checking that pyspark can be imported."""
    from attribution.spark.session import require

    require()
    import attribution.spark

    return attribution.spark
