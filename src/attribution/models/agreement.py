"""How much attribution models agree: rank correlations, spreads, the groups that matter.

Models answer the same question differently (first touch credits openers, last touch
closers, Markov and Shapley what the data says each channel adds), so a report shows where
they agree and where the choice of model decides the answer:

* :func:`agreement`: for every pair of models, how similarly they *rank* the channels
  (or teams, campaigns): Spearman's rho and Kendall's tau-b, between -1 (opposite order)
  and 1 (same order);
* :func:`disagreement`: per channel, its share of won revenue under each model, the lowest
  and highest (and which models give them), the spread between them, and how many models
  rank it first;
* :func:`top_groups`: a comparison cut to its largest groups (e.g. the ten campaigns with
  the most credited revenue), for charts.

All take the :class:`~attribution.models.compare.Comparison` that
:func:`attribution.compare` returns (or its wide ``.table``). Won deals without a
creditable touch (the ``(no touch)`` group) get the same revenue under every model, so they
are left out of rankings: they would make models look more alike than they are.
"""

from __future__ import annotations

import polars as pl

from attribution.errors import ParameterError
from attribution.models.compare import NO_GROUP, Comparison
from attribution.models.credits import NO_TOUCH

__all__ = ["agreement", "disagreement", "top_groups"]


def _wide(comparison: Comparison | pl.DataFrame) -> tuple[pl.DataFrame, str, list[str]]:
    """Return the wide table, its group column and its model columns."""
    table = comparison.table if isinstance(comparison, Comparison) else comparison
    if not isinstance(table, pl.DataFrame) or table.width < 2:
        raise ParameterError(
            "expected a Comparison from attribution.compare (or its wide .table: a group "
            "column, then one revenue column per model)"
        )
    by, *models = table.columns
    not_numeric = [m for m in models if not table.schema[m].is_numeric()]
    if not_numeric:
        raise ParameterError(
            f"model columns must hold credited revenue (numbers); {', '.join(not_numeric)} do not"
        )
    return table, by, models


def agreement(comparison: Comparison | pl.DataFrame) -> pl.DataFrame:
    """Rank agreement between every pair of models: Spearman's rho and Kendall's tau-b.

    Each model ranks the groups (channels, teams or campaigns) by the revenue it credits
    them; two models agree when their rankings match. Ties share their average rank
    (Spearman) and are corrected for (Kendall's tau-b). ``(no touch)`` is left out.

    Parameters
    ----------
    comparison
        What :func:`attribution.compare` returns, or its ``.table``.

    Returns
    -------
    polars.DataFrame
        One row per ordered pair of models, the diagonal included (for a heatmap):
        ``model_a``, ``model_b``, ``spearman``, ``kendall`` and ``groups`` (how many were
        ranked). A correlation is empty when fewer than three groups are ranked or a model
        credits every group the same.

    Examples
    --------
    >>> import polars as pl
    >>> t = pl.DataFrame({"channel": ["a", "b", "c", "d"], "first_touch": [4.0, 3.0, 2.0, 1.0],
    ...                   "last_touch": [1.0, 2.0, 3.0, 4.0], "linear": [4.0, 2.0, 3.0, 1.0]})
    >>> a = agreement(t)
    >>> first = a.filter(pl.col("model_a") == "first_touch")
    >>> first.select("model_b", pl.col("spearman", "kendall").round(3)).rows()
    [('first_touch', 1.0, 1.0), ('last_touch', -1.0, -1.0), ('linear', 0.8, 0.667)]
    """
    import numpy as np
    from scipy.stats import kendalltau, rankdata

    table, by, models = _wide(comparison)
    ranked = table.filter(pl.col(by).cast(pl.String).fill_null("") != NO_TOUCH)
    values = ranked.select(pl.col(models).cast(pl.Float64).fill_null(0.0)).to_numpy()
    n, m = values.shape
    rho = np.full((m, m), np.nan)
    tau = np.full((m, m), np.nan)
    if n >= 3:
        ranks = rankdata(values, axis=0)
        centred = ranks - ranks.mean(axis=0)
        norms = np.sqrt((centred**2).sum(axis=0))
        varies = norms > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            rho = (centred.T @ centred) / np.outer(norms, norms)
        rho[~varies, :] = np.nan
        rho[:, ~varies] = np.nan
        for i in range(m):  # a loop over pairs of models, not over rows
            for k in range(i, m):
                if varies[i] and varies[k]:
                    tau[i, k] = tau[k, i] = (
                        1.0 if i == k else kendalltau(values[:, i], values[:, k]).statistic
                    )
        np.fill_diagonal(rho, np.where(varies, 1.0, np.nan))
    return pl.DataFrame(
        {
            "model_a": np.repeat(models, m).tolist(),
            "model_b": models * m,
            "spearman": rho.reshape(-1),
            "kendall": tau.reshape(-1),
            "groups": np.full(m * m, n),
        },
        schema={
            "model_a": pl.String,
            "model_b": pl.String,
            "spearman": pl.Float64,
            "kendall": pl.Float64,
            "groups": pl.Int64,
        },
    ).with_columns(pl.col("spearman", "kendall").fill_nan(None))


def disagreement(comparison: Comparison | pl.DataFrame) -> pl.DataFrame:
    """Per group, its share of credited revenue under each model and how far they differ.

    Parameters
    ----------
    comparison
        What :func:`attribution.compare` returns, or its ``.table``.

    Returns
    -------
    polars.DataFrame
        One row per group (``(no touch)`` left out): the group column, ``mean_share``
        (average over models of the group's share of all credited revenue), ``min_share``
        and ``min_model``, ``max_share`` and ``max_model``, ``spread`` (max - min) and
        ``ranked_first`` (how many models credit this group the most) out of ``models``.
        Sorted by spread, largest first.

    Examples
    --------
    >>> import polars as pl
    >>> t = pl.DataFrame({"channel": ["a", "b"], "first_touch": [80.0, 20.0],
    ...                   "last_touch": [40.0, 60.0]})
    >>> d = disagreement(t)
    >>> d.select("channel", "min_model", "max_model", pl.col("spread").round(6),
    ...          "ranked_first").rows()
    [('a', 'last_touch', 'first_touch', 0.4, 1), ('b', 'first_touch', 'last_touch', 0.4, 1)]
    """
    table, by, models = _wide(comparison)
    totals = table.select(pl.col(models).cast(pl.Float64).sum())
    shares = table.select(
        pl.col(by).cast(pl.String),
        *[
            (pl.col(m).cast(pl.Float64) / totals.get_column(m).item()).fill_nan(None).alias(m)
            for m in models
        ],
    ).filter(pl.col(by).fill_null("") != NO_TOUCH)
    names = pl.concat_list([pl.lit(m) for m in models])
    values = pl.concat_list(models)
    top = [pl.col(m).rank("min", descending=True) == 1 for m in models]
    return (
        shares.select(
            by,
            pl.mean_horizontal(models).alias("mean_share"),
            values.list.min().alias("min_share"),
            names.list.get(values.list.arg_min()).alias("min_model"),
            values.list.max().alias("max_share"),
            names.list.get(values.list.arg_max()).alias("max_model"),
            pl.sum_horizontal(top).cast(pl.Int64).alias("ranked_first"),
        )
        .with_columns(
            (pl.col("max_share") - pl.col("min_share")).alias("spread"),
            pl.lit(len(models), dtype=pl.Int64).alias("models"),
        )
        .select(
            by,
            "mean_share",
            "min_share",
            "min_model",
            "max_share",
            "max_model",
            "spread",
            "ranked_first",
            "models",
        )
        .sort(["spread", "mean_share", by], descending=[True, True, False], nulls_last=True)
    )


def top_groups(comparison: Comparison, *, n: int = 10) -> Comparison:
    """Cut a comparison to the ``n`` groups with the most credited revenue (mean over models).

    ``(no touch)`` and ``(none)`` (touches without a campaign) are left out: they are not
    groups one can act on. Useful for campaigns, of which there are often hundreds.

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=300, seed=0))
    >>> cmp = at.compare(j, ["linear", "markov"], by="campaign", level=0.9, draws=20)
    >>> top = top_groups(cmp, n=3)
    >>> top.table.height, top.intervals["campaign"].n_unique()
    (3, 3)
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ParameterError(f"n must be a whole number of at least 1, got {n!r}")
    table, by, models = _wide(comparison)
    keep = (
        table.filter(~pl.col(by).cast(pl.String).fill_null(NO_GROUP).is_in([NO_TOUCH, NO_GROUP]))
        .with_columns(pl.mean_horizontal(models).alias("_mean"))
        .sort(["_mean", by], descending=[True, False])
        .head(n)
        .get_column(by)
    )
    chosen = pl.col(by).is_in(keep.implode())
    intervals = comparison.intervals.filter(chosen) if comparison.intervals is not None else None
    return Comparison(
        table=table.filter(chosen),
        intervals=intervals,
        level=comparison.level,
        draws=comparison.draws,
    )
