"""Load one period: the opportunities of a date range, and only the touches they can reach.

``attribution.load(source, start=..., end=..., lookback_days=...)`` selects opportunities by
one of their dates (``opportunities_by``):

* ``"closed_at"`` (default): deals that **closed** in ``[start, end)``, won or lost: "where
  did this quarter's revenue come from". Open deals are left out.
* ``"created_at"``: deals **opened** in ``[start, end)``, whatever became of them (a cohort,
  for the funnel); open ones included.

Touches are then read only from ``min(created_at) - lookback_days`` (the earliest journey
window start of the selected deals) up to their latest ``closed_at`` (no upper bound when an
open deal is selected, as its window runs to the end of the data). Both conditions are sent
to the source: a database receives them in its SQL, Parquet files skip row groups through
polars' predicate pushdown. What is read may be a superset (a day's margin on naive and
text timestamps); :meth:`Window.select` then keeps exactly the window's rows of the
validated data, so every source gives the same result.

Journeys built from such a dataset, with the same ``lookback_days``, equal the journeys of
the selected opportunities built from the whole source. ``contacts`` and ``accounts`` are
read whole (lead-creation milestones look back indefinitely); ``stage_history`` is narrowed
to the selected opportunities.

Naive ``start``/``end`` values are read in the load's ``time_zone``, like the data.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, get_args
from zoneinfo import ZoneInfo

import polars as pl

from attribution._time import DEFAULT_LOOKBACK_DAYS
from attribution.data.dataset import Dataset
from attribution.data.schema import (
    CLOSED_AT,
    CREATED_AT,
    OCCURRED_AT,
    OPPORTUNITY_ID,
    Problem,
    check_time_zone,
    converted,
    raise_problems,
)
from attribution.data.sources.base import TimeRange
from attribution.errors import ParameterError

__all__ = ["OpportunityDate", "Window"]

OpportunityDate = Literal["closed_at", "created_at"]
"""Which opportunity date ``start``/``end`` select on."""

Moment = datetime | date | str


def _instant(value: Moment, name: str, time_zone: str) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ParameterError(
                f"{name}={value!r} is not a date or timestamp; give e.g. '2024-01-01' or "
                "'2024-01-01T09:00:00+01:00'"
            ) from None
    else:
        raise ParameterError(
            f"{name} must be a date, a datetime or ISO text, got {type(value).__name__}"
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(time_zone))
    return moment.astimezone(UTC)


def _value(table: str, column: str, schema: pl.Schema, time_zone: str) -> pl.Expr | None:
    """Return the contract value of a raw column; None if it is absent or unreadable."""
    if column not in schema:
        return None
    return converted(table, column, schema[column], time_zone=time_zone)


def _check_options(opportunities_by: str, lookback_days: float) -> OpportunityDate:
    """Check ``opportunities_by`` and ``lookback_days``; return the former, typed."""
    if opportunities_by not in get_args(OpportunityDate):
        raise ParameterError(
            f"opportunities_by={opportunities_by!r}: choose one of "
            + ", ".join(repr(c) for c in get_args(OpportunityDate))
        )
    if isinstance(lookback_days, bool) or not isinstance(lookback_days, int | float):
        raise ParameterError(f"lookback_days must be a number, got {lookback_days!r}")
    if not lookback_days >= 0:
        raise ParameterError(f"lookback_days must be >= 0, got {lookback_days!r}")
    return "created_at" if opportunities_by == "created_at" else "closed_at"


def _missing(column: str, dtype: pl.DataType) -> pl.Expr:
    raw = pl.col(column)
    if dtype == pl.String():
        return raw.is_null() | (raw.str.strip_chars() == "")
    return raw.is_null()


def _keep(
    table: str,
    column: str,
    schema: pl.Schema,
    time_zone: str,
    *,
    lo: datetime | None,
    hi: datetime | None,
    hi_inclusive: bool,
    keep_missing: bool,
) -> pl.Expr | None:
    """Rows whose contract value lies in the range, plus unreadable (and missing) ones."""
    value = _value(table, column, schema, time_zone)
    if value is None:  # absent, or a type validation cannot read (it reports it)
        return None
    inside = pl.lit(True)
    if lo is not None:
        inside = inside & (value >= pl.lit(lo))
    if hi is not None:
        inside = inside & ((value <= pl.lit(hi)) if hi_inclusive else (value < pl.lit(hi)))
    missing = _missing(column, schema[column])
    keep = inside.fill_null(False) | (~missing & value.is_null())
    return keep | missing if keep_missing else keep


@dataclass(frozen=True)
class Window:
    """A period of opportunities and the lookback of their journeys; bounds in UTC.

    Build one with :meth:`make`. ``end`` is exclusive.
    """

    start: datetime | None
    end: datetime | None
    lookback_days: float = DEFAULT_LOOKBACK_DAYS
    opportunities_by: OpportunityDate = "closed_at"

    @classmethod
    def make(
        cls,
        *,
        start: Moment | None,
        end: Moment | None,
        lookback_days: float = DEFAULT_LOOKBACK_DAYS,
        opportunities_by: str = "closed_at",
        time_zone: str = "UTC",
    ) -> Window | None:
        """Check and convert the window options of :func:`attribution.load`; None if unset.

        Examples
        --------
        >>> w = Window.make(start="2024-01-01", end="2024-04-01", time_zone="Europe/Berlin")
        >>> w.start.isoformat()
        '2023-12-31T23:00:00+00:00'
        >>> w.describe()
        'opportunities with closed_at in [2023-12-31 23:00 UTC, 2024-03-31 22:00 UTC)'
        """
        if start is None and end is None:
            return None
        check_time_zone(time_zone)
        by = _check_options(opportunities_by, lookback_days)
        lo = _instant(start, "start", time_zone) if start is not None else None
        hi = _instant(end, "end", time_zone) if end is not None else None
        if lo is not None and hi is not None and not lo < hi:
            raise ParameterError(f"start must be before end, got start={start!r}, end={end!r}")
        return cls(lo, hi, float(lookback_days), by)

    def describe(self) -> str:
        """Describe the selection in words, for messages."""

        def fmt(v: datetime | None) -> str:
            return f"{v:%Y-%m-%d %H:%M} UTC" if v is not None else "…"

        return f"opportunities with {self.opportunities_by} in [{fmt(self.start)}, {fmt(self.end)})"

    # ------------------------------------------------------------------ opportunities
    def opportunity_range(self) -> TimeRange:
        """Return the range sent to the source for the opportunities table."""
        return TimeRange(
            self.opportunities_by,
            self.start,
            self.end,
            keep_null=self.opportunities_by == CREATED_AT,
        )

    def opportunity_filter(self, schema: pl.Schema, time_zone: str) -> pl.Expr | None:
        """Exact filter on raw (mapped, not yet validated) opportunities."""
        return _keep(
            "opportunities",
            self.opportunities_by,
            schema,
            time_zone,
            lo=self.start,
            hi=self.end,
            hi_inclusive=False,
            # an opportunity without created_at is kept so that validation reports it; one
            # without closed_at is open, and open deals did not close in the period
            keep_missing=self.opportunities_by == CREATED_AT,
        )

    def check_selected(self, opportunities: pl.DataFrame, *, source: str) -> None:
        """Raise a DataError when the window selects no opportunity."""
        if opportunities.height:
            return
        raise_problems(
            [
                Problem(
                    "opportunities",
                    self.opportunities_by,
                    f"no {self.describe()}; nothing to load (`attribution validate SOURCE` "
                    "without --start/--end shows the dates the source holds)",
                    0,
                )
            ],
            source=source,
        )

    # ------------------------------------------------------------------ touches
    def touch_range(self, opportunities: pl.DataFrame, time_zone: str) -> TimeRange:
        """Touches the selected opportunities' journeys can reach: [first start, last close]."""
        created = _value("opportunities", CREATED_AT, opportunities.schema, time_zone)
        closed = _value("opportunities", CLOSED_AT, opportunities.schema, time_zone)
        lo = hi = None
        if created is not None:
            first = opportunities.select(created.min()).item()
            if first is not None:
                lo = first - timedelta(days=self.lookback_days)
        if closed is not None:
            last, still_open = opportunities.select(
                closed.max().alias("last"), closed.is_null().any().alias("open")
            ).row(0)
            hi = None if still_open else last
        return TimeRange(OCCURRED_AT, lo, hi, keep_null=True)

    def touch_filter(self, reach: TimeRange, schema: pl.Schema, time_zone: str) -> pl.Expr | None:
        """Filter raw touches to ``reach`` (both ends included) where that costs nothing.

        Only when the column already holds timestamps (Parquet, typed database columns),
        which lets polars push the condition into a Parquet scan; text would be parsed
        twice (here and in validation), so it is left to :meth:`select`.
        """
        if OCCURRED_AT not in schema or not isinstance(schema[OCCURRED_AT], pl.Datetime):
            return None
        return _keep(
            "touches",
            OCCURRED_AT,
            schema,
            time_zone,
            lo=reach.lo,
            hi=reach.hi,
            hi_inclusive=True,
            keep_missing=True,
        )

    # ------------------------------------------------------------------ validated data
    def select(self, dataset: Dataset) -> Dataset:
        """Return exactly the window's rows of a validated dataset: deals, touches they reach.

        Reading may fetch more (conditions a source cannot apply exactly); this is the final
        word, on contract types, so every source gives the same rows.
        """
        opportunities = dataset.lazy("opportunities")
        keep = self.opportunity_filter(opportunities.collect_schema(), "UTC")
        assert keep is not None  # validated: the column exists with the contract's type
        selected = opportunities.filter(keep).collect()
        reach = self.touch_range(selected, "UTC")
        touches = dataset.lazy("touches")
        inside = _keep(
            "touches",
            OCCURRED_AT,
            touches.collect_schema(),
            "UTC",
            lo=reach.lo,
            hi=reach.hi,
            hi_inclusive=True,
            keep_missing=False,
        )
        assert inside is not None
        history = dataset.stage_history
        if history is not None:
            mine = pl.col(OPPORTUNITY_ID).is_in(selected[OPPORTUNITY_ID].implode())
            history = history.lazy().filter(mine)
        result = replace(
            dataset, opportunities=selected, touches=touches.filter(inside), stage_history=history
        )
        return result if dataset.is_lazy else result.collect()

    # ------------------------------------------------------------------ stage history
    @staticmethod
    def stage_filter(
        opportunities: pl.DataFrame, schema: pl.Schema, time_zone: str
    ) -> pl.Expr | None:
        """Stage changes of the selected opportunities only (ids compared as contract text)."""
        ids = _value("opportunities", OPPORTUNITY_ID, opportunities.schema, time_zone)
        mine = _value("stage_history", OPPORTUNITY_ID, schema, "UTC")
        if ids is None or mine is None:
            return None
        wanted = opportunities.select(ids.str.strip_chars()).to_series().drop_nulls()
        return mine.str.strip_chars().is_in(wanted.implode()) | mine.is_null()
