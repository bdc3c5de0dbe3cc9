"""The status of a target: met, on track, unclear, behind, missed, not started, no data.

For higher-is-better KPIs (lower-is-better ones mirror it):

* ``not started``: the period starts after ``as_of``;
* ``no data``: the KPI cannot be measured for the period;
* a **complete period** (ended by ``as_of``): ``met`` when the actual reaches the target,
  else ``missed``;
* the **current period**: a count or an amount (``cumulative``) is compared with the target
  pro-rated by the elapsed share of the period; one that already reached the whole target
  is ``met``. A rate or a median is compared with the target directly. The period is
  ``on track`` when ``actual / expected`` is at least ``on_track``, else ``behind``;
* an **estimate** with an interval (or a measured share given with one, such as the
  disqualification rate) is ``met``/``on track`` only when its whole interval clears the
  target, ``behind``/``missed`` when the whole interval falls short, and ``unclear`` when
  the interval holds the target.

:func:`scored` sets the statuses of measured target periods and :func:`trend` compares each
target's period with the one before.
"""

from __future__ import annotations

import polars as pl

__all__ = ["STATUSES", "scored", "status", "trend"]

_TREND_STEP = 0.05  # relative change below which a trend counts as steady

STATUSES: tuple[str, ...] = (
    "met",
    "on track",
    "unclear",
    "behind",
    "missed",
    "not started",
    "no data",
)
"""Every status a target can have, best first."""


def status(
    *,
    actual: pl.Expr,
    target: pl.Expr,
    elapsed: pl.Expr,
    higher_is_better: pl.Expr,
    cumulative: pl.Expr,
    on_track: float = 0.9,
    ci_low: pl.Expr | None = None,
    ci_high: pl.Expr | None = None,
) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Expressions for the expected value so far, the progress and the status of targets.

    Parameters
    ----------
    actual, target
        The measured value and the target for the whole period.
    elapsed
        Share of the period elapsed at the as-of moment: 0 before it starts, 1 once it is
        over.
    higher_is_better, cumulative
        Boolean expressions from the KPI (see :class:`Kpi`).
    on_track
        Share of the expected value at which the current period counts as on track.
    ci_low, ci_high
        The interval of an estimate (null for measured KPIs).

    Returns
    -------
    tuple of polars.Expr
        ``expected`` (the target pro-rated for cumulative KPIs in the current period, else
        the target), ``progress`` (actual / expected, or expected / actual when lower is
        better; 1 and above is on pace) and ``status`` (see the module docstring).

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"actual": [55.0, 40.0, 30.0, None], "target": [100.0] * 4,
    ...                   "elapsed": [0.5, 0.5, 1.0, 0.5]})
    >>> exprs = status(actual=pl.col("actual"), target=pl.col("target"),
    ...                elapsed=pl.col("elapsed"), higher_is_better=pl.lit(True),
    ...                cumulative=pl.lit(True))
    >>> f.select(e.alias(n) for e, n in zip(exprs, ["expected", "progress", "status"])).rows()
    [(50.0, 1.1, 'on track'), (50.0, 0.8, 'behind'), (100.0, 0.3, 'missed'), (50.0, None, 'no data')]
    """  # noqa: E501
    low = ci_low if ci_low is not None else pl.lit(None, dtype=pl.Float64)
    high = ci_high if ci_high is not None else pl.lit(None, dtype=pl.Float64)
    current = elapsed < 1
    expected = pl.when(cumulative & current).then(target * elapsed).otherwise(target)
    progress = _progress(actual, expected, higher_is_better)
    label = _label(
        actual=actual,
        target=target,
        expected=expected,
        elapsed=elapsed,
        higher_is_better=higher_is_better,
        cumulative=cumulative,
        on_track=on_track,
        low=low,
        high=high,
    )
    return expected, progress, label


def _progress(actual: pl.Expr, expected: pl.Expr, higher_is_better: pl.Expr) -> pl.Expr:
    """Actual / expected (expected / actual when lower is better); null when undefined."""
    progress = (
        pl.when(higher_is_better)
        .then(actual / expected)
        .otherwise(expected / actual)
        .fill_nan(None)
    )
    return pl.when(progress.is_infinite()).then(pl.lit(None)).otherwise(progress)


def _label(
    *,
    actual: pl.Expr,
    target: pl.Expr,
    expected: pl.Expr,
    elapsed: pl.Expr,
    higher_is_better: pl.Expr,
    cumulative: pl.Expr,
    on_track: float,
    low: pl.Expr,
    high: pl.Expr,
) -> pl.Expr:
    """Label the status: an estimate by its interval, a measure by the target or its pace."""
    current = elapsed < 1
    reached = pl.when(higher_is_better).then(actual >= target).otherwise(actual <= target)
    paced = (
        pl.when(higher_is_better)
        .then(actual >= on_track * expected)
        .otherwise(actual * on_track <= expected)
    )
    has_ci = low.is_not_null() & high.is_not_null()
    clears = pl.when(higher_is_better).then(low >= target).otherwise(high <= target)
    short = pl.when(higher_is_better).then(high < target).otherwise(low > target)
    return (
        pl.when(elapsed <= 0)
        .then(pl.lit("not started"))
        .when(actual.is_null())
        .then(pl.lit("no data"))
        .when(has_ci & ~clears & ~short)
        .then(pl.lit("unclear"))
        .when(has_ci & clears & current)
        .then(pl.lit("on track"))
        .when(has_ci & clears)
        .then(pl.lit("met"))
        .when(has_ci & current)
        .then(pl.lit("behind"))
        .when(has_ci)
        .then(pl.lit("missed"))
        .when(~current & reached)
        .then(pl.lit("met"))
        .when(~current)
        .then(pl.lit("missed"))
        .when(cumulative & higher_is_better & reached)
        .then(pl.lit("met"))
        .when(paced)
        .then(pl.lit("on track"))
        .otherwise(pl.lit("behind"))
    )


def scored(history: pl.DataFrame, on_track: float) -> pl.DataFrame:
    """Add ``expected``, ``progress`` and ``status`` to measured target periods.

    Examples
    --------
    >>> h = pl.DataFrame({"actual": [50.0, 30.0], "target": [100.0, 100.0],
    ...                   "elapsed": [1.0, 0.5], "higher_is_better": True, "cumulative": True,
    ...                   "ci_low": None, "ci_high": None},
    ...                  schema_overrides={"ci_low": pl.Float64, "ci_high": pl.Float64})
    >>> scored(h, on_track=0.9).select("expected", "progress", "status").rows()
    [(100.0, 0.5, 'missed'), (50.0, 0.6, 'behind')]
    """
    expected, progress, label = status(
        actual=pl.col("actual"),
        target=pl.col("target"),
        elapsed=pl.col("elapsed"),
        higher_is_better=pl.col("higher_is_better"),
        cumulative=pl.col("cumulative"),
        on_track=on_track,
        ci_low=pl.col("ci_low"),
        ci_high=pl.col("ci_high"),
    )
    return history.with_columns(
        expected.alias("expected"), progress.alias("progress"), label.alias("status")
    )


def trend(history: pl.DataFrame) -> pl.DataFrame:
    """Return the target periods with the previous actual and the direction of change.

    A count in the current period is compared at its pace (actual / elapsed share); a
    change of less than 5% either way is ``steady``.

    Examples
    --------
    >>> h = pl.DataFrame({"target_id": [0, 0], "start": [1, 2], "actual": [50.0, 30.0],
    ...                   "elapsed": [1.0, 0.5], "higher_is_better": True, "cumulative": True,
    ...                   "is_target_period": [False, True]})
    >>> trend(h).select("actual", "previous", "trend").rows()
    [(30.0, 50.0, 'improving')]
    """
    ordered = history.sort("target_id", "start").with_columns(
        pl.col("actual").shift(1).over("target_id").alias("previous")
    )
    pace = (
        pl.when(pl.col("cumulative") & (pl.col("elapsed") > 0) & (pl.col("elapsed") < 1))
        .then(pl.col("actual") / pl.col("elapsed"))
        .otherwise(pl.col("actual"))
    )
    change = (pace - pl.col("previous")) / pl.col("previous").abs()
    better = pl.when(pl.col("higher_is_better")).then(change).otherwise(-change)
    trend = (
        pl.when(
            pl.col("previous").is_null() | (pl.col("previous") == 0) | pl.col("actual").is_null()
        )
        .then(pl.lit(None, dtype=pl.String))
        .when(better > _TREND_STEP)
        .then(pl.lit("improving"))
        .when(better < -_TREND_STEP)
        .then(pl.lit("worsening"))
        .otherwise(pl.lit("steady"))
    )
    return ordered.filter(pl.col("is_target_period")).with_columns(trend.alias("trend"))
