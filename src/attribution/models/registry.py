"""The registry of attribution models: every model by name, and one call that runs any.

Every model has the same signature ``model(journeys, *, team=None, **options) -> credits``
and returns the credits table of :mod:`attribution.models.credits`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Literal, overload

import polars as pl

from attribution._text import closest
from attribution.engines import Engine, adapter, check_engine
from attribution.errors import ParameterError
from attribution.journey.slices import restrict
from attribution.models import incremental as _incremental
from attribution.models import markov as _markov
from attribution.models import rules
from attribution.models import shapley as _shapley
from attribution.models.credits import check_options

__all__ = ["MODELS", "Model", "ModelName", "attribute", "lookup", "model_options"]

ModelName = Literal[rules.RuleModel, "markov", "shapley", "incremental"]

Model = Callable[..., pl.DataFrame]

MODELS: dict[str, Model] = {
    "first_touch": rules.first_touch,
    "last_touch": rules.last_touch,
    "linear": rules.linear,
    "time_decay": rules.time_decay,
    "u_shaped": rules.u_shaped,
    "w_shaped": rules.w_shaped,
    "full_path": rules.full_path,
    "j_shaped": rules.j_shaped,
    "inverse_j": rules.inverse_j,
    "custom": rules.custom,
    "markov": _markov.credits,
    "shapley": _shapley.credits,
    "incremental": _incremental.credits,
}
"""Every model by name. Each is ``model(journeys, *, team=None, **options) -> credits``."""


def model_options(model: str) -> tuple[str, ...]:
    """Names of the options ``model`` takes (besides ``team``).

    Examples
    --------
    >>> model_options("time_decay")
    ('half_life_days',)
    """
    fn = lookup(model)
    params = inspect.signature(fn).parameters
    return tuple(p.name for p in params.values() if p.kind is p.KEYWORD_ONLY and p.name != "team")


def lookup(model: str) -> Model:
    """Return the model called ``model``; an unknown name lists the valid ones."""
    if isinstance(model, str) and model in MODELS:
        return MODELS[model]
    match = closest(model, MODELS)
    hint = f" Did you mean {match!r}?" if match is not None else ""
    raise ParameterError(
        f"unknown attribution model {model!r}.{hint} Valid models: {', '.join(MODELS)}"
    )


@overload
def attribute(
    journeys: pl.DataFrame | pl.LazyFrame,
    model: ModelName | str,
    *,
    team: str | None = ...,
    engine: Literal["polars"] = ...,
    where: pl.Expr | None = ...,
    **options: Any,
) -> pl.DataFrame: ...


@overload
def attribute(
    journeys: Any,
    model: ModelName | str,
    *,
    team: str | None = ...,
    engine: Literal["spark"],
    where: pl.Expr | None = ...,
    **options: Any,
) -> Any: ...


def attribute(
    journeys: Any,
    model: ModelName | str,
    *,
    team: str | None = None,
    engine: Engine = "polars",
    where: pl.Expr | None = None,
    **options: Any,
) -> Any:
    """Credit won revenue to touches with the model called ``model``.

    Parameters
    ----------
    journeys
        Output of :func:`attribution.journeys`.
    model
        A name in :data:`MODELS`.
    team
        ``None`` credits both teams' touches; ``"marketing"`` or ``"sales"`` only that
        team's (a won deal with no touch of that team gets a ``(no touch)`` row).
    engine
        ``"polars"``, or ``"spark"`` for Spark journeys (a Spark DataFrame or table name):
        the credits are then a Spark DataFrame with the same rows
        (:func:`attribution.spark.attribute`).
    where
        Credit only the deals where this polars expression on the deal's columns is true
        (e.g. ``pl.col("segment") == "SMB"`` on journeys built with
        ``include=["segment"]``; see :func:`attribution.journey.slices.restrict`).
        Data-driven models are fitted on those deals alone.
    **options
        The model's options (see :func:`model_options`), e.g. ``half_life_days=14`` for
        ``time_decay``, ``order=3`` for ``markov``, ``weights={...}`` for ``custom``.

    Returns
    -------
    polars.DataFrame
        Credits: ``opportunity_id, touch_id, channel, team, credit, revenue`` then
        ``account_id, campaign, closed_at, position``; one row per (won deal, credited
        touch), each deal's credits summing to 1 and its revenue to its amount.

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=100, seed=0))
    >>> at.attribute(j, "time_decay", half_life_days=14).columns[:6]
    ['opportunity_id', 'touch_id', 'channel', 'team', 'credit', 'revenue']
    >>> at.attribute(j, "linaer")
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: unknown attribution model 'linaer'. Did you mean ...
    """
    if check_engine(engine) == "spark":
        if where is not None:
            raise ParameterError("where applies to the polars engine only")
        return adapter("spark").attribute(journeys, str(model), team=team, **options)
    fn = lookup(model)
    check_options(str(model), options, model_options(str(model)))
    credits: pl.DataFrame = fn(restrict(journeys, where), team=team, **options)
    return credits
