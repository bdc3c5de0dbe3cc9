"""The Markov model on journeys: removal effects fitted on deals' paths, spread to touches.

Lost deals are the non-converting paths (open ones too on request), and accounts that never
opened an opportunity can add theirs (:func:`prospect_paths`).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import polars as pl

from attribution._time import DEFAULT_LOOKBACK_DAYS, MICROS_PER_DAY
from attribution._time import as_of as resolve_as_of
from attribution.data.dataset import Dataset
from attribution.data.schema import ACCOUNT_ID, CHANNEL, OCCURRED_AT, TEAM, TIMESTAMP, TOUCH_ID
from attribution.errors import ParameterError
from attribution.models.credits import check_team
from attribution.models.markov.chain import check_order, count, prepare
from attribution.models.markov.solver import solve
from attribution.models.pathtable import EncodedPaths, encode
from attribution.models.spread import JourneyPaths, journey_paths, spread

__all__ = ["credits", "journey_weights", "prospect_paths", "weights_of"]


def weights_of(paths: EncodedPaths, *, order: int) -> np.ndarray:
    """Return the removal effects (conversions) per channel code of ``paths``."""
    chain = prepare(paths, order=order)
    return solve(chain, count(chain, paths.conversions, paths.nulls, paths.value)).removal_effect


def journey_weights(
    jp: JourneyPaths, *, order: int = 1, extra_nulls: pl.DataFrame | None = None
) -> tuple[EncodedPaths, dict[str, float]]:
    """Return the paths fitted (deals', then ``extra_nulls``) and each channel's removal effect."""
    order = check_order(order)
    extra = encode(extra_nulls) if extra_nulls is not None else None
    encoded = jp.with_extra(extra)
    if encoded.n_paths == 0:
        return encoded, {}
    effects = weights_of(encoded, order=order)
    return encoded, dict(zip(encoded.channels, effects, strict=True))


def credits(
    journeys: pl.DataFrame | pl.LazyFrame,
    *,
    team: str | None = None,
    order: int = 1,
    include_open: bool = False,
    extra_nulls: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Markov credits: removal effects fitted on the deals' paths, spread to their touches.

    Lost deals are the non-converting paths (open ones too with ``include_open=True``, and
    any ``extra_nulls`` path table, e.g. :func:`prospect_paths`). Each won deal's credit is
    shared by the channels it touched in proportion to their removal effects, then equally
    among each channel's touches (see :mod:`attribution.models.spread`).

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=200, seed=2))
    >>> c = credits(j, order=2)
    >>> won = j.filter(status="won").unique("opportunity_id")
    >>> round(c["revenue"].sum()) == round(won["amount"].sum())
    True
    """
    order = check_order(order)
    jp = journey_paths(journeys, team=team, include_open=include_open)
    _, weights = journey_weights(jp, order=order, extra_nulls=extra_nulls)
    return spread(journeys, weights, team=team)


def prospect_paths(
    dataset: Dataset,
    *,
    lookback_days: float = DEFAULT_LOOKBACK_DAYS,
    as_of: datetime | None = None,
    team: str | None = None,
) -> pl.DataFrame:
    """Path table of accounts that never opened an opportunity: extra non-converting paths.

    Each such account contributes one path: its touches in the ``lookback_days`` before
    ``as_of`` (default: the latest timestamp in the data), in time order. Pass the result
    as ``extra_nulls`` to :func:`~attribution.models.markov.markov` or to the ``markov``
    model.

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=100, seed=4)
    >>> p = prospect_paths(ds)
    >>> p.columns, int(p["conversions"].sum())
    (['path', 'conversions', 'value', 'nulls'], 0)
    """
    check_team(team)
    if not lookback_days >= 0:
        raise ParameterError(f"lookback_days must be >= 0, got {lookback_days!r}")
    end = pl.lit(resolve_as_of(dataset, as_of)).cast(TIMESTAMP)
    start = end - pl.duration(microseconds=int(lookback_days * MICROS_PER_DAY))
    touches = dataset.lazy("touches").filter(
        (pl.col(OCCURRED_AT) >= start) & (pl.col(OCCURRED_AT) <= end)
    )
    if team is not None:
        touches = touches.filter(pl.col(TEAM) == team)
    with_opps = dataset.lazy("opportunities").select(ACCOUNT_ID).unique()
    return (
        touches.join(with_opps, on=ACCOUNT_ID, how="anti")
        .sort(ACCOUNT_ID, OCCURRED_AT, TOUCH_ID)
        .group_by(ACCOUNT_ID)
        .agg(pl.col(CHANNEL).cast(pl.String).alias("path"))
        .sort(ACCOUNT_ID)
        .select(
            "path",
            pl.lit(0, dtype=pl.Int64).alias("conversions"),
            pl.lit(0.0).alias("value"),
            pl.lit(1, dtype=pl.Int64).alias("nulls"),
        )
        .collect()
    )
