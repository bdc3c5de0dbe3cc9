"""Diagnostics of fitted estimates: fit, discrimination, calibration and plain warnings.

Every estimate the package makes from data comes with a :class:`Diagnostics`: the sample it
rests on (``n``, ``events``), how well the model separates outcomes (McFadden's pseudo-R²,
the AUC), whether its probabilities are calibrated (a decile table), and a list of warnings
in plain English (separation, tiny samples, collinearity, data that cannot support the
estimate). Each warning is also raised as an :class:`EstimateWarning`, so notebooks show it
and tests can catch it.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

import numpy as np
import polars as pl

__all__ = ["Diagnostics", "auc", "calibration_table", "few_events_warning"]

_MIN_EVENTS_PER_PARAMETER = 10


def auc(y: Sequence[float] | np.ndarray, score: Sequence[float] | np.ndarray) -> float:
    """Area under the ROC curve: the chance a random positive outscores a random negative.

    Ties count one half (the Mann-Whitney statistic). ``nan`` when either class is empty.

    Examples
    --------
    >>> auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    >>> auc([0, 1], [0.5, 0.5])
    0.5
    """
    from scipy.stats import rankdata  # imported here: scipy.stats takes ~0.8 s to import

    y_arr = np.asarray(y, dtype=float)
    s_arr = np.asarray(score, dtype=float)
    ok = np.isfinite(s_arr) & np.isfinite(y_arr)
    y_arr, s_arr = y_arr[ok], s_arr[ok]
    n_pos = float((y_arr == 1).sum())
    n_neg = float(y_arr.size - n_pos)
    if n_pos == 0 or n_neg == 0:
        return math.nan
    ranks = rankdata(s_arr)
    return float((ranks[y_arr == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def rank_bin(column: str, k: int, n: int) -> pl.Expr:
    """Bin number 1..k of ``column`` in ``k`` bins of (nearly) equal size over ``n`` rows.

    Ties share a bin (average ranks), so bins do not depend on row order.
    """
    return (
        ((pl.col(column).rank("average") - 0.5) * k / n)
        .floor()
        .clip(0, k - 1)
        .cast(pl.Int64)
        .add(1)
    )


def calibration_table(
    y: Sequence[float] | np.ndarray, predicted: Sequence[float] | np.ndarray, *, bins: int = 10
) -> pl.DataFrame:
    """Observed versus predicted rate by bins of equal size of the prediction (deciles).

    Tied predictions share a bin, so the table does not depend on row order.

    Returns
    -------
    polars.DataFrame
        Columns ``bin`` (1 = lowest predictions), ``n``, ``predicted`` (mean prediction),
        ``observed`` (share of positives), ``low``/``high`` (Wilson 95% interval of the
        observed share).

    Examples
    --------
    >>> t = calibration_table([0, 0, 1, 1], [0.1, 0.2, 0.7, 0.9], bins=2)
    >>> t.select("bin", "n", "observed").rows()
    [(1, 2, 0.0), (2, 2, 1.0)]
    """
    frame = pl.DataFrame(
        {"y": np.asarray(y, dtype=float), "p": np.asarray(predicted, dtype=float)}
    ).filter(pl.col("p").is_finite())
    n = frame.height
    if n == 0:
        return pl.DataFrame(
            schema={
                "bin": pl.Int64,
                "n": pl.Int64,
                "predicted": pl.Float64,
                "observed": pl.Float64,
                "low": pl.Float64,
                "high": pl.Float64,
            }
        )
    k = max(1, min(bins, n))
    z = 1.959963984540054
    table = (
        frame.with_columns(rank_bin("p", k, n).alias("bin"))
        .group_by("bin")
        .agg(
            pl.len().cast(pl.Int64).alias("n"),
            pl.col("p").mean().alias("predicted"),
            pl.col("y").mean().alias("observed"),
        )
        .sort("bin")
    )
    phat, m = pl.col("observed"), pl.col("n").cast(pl.Float64)
    centre = (phat + z**2 / (2 * m)) / (1 + z**2 / m)
    half = z * (phat * (1 - phat) / m + z**2 / (4 * m**2)).sqrt() / (1 + z**2 / m)
    return table.with_columns(
        (centre - half).clip(0.0, 1.0).alias("low"), (centre + half).clip(0.0, 1.0).alias("high")
    )


def few_events_warning(n: int, events: int, parameters: int) -> list[str]:
    """Warn when the rarer outcome has fewer than 10 events per coefficient (else nothing).

    Examples
    --------
    >>> few_events_warning(100, 30, 2)
    []
    >>> few_events_warning(100, 12, 3)  # doctest: +NORMALIZE_WHITESPACE
    ['only 4.0 events per parameter (12 of the rarer outcome for 3 coefficients;
      at least 10 is advised): estimates may be unstable']
    """
    rarer = min(events, n - events)
    epv = rarer / parameters
    if epv >= _MIN_EVENTS_PER_PARAMETER:
        return []
    return [
        f"only {epv:.1f} events per parameter ({rarer:,} of the rarer outcome for "
        f"{parameters} coefficients; at least {_MIN_EVENTS_PER_PARAMETER} is advised): "
        "estimates may be unstable"
    ]


@dataclass(frozen=True)
class Diagnostics:
    """How far an estimate can be trusted: sample, fit, calibration and warnings.

    Attributes
    ----------
    n
        Rows the outcome model was fitted on (e.g. closed opportunities).
    events
        Positive outcomes among them (e.g. won deals).
    parameters
        Coefficients of the outcome model.
    pseudo_r2
        McFadden's pseudo-R² of the outcome model (``nan`` when not fitted).
    auc
        In-sample area under the ROC curve of the outcome model (``nan`` when not fitted).
    calibration
        :func:`calibration_table` of the outcome model's predictions (deciles).
    warnings
        Plain-English warnings; empty when nothing looked wrong.
    extra
        Further numbers by name (e.g. the amount model's sample and fit).
    """

    n: int
    events: int
    parameters: int = 0
    pseudo_r2: float = math.nan
    auc: float = math.nan
    calibration: pl.DataFrame = field(default_factory=lambda: calibration_table([], []))
    warnings: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of_fit(
        cls,
        res: Any,
        y: np.ndarray,
        warnings: Sequence[str],
        extra: Mapping[str, Any] | None = None,
    ) -> Self:
        """Diagnose a fitted binary model (statsmodels results) of the outcomes ``y``.

        Fit (pseudo-R²), discrimination (AUC) and calibration use the in-sample
        predictions; ``n``, ``events`` and ``parameters`` are those of the fit.
        """
        p_fit = np.asarray(res.predict(), dtype=float)
        return cls(
            n=int(y.size),
            events=int(y.sum()),
            parameters=len(res.params),
            pseudo_r2=float(res.prsquared),
            auc=auc(y, p_fit),
            calibration=calibration_table(y, p_fit),
            warnings=tuple(warnings),
            extra=dict(extra or {}),
        )

    @property
    def events_per_parameter(self) -> float:
        """The rarer outcome's count per coefficient (rule of thumb: at least 10)."""
        rarer = min(self.events, self.n - self.events)
        return rarer / self.parameters if self.parameters else math.nan

    def table(self) -> pl.DataFrame:
        """Return the numbers as a two-column ``metric``/``value`` table for reports."""
        rows: list[tuple[str, float]] = [
            ("n", float(self.n)),
            ("events", float(self.events)),
            ("parameters", float(self.parameters)),
            ("events per parameter", self.events_per_parameter),
            ("pseudo R² (McFadden)", self.pseudo_r2),
            ("AUC", self.auc),
        ]
        rows += [(k, float(v)) for k, v in self.extra.items() if isinstance(v, int | float)]
        return pl.DataFrame(rows, schema={"metric": pl.String, "value": pl.Float64}, orient="row")

    def to_frame(self) -> pl.DataFrame:
        """Return :meth:`table` (as every result does)."""
        return self.table()

    def __repr__(self) -> str:
        return f"Diagnostics: {self}"

    def _repr_html_(self) -> str:
        warned = "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings)
        with pl.Config(float_precision=3, tbl_hide_dataframe_shape=True):
            table = self.table()._repr_html_()
        return (
            "<p><b>Diagnostics</b> of the outcome model</p>"
            + table
            + (f"<p>Warnings:</p><ul>{warned}</ul>" if warned else "<p>No warnings.</p>")
        )

    def __str__(self) -> str:
        head = (
            f"n={self.n:,}, events={self.events:,}, parameters={self.parameters}, "
            f"pseudo R²={self.pseudo_r2:.3f}, AUC={self.auc:.3f}"
        )
        if not self.warnings:
            return head + "; no warnings"
        return head + "\n" + "\n".join(f"warning: {w}" for w in self.warnings)
