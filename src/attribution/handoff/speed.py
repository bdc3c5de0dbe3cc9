"""Speed-to-lead: how quickly sales followed up marketing's MQLs, against the agreed SLA.

Built on :func:`attribution.journey.response.response_times` (one row per account's first
MQL); :func:`attribution.speed_to_lead_effect` estimates how conversion differs with
response time (see :mod:`attribution.estimates.speed`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import polars as pl

from attribution.data.dataset import Dataset
from attribution.errors import emit
from attribution.journey.response import (
    SPEED_BY,
    SpeedBy,
    by_list,
    response_times,
    sales_only_on_won,
)

__all__ = ["SPEED_COLUMNS", "speed_to_lead"]

SPEED_COLUMNS: tuple[str, ...] = (
    "mqls",
    "followed_up",
    "never_followed_up",
    "pending",
    "within_sla",
    "share_within_sla",
    "share_never_followed_up",
    "median_hours",
    "p90_hours",
)
"""Columns of :func:`speed_to_lead` after the ``by`` columns, in order."""


def speed_to_lead(
    dataset: Dataset,
    *,
    sla_hours: float = 24,
    by: SpeedBy | Sequence[SpeedBy] | None = "rep",
    as_of: datetime | None = None,
) -> pl.DataFrame:
    """Service level of the hand-off: follow-up within ``sla_hours``, by rep, source or month.

    Parameters
    ----------
    dataset
        A validated dataset with ``contacts`` (``mql_at``) and sales touches.
    sla_hours
        The agreed maximum hours from MQL to the first sales touch.
    by
        ``rep`` (who responded; MQLs never followed up form ``(no response)``),
        ``lead_source``, ``month`` (of the MQL), ``segment``, a list of them, or ``None``.
    as_of
        The moment the data is seen at (default: its latest timestamp).

    Returns
    -------
    polars.DataFrame
        One row per group: ``mqls``, ``followed_up``, ``never_followed_up``, ``pending``
        (younger than the SLA, not yet followed up), ``within_sla``, ``share_within_sla``
        and ``share_never_followed_up`` (of MQLs whose SLA can be judged), ``median_hours``
        and ``p90_hours`` (to the first response, among those followed up). When sales
        activity is recorded only for won deals, only ``mqls`` is filled and a warning
        says why.

    Examples
    --------
    >>> import attribution as at
    >>> t = at.speed_to_lead(at.demo.generate(n_accounts=800, seed=1), sla_hours=4, by=None)
    >>> 0 < t["share_within_sla"][0] < 1
    True
    """
    keys = by_list(by, SPEED_BY, "speed_to_lead")
    table = _service_level(response_times(dataset, sla_hours=sla_hours, as_of=as_of), keys)
    if sales_only_on_won(dataset):
        emit(
            [
                "speed_to_lead: sales activity is recorded only for accounts that won a deal, "
                "so follow-up cannot be told from missing records; follow-up counts, SLA "
                "shares and response hours are left empty"
            ]
        )
        return _blank_measures(table, keys)
    return table


def _service_level(responses: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Count MQLs, follow-ups and SLA hits per group; shares of MQLs that can be judged."""
    judged = ~pl.col("pending")
    aggs = [
        pl.len().cast(pl.Int64).alias("mqls"),
        pl.col("followed_up").sum().cast(pl.Int64).alias("followed_up"),
        (~pl.col("followed_up") & judged).sum().cast(pl.Int64).alias("never_followed_up"),
        pl.col("pending").sum().cast(pl.Int64).alias("pending"),
        pl.col("within_sla").fill_null(False).sum().cast(pl.Int64).alias("within_sla"),
        judged.sum().alias("_judged"),
        pl.col("response_hours").median().alias("median_hours"),
        pl.col("response_hours").quantile(0.9, interpolation="linear").alias("p90_hours"),
    ]
    grouped = responses.group_by(keys).agg(aggs) if keys else responses.select(aggs)
    return (
        grouped.with_columns(
            (pl.col("within_sla") / pl.col("_judged")).alias("share_within_sla"),
            (pl.col("never_followed_up") / pl.col("_judged")).alias("share_never_followed_up"),
        )
        .select(*keys, *SPEED_COLUMNS)
        .sort([*keys] if keys else "mqls")
    )


def _blank_measures(table: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    """Empty every column but the groups and ``mqls`` (follow-up cannot be measured)."""
    measured = [c for c in table.columns if c not in (*keys, "mqls")]
    return table.with_columns([pl.lit(None, dtype=table.schema[c]).alias(c) for c in measured])
