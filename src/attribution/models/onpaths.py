"""Every model on a path table: what each credits to each channel, in conversions and value.

Path tables (ChannelAttribution's form, :func:`attribution.paths`) carry no timestamps,
contacts or opportunity dates. Markov and Shapley work on them directly; the rule models
see each row's converted journeys as one won deal whose touches are the path's steps, in
order, one day apart up to the close. So on a path table:

* first touch, last touch (= close), linear, J-shaped and inverse J are exactly as usual;
* time decay counts one day per step back from the last one;
* lead creation and opportunity creation have no touch, so their weight is shared by the
  other milestones, as for any deal without them (U-shaped becomes first touch plus the
  rest, W-shaped first touch, rest and close shares renormalised, and so on).

A row's conversions and value are credited with the same shares, so the results can be set
beside other packages' (e.g. ChannelAttribution's ``heuristic_models``) on one table.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import polars as pl

from attribution.journeys import (
    CONVERSIONS,
    DAYS_BEFORE_CLOSE,
    LEAD_CREATED_AT,
    N_TOUCHES,
    OPPORTUNITY_CREATED_AT,
    PATH,
    POSITION,
    STATUS,
    VALUE,
)
from attribution.models.credits import CREDIT, check_options
from attribution.models.pathtable import path_table
from attribution.schema import (
    ACCOUNT_ID,
    AMOUNT,
    CHANNEL,
    CLOSED_AT,
    OCCURRED_AT,
    OPPORTUNITY_ID,
    TEAM,
    TIMESTAMP,
    TOUCH_ID,
)

__all__ = ["attribute_paths", "journeys_from_paths"]

_CLOSE = datetime(2000, 1, 1, tzinfo=UTC)


def journeys_from_paths(paths: pl.DataFrame, *, separator: str = " > ") -> pl.DataFrame:
    """Build a journeys frame with one won deal per converting path-table row.

    ``opportunity_id`` is the row number (zero-padded), ``amount`` the row's conversions;
    touches are one day apart, the last one at the close. Rows without conversions are left
    out (rule models credit won deals only).

    Examples
    --------
    >>> import polars as pl
    >>> t = pl.DataFrame({"path": ["a > b", "c"], "conversions": [2, 0]})
    >>> journeys_from_paths(t).select("opportunity_id", "channel", "days_before_close").rows()
    [('000000000000', 'a', 1.0), ('000000000000', 'b', 0.0)]
    """
    table = path_table(paths, separator=separator)
    close = pl.lit(_CLOSE).cast(TIMESTAMP)
    return (
        table.with_row_index("_row")
        .filter(pl.col(CONVERSIONS) > 0)
        .with_columns(
            pl.col("_row").cast(pl.String).str.zfill(12).alias(OPPORTUNITY_ID),
            pl.col(PATH).list.len().cast(pl.Int32).alias(N_TOUCHES),
        )
        .explode(PATH)
        .with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int32).over("_row").alias(POSITION))
        .select(
            OPPORTUNITY_ID,
            pl.col(OPPORTUNITY_ID).alias(ACCOUNT_ID),
            pl.lit("won").alias(STATUS),
            pl.col(CONVERSIONS).alias(AMOUNT),
            close.alias(CLOSED_AT),
            (pl.col(OPPORTUNITY_ID) + "-" + pl.col(POSITION).cast(pl.String)).alias(TOUCH_ID),
            (close - pl.duration(days=pl.col(N_TOUCHES) - pl.col(POSITION))).alias(OCCURRED_AT),
            pl.lit(None, dtype=pl.String).alias(TEAM),
            pl.col(PATH).alias(CHANNEL),
            POSITION,
            N_TOUCHES,
            (pl.col(N_TOUCHES) - pl.col(POSITION)).cast(pl.Float64).alias(DAYS_BEFORE_CLOSE),
            pl.lit(None, dtype=TIMESTAMP).alias(LEAD_CREATED_AT),
            pl.lit(None, dtype=TIMESTAMP).alias(OPPORTUNITY_CREATED_AT),
            pl.col(VALUE).alias("_value"),
        )
    )


def attribute_paths(
    paths: pl.DataFrame, model: str, *, separator: str = " > ", **options: Any
) -> pl.DataFrame:
    """Conversions and value that ``model`` credits to each channel of a path table.

    Parameters
    ----------
    paths
        A path table (ours or ChannelAttribution's column names).
    model
        Any name in :data:`attribution.MODELS`.
    separator
        Joins channels in string paths.
    **options
        The model's options (``order=`` for Markov, ``half_life_days=`` ...).

    Returns
    -------
    polars.DataFrame
        ``channel``, ``conversions``, ``value``, sorted by channel.

    Examples
    --------
    >>> import polars as pl
    >>> t = pl.DataFrame({"path": ["a > b", "b"], "conversions": [2, 1],
    ...     "value": [10.0, 4.0]})
    >>> attribute_paths(t, "linear").rows()
    [('a', 1.0, 5.0), ('b', 2.0, 9.0)]
    """
    from attribution.models import lookup, model_options
    from attribution.models.markov import markov
    from attribution.models.shapley import shapley

    lookup(model)
    check_options(model, options, model_options(model))
    if model in ("markov", "shapley"):
        allowed = ("order", "extra_nulls") if model == "markov" else ("value",)
        check_options(f"{model} on a path table", options, allowed)
        fit = markov if model == "markov" else shapley
        result = fit(paths, separator=separator, **options)
        return result.channels.select(CHANNEL, CONVERSIONS, VALUE).sort(CHANNEL)
    from attribution.models import attribute

    journeys = journeys_from_paths(paths, separator=separator)
    credits = attribute(journeys, model, **options)
    per_deal = journeys.group_by(OPPORTUNITY_ID).agg(
        pl.col(AMOUNT).first().alias("_conv"), pl.col("_value").first()
    )
    return (
        credits.join(per_deal, on=OPPORTUNITY_ID)
        .group_by(CHANNEL)
        .agg(
            (pl.col(CREDIT) * pl.col("_conv")).cum_sum().last().alias(CONVERSIONS),
            (pl.col(CREDIT) * pl.col("_value")).cum_sum().last().alias(VALUE),
        )
        .sort(CHANNEL)
    )
