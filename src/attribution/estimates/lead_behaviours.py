"""The leads lead-score weights are learned from, and what they did before their MQL.

A lead is an account's first MQL (:func:`attribution.response_times`); its behaviours are
the account's marketing touches per channel (or activity) at or before that MQL.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from attribution.data.dataset import Dataset
from attribution.data.schema import (
    ACCOUNT_ID,
    CONTACT_ID,
    MARKETING,
    MQL_AT,
    OCCURRED_AT,
    SCORE,
    SEGMENT,
    TEAM,
)
from attribution.journey.response import response_times

__all__ = [
    "MIN_LEADS",
    "behaviour_reach",
    "behaviour_touches",
    "lead_frame",
    "lead_mqls",
    "with_current_score",
]

MIN_LEADS = 20  # leads a behaviour (or a segment level) needs to keep its own coefficient


def lead_mqls(
    dataset: Dataset, outcome: str, population: str, as_of: datetime | None
) -> pl.DataFrame:
    """Return each account's first MQL with its segment and outcome ``y``."""
    leads = response_times(dataset, as_of=as_of)
    if population == "followed_up":
        leads = leads.filter(pl.col("followed_up"))
    return leads.select(ACCOUNT_ID, CONTACT_ID, MQL_AT, SEGMENT, pl.col(outcome).alias("y"))


def behaviour_touches(dataset: Dataset, leads: pl.DataFrame, by: str) -> pl.DataFrame:
    """Return the marketing touches ``n`` per account and behaviour at or before its MQL."""
    return (
        dataset.lazy("touches")
        .filter(pl.col(TEAM) == MARKETING)
        .select(ACCOUNT_ID, OCCURRED_AT, pl.col(by).fill_null("(none)").alias("behaviour"))
        .join(leads.lazy().select(ACCOUNT_ID, MQL_AT), on=ACCOUNT_ID)
        .filter(pl.col(OCCURRED_AT) <= pl.col(MQL_AT))
        .group_by(ACCOUNT_ID, "behaviour")
        .agg(pl.len().cast(pl.Float64).alias("n"))
        .collect()
    )


def behaviour_reach(touches: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """Return the leads per behaviour seen for enough of them (sorted), and a note.

    Examples
    --------
    >>> touches = pl.DataFrame({"behaviour": ["email"] * 25 + ["event"] * 3})
    >>> kept, notes = behaviour_reach(touches)
    >>> kept.rows(), notes
    ([('email', 25)], ['1 behaviour(s) seen for fewer than 20 leads were left out'])
    """
    reach = touches.group_by("behaviour").agg(pl.len().cast(pl.Int64).alias("leads"))
    kept = reach.filter(pl.col("leads") >= MIN_LEADS).sort("behaviour")
    dropped = reach.height - kept.height
    if not dropped:
        return kept, []
    return kept, [f"{dropped} behaviour(s) seen for fewer than {MIN_LEADS} leads were left out"]


def lead_frame(leads: pl.DataFrame, touches: pl.DataFrame, terms: dict[str, str]) -> pl.DataFrame:
    """Add each behaviour's log1p count before the MQL (column ``terms[b]``) to the leads.

    Leads are sorted by MQL time (then account), so the result does not depend on row order.

    Examples
    --------
    >>> from datetime import datetime
    >>> leads = pl.DataFrame(
    ...     {"account_id": ["a", "b"], "mql_at": [datetime(2025, 1, 2), datetime(2025, 1, 1)],
    ...      "y": [True, False]}
    ... )
    >>> touches = pl.DataFrame({"account_id": ["a"], "behaviour": ["email"], "n": [3.0]})
    >>> lead_frame(leads, touches, {"email": "b0"}).select("account_id", "b0", "y").rows()
    [('b', 0.0, 0.0), ('a', 1.3862943611198906, 1.0)]
    """
    behaviours = list(terms)
    counts = (
        touches.filter(pl.col("behaviour").is_in(behaviours)).pivot(
            on="behaviour", index=ACCOUNT_ID, values="n", on_columns=behaviours
        )
        if behaviours
        else pl.DataFrame(schema={ACCOUNT_ID: pl.String})
    )
    return (
        leads.join(counts, on=ACCOUNT_ID, how="left")
        .with_columns([pl.col(b).fill_null(0.0).log1p().alias(terms[b]) for b in behaviours])
        .with_columns(pl.col("y").cast(pl.Float64))
        .sort(MQL_AT, ACCOUNT_ID)
    )


def with_current_score(dataset: Dataset, frame: pl.DataFrame) -> tuple[pl.DataFrame, bool]:
    """Add the CRM's current ``score``; say whether any lead has one."""
    if dataset.contacts is None:
        return frame, False
    scores = dataset.lazy("contacts").select(CONTACT_ID, SCORE).collect()
    frame = frame.join(scores, on=CONTACT_ID, how="left", maintain_order="left")
    return frame, bool(frame[SCORE].is_not_null().any())
