"""The funnel and the service level in two periods, side by side, with the interval of each change.

:func:`funnel_change` compares two **cohorts of leads**: the accounts whose first lead falls
in each window, and how many of them reached MQL, SQL, opportunity and won. So that both
cohorts had the same time to convert, a stage counts only when it was reached within
``follow_days`` of the account's first lead (a younger cohort would otherwise look worse
only because its deals are still open). :func:`sla_change` compares the MQLs handed over in
each window: the share answered within the SLA (of those whose SLA can be judged) and the
median hours to the first sales touch.

Each change has an interval at ``level``: Newcombe's hybrid score interval for a
difference of two proportions (conversion, share within the SLA), the MOVER interval
(Newcombe's method for rates) for a difference of two Poisson counts (accounts reaching a
stage, MQLs), both from :mod:`statsmodels.stats`, and a bootstrap over leads for the
difference of two medians. A change is **larger than its noise** when its interval
leaves out zero; with no true change that happens in about ``1 - level`` of comparisons,
so one flag among many is weak news. A change says what moved, not why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import polars as pl

from attribution._intervals import (
    DEFAULT_DRAWS,
    DEFAULT_LEVEL,
    check_draws,
    check_level,
)
from attribution._time import utc
from attribution.errors import ParameterError
from attribution.handoff.change import (
    CHANGE_COLUMNS,
    count_interval,
    finish_change,
    median_interval,
    share_interval,
)
from attribution.handoff.funnel import STAGES
from attribution.results import Result

__all__ = ["CHANGE_COLUMNS", "FunnelChange", "SlaChange", "funnel_change", "sla_change"]

Window = tuple[datetime, datetime]


@dataclass(frozen=True, kw_only=True, repr=False)
class FunnelChange(Result):
    """The funnel of two cohorts of leads (see the module docstring).

    ``table``: ``stage, step, measure`` (``accounts`` reaching the stage, or ``conversion``
    from the stage before), ``unit`` (``count`` or ``share``), ``current, previous,
    change, change_low, change_high, beyond_noise, current_base, previous_base`` (the
    accounts at the stage before: the denominators of a conversion).
    """

    current: Window
    """The window of the first leads compared, ``[start, end)``."""
    previous: Window
    """The window it is compared with."""
    follow_days: float | None
    """Days after its first lead within which an account's stages count (None: any time)."""


@dataclass(frozen=True, kw_only=True, repr=False)
class SlaChange(Result):
    """The service level of the MQLs of two windows (see the module docstring).

    ``table``: one row per measure (``mqls``, ``within_sla``, ``median_hours``) with the
    columns of :data:`CHANGE_COLUMNS`; the bases are the MQLs, the MQLs judged, and the
    MQLs followed up.
    """

    current: Window
    """The window of the MQLs compared, ``[start, end)``."""
    previous: Window
    """The window it is compared with."""
    sla_hours: float
    """The agreed hours from MQL to the first sales touch."""


def _windows(current: Window, previous: Window) -> tuple[Window, Window]:
    out = []
    for name, (start, end) in (("current", current), ("previous", previous)):
        start, end = utc(start), utc(end)
        if end <= start:
            raise ParameterError(
                f"the {name} window must end after it starts; got {start} to {end}"
            )
        out.append((start, end))
    return out[0], out[1]


def _inside(column: str, window: Window) -> pl.Expr:
    return pl.col(column).is_between(pl.lit(window[0]), pl.lit(window[1]), closed="left")


def _need(frame: pl.DataFrame, columns: Sequence[str], what: str) -> pl.DataFrame:
    """Check ``columns`` are there; return ``frame`` with naive timestamps read as UTC."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ParameterError(
            f"{what}: the table has no column(s) {', '.join(map(repr, missing))}; "
            f"it has: {', '.join(frame.columns)}"
        )
    naive = [
        c for c, t in frame.schema.items() if isinstance(t, pl.Datetime) and t.time_zone is None
    ]
    return frame.with_columns(pl.col(naive).dt.replace_time_zone("UTC")) if naive else frame


def funnel_change(
    stages: pl.DataFrame,
    *,
    current: Window,
    previous: Window,
    follow_days: float | None = None,
    level: float = DEFAULT_LEVEL,
) -> FunnelChange:
    """Compare the funnel of the leads first seen in two windows.

    Parameters
    ----------
    stages
        One row per account: ``lead`` (its first lead) and the first time it reached
        ``mql``, ``sql``, ``opportunity`` and ``won`` (empty when it did not), as
        :func:`attribution.handoff.funnel.account_stages` gives. Stages with no date in
        the table are left out.
    current, previous
        The windows ``[start, end)`` of the first leads compared (naive moments are UTC).
    follow_days
        Count a stage only when reached within this many days of the account's first
        lead, so that both cohorts had the same time (``None``: whenever it happened).
    level
        Coverage of the intervals of the changes.

    Examples
    --------
    >>> from datetime import datetime, timedelta
    >>> day = lambda d: datetime(2026, 1, 1) + timedelta(days=d)
    >>> s = pl.DataFrame({"lead": [day(1), day(2), day(40), day(41)],
    ...     "mql": [day(3), None, day(42), day(45)]})
    >>> r = funnel_change(s, current=(day(31), day(61)), previous=(day(0), day(30)))
    >>> conversion = r.table.filter(pl.col("measure") == "conversion")
    >>> conversion.select("stage", "current", "previous").row(0)
    ('mql', 1.0, 0.5)
    """
    level = check_level(level)
    stages = _need(stages, ("lead",), "funnel_change")
    now, before = _windows(current, previous)
    recorded = [
        s for s in STAGES if s == "lead" or (s in stages.columns and stages[s].is_not_null().any())
    ]
    limit = None if follow_days is None else pl.duration(days=float(follow_days))
    reached = []
    for k, stage in enumerate(recorded):
        dates = [
            pl.col(s).is_not_null() & (pl.col(s) <= pl.col("lead") + limit)
            if limit is not None and s != "lead"
            else pl.col(s).is_not_null()
            for s in recorded[k:]
        ]
        reached.append(pl.any_horizontal(dates).sum().cast(pl.Int64).alias(stage))
    cohorts = [stages.filter(_inside("lead", w)).select(reached) for w in (now, before)]
    counts = pl.concat(cohorts).transpose(include_header=True, header_name="stage")
    counts = counts.rename({"column_0": "current", "column_1": "previous"})
    accounts = _accounts_rows(counts, level)
    conversion = _conversion_rows(counts, level)
    steps = {s: STAGES.index(s) + 1 for s in recorded}
    table = finish_change(pl.concat([accounts, conversion], how="vertical_relaxed"), ["stage"])
    table = (
        table.with_columns(
            pl.col("stage").replace_strict(steps, return_dtype=pl.Int64).alias("step")
        )
        .select("stage", "step", *CHANGE_COLUMNS)
        .sort("measure", "step")
    )
    follow = "whenever reached" if follow_days is None else f"reached within {follow_days:g} days"
    note = (
        f"Accounts whose first lead came from {now[0]:%Y-%m-%d} to {now[1]:%Y-%m-%d}, "
        f"against {before[0]:%Y-%m-%d} to {before[1]:%Y-%m-%d}; a stage counts when "
        f"{follow} of the first lead. Intervals at {level:.0%}: Newcombe's for conversion, "
        "MOVER for the difference of two Poisson counts of accounts. A change larger than its "
        "noise says the funnel moved, not why."
    )
    return FunnelChange(
        table=table, note=note, level=level, current=now, previous=before, follow_days=follow_days
    )


def _accounts_rows(counts: pl.DataFrame, level: float) -> pl.DataFrame:
    """Accounts reaching each stage: the change and its Poisson (MOVER) interval.

    Counts are compared as they are: windows of different lengths differ for that alone.
    """
    now = counts["current"].to_numpy().astype(float)
    before = counts["previous"].to_numpy().astype(float)
    low, high = count_interval(now, before, level)
    return counts.select(
        "stage",
        pl.lit("accounts").alias("measure"),
        pl.lit("count").alias("unit"),
        pl.col("current").cast(pl.Float64),
        pl.col("previous").cast(pl.Float64),
        pl.Series("change_low", low),
        pl.Series("change_high", high),
        pl.col("current").cast(pl.Int64).alias("current_base"),
        pl.col("previous").cast(pl.Int64).alias("previous_base"),
    )


def _conversion_rows(counts: pl.DataFrame, level: float) -> pl.DataFrame:
    """Conversion from each stage to the next: the change and Newcombe's interval."""
    steps = counts.with_columns(
        pl.col("current").shift(1).alias("current_base"),
        pl.col("previous").shift(1).alias("previous_base"),
    ).slice(1)
    now, now_base, before, before_base = (
        steps[c].to_numpy().astype(float)
        for c in ("current", "current_base", "previous", "previous_base")
    )
    low, high = share_interval(now, now_base, before, before_base, level)
    rate = {
        w: pl.when(pl.col(f"{w}_base") > 0).then(pl.col(w) / pl.col(f"{w}_base"))
        for w in ("current", "previous")
    }
    return steps.select(
        "stage",
        pl.lit("conversion").alias("measure"),
        pl.lit("share").alias("unit"),
        rate["current"].alias("current"),
        rate["previous"].alias("previous"),
        pl.Series("change_low", low),
        pl.Series("change_high", high),
        "current_base",
        "previous_base",
    )


def sla_change(
    responses: pl.DataFrame,
    *,
    current: Window,
    previous: Window,
    sla_hours: float,
    level: float = DEFAULT_LEVEL,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
) -> SlaChange:
    """Compare the follow-up of the MQLs of two windows: count, share in time, median hours.

    Parameters
    ----------
    responses
        One row per account's first MQL, as :func:`attribution.response_times` gives
        (``mql_at``, ``pending``, ``followed_up``, ``within_sla``, ``response_hours``).
    current, previous
        The windows ``[start, end)`` of the MQLs compared.
    sla_hours
        The agreed hours (said in the note; ``within_sla`` holds the verdicts).
    level, draws, seed
        Coverage of the intervals; resamples and seed of the bootstrap of the medians.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> at = lambda m: datetime(2026, m, 10, tzinfo=timezone.utc)
    >>> r = pl.DataFrame({"mql_at": [at(1)] * 4 + [at(4)] * 4,
    ...     "pending": [False] * 8, "followed_up": [True] * 8,
    ...     "within_sla": [True, True, False, False, True, True, True, False],
    ...     "response_hours": [1.0, 2.0, 30.0, 40.0, 1.0, 2.0, 3.0, 30.0]})
    >>> t = sla_change(r, current=(at(4), at(5)), previous=(at(1), at(2)), sla_hours=24,
    ...     draws=50).table
    >>> t.select("measure", "current", "previous").rows()
    [('mqls', 4.0, 4.0), ('within_sla', 0.75, 0.5), ('median_hours', 2.5, 16.0)]
    """
    level, draws = check_level(level), check_draws(draws)
    columns = ("mql_at", "pending", "followed_up", "within_sla", "response_hours")
    responses = _need(responses, columns, "sla_change")
    now, before = _windows(current, previous)
    parts = [_sla_counts(responses.filter(_inside("mql_at", w))) for w in (now, before)]
    (mqls, judged, within, _), (mqls_b, judged_b, within_b, _) = (p[:4] for p in parts)
    hours, hours_b = parts[0][3], parts[1][3]
    c_low, c_high = count_interval(np.array([mqls]), np.array([mqls_b]), level)
    s_low, s_high = share_interval(
        np.array([within]), np.array([judged]), np.array([within_b]), np.array([judged_b]), level
    )
    m_low, m_high = median_interval(hours, hours_b, level, draws, seed)
    rows = pl.DataFrame(
        {
            "measure": ["mqls", "within_sla", "median_hours"],
            "unit": ["count", "share", "hours"],
            "current": [float(mqls), _ratio(within, judged), _median(hours)],
            "previous": [float(mqls_b), _ratio(within_b, judged_b), _median(hours_b)],
            "change_low": [c_low[0], s_low[0], m_low],
            "change_high": [c_high[0], s_high[0], m_high],
            "current_base": [mqls, judged, hours.size],
            "previous_base": [mqls_b, judged_b, hours_b.size],
        },
        schema_overrides={"current": pl.Float64, "previous": pl.Float64},
    )
    note = (
        f"MQLs handed over from {now[0]:%Y-%m-%d} to {now[1]:%Y-%m-%d}, against "
        f"{before[0]:%Y-%m-%d} to {before[1]:%Y-%m-%d}: the share answered within "
        f"{sla_hours:g} hours (of MQLs whose SLA can be judged) and the median hours to the "
        f"first sales touch (of those followed up). Intervals at {level:.0%}: Newcombe's for "
        f"the share, a bootstrap of {draws:,} resamples of leads for the median. It says what "
        "moved, not why."
    )
    return SlaChange(
        table=finish_change(rows, []),
        note=note,
        level=level,
        draws=draws,
        current=now,
        previous=before,
        sla_hours=float(sla_hours),
    )


def _sla_counts(rows: pl.DataFrame) -> tuple[int, int, int, np.ndarray]:
    """MQLs, MQLs judged, MQLs answered in time, and the hours of those followed up."""
    counts = rows.select(
        pl.len().alias("mqls"),
        (~pl.col("pending")).sum().alias("judged"),
        pl.col("within_sla").fill_null(False).sum().alias("within"),
    ).row(0)
    hours = rows.filter(pl.col("followed_up"))["response_hours"].drop_nulls().to_numpy()
    return int(counts[0]), int(counts[1]), int(counts[2]), hours.astype(float)


def _ratio(hits: int, n: int) -> float | None:
    return hits / n if n else None


def _median(values: np.ndarray) -> float | None:
    return float(np.median(values)) if values.size else None
