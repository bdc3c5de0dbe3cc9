"""What :func:`compare` returns, and the call itself: one pass, then the bootstrap."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from attribution._intervals import DEFAULT_DRAWS, check_draws, check_level
from attribution._text import did_you_mean
from attribution.engines import Engine, adapter, check_engine
from attribution.errors import ParameterError
from attribution.journey.slices import restrict
from attribution.models.compare.bootstrap import boot, interval_table
from attribution.models.compare.onepass import credit_table, one_pass, plan
from attribution.models.compare.resample import Resamples
from attribution.models.compare.specs import DEFAULT_MODELS, label_specs
from attribution.models.credits import NO_TOUCH, check_team
from attribution.results import Result

__all__ = ["NOTE", "By", "Comparison", "compare"]

By = str
"""A journeys column to group credits by: ``channel``, ``team``, ``campaign``, any touch
column, or a deal attribute carried by ``attribution.journeys(..., include=[...])``."""
NOTE = (
    "Won revenue each model credits to each group. Models credit touches by their presence "
    "and position before the win, not by their effect on it; intervals resample accounts "
    "and show how much a credit would move with another sample of accounts, not whether "
    "the model is right."
)


@dataclass(frozen=True, kw_only=True, repr=False)
class Comparison(Result):
    """What :func:`compare` returns.

    Attributes
    ----------
    table : polars.DataFrame
        One row per group (of the ``by`` column: ``channel``, ``team``, ``segment``...),
        one Float64 column per model: revenue credited. Sorted by the first model's
        revenue, descending.
    intervals : polars.DataFrame or None
        With ``level``: a long table ``model, <group>, revenue, ci_low, ci_high`` (one row
        per model and group); ``None`` without.
    level : float or None
        Coverage of the intervals.
    draws : int
        Bootstrap resamples of accounts behind them (0 without ``level``).
    """

    intervals: pl.DataFrame | None = None
    note: str = NOTE


def _check(journeys: Any, by: str, level: float | None, draws: int) -> None:
    names = journeys.lazy().collect_schema().names()
    if by not in names or by.startswith("_"):
        hint = did_you_mean(by, names, otherwise="e.g. channel, team, campaign")
        raise ParameterError(
            f"by: the journeys have no column {by!r} ({hint}); a deal's attribute (segment, "
            "industry, stage, source, owner...) comes onto journeys with include=, e.g. "
            "attribution.journeys(dataset, include=['segment'])"
        )
    if level is not None:
        check_level(level)
        check_draws(draws)


def compare(
    journeys: Any,
    models: Sequence[str] | Mapping[str, Mapping[str, Any]] = DEFAULT_MODELS,
    *,
    by: By = "channel",
    team: str | None = None,
    level: float | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    engine: Engine = "polars",
    where: pl.Expr | None = None,
) -> Comparison:
    """Revenue credited per channel (or team, campaign, segment...) by several models.

    Parameters
    ----------
    journeys
        Output of :func:`attribution.journeys`.
    models
        Model names (see :data:`attribution.MODELS`), or a mapping of column label to the
        model's options, where ``"model"`` names the registry entry when the label is not
        a model name: ``{"markov": {}, "markov_3": {"model": "markov", "order": 3}}``.
    by
        The journeys column to group credits by: ``"channel"``, ``"team"``,
        ``"campaign"``, any other touch column, or a deal attribute the journeys carry
        (``at.journeys(ds, include=["segment"])``, then ``by="segment"``). Won deals with
        no creditable touch are the ``(no touch)`` group, touches without a value
        ``(none)``.
    team
        Credit only this team's touches (default: both).
    level
        Coverage of bootstrap intervals (e.g. 0.9), or ``None`` for none.
    draws
        Number of bootstrap resamples of accounts behind the intervals.
    seed
        Seed of the resampling.
    engine
        ``"polars"``, or ``"spark"`` for Spark journeys (a Spark DataFrame or table name):
        the table is then built by one Spark pass (:func:`attribution.spark.compare`);
        bootstrap intervals are not available there.
    where
        Keep only the deals where this polars expression on the deal's columns is true
        (e.g. ``pl.col("segment") == "Enterprise"``; see
        :func:`attribution.journey.slices.restrict`): the models are fitted and the
        intervals resampled on those deals alone.

    Returns
    -------
    Comparison
        ``.table`` (wide: group, one column per model) and, with ``level``, ``.intervals``
        (long: ``model, <group>, revenue, ci_low, ci_high``).

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=300, seed=0))
    >>> cmp = at.compare(j, ["first_touch", "linear", "markov"], by="team", level=0.9, draws=20)
    >>> cmp.table.columns
    ['team', 'first_touch', 'linear', 'markov']
    >>> cmp.intervals.columns
    ['model', 'team', 'revenue', 'ci_low', 'ci_high']
    >>> j = at.journeys(at.demo.generate(n_accounts=300, seed=0), include=["segment"])
    >>> at.compare(j, ["linear"], by="segment").table["segment"].sort().to_list()
    ['Enterprise', 'Mid-Market', 'SMB']
    """
    if check_engine(engine) == "spark":
        if where is not None:
            raise ParameterError("where applies to the polars engine only")
        spark: Comparison = adapter("spark").compare(
            journeys, models, by=by, team=team, level=level
        )
        return spark
    journeys = restrict(journeys, where)
    _check(journeys, by, level, draws)
    check_team(team)
    done = one_pass(journeys, plan(journeys, label_specs(models), team), team, by)
    table, credits_of = credit_table(journeys, done, team, by)
    if level is None:
        return Comparison(table=table)
    groups = sorted({*table[by].to_list(), NO_TOUCH})
    boots = boot(done, credits_of, Resamples(journeys, by, draws, seed), groups)
    intervals = interval_table(table, boots, groups, by, level)
    return Comparison(table=table, intervals=intervals, level=float(level), draws=draws)
