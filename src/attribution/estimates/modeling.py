"""Small helpers shared by the statsmodels estimates: categorical controls and quiet fits.

statsmodels is imported inside the functions that fit, so ``import attribution`` stays fast
(it takes seconds to import).

The estimates run with BLAS limited to one thread (:func:`single_threaded_blas`): their
designs are narrow (tens of columns), so threads gain nothing, and on shared cores an
OpenBLAS thread waiting for a busy core stalls every small solve (measured on the 2-core
project machine under load: one statsmodels IRLS fit of 5,800 x 15 took 840 ms with two
BLAS threads and 12 ms with one).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ParamSpec, TypeVar

import numpy as np
import polars as pl
from threadpoolctl import threadpool_limits

__all__ = [
    "OTHER",
    "bin_by_edges",
    "collapse_levels",
    "fit_logit",
    "fit_quietly",
    "prepare_controls",
    "reference_first",
    "single_threaded_blas",
    "to_enum",
]

OTHER = "other"

_P = ParamSpec("_P")
_R = TypeVar("_R")


def single_threaded_blas(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``fn`` with BLAS limited to one thread (restored afterwards)."""

    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with threadpool_limits(limits=1, user_api="blas"):
            return fn(*args, **kwargs)

    return wrapper


def bin_by_edges(
    expr: pl.Expr, edges: Sequence[float], labels: Sequence[str], *, right_closed: bool = False
) -> pl.Expr:
    """Label values by the interval of ``edges`` they fall in (``len(edges) + 1`` labels).

    Intervals are ``[a, b)`` (or ``(a, b]`` with ``right_closed``); empty values stay empty.

    Examples
    --------
    >>> df = pl.DataFrame({"h": [0.5, 1.0, 30.0, None]})
    >>> df.select(bin_by_edges(pl.col("h"), [1, 24], ["fast", "day", "slow"])).to_series().to_list()
    ['fast', 'day', 'slow', None]
    """
    if len(labels) != len(edges) + 1:
        raise ValueError("bin_by_edges needs one more label than edges")
    index = pl.sum_horizontal([(expr > e) if right_closed else (expr >= e) for e in edges]).cast(
        pl.Int64
    )
    return (
        pl.when(expr.is_null()).then(None).otherwise(pl.lit(pl.Series(list(labels))).gather(index))
    )


def reference_first(values: pl.Series) -> list[str]:
    """Levels with the most frequent one first (the reference), then the others sorted.

    Examples
    --------
    >>> reference_first(pl.Series("s", ["b", "a", "c", "c"]))
    ['c', 'a', 'b']
    """
    counts = values.value_counts().sort(["count", values.name], descending=[True, False])
    levels = [str(v) for v in counts[values.name].to_list()]
    return [levels[0], *sorted(levels[1:])]


def to_enum(values: pl.Series) -> pl.Series:
    """Cast to an Enum whose first level (the formula's reference) is the most frequent."""
    return values.cast(pl.String).cast(pl.Enum(reference_first(values.cast(pl.String))))


def collapse_levels(
    values: pl.Series, outcome: pl.Series, *, min_count: int, name: str
) -> tuple[pl.Series, list[str], list[str]]:
    """Prepare a categorical control: merge rare levels, detect perfectly predictive ones.

    Levels with fewer than ``min_count`` rows are merged into ``other``. If a level's
    rows all share one outcome (quasi-separation), the control cannot be estimated and is
    returned as a single level.

    Returns
    -------
    tuple
        The prepared values, notes (merges) and warnings (separation), in plain English.

    Examples
    --------
    >>> v = pl.Series("seg", ["a"] * 30 + ["b"] * 30 + ["c"] * 2)
    >>> y = pl.Series([0.0, 1.0] * 31)
    >>> out, notes, warns = collapse_levels(v, y, min_count=20, name="seg")
    >>> sorted(out.unique().to_list()), warns
    (['a', 'b', 'other'], [])
    """
    notes: list[str] = []
    values = values.cast(pl.String).fill_null("unknown").alias(name)
    counts = values.value_counts()
    rare = counts.filter(pl.col("count") < min_count)[name].to_list()
    if rare and len(rare) < counts.height:
        values = pl.select(
            pl.when(values.is_in(rare)).then(pl.lit(OTHER)).otherwise(values).alias(name)
        ).to_series()
        notes.append(f"{name}: {len(rare)} level(s) with fewer than {min_count} rows merged")
    frame = pl.DataFrame({"level": values, "y": outcome})
    stuck = (
        frame.group_by("level")
        .agg(pl.col("y").min().alias("lo"), pl.col("y").max().alias("hi"), pl.len())
        .filter(pl.col("lo") == pl.col("hi"))
        .sort("level")
    )
    if stuck.height and values.n_unique() > 1:
        described = ", ".join(
            f"{lvl!r} ({n} rows, outcome always {'1' if lo else '0'})"
            for lvl, lo, n in stuck.select("level", "lo", "len").iter_rows()
        )
        warning = (
            f"control {name} is left out: level(s) {described} predict the outcome "
            "perfectly (quasi-separation)"
        )
        return pl.Series(name, ["all"] * values.len()), notes, [warning]
    return values, notes, []


def prepare_controls(
    raw: Mapping[str, pl.Series], outcome: pl.Series, *, min_count: int
) -> tuple[dict[str, pl.Series], list[str]]:
    """Prepare categorical controls with :func:`collapse_levels`; keep those that vary.

    Returns
    -------
    tuple
        The kept controls by name (Enums, most frequent level first) and the warnings.

    Examples
    --------
    >>> raw = {"seg": pl.Series(["a", "b"] * 30), "flat": pl.Series(["x"] * 60)}
    >>> kept, warns = prepare_controls(raw, pl.Series([0.0, 1.0, 1.0] * 20), min_count=20)
    >>> list(kept), warns
    (['seg'], [])
    """
    kept: dict[str, pl.Series] = {}
    messages: list[str] = []
    for name, values in raw.items():
        prepared, _notes, warns = collapse_levels(values, outcome, min_count=min_count, name=name)
        messages += warns
        if prepared.n_unique() > 1:
            kept[name] = to_enum(prepared)
    return kept, messages


def fit_logit(formula: str, data: Any, label: str, **options: Any) -> tuple[Any, list[str], bool]:
    """Fit a statsmodels Logit by Newton's method with :func:`fit_quietly`.

    ``options`` are passed on to ``fit`` (e.g. a clustered covariance).
    """
    import statsmodels.formula.api as smf

    kw: dict[str, Any] = {"disp": 0, "method": "newton", "maxiter": 100, **options}
    return fit_quietly(lambda: smf.logit(formula, data).fit(**kw), label)


def fit_quietly(fit: Callable[[], Any], label: str) -> tuple[Any, list[str], bool]:
    """Run a statsmodels fit; turn its warnings into plain messages.

    Returns
    -------
    tuple
        The results (``None`` if the fit failed), messages, and whether the fit can be
        trusted (converged, no separation, invertible covariance).
    """
    from statsmodels.tools.sm_exceptions import (
        ConvergenceWarning,
        HessianInversionWarning,
        PerfectSeparationError,
        PerfectSeparationWarning,
    )

    messages: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = fit()
        except (np.linalg.LinAlgError, PerfectSeparationError, ValueError) as exc:
            messages.append(f"the {label} could not be fitted ({exc})")
            return None, messages, False
    ok = True
    for w in caught:
        if issubclass(w.category, PerfectSeparationWarning):
            messages.append(
                f"the {label} shows perfect separation: some combination of its terms predicts "
                "the outcome exactly, so its coefficients are not finite"
            )
            ok = False
        elif issubclass(w.category, ConvergenceWarning):
            messages.append(f"the {label} did not converge; its estimates are unreliable")
            ok = False
        elif issubclass(w.category, HessianInversionWarning):
            messages.append(f"the {label}'s covariance could not be inverted (collinear terms)")
            ok = False
    retvals = getattr(res, "mle_retvals", None) or {}
    if ok and not retvals.get("converged", True):
        messages.append(f"the {label} did not converge; its estimates are unreliable")
        ok = False
    if ok and not np.all(np.isfinite(np.asarray(res.bse, dtype=float))):
        messages.append(f"the {label} has undefined standard errors (collinear or separated terms)")
        ok = False
    return res, list(dict.fromkeys(messages)), ok
