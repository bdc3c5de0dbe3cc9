"""Touches over time and per channel: when the data has activity, and of which kind."""

from __future__ import annotations

import polars as pl

from attribution.data.dataset import Dataset
from attribution.data.schema import ACCOUNT_ID, CHANNEL, OCCURRED_AT, TEAM

__all__ = ["activity", "channel_summary"]


def activity(dataset: Dataset, *, every: str = "1w") -> pl.DataFrame:
    """Touches per period and team: when the data has activity, and of which kind.

    Parameters
    ----------
    dataset
        The validated dataset.
    every
        Period length as a polars duration (``"1w"``, ``"1mo"``...); weeks start on Monday.

    Returns
    -------
    polars.DataFrame
        ``period`` (date the period starts), ``team``, ``touches``; sorted.

    Examples
    --------
    >>> import attribution as at
    >>> at.health.activity(at.demo.generate(n_accounts=50), every="1mo").columns
    ['period', 'team', 'touches']
    """
    return (
        dataset.lazy("touches")
        .group_by(pl.col(OCCURRED_AT).dt.truncate(every).dt.date().alias("period"), TEAM)
        .agg(pl.len().cast(pl.Int64).alias("touches"))
        .sort("period", TEAM)
        .collect()
    )


def channel_summary(dataset: Dataset) -> pl.DataFrame:
    """Touches per channel: team, how many, on how many accounts, first and last seen.

    Parameters
    ----------
    dataset
        The validated dataset.

    Returns
    -------
    polars.DataFrame
        ``channel``, ``team``, ``touches``, ``accounts``, ``first``, ``last``; most
        touches first.

    Examples
    --------
    >>> import attribution as at
    >>> at.health.channel_summary(at.demo.generate(n_accounts=50)).columns
    ['channel', 'team', 'touches', 'accounts', 'first', 'last']
    """
    return (
        dataset.lazy("touches")
        .group_by(CHANNEL, TEAM)
        .agg(
            pl.len().cast(pl.Int64).alias("touches"),
            pl.col(ACCOUNT_ID).n_unique().cast(pl.Int64).alias("accounts"),
            pl.col(OCCURRED_AT).min().alias("first"),
            pl.col(OCCURRED_AT).max().alias("last"),
        )
        .sort("touches", CHANNEL, descending=[True, False])
        .collect()
    )
