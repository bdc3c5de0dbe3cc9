"""The one-page overview: the shared revenue number, who touched it, and what stands out.

Everything here is **descriptive**: it counts which teams and channels touched won and lost
deals within their journey windows. Touching a deal is not the same as causing it to win;
the attribution models and the contribution estimates measure that. Texts say so.

* :func:`opportunity_summary`: one row per opportunity with its touches per team;
* :func:`headline`: won revenue, deals, win rate, deal size, cycle, period;
* :func:`team_involvement`: won revenue and win rate by which teams touched the deal
  (``marketing and sales``, ``marketing only``, ``sales only``, ``no touches``);
* :func:`revenue_by_month`: won revenue per closing month and involvement;
* :func:`top_paths`: the most frequent journeys of won deals.

What stands out is :mod:`attribution.report.findings`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from attribution._format import money
from attribution._markdown import Markdown
from attribution._text import DEALS
from attribution._time import MICROS_PER_DAY
from attribution.data.dataset import Frame
from attribution.data.schema import (
    AMOUNT,
    CHANNEL,
    CLOSED_AT,
    MARKETING,
    OPPORTUNITY_ID,
    SALES,
    TEAM,
)
from attribution.errors import ParameterError
from attribution.journey.columns import (
    N_TOUCHES,
    OPPORTUNITY_CREATED_AT,
    POSITION,
    STATUS,
    WINDOW_START,
)
from attribution.journey.paths import paths as path_table

__all__ = [
    "INVOLVEMENT",
    "INVOLVEMENT_LEVELS",
    "Headline",
    "headline",
    "opportunity_summary",
    "revenue_by_month",
    "team_involvement",
    "top_paths",
]

INVOLVEMENT = "involvement"
INVOLVEMENT_LEVELS: tuple[str, ...] = (
    "marketing and sales",
    "marketing only",
    "sales only",
    "no touches",
)
"""Which teams touched a deal in its window, in display order."""

MIN_DEALS = 20
"""Fewest closed deals behind a rate before a finding quotes it."""


def opportunity_summary(journeys: Frame) -> pl.DataFrame:
    """One row per opportunity: status, amount, dates, touches per team and involvement.

    Parameters
    ----------
    journeys
        Output of :func:`attribution.journeys`.

    Returns
    -------
    polars.DataFrame
        ``opportunity_id``, ``status``, ``amount``, ``opportunity_created_at``,
        ``closed_at``, ``lookback_days``, ``n_touches``, ``marketing_touches``,
        ``sales_touches``, ``first_team``, ``channels`` (distinct, in order of first
        appearance), ``involvement`` and ``cycle_days`` (creation to close).

    Examples
    --------
    >>> import attribution as at
    >>> s = opportunity_summary(at.journeys(at.demo.generate(n_accounts=80, seed=2)))
    >>> s.get_column("opportunity_id").is_unique().all()
    True
    """
    lf = journeys.lazy().sort(OPPORTUNITY_ID, POSITION)
    is_m = (pl.col(TEAM) == MARKETING).fill_null(False)
    is_s = (pl.col(TEAM) == SALES).fill_null(False)
    per = lf.group_by(OPPORTUNITY_ID, maintain_order=True).agg(
        pl.col(STATUS).first(),
        pl.col(AMOUNT).first(),
        pl.col(OPPORTUNITY_CREATED_AT).first(),
        pl.col(CLOSED_AT).first(),
        (
            (pl.col(OPPORTUNITY_CREATED_AT).first() - pl.col(WINDOW_START).first())
            .dt.total_microseconds()
            .truediv(MICROS_PER_DAY)
            .alias("lookback_days")
        ),
        pl.col(N_TOUCHES).first().cast(pl.Int64),
        is_m.sum().cast(pl.Int64).alias("marketing_touches"),
        is_s.sum().cast(pl.Int64).alias("sales_touches"),
        pl.col(TEAM).drop_nulls().first().alias("first_team"),
        pl.col(CHANNEL).drop_nulls().unique(maintain_order=True).alias("channels"),
    )
    m = pl.col("marketing_touches") > 0
    s = pl.col("sales_touches") > 0
    return per.with_columns(
        pl.when(m & s)
        .then(pl.lit(INVOLVEMENT_LEVELS[0]))
        .when(m)
        .then(pl.lit(INVOLVEMENT_LEVELS[1]))
        .when(s)
        .then(pl.lit(INVOLVEMENT_LEVELS[2]))
        .otherwise(pl.lit(INVOLVEMENT_LEVELS[3]))
        .alias(INVOLVEMENT),
        (
            (pl.col(CLOSED_AT) - pl.col(OPPORTUNITY_CREATED_AT)).dt.total_microseconds()
            / MICROS_PER_DAY
        ).alias("cycle_days"),
    ).collect()


def _count(n: int, noun: str) -> Markdown:
    return Markdown("{:,} {}{}").format(n, noun, "" if n == 1 else "s")


@dataclass(frozen=True)
class Headline:
    """The numbers a reviewer reads first (all from closed and open deals in the data)."""

    won_revenue: float
    won_deals: int
    lost_deals: int
    open_deals: int
    open_pipeline: float
    win_rate: float | None
    average_deal: float | None
    median_cycle_days: float | None
    first_close: datetime | None
    last_close: datetime | None
    lookback_days: float | None

    def to_frame(self) -> pl.DataFrame:
        """Return the headline as a one-row table."""
        return pl.DataFrame([self.__dict__])

    def markdown(self, *, currency: str = "$") -> Markdown:
        """Return the headline as a short markdown paragraph (the currency escaped).

        With count-only data (``currency`` :data:`attribution._text.DEALS`) it counts won
        deals and names no money.
        """
        if self.won_deals == 0:
            return Markdown("**No deal was won** in the data.")
        period = Markdown("")
        if self.first_close and self.last_close:
            period = Markdown(" between {:%d %b %Y} and {:%d %b %Y}").format(
                self.first_close, self.last_close
            )
        counted = currency == DEALS
        if counted:
            parts = [Markdown("**{}**{}").format(_count(self.won_deals, "won deal"), period)]
        else:
            parts = [
                Markdown("**{} of won revenue**{}, from **{}**").format(
                    money(self.won_revenue, currency), period, _count(self.won_deals, "won deal")
                )
            ]
        if self.win_rate is not None:
            parts.append(
                Markdown("**{:.0%} win rate** ({:,} won of {:,} closed)").format(
                    self.win_rate, self.won_deals, self.won_deals + self.lost_deals
                )
            )
        if self.average_deal is not None and not counted:
            parts.append(Markdown("average won deal {}").format(money(self.average_deal, currency)))
        if self.median_cycle_days is not None:
            parts.append(
                Markdown("median {:,.0f} days from opportunity to win").format(
                    self.median_cycle_days
                )
            )
        text = Markdown("; ").join(parts) + Markdown(".")
        if self.open_deals:
            worth = (
                Markdown("")
                if counted
                else Markdown(" worth {}").format(money(self.open_pipeline, currency))
            )
            text += Markdown(" Still open: {}{}.").format(_count(self.open_deals, "deal"), worth)
        return text


def headline(journeys: Frame) -> Headline:
    """Compute the headline numbers from journeys.

    Examples
    --------
    >>> import attribution as at
    >>> h = headline(at.journeys(at.demo.generate(n_accounts=200, seed=1)))
    >>> h.won_deals > 0 and 0 < h.win_rate < 1
    True
    """
    opp = opportunity_summary(journeys)
    won = pl.col(STATUS) == "won"
    row = opp.select(
        pl.col(AMOUNT).filter(won).sum().alias("won_revenue"),
        won.sum().alias("won_deals"),
        (pl.col(STATUS) == "lost").sum().alias("lost_deals"),
        (pl.col(STATUS) == "open").sum().alias("open_deals"),
        pl.col(AMOUNT).filter(pl.col(STATUS) == "open").sum().alias("open_pipeline"),
        pl.col(AMOUNT).filter(won).mean().alias("average_deal"),
        pl.col("cycle_days").filter(won).median().alias("median_cycle_days"),
        pl.col(CLOSED_AT).filter(won).min().alias("first_close"),
        pl.col(CLOSED_AT).filter(won).max().alias("last_close"),
        pl.col("lookback_days").first().alias("lookback_days"),
    ).row(0, named=True)
    closed = row["won_deals"] + row["lost_deals"]
    return Headline(
        won_revenue=float(row["won_revenue"] or 0.0),
        won_deals=int(row["won_deals"]),
        lost_deals=int(row["lost_deals"]),
        open_deals=int(row["open_deals"]),
        open_pipeline=float(row["open_pipeline"] or 0.0),
        win_rate=row["won_deals"] / closed if closed else None,
        average_deal=row["average_deal"],
        median_cycle_days=row["median_cycle_days"],
        first_close=row["first_close"],
        last_close=row["last_close"],
        lookback_days=row["lookback_days"],
    )


def _levels() -> pl.DataFrame:
    return pl.DataFrame({INVOLVEMENT: list(INVOLVEMENT_LEVELS)})


def team_involvement(journeys: Frame) -> pl.DataFrame:
    """Won revenue and win rate by which teams touched the deal in its window.

    Every won dollar falls in exactly one row, so ``won_revenue`` sums to the total won
    revenue and ``revenue_share`` to 1. All four rows are always present.

    Returns
    -------
    polars.DataFrame
        ``involvement``, ``won_deals``, ``won_revenue``, ``revenue_share``,
        ``closed_deals``, ``win_rate`` (null without closed deals).

    Examples
    --------
    >>> import attribution as at
    >>> t = team_involvement(at.journeys(at.demo.generate(n_accounts=200, seed=1)))
    >>> t.get_column("involvement").to_list()
    ['marketing and sales', 'marketing only', 'sales only', 'no touches']
    >>> round(t.get_column("revenue_share").sum(), 9)
    1.0
    """
    opp = opportunity_summary(journeys)
    won = pl.col(STATUS) == "won"
    per = opp.group_by(INVOLVEMENT).agg(
        won.sum().cast(pl.Int64).alias("won_deals"),
        pl.col(AMOUNT).filter(won).sum().alias("won_revenue"),
        pl.col(STATUS).is_in(["won", "lost"]).sum().cast(pl.Int64).alias("closed_deals"),
    )
    return (
        _levels()
        .join(per, on=INVOLVEMENT, how="left", maintain_order="left")
        .with_columns(
            pl.col("won_deals", "closed_deals").fill_null(0),
            pl.col("won_revenue").fill_null(0.0),
        )
        .with_columns(
            # divide by the total as a column: polars divides by a scalar through its
            # reciprocal, which overflows to inf for a subnormal total
            (pl.col("won_revenue") / pl.col("won_revenue").sum().over(pl.lit(0)))
            .fill_nan(None)
            .alias("revenue_share"),
            pl.when(pl.col("closed_deals") > 0)
            .then(pl.col("won_deals") / pl.col("closed_deals"))
            .alias("win_rate"),
        )
        .select(
            INVOLVEMENT, "won_deals", "won_revenue", "revenue_share", "closed_deals", "win_rate"
        )
    )


def revenue_by_month(journeys: Frame) -> pl.DataFrame:
    """Won revenue per closing month, split by team involvement.

    Returns
    -------
    polars.DataFrame
        ``month`` (date of the month's first day), ``involvement``, ``won_deals``,
        ``won_revenue``; one row per month and involvement that has won deals.

    Examples
    --------
    >>> import attribution as at
    >>> r = revenue_by_month(at.journeys(at.demo.generate(n_accounts=200, seed=1)))
    >>> r.columns
    ['month', 'involvement', 'won_deals', 'won_revenue']
    """
    opp = opportunity_summary(journeys).filter(pl.col(STATUS) == "won")
    order = {v: i for i, v in enumerate(INVOLVEMENT_LEVELS)}
    return (
        opp.group_by(pl.col(CLOSED_AT).dt.truncate("1mo").dt.date().alias("month"), INVOLVEMENT)
        .agg(pl.len().cast(pl.Int64).alias("won_deals"), pl.col(AMOUNT).sum().alias("won_revenue"))
        .sort("month", pl.col(INVOLVEMENT).replace_strict(order, return_dtype=pl.Int8))
    )


def top_paths(
    journeys: Frame,
    *,
    n: int = 10,
    by: str = CHANNEL,
    collapse: bool = False,
    steps: int | None = None,
) -> pl.DataFrame:
    """Return the ``n`` journeys (ordered channel paths) that most won deals followed.

    Long B2B journeys rarely repeat touch for touch, so two options make paths comparable:
    ``collapse`` merges repeated steps in a row (``email > email > demo`` is
    ``email > demo``) and ``steps`` keeps only the first steps (how journeys start).

    Parameters
    ----------
    journeys
        Output of :func:`attribution.journeys`.
    n
        How many paths to return.
    by
        Journey column the path steps are made of (``channel``, ``campaign``, ``team``).
    collapse
        Merge consecutive repeats of a step.
    steps
        Keep only the first ``steps`` steps of each path (after merging repeats).

    Returns
    -------
    polars.DataFrame
        ``path`` (steps joined by `` > ``), ``won_deals``, ``won_revenue``,
        ``lost_deals``, ``win_rate``; most won deals first.

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=300, seed=1))
    >>> top_paths(j, n=3).height
    3
    >>> top_paths(j, by="team", collapse=True, steps=2)["path"][0]
    'marketing > sales'
    """
    if n < 1:
        raise ParameterError(f"n must be at least 1, got {n!r}")
    if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int) or steps < 1):
        raise ParameterError(f"steps must be a whole number of at least 1 or None, got {steps!r}")
    table = path_table(journeys, by=by)
    step = pl.col("path")
    if collapse:
        step = step.list.eval(
            pl.element().filter((pl.element() != pl.element().shift(1)).fill_null(True))
        )
    if steps is not None:
        step = step.list.head(steps)
    if collapse or steps is not None:
        table = table.group_by(step.list.join(" > ").alias("path")).agg(
            pl.col("conversions", "value", "nulls").sum()
        )
    else:
        table = table.with_columns(step.list.join(" > "))
    return (
        table.filter(pl.col("conversions") > 0)
        .sort(["conversions", "value", "path"], descending=[True, True, False])
        .head(n)
        .select(
            "path",
            pl.col("conversions").alias("won_deals"),
            pl.col("value").alias("won_revenue"),
            pl.col("nulls").alias("lost_deals"),
            (pl.col("conversions") / (pl.col("conversions") + pl.col("nulls"))).alias("win_rate"),
        )
    )
