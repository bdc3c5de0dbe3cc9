"""Reasons as sales writes them, made comparable; shares of a whole with their intervals.

A CRM's reason field is typed by people: "Price", " price", "PRICE" and "Too expensive" are
one reason. :func:`normalise_reason` lowers the case, collapses whitespace, drops trailing
punctuation and maps synonyms (:data:`SYNONYMS`, extendable per call) onto one name. An
empty reason is :data:`NOT_RECORDED`, kept as its own row so the share of deals without a
reason is always in view.

:func:`with_share_intervals` adds Wilson intervals (statsmodels) to counts out of totals;
:func:`with_change_intervals` the Newcombe interval of a change in share between periods.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl

from attribution._intervals import check_level

__all__ = [
    "NOT_RECORDED",
    "SYNONYMS",
    "normalise_reason",
    "with_change_intervals",
    "with_share_intervals",
]

NOT_RECORDED = "(not recorded)"
"""The reason of a lost deal or a disqualified lead whose reason field is empty."""

SYNONYMS: dict[str, str] = {
    "too expensive": "price",
    "pricing": "price",
    "price too high": "price",
    "cost": "price",
    "budget": "no budget",
    "no funds": "no budget",
    "lack of budget": "no budget",
    "went with competitor": "competitor",
    "lost to competitor": "competitor",
    "chose competitor": "competitor",
    "competition": "competitor",
    "no decision": "no decision",
    "did not decide": "no decision",
    "status quo": "no decision",
    "bad timing": "timing",
    "not now": "timing",
    "wrong timing": "timing",
    "unresponsive": "no response",
    "no answer": "no response",
    "not interested": "not a fit",
    "bad fit": "not a fit",
    "not qualified": "not a fit",
}
"""Common ways to write a reason, and the one name each is counted under (lower case)."""


def _clean(text: pl.Expr) -> pl.Expr:
    return (
        text.cast(pl.String)
        .str.to_lowercase()
        .str.replace_all(r"\s+", " ")
        .str.strip_chars(" .,;:!-_/")
    )


def normalise_reason(text: pl.Expr, synonyms: Mapping[str, str] | None = None) -> pl.Expr:
    """Return the normalised reason: lower case, one space, synonyms mapped, empty recorded.

    Parameters
    ----------
    text
        The reasons as recorded.
    synonyms
        More ways to write a reason (``{"too pricey": "price"}``), on top of
        :data:`SYNONYMS`; keys and values are normalised the same way.

    Examples
    --------
    >>> s = pl.DataFrame({"r": ["  Too  Expensive. ", "PRICE", "no BUDGET", "", None, "x"]})
    >>> s.select(normalise_reason(pl.col("r"), {"X": "other"}))["r"].to_list()
    ['price', 'price', 'no budget', '(not recorded)', '(not recorded)', 'other']
    """
    table = {**SYNONYMS, **{str(k): str(v) for k, v in (synonyms or {}).items()}}
    keys = pl.DataFrame({"k": list(table), "v": list(table.values())}).select(
        _clean(pl.col("k")).alias("k"), _clean(pl.col("v")).alias("v")
    )
    mapping = dict(zip(keys["k"].to_list(), keys["v"].to_list(), strict=True))
    cleaned = _clean(text)
    mapped = cleaned.replace(mapping)
    recorded = cleaned.is_not_null() & (cleaned != "")
    return pl.when(recorded).then(mapped).otherwise(pl.lit(NOT_RECORDED))


def _alpha(level: float) -> float:
    return 1 - check_level(level)


def with_share_intervals(
    frame: pl.DataFrame, count: str, total: str, *, level: float, prefix: str = "share"
) -> pl.DataFrame:
    """Add ``share`` = count / total with its Wilson interval (``share_low``, ``share_high``).

    Examples
    --------
    >>> f = pl.DataFrame({"n": [3, 0], "of": [10, 0]})
    >>> with_share_intervals(f, "n", "of", level=0.9).columns
    ['n', 'of', 'share', 'share_low', 'share_high']
    >>> with_share_intervals(f, "n", "of", level=0.9)["share"].to_list()
    [0.3, None]
    """
    from statsmodels.stats.proportion import proportion_confint

    counts = frame[count].cast(pl.Float64).to_numpy()
    totals = frame[total].cast(pl.Float64).to_numpy()
    safe = np.where(totals > 0, totals, 1.0)
    low, high = proportion_confint(counts, safe, alpha=_alpha(level), method="wilson")
    has = pl.Series(totals > 0)
    return frame.with_columns(
        pl.when(has).then(pl.Series(counts / safe)).alias(prefix),
        pl.when(has).then(pl.Series(np.asarray(low, dtype=float))).alias(f"{prefix}_low"),
        pl.when(has).then(pl.Series(np.asarray(high, dtype=float))).alias(f"{prefix}_high"),
    )


def with_change_intervals(
    frame: pl.DataFrame,
    now: tuple[str, str],
    before: tuple[str, str],
    *,
    level: float,
) -> pl.DataFrame:
    """Add ``change`` (share now - share before) and its Newcombe interval.

    ``now`` and ``before`` name the (count, total) columns of the two periods; the change
    is empty where either period has no total.

    Examples
    --------
    >>> f = pl.DataFrame({"a": [6], "n": [10], "b": [2], "m": [10]})
    >>> out = with_change_intervals(f, ("a", "n"), ("b", "m"), level=0.9)
    >>> round(out["change"].item(), 2), out["change_low"].item() > 0
    (0.4, True)
    """
    from statsmodels.stats.proportion import confint_proportions_2indep

    c1, n1 = (frame[c].cast(pl.Float64).to_numpy() for c in now)
    c0, n0 = (frame[c].cast(pl.Float64).to_numpy() for c in before)
    ok = (n1 > 0) & (n0 > 0)
    s1, s0 = np.where(ok, n1, 1.0), np.where(ok, n0, 1.0)
    low, high = confint_proportions_2indep(
        c1, s1, c0, s0, method="newcomb", compare="diff", alpha=_alpha(level)
    )
    has = pl.Series(ok)
    return frame.with_columns(
        pl.when(has).then(pl.Series(c1 / s1 - c0 / s0)).alias("change"),
        pl.when(has).then(pl.Series(np.asarray(low, dtype=float))).alias("change_low"),
        pl.when(has).then(pl.Series(np.asarray(high, dtype=float))).alias("change_high"),
    )
