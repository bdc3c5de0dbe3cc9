"""Rule models: a per-touch weight expression each, plus the shared allocation step.

Milestones come from the journeys and are recomputed on the creditable touches (after the
``team`` filter): the *first* touch, *lead creation* (the last touch at or before the
account's first contact was created), *opportunity creation* (the last touch at or before
the opportunity was created) and *close* (the last touch before the deal closed).

Position-based models give each milestone a weight and share a ``rest`` weight equally
among the touches that hold none of the model's milestones. Then, per deal:

* milestones that fall on the same touch add their weights;
* the weight of a milestone with no touch (no contacts table, a lead created before the
  window, no touch of the requested team before it) and the ``rest`` weight of a deal
  with no other touches are shared among the touches present in proportion to their
  weights: every deal's credits are renormalised to sum to exactly 1. A one-touch deal
  therefore gives that touch 100% under every model, and U-shaped on a two-touch deal
  whose second touch created the lead gives 50/50.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal, get_args

import polars as pl

from attribution.errors import ParameterError
from attribution.journey.columns import DAYS_BEFORE_CLOSE
from attribution.models.credits import (
    DEAL,
    IS_CLOSE,
    IS_FIRST,
    IS_LEAD,
    IS_OPPORTUNITY,
    WeightFn,
    allocate,
)

__all__ = [
    "MILESTONE_KEYS",
    "POSITION_WEIGHTS",
    "RULE_MODELS",
    "RuleModel",
    "custom",
    "first_touch",
    "full_path",
    "inverse_j",
    "j_shaped",
    "last_touch",
    "linear",
    "rule_weight",
    "time_decay",
    "u_shaped",
    "w_shaped",
]

RuleModel = Literal[
    "first_touch",
    "last_touch",
    "linear",
    "time_decay",
    "u_shaped",
    "w_shaped",
    "full_path",
    "j_shaped",
    "inverse_j",
    "custom",
]
Milestone = Literal["first", "lead_creation", "opportunity_creation", "close", "rest"]

RULE_MODELS: tuple[str, ...] = get_args(RuleModel)
"""Names of the rule models."""

MILESTONE_KEYS: tuple[str, ...] = ("first", "lead_creation", "opportunity_creation", "close")
"""Milestones a position weight can name; ``rest`` is every touch holding none of them."""
_ROLE = {
    "first": IS_FIRST,
    "lead_creation": IS_LEAD,
    "opportunity_creation": IS_OPPORTUNITY,
    "close": IS_CLOSE,
}

POSITION_WEIGHTS: dict[str, dict[str, float]] = {
    "first_touch": {"first": 1.0},
    "last_touch": {"close": 1.0},
    "u_shaped": {"first": 0.4, "lead_creation": 0.4, "rest": 0.2},
    "w_shaped": {"first": 0.3, "lead_creation": 0.3, "opportunity_creation": 0.3, "rest": 0.1},
    "full_path": {
        "first": 0.225,
        "lead_creation": 0.225,
        "opportunity_creation": 0.225,
        "close": 0.225,
        "rest": 0.1,
    },
    "j_shaped": {"first": 0.2, "close": 0.8},
    "inverse_j": {"first": 0.8, "close": 0.2},
}
"""The published milestone weights of the position-based models."""


def check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Validate milestone weights: known keys, finite, non-negative, positive total."""
    if not isinstance(weights, Mapping):
        raise ParameterError(
            f"weights must be a mapping of milestone to weight, got {type(weights).__name__}"
        )
    allowed = (*MILESTONE_KEYS, "rest")
    unknown = [k for k in weights if k not in allowed]
    if unknown:
        raise ParameterError(
            f"weights: unknown milestone(s) {unknown}; allowed: {', '.join(allowed)}"
        )
    clean: dict[str, float] = {}
    for key, value in weights.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ParameterError(f"weights[{key!r}] must be a number, got {value!r}")
        if not math.isfinite(value) or value < 0:
            raise ParameterError(f"weights[{key!r}] must be finite and >= 0, got {value!r}")
        clean[key] = float(value)
    if sum(clean.values()) <= 0:
        raise ParameterError(f"weights must not all be zero, got {dict(weights)}")
    return clean


def position_weight(weights: Mapping[str, float]) -> WeightFn:
    """Weight expression of a position-based model (see the module docstring)."""
    named = [k for k in MILESTONE_KEYS if weights.get(k, 0.0) > 0]
    rest = weights.get("rest", 0.0)

    def weight(_: pl.LazyFrame) -> pl.Expr:
        held = pl.any_horizontal(*(pl.col(_ROLE[k]) for k in named)) if named else pl.lit(False)
        expr = pl.lit(0.0)
        for key in named:
            expr = expr + pl.col(_ROLE[key]).cast(pl.Float64) * weights[key]
        if rest > 0:
            n_rest = (~held).sum().over(DEAL)
            expr = expr + pl.when(~held).then(rest / n_rest).otherwise(0.0)
        return expr

    return weight


def _positional(name: str) -> WeightFn:
    return position_weight(POSITION_WEIGHTS[name])


def _half_life(half_life_days: object) -> float:
    if (
        isinstance(half_life_days, bool)
        or not isinstance(half_life_days, int | float)
        or not math.isfinite(half_life_days)
        or half_life_days <= 0
    ):
        raise ParameterError(f"half_life_days must be a number > 0, got {half_life_days!r}")
    return float(half_life_days)


def rule_weight(
    model: str,
    *,
    half_life_days: float = 7.0,
    weights: Mapping[str, float] | None = None,
) -> WeightFn:
    """Return the weight function of rule model ``model``, its options checked.

    Every rule model is ``allocate(journeys, rule_weight(model, **options), team=team)``;
    :func:`attribution.compare` evaluates several of them side by side in one pass.

    Examples
    --------
    >>> rule_weight("time_decay", half_life_days=0)
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: half_life_days must be a number > 0, got 0
    """
    if model in POSITION_WEIGHTS:
        return _positional(model)
    if model == "linear":
        return lambda _: pl.lit(1.0)
    if model == "time_decay":
        half_life = _half_life(half_life_days)
        return lambda _: pl.lit(0.5).pow(pl.col(DAYS_BEFORE_CLOSE) / half_life).fill_null(1.0)
    if model == "custom":
        if weights is None:
            raise ParameterError(
                "model 'custom' needs weights={...} with keys among "
                f"{', '.join((*MILESTONE_KEYS, 'rest'))}"
            )
        return position_weight(check_weights(weights))
    raise ParameterError(f"{model!r} is not a rule model; rule models: {', '.join(RULE_MODELS)}")


def first_touch(journeys: pl.DataFrame | pl.LazyFrame, *, team: str | None = None) -> pl.DataFrame:
    """All credit to the first touch of the deal's window.

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=60, seed=1))
    >>> c = first_touch(j)
    >>> c.group_by("opportunity_id").len()["len"].max()
    1
    """
    return allocate(journeys, _positional("first_touch"), team=team)


def last_touch(journeys: pl.DataFrame | pl.LazyFrame, *, team: str | None = None) -> pl.DataFrame:
    """All credit to the last touch before the deal closed.

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=60, seed=1))
    >>> round(last_touch(j)["credit"].sum()) == j.filter(status="won")["opportunity_id"].n_unique()
    True
    """
    return allocate(journeys, _positional("last_touch"), team=team)


def linear(journeys: pl.DataFrame | pl.LazyFrame, *, team: str | None = None) -> pl.DataFrame:
    """Equal credit to every touch of the deal's window.

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=60, seed=1))
    >>> c = linear(j, team="sales")
    >>> sorted(set(c["team"]) - {"(no touch)"})
    ['sales']
    """
    return allocate(journeys, rule_weight("linear"), team=team)


def time_decay(
    journeys: pl.DataFrame | pl.LazyFrame,
    *,
    team: str | None = None,
    half_life_days: float = 7.0,
) -> pl.DataFrame:
    """Credit that halves every ``half_life_days`` before the close.

    A touch ``d`` days before the close weighs ``0.5 ** (d / half_life_days)``; weights are
    then normalised within the deal.

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=60, seed=1))
    >>> c = time_decay(j, half_life_days=14)
    >>> per_deal = c.group_by("opportunity_id").agg(pl.col("credit").sum())
    >>> per_deal["credit"].round(9).unique().to_list()
    [1.0]
    """
    weight = rule_weight("time_decay", half_life_days=half_life_days)
    return allocate(journeys, weight, team=team)


def u_shaped(journeys: pl.DataFrame | pl.LazyFrame, *, team: str | None = None) -> pl.DataFrame:
    """40% first touch, 40% lead creation, 20% shared by the other touches.

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=60, seed=1))
    >>> u_shaped(j)["credit"].max() <= 1.0
    True
    """
    return allocate(journeys, _positional("u_shaped"), team=team)


def w_shaped(journeys: pl.DataFrame | pl.LazyFrame, *, team: str | None = None) -> pl.DataFrame:
    """30% each to first touch, lead creation and opportunity creation, 10% to the rest.

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=60, seed=1))
    >>> (w_shaped(j)["credit"] > 0).all()
    True
    """
    return allocate(journeys, _positional("w_shaped"), team=team)


def full_path(journeys: pl.DataFrame | pl.LazyFrame, *, team: str | None = None) -> pl.DataFrame:
    """22.5% each to first touch, lead and opportunity creation and close, 10% to the rest.

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=60, seed=1))
    >>> full_path(j).columns[:6]
    ['opportunity_id', 'touch_id', 'channel', 'team', 'credit', 'revenue']
    """
    return allocate(journeys, _positional("full_path"), team=team)


def j_shaped(journeys: pl.DataFrame | pl.LazyFrame, *, team: str | None = None) -> pl.DataFrame:
    """20% to the first touch, 80% to the last; touches between get nothing.

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=60, seed=1))
    >>> sorted(j_shaped(j)["credit"].round(6).unique().to_list())[:2]
    [0.2, 0.8]
    """
    return allocate(journeys, _positional("j_shaped"), team=team)


def inverse_j(journeys: pl.DataFrame | pl.LazyFrame, *, team: str | None = None) -> pl.DataFrame:
    """80% to the first touch, 20% to the last; touches between get nothing.

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=60, seed=1))
    >>> sorted(inverse_j(j)["credit"].round(6).unique().to_list())[:2]
    [0.2, 0.8]
    """
    return allocate(journeys, _positional("inverse_j"), team=team)


def custom(
    journeys: pl.DataFrame | pl.LazyFrame,
    *,
    team: str | None = None,
    weights: Mapping[str, float] | None = None,
) -> pl.DataFrame:
    """Your own milestone weights, e.g. from run parameters.

    Parameters
    ----------
    journeys
        Output of :func:`attribution.journeys`.
    team
        Credit only this team's touches (default: both).
    weights
        Non-negative weights for ``first``, ``lead_creation``, ``opportunity_creation``,
        ``close`` and ``rest`` (missing keys weigh 0). They need not sum to 1: each deal's
        credits are renormalised (see the module docstring); a deal holding none of the
        weighted touches is shared equally among its touches.

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=60, seed=1))
    >>> c = custom(j, weights={"first": 1, "close": 1})
    >>> c.equals(custom(j, weights={"first": 0.5, "close": 0.5}))
    True
    """
    return allocate(journeys, rule_weight("custom", weights=weights), team=team)
