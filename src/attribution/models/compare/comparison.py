"""What :func:`compare` returns, and the call itself: one pass, then the bootstrap."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

import polars as pl

from attribution._intervals import DEFAULT_DRAWS, check_draws, check_level
from attribution.engines import Engine, adapter, check_engine
from attribution.errors import ParameterError
from attribution.models.compare.bootstrap import boot, interval_table
from attribution.models.compare.onepass import credit_table, one_pass, plan
from attribution.models.compare.resample import Resamples
from attribution.models.compare.specs import DEFAULT_MODELS, label_specs
from attribution.models.credits import NO_TOUCH, check_team
from attribution.results import Result

__all__ = ["NOTE", "By", "Comparison", "compare"]

By = Literal["channel", "team", "campaign"]
_BY: tuple[str, ...] = get_args(By)
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
        One row per group (``channel``, ``team`` or ``campaign``), one Float64 column per
        model: revenue credited. Sorted by the first model's revenue, descending.
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


def _check(by: str, level: float | None, draws: int) -> None:
    if by not in _BY:
        raise ParameterError(f"by must be one of {_BY}, got {by!r}")
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
) -> Comparison:
    """Revenue credited per channel (or team, or campaign) by several models side by side.

    Parameters
    ----------
    journeys
        Output of :func:`attribution.journeys`.
    models
        Model names (see :data:`attribution.MODELS`), or a mapping of column label to the
        model's options, where ``"model"`` names the registry entry when the label is not
        a model name: ``{"markov": {}, "markov_3": {"model": "markov", "order": 3}}``.
    by
        Group credits by ``"channel"``, ``"team"`` or ``"campaign"``; won deals with no
        creditable touch are the ``(no touch)`` group, touches without a campaign
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
    """
    if check_engine(engine) == "spark":
        spark: Comparison = adapter("spark").compare(
            journeys, models, by=by, team=team, level=level
        )
        return spark
    _check(by, level, draws)
    check_team(team)
    done = one_pass(journeys, plan(journeys, label_specs(models), team), team, by)
    table, credits_of = credit_table(journeys, done, team, by)
    if level is None:
        return Comparison(table=table)
    groups = sorted({*table[by].to_list(), NO_TOUCH})
    boots = boot(done, credits_of, Resamples(journeys, by, draws, seed), groups)
    intervals = interval_table(table, boots, groups, by, level)
    return Comparison(table=table, intervals=intervals, level=float(level), draws=draws)
