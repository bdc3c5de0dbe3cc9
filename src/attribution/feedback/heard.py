"""What sales hears: why deals are lost and why leads are rejected, by where they came from.

Counts, shares with Wilson intervals and the change from the previous period with a
Newcombe interval (statsmodels). They describe what sales recorded: a reason is what a rep
chose from a list or typed, and a campaign whose leads are rejected as "no budget" attracts
such leads; neither says the campaign or the reason caused the outcome.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import polars as pl

from attribution._intervals import DEFAULT_LEVEL, check_level
from attribution._text import did_you_mean
from attribution._time import as_of as resolve_as_of
from attribution.data.dataset import Dataset
from attribution.errors import ParameterError
from attribution.feedback.frames import (
    DEAL_DIMENSIONS,
    LEAD_DIMENSIONS,
    closed_deals,
    worked_leads,
)
from attribution.feedback.reasons import with_change_intervals, with_share_intervals
from attribution.results import Result

__all__ = [
    "Reasons",
    "disqualification_reasons",
    "loss_reasons",
    "reason_changes",
    "recycled_leads",
    "rejection_rates",
]

Kind = Literal["loss", "disqualification"]

_NOTE_LOSS = (
    "Lost deals by the reason sales recorded, as a share of the group's lost deals "
    "({level:.0%} Wilson intervals). A reason is what a rep recorded, not a measured cause; "
    "a group's reasons say what its lost deals had in common, not what the group caused."
)
_NOTE_DQ = (
    "Disqualified leads by the reason sales recorded, as a share of the group's "
    "disqualified leads ({level:.0%} Wilson intervals). It says which leads sales turned "
    "away and why, as sales saw it; not that the source caused the rejection."
)


@dataclass(frozen=True, kw_only=True, repr=False)
class Reasons(Result):
    """A table of reasons (or rejection rates) with their shares and intervals.

    Attributes
    ----------
    kind : str
        ``"loss"`` (lost deals) or ``"disqualification"`` (rejected leads).
    by : str or None
        The dimension the table is grouped by (``None``: every row together).
    """

    kind: str = "loss"
    by: str | None = None


def _check_by(by: str | None, allowed: tuple[str, ...]) -> None:
    if by is not None and by not in allowed:
        hint = did_you_mean(by, allowed)
        raise ParameterError(
            f"by must be one of {', '.join(allowed)} (or None); got {by!r}"
            + (f"; {hint}" if hint else "")
        )


def _group(frame: pl.DataFrame, by: str | None) -> tuple[pl.DataFrame, str]:
    column = by or "group"
    if by is None:
        frame = frame.with_columns(pl.lit("all").alias("group"))
    return frame, column


def _reason_table(rows: pl.DataFrame, by: str | None, level: float, noun: str) -> pl.DataFrame:
    rows, column = _group(rows, by)
    counts = rows.group_by(column, "reason").agg(pl.len().cast(pl.Int64).alias(noun))
    totals = rows.group_by(column).agg(pl.len().cast(pl.Int64).alias(f"group_{noun}"))
    table = counts.join(totals, on=column).sort(
        [f"group_{noun}", noun, column, "reason"], descending=[True, True, False, False]
    )
    return with_share_intervals(table, noun, f"group_{noun}", level=level)


def loss_reasons(
    dataset: Dataset,
    *,
    by: str | None = "channel",
    synonyms: Mapping[str, str] | None = None,
    level: float = DEFAULT_LEVEL,
    as_of: datetime | None = None,
) -> Reasons:
    """Return why deals were lost, by a dimension of where they came from.

    Parameters
    ----------
    dataset
        A validated dataset (``opportunities.lost_reason`` holds the reasons; without
        it every lost deal is ``(not recorded)``).
    by
        One of :data:`~attribution.feedback.frames.DEAL_DIMENSIONS` (the first marketing
        touch's channel or campaign, the account's segment, industry, region or size, the
        rep, the recorded source), or ``None`` for every lost deal together.
    synonyms
        More ways of writing a reason (see :func:`~attribution.feedback.reasons.normalise_reason`).
    level
        Coverage of the intervals.
    as_of
        Deals closed after it are left out (default: the latest timestamp in the data).

    Returns
    -------
    Reasons
        One row per group and reason: ``lost`` (deals), ``group_lost``, ``share`` and its
        interval; largest groups and reasons first.

    Examples
    --------
    >>> import attribution as at
    >>> r = at.feedback.loss_reasons(at.demo.generate(n_accounts=300, seed=1), by=None)
    >>> r.table.columns[:4]
    ['group', 'reason', 'lost', 'group_lost']
    """
    _check_by(by, DEAL_DIMENSIONS)
    level = check_level(level)
    lost = closed_deals(dataset, synonyms=synonyms, as_of=as_of).filter(~pl.col("is_won"))
    table = _reason_table(lost, by, level, "lost")
    return Reasons(
        table=table, note=_NOTE_LOSS.format(level=level), level=level, kind="loss", by=by
    )


def disqualification_reasons(
    dataset: Dataset,
    *,
    by: str | None = "campaign",
    synonyms: Mapping[str, str] | None = None,
    level: float = DEFAULT_LEVEL,
) -> Reasons:
    """Return why sales disqualified leads, by a dimension of where they came from.

    ``by`` is one of :data:`~attribution.feedback.frames.LEAD_DIMENSIONS` or ``None``.
    One row per group and reason: ``disqualified``, ``group_disqualified``, ``share`` and
    its interval.

    Examples
    --------
    >>> import attribution as at
    >>> r = at.feedback.disqualification_reasons(at.demo.generate(n_accounts=300, seed=1))
    >>> r.table.columns[:3]
    ['campaign', 'reason', 'disqualified']
    """
    _check_by(by, LEAD_DIMENSIONS)
    level = check_level(level)
    rows = worked_leads(dataset, synonyms=synonyms).filter(pl.col("disqualified"))
    table = _reason_table(rows, by, level, "disqualified")
    return Reasons(
        table=table, note=_NOTE_DQ.format(level=level), level=level, kind="disqualification", by=by
    )


def rejection_rates(
    dataset: Dataset,
    *,
    by: str | None = "campaign",
    synonyms: Mapping[str, str] | None = None,
    level: float = DEFAULT_LEVEL,
    min_leads: int = 1,
) -> Reasons:
    """Return which sources' leads sales rejects most, and the reason it gives most.

    Leads are those sales worked (MQLs, or every lead without MQL dates). One row per
    group with at least ``min_leads`` leads: ``leads``, ``disqualified``, ``rate`` with its
    Wilson interval, ``top_reason`` and ``top_reason_share`` (of the group's disqualified);
    the most clearly rejected first: by the interval's lower bound, so that a campaign with
    three of five leads rejected does not outrank one with sixty of a hundred.

    Examples
    --------
    >>> import attribution as at
    >>> r = at.feedback.rejection_rates(at.demo.generate(n_accounts=300, seed=1), min_leads=5)
    >>> r.table.columns[:4]
    ['campaign', 'leads', 'disqualified', 'rate']
    """
    _check_by(by, LEAD_DIMENSIONS)
    level = check_level(level)
    rows, column = _group(worked_leads(dataset, synonyms=synonyms), by)
    top = (
        rows.filter(pl.col("disqualified"))
        .group_by(column, "reason")
        .agg(pl.len().alias("n"))
        .sort("n", "reason", descending=[True, False])
        .group_by(column, maintain_order=True)
        .agg(
            pl.col("reason").first().alias("top_reason"),
            (pl.col("n").first() / pl.col("n").sum()).alias("top_reason_share"),
        )
    )
    table = (
        rows.group_by(column)
        .agg(pl.len().cast(pl.Int64).alias("leads"), pl.col("disqualified").sum().cast(pl.Int64))
        .filter(pl.col("leads") >= min_leads)
        .join(top, on=column, how="left")
    )
    table = with_share_intervals(table, "disqualified", "leads", level=level, prefix="rate")
    table = table.select(
        column,
        "leads",
        "disqualified",
        "rate",
        "rate_low",
        "rate_high",
        "top_reason",
        "top_reason_share",
    ).sort(["rate_low", "rate", column], descending=[True, True, False])
    note = (
        f"Share of the leads sales worked that it disqualified ({level:.0%} Wilson "
        "intervals), with the reason it gave most. Small groups have wide intervals; a "
        "high rate says who these leads were, not that the source caused the rejection."
    )
    return Reasons(table=table, note=note, level=level, kind="disqualification", by=by)


def reason_changes(
    dataset: Dataset,
    *,
    kind: Kind = "loss",
    period_days: float = 90,
    as_of: datetime | None = None,
    synonyms: Mapping[str, str] | None = None,
    level: float = DEFAULT_LEVEL,
) -> Reasons:
    """Return how the reasons' shares changed from the previous period to the last.

    The last period is the ``period_days`` up to ``as_of`` (default: the latest timestamp
    in the data); the previous one the ``period_days`` before it. Lost deals are placed by
    ``closed_at``, disqualified leads by ``disqualified_at``. One row per reason:
    counts and shares in each period and ``change`` with its Newcombe interval.

    Examples
    --------
    >>> import attribution as at
    >>> r = at.feedback.reason_changes(at.demo.generate(n_accounts=300, seed=1))
    >>> r.table.columns[:3]
    ['reason', 'now', 'now_total']
    """
    level = check_level(level)
    if kind not in ("loss", "disqualification"):
        raise ParameterError(f"kind must be 'loss' or 'disqualification'; got {kind!r}")
    if not isinstance(period_days, int | float) or not 1 <= period_days <= 3650:
        raise ParameterError(f"period_days must be a number from 1 to 3650; got {period_days!r}")
    end = resolve_as_of(dataset, as_of)
    if kind == "loss":
        rows = closed_deals(dataset, synonyms=synonyms, as_of=end).filter(~pl.col("is_won"))
        moment = "closed_at"
    else:
        rows = worked_leads(dataset, synonyms=synonyms).filter(pl.col("disqualified"))
        moment = "disqualified_at"
    step = timedelta(days=float(period_days))
    period = (
        pl.when(pl.col(moment).is_between(end - step, end, closed="right"))
        .then(pl.lit("now"))
        .when(pl.col(moment).is_between(end - 2 * step, end - step, closed="right"))
        .then(pl.lit("before"))
    )
    rows = rows.with_columns(period.alias("period")).filter(pl.col("period").is_not_null())
    counts = rows.pivot(
        "period",
        index="reason",
        values="opportunity_id" if kind == "loss" else "contact_id",
        aggregate_function="len",
    )
    for name in ("now", "before"):
        if name not in counts.columns:
            counts = counts.with_columns(pl.lit(0).alias(name))
    counts = counts.with_columns(pl.col("now", "before").fill_null(0).cast(pl.Int64))
    counts = counts.with_columns(
        pl.col("now").sum().alias("now_total"), pl.col("before").sum().alias("before_total")
    ).select("reason", "now", "now_total", "before", "before_total")
    table = with_change_intervals(
        counts, ("now", "now_total"), ("before", "before_total"), level=level
    )
    table = table.with_columns(
        (pl.col("now") / pl.col("now_total")).alias("share_now"),
        (pl.col("before") / pl.col("before_total")).alias("share_before"),
    ).sort(["now", "reason"], descending=[True, False])
    note = (
        f"Shares of each reason among {'lost deals' if kind == 'loss' else 'disqualified leads'}"
        f" in the last {period_days:g} days against the {period_days:g} days before, with "
        f"{level:.0%} Newcombe intervals of the change. A change in what sales records can "
        "come from the market, the mix of deals or how reps fill the field."
    )
    return Reasons(table=table, note=note, level=level, kind=kind, by=None)


def recycled_leads(dataset: Dataset, *, synonyms: Mapping[str, str] | None = None) -> Reasons:
    """Return what became of recycled leads: later an SQL, a deal, a won deal.

    One row per disqualification reason of the recycled leads (status "recycled"):
    ``recycled``, ``became_sql`` (an SQL mark after the disqualification), ``opened_deal``
    and ``won_deal`` (a deal of the lead's account created after it).

    Examples
    --------
    >>> import attribution as at
    >>> r = at.feedback.recycled_leads(at.demo.generate(n_accounts=300, seed=1))
    >>> r.table.columns
    ['reason', 'recycled', 'became_sql', 'opened_deal', 'won_deal']
    """
    leads = worked_leads(dataset, synonyms=synonyms).filter(pl.col("recycled"))
    opps = dataset.lazy("opportunities").select("account_id", "created_at", "is_won").collect()
    later = (
        leads.select("contact_id", "account_id", "disqualified_at")
        .join(opps, on="account_id", how="inner")
        .filter(
            pl.col("disqualified_at").is_null() | (pl.col("created_at") > pl.col("disqualified_at"))
        )
        .group_by("contact_id")
        .agg(pl.len().alias("deals"), pl.col("is_won").any().alias("won"))
    )
    rows = leads.join(later, on="contact_id", how="left").with_columns(
        (
            pl.col("sql_at").is_not_null()
            & (
                (pl.col("disqualified_at").is_null())
                | (pl.col("sql_at") > pl.col("disqualified_at"))
            )
        ).alias("sql"),
    )
    table = (
        rows.group_by("reason")
        .agg(
            pl.len().cast(pl.Int64).alias("recycled"),
            pl.col("sql").sum().cast(pl.Int64).alias("became_sql"),
            pl.col("deals").is_not_null().sum().cast(pl.Int64).alias("opened_deal"),
            pl.col("won").fill_null(False).sum().cast(pl.Int64).alias("won_deal"),
        )
        .sort(["recycled", "reason"], descending=[True, False])
    )
    note = (
        "Leads sales set aside to return to later (status 'recycled'), by the reason given, "
        "and what followed: an SQL mark or a deal of their account after the "
        "disqualification. Counts only; a later deal may have come from other people."
    )
    return Reasons(table=table, note=note, kind="disqualification", by="reason")
