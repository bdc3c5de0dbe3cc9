"""Credited revenue over time: what each model credits per closing period and team or channel.

A won deal's credits are dated by its close, so the periods add up to the revenue each
model credits in :func:`attribution.compare`, and every model's periods add up to the same
won revenue; only the split between teams (or channels) differs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import polars as pl

from attribution.data.schema import CAMPAIGN, CHANNEL, CLOSED_AT, TEAM
from attribution.errors import ParameterError
from attribution.models.compare.onepass import group_expr
from attribution.models.compare.specs import DEFAULT_MODELS, label_specs
from attribution.models.credits import REVENUE, check_team
from attribution.models.registry import attribute

__all__ = ["Every", "credit_over_time"]

Every = Literal["week", "month", "quarter"]
_EVERY: dict[str, str] = {"week": "1w", "month": "1mo", "quarter": "1q"}
_BY: tuple[str, ...] = (TEAM, CHANNEL, CAMPAIGN)


def credit_over_time(
    journeys: pl.DataFrame | pl.LazyFrame,
    models: Sequence[str] | Mapping[str, Mapping[str, Any]] = DEFAULT_MODELS,
    *,
    by: Literal["team", "channel", "campaign"] = "team",
    every: Every = "month",
    team: str | None = None,
) -> pl.DataFrame:
    """Revenue each model credits per closing period and team (or channel, or campaign).

    Parameters
    ----------
    journeys
        Output of :func:`attribution.journeys`.
    models
        Model names, or a mapping of label to options, as for :func:`attribution.compare`.
    by
        Split each period by ``team``, ``channel`` or ``campaign``; won deals without a
        creditable touch form ``(no touch)``.
    every
        Period of the closing date: ``week``, ``month`` or ``quarter``.
    team
        Credit only this team's touches (default: both).

    Returns
    -------
    polars.DataFrame
        ``model``, ``period`` (date of the period's first day), the ``by`` column and
        ``revenue``; models in the order given, then periods, then groups.

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=300, seed=0))
    >>> t = credit_over_time(j, ["first_touch", "markov"])
    >>> t.columns
    ['model', 'period', 'team', 'revenue']
    >>> per_model = t.group_by("model").agg(pl.col("revenue").sum().round(2))
    >>> per_model["revenue"].n_unique()
    1
    """
    if by not in _BY:
        raise ParameterError(f"by must be one of {', '.join(_BY)}; got {by!r}")
    if every not in _EVERY:
        raise ParameterError(f"every must be one of {', '.join(_EVERY)}; got {every!r}")
    check_team(team)
    parts = []
    for label, name, options in label_specs(models):
        credits: pl.DataFrame = attribute(journeys, name, team=team, **options)
        parts.append(
            credits.group_by(
                pl.col(CLOSED_AT).dt.truncate(_EVERY[every]).dt.date().alias("period"),
                group_expr(by).alias(by),
            )
            .agg(pl.col(REVENUE).cum_sum().last().alias(REVENUE))
            .sort("period", by)
            .select(pl.lit(label).alias("model"), "period", by, REVENUE)
        )
    return pl.concat(parts)
