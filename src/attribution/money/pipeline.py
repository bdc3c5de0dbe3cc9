"""Pipeline credit: created pipeline and open (pending) pipeline, credited by any model.

Models credit won revenue (:mod:`attribution.models.credits`). The same models credit
pipeline by treating the deals to credit as conversions worth their pipeline value:

* **created** pipeline: every opportunity (won, lost or still open) at its amount, credited
  to the touches of its journey *up to its creation* (what opened it); ``closed_at`` of
  these credits holds the creation moment;
* **pending** pipeline: every open opportunity at its expected value, amount x calibrated
  win probability (:func:`attribution.estimates.win_probability.win_probability`),
  credited to the touches of its journey so far.

Rule models credit each deal on its own touches. Markov and Shapley value channels on the
closed deals as they always do (won against lost), and those channel weights are spread
over the pipeline deals' touches. Each deal's credits sum to 1, so the pipeline a model
distributes is exactly the pipeline there is (a deal without a touch gets ``(no touch)``).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import polars as pl

from attribution._intervals import quantiles
from attribution._time import days_between
from attribution.data.schema import AMOUNT, CLOSED_AT, OCCURRED_AT, OPPORTUNITY_ID, TOUCH_ID
from attribution.errors import ParameterError
from attribution.estimates.win_probability import WinProbability
from attribution.journey.columns import DAYS_BEFORE_CLOSE, OPPORTUNITY_CREATED_AT, STATUS
from attribution.models.credits import check_options
from attribution.models.markov.chain import check_order
from attribution.models.markov.journeys import journey_weights as markov_weights
from attribution.models.registry import attribute, model_options
from attribution.models.shapley import check_value
from attribution.models.shapley import journey_weights as shapley_weights
from attribution.models.spread import journey_paths, spread

__all__ = [
    "PIPELINE",
    "PipelineKind",
    "pipeline_by",
    "pipeline_credits",
    "pipeline_journeys",
    "reconcile",
]

PipelineKind = Literal["created", "pending"]
PIPELINE = "pipeline"
"""Column saying which pipeline a credit row belongs to: ``created`` or ``pending``."""
_KINDS = ("created", "pending")
_FITTED = ("markov", "shapley")


def pipeline_journeys(
    journeys: pl.DataFrame | pl.LazyFrame,
    kind: PipelineKind,
    values: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Journeys of the deals to credit as pipeline, marked won and worth their pipeline value.

    Parameters
    ----------
    journeys
        Output of :func:`attribution.journeys`.
    kind
        ``"created"``: every deal at its amount, touches after its creation emptied (the
        rows stay, so the deal does); ``"pending"``: open deals only.
    values
        ``opportunity_id, value``: the value to credit per deal instead of its amount
        (the expected value of open deals); deals missing from it are left out.

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=100, seed=0))
    >>> p = pipeline_journeys(j, "created")
    >>> p["opportunity_id"].n_unique() == j["opportunity_id"].n_unique()
    True
    >>> p["status"].unique().to_list()
    ['won']
    """
    if kind not in _KINDS:
        raise ParameterError(f"kind must be 'created' or 'pending', got {kind!r}")
    lf = journeys.lazy()
    if kind == "pending":
        lf = lf.filter(pl.col(STATUS) == "open")
    else:
        after = pl.col(OCCURRED_AT) > pl.col(OPPORTUNITY_CREATED_AT)
        lf = lf.with_columns(
            pl.when(after).then(None).otherwise(pl.col(TOUCH_ID)).alias(TOUCH_ID),
            days_between(OPPORTUNITY_CREATED_AT, OCCURRED_AT).alias(DAYS_BEFORE_CLOSE),
            pl.col(OPPORTUNITY_CREATED_AT).alias(CLOSED_AT),
        )
    if values is not None:
        lf = lf.join(values.lazy().select(OPPORTUNITY_ID, "value"), on=OPPORTUNITY_ID).with_columns(
            pl.col("value").cast(pl.Float64).alias(AMOUNT)
        )
        lf = lf.drop("value")
    return lf.with_columns(pl.lit("won").alias(STATUS)).collect()


def pipeline_credits(
    journeys: pl.DataFrame | pl.LazyFrame,
    model: str,
    *,
    kind: PipelineKind = "created",
    win: WinProbability | None = None,
    team: str | None = None,
    **options: Any,
) -> pl.DataFrame:
    """Credit created or pending pipeline with the model called ``model``.

    Parameters
    ----------
    journeys
        Output of :func:`attribution.journeys`.
    model
        Any model of :data:`attribution.models.registry.MODELS`.
    kind
        ``"created"`` (every deal's amount, touches up to its creation) or ``"pending"``
        (open deals at their expected value; needs ``win``).
    win
        The win probabilities of :func:`attribution.estimates.win_probability.win_probability`.
    team, **options
        As for :func:`attribution.attribute`.

    Returns
    -------
    polars.DataFrame
        The credits table (``revenue`` is the credited pipeline) plus ``pipeline``.

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=200, seed=0))
    >>> c = pipeline_credits(j, "linear")
    >>> total = j.unique("opportunity_id")["amount"].sum()
    >>> bool(abs(c["revenue"].sum() - total) < 1e-6 * total)
    True
    """
    values = None
    if kind == "pending":
        if win is None:
            raise ParameterError("pending pipeline needs the win probabilities: pass win=")
        values = win.open.select(OPPORTUNITY_ID, pl.col("expected").alias("value"))
    target = pipeline_journeys(journeys, kind, values)
    if model in _FITTED:
        check_options(model, options, model_options(model))
        credited = spread(target, _channel_weights(journeys, model, team, options), team=team)
    else:
        credited = attribute(target, model, team=team, **options)
    return credited.with_columns(pl.lit(kind).alias(PIPELINE))


def _channel_weights(
    journeys: pl.DataFrame | pl.LazyFrame, model: str, team: str | None, options: dict[str, Any]
) -> dict[str, float]:
    """Markov removal effects or Shapley values fitted on the closed deals."""
    jp = journey_paths(journeys, team=team, include_open=bool(options.get("include_open", False)))
    if model == "markov":
        order = check_order(options.get("order", 1))
        return markov_weights(jp, order=order, extra_nulls=options.get("extra_nulls"))[1]
    return shapley_weights(jp, value=check_value(options.get("value", "conversion_rate")))[1]


def pipeline_by(
    created: pl.DataFrame,
    pending: pl.DataFrame,
    win: WinProbability,
    *,
    by: str = "channel",
) -> pl.DataFrame:
    """Sum created, open and pending (expected) pipeline per channel, campaign or team.

    Parameters
    ----------
    created, pending
        :func:`pipeline_credits` of kind ``"created"`` and ``"pending"`` (same model).
    win
        The win probabilities the pending credits were valued with; their draws give the
        interval of each group's pending pipeline (at ``win.level``).
    by
        A column of the credits: ``"channel"``, ``"campaign"`` or ``"team"``.

    Returns
    -------
    polars.DataFrame
        ``<by>, created, open_amount, pending, pending_low, pending_high``, largest
        created pipeline first. ``open_amount`` is the open deals' amounts as credited;
        ``pending`` their expected value.
    """
    if by not in created.columns:
        raise ParameterError(f"by must be a column of the credits such as 'channel', got {by!r}")
    opens = win.open.select(OPPORTUNITY_ID, pl.col(AMOUNT).alias("_amount")).with_row_index("_d")
    per = (
        pending.join(opens, on=OPPORTUNITY_ID, how="inner")
        .group_by(pl.col(by).cast(pl.String), "_d")
        .agg((pl.col("credit") * pl.col("_amount")).sum().alias("_open"))
    )
    groups = sorted(set(created[by].cast(pl.String).drop_nulls()) | set(per[by].drop_nulls()))
    index = {g: i for i, g in enumerate(groups)}
    matrix = np.zeros((len(groups), opens.height))
    if per.height:
        rows = np.array([index[g] for g in per[by].to_list()], dtype=np.int64)
        np.add.at(matrix, (rows, per["_d"].to_numpy()), per["_open"].to_numpy())
    samples = matrix @ win.p_draws if win.p_draws.size else np.zeros((len(groups), 1))
    q_low, q_high = quantiles(win.level or 0.9)
    bounds = pl.DataFrame(
        {
            by: groups,
            "open_amount": matrix.sum(axis=1),
            "pending_low": np.quantile(samples, q_low, axis=1),
            "pending_high": np.quantile(samples, q_high, axis=1),
        }
    )
    made = created.group_by(pl.col(by).cast(pl.String)).agg(
        pl.col("revenue").sum().alias("created")
    )
    expected = pending.group_by(pl.col(by).cast(pl.String)).agg(
        pl.col("revenue").sum().alias("pending")
    )
    return (
        bounds.join(made, on=by, how="left")
        .join(expected, on=by, how="left")
        .with_columns(pl.col("created", "pending").fill_null(0.0))
        .select(by, "created", "open_amount", "pending", "pending_low", "pending_high")
        .sort("created", by, descending=[True, False])
    )


def reconcile(
    opportunities: pl.DataFrame | pl.LazyFrame,
    created: pl.DataFrame,
    *,
    every: str = "1mo",
) -> pl.DataFrame:
    """Check created pipeline per period = won + lost + open amounts = what was credited.

    Parameters
    ----------
    opportunities
        The opportunities table (``created_at``, ``is_won``, ``closed_at``, ``amount``).
    created
        :func:`pipeline_credits` of kind ``"created"`` (its ``closed_at`` is the creation).
    every
        Length of a period, as polars ``truncate`` reads it (``"1mo"``, ``"1q"``...).

    Returns
    -------
    polars.DataFrame
        ``period, created, won, lost, open, credited, difference``; ``difference`` is
        ``credited - created`` and is zero (to rounding) when the model conserved it.

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=200, seed=0)
    >>> t = reconcile(ds.opportunities, pipeline_credits(at.journeys(ds), "u_shaped"))
    >>> bool((t["created"] == t["won"] + t["lost"] + t["open"]).all())
    True
    >>> bool((t["difference"].abs() < 1e-6).all())
    True
    """
    period = pl.col("created_at").dt.truncate(every).alias("period")
    state = (
        pl.when(pl.col("is_won"))
        .then(pl.lit("won"))
        .when(pl.col(CLOSED_AT).is_not_null())
        .then(pl.lit("lost"))
        .otherwise(pl.lit("open"))
    )
    amounts = (
        opportunities.lazy()
        .with_columns(period, state.alias("_state"))
        .group_by("period")
        .agg(
            pl.col(AMOUNT).sum().alias("created"),
            *(
                pl.col(AMOUNT).filter(pl.col("_state") == s).sum().alias(s)
                for s in ("won", "lost", "open")
            ),
        )
    )
    credited = (
        created.lazy()
        .group_by(pl.col(CLOSED_AT).dt.truncate(every).alias("period"))
        .agg(pl.col("revenue").sum().alias("credited"))
    )
    return (
        amounts.join(credited, on="period", how="left")
        .with_columns(pl.col("credited").fill_null(0.0))
        # cents, and never "-0": a conserved pipeline shows a difference of exactly 0
        .with_columns(((pl.col("credited") - pl.col("created")).round(2) + 0.0).alias("difference"))
        .with_columns(pl.col("period").dt.date())
        .sort("period")
        .collect()
    )
