"""Intervals of measured shares: how sure a rate counted on a period's few leads is.

A share counted on a month's MQLs (e.g. the share sales disqualified) is a proportion of
``n``; :func:`with_wilson` adds its Wilson score interval (statsmodels), which stays inside
0 to 1 and behaves at 0 and ``n`` successes.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from attribution._intervals import check_level

__all__ = ["with_wilson"]


def with_wilson(periods: pl.DataFrame, level: float) -> pl.DataFrame:
    """Add ``ci_low``/``ci_high``: the Wilson interval of ``actual`` (a share) out of ``n``.

    Periods with no rows (``n`` 0) or no actual get no interval.

    Examples
    --------
    >>> f = pl.DataFrame({"actual": [0.2, None], "n": [50, 0]})
    >>> [round(x, 3) for x in with_wilson(f, 0.9).row(0)[2:]]
    [0.123, 0.307]
    >>> with_wilson(f, 0.9).row(1)[2:]
    (None, None)
    """
    from statsmodels.stats.proportion import proportion_confint

    level = check_level(level)
    n = periods["n"].cast(pl.Float64).to_numpy()
    share = periods["actual"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    ok = (n > 0) & np.isfinite(share)
    count = np.where(ok, np.rint(share * np.where(ok, n, 0.0)), 0.0)
    low, high = proportion_confint(count, np.where(ok, n, 1.0), alpha=1 - level, method="wilson")
    return periods.with_columns(
        pl.Series("ci_low", np.where(ok, low, np.nan)).fill_nan(None),
        pl.Series("ci_high", np.where(ok, high, np.nan)).fill_nan(None),
    )
