"""Caveats: what in valid data limits a number, found once per run and shown beside it.

Each check looks at the deals themselves (never at accounts as a whole) and, when its gap
is present, says in plain words what it is, how large it is, and which numbers it affects:

* ``amounts``: won deals with no amount (or an amount of 0), and revenue concentrated in
  a few deals; affects the headline, revenue over time and every revenue split;
* ``sales_only_on_won``: sales touches recorded for won deals but for no lost deal; then
  "touched by sales" tells won from lost by construction: affects attribution, team
  involvement, win rates and the estimates;
* ``provisional_losses``: many lost deals closing at the very same moment at the end of
  the data (an export that fills unknown close dates); affects win rates and cycle times;
* ``uninformative_channels``: channels present about as often in lost journeys as in won
  ones; path models still credit them by presence: affects attribution;
* ``partial_period``: the last month or week holds only part of its days; affects the
  charts by month and by week;
* ``shared_touches``: touches in the windows of several deals of one account; each deal's
  journey then holds touches of the others: affects attribution and team involvement.

:func:`caveats` returns them as a :class:`Caveats` result; ``markdown(section)`` gives the
cautions of one section of a page, to print right beside its number.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

import polars as pl

from attribution._markdown import Markdown
from attribution._text import plural
from attribution.data.dataset import Frame
from attribution.data.schema import (
    ACCOUNT_ID,
    AMOUNT,
    CHANNEL,
    CLOSED_AT,
    OPPORTUNITY_ID,
    SALES,
    TEAM,
    TOUCH_ID,
)
from attribution.journey.columns import N_TOUCHES, STATUS, WINDOW_END
from attribution.results import Result

__all__ = ["SECTIONS", "Caveat", "Caveats", "Section", "caveats"]

Section = Literal[
    "headline",
    "revenue_by_month",
    "activity",
    "attribution",
    "involvement",
    "win_rate",
    "funnel",
    "estimates",
]
SECTIONS: tuple[str, ...] = (
    "headline",
    "revenue_by_month",
    "activity",
    "attribution",
    "involvement",
    "win_rate",
    "funnel",
    "estimates",
)
"""The numbers a caveat can affect, as the pages name their sections."""

CONCENTRATED = 0.25
"""Share of won revenue one deal may hold before the headline says so."""
PROVISIONAL = 0.2
"""Share of lost deals closing at one moment at the end of the data that looks made up."""
UNINFORMATIVE = 0.05
"""Largest gap between a channel's presence in won and in lost journeys that tells nothing
(it must also lie within the noise of the comparison)."""
PARTIAL = 0.8
"""Share of a month or week the data must cover before its last bar stands unremarked."""
COMMON = 0.5
"""Share of closed journeys a channel must be in before its lack of signal is worth a caveat."""


@dataclass(frozen=True)
class Caveat:
    """One gap in the data, the numbers it affects, and what it means in plain words."""

    key: str
    title: str
    text: str
    affects: tuple[str, ...]
    severity: Literal["warning", "note"] = "warning"


@dataclass(frozen=True, kw_only=True, repr=False)
class Caveats(Result):
    """The caveats of one run: ``table`` holds key, title, text, affects and severity.

    Examples
    --------
    >>> c = Caveats.of([Caveat("x", "A gap", "Half the deals have no amount.", ("headline",))])
    >>> print(c.markdown("headline"))
    > **Caution: a gap.** Half the deals have no amount.
    >>> c.markdown("funnel")
    ''
    """

    items: tuple[Caveat, ...] = ()
    note: str = (
        "Gaps in valid data that limit what a number can say, each checked per deal; a page "
        "prints each one beside the numbers it affects."
    )

    @classmethod
    def of(cls, items: list[Caveat]) -> Caveats:
        """Build the result from caveats found."""
        table = pl.DataFrame(
            {
                "key": [c.key for c in items],
                "title": [c.title for c in items],
                "text": [c.text for c in items],
                "affects": [list(c.affects) for c in items],
                "severity": [c.severity for c in items],
            },
            schema={
                "key": pl.String,
                "title": pl.String,
                "text": pl.String,
                "affects": pl.List(pl.String),
                "severity": pl.String,
            },
        )
        return cls(table=table, items=tuple(items))

    def about(self, section: str) -> list[Caveat]:
        """Return the caveats that affect ``section`` (one of :data:`SECTIONS`)."""
        return [c for c in self.items if section in c.affects]

    def markdown(self, section: str) -> Markdown:
        """Return the cautions of ``section`` as markdown quote lines (empty when none).

        Each caution is a paragraph of its own: two cautions never run into one line.
        """
        return Markdown("\n>\n").join(
            Markdown("> **Caution: {}.** {}").format(c.title[:1].lower() + c.title[1:], c.text)
            for c in self.about(section)
        )


def caveats(journeys: Frame) -> Caveats:
    """Find the gaps in the data behind a run's numbers, each checked per deal.

    Parameters
    ----------
    journeys
        Output of :func:`attribution.journeys` (one row per deal and touch in its window).

    Returns
    -------
    Caveats
        The caveats that apply (none when the data has no such gap).

    Examples
    --------
    >>> import attribution as at
    >>> c = caveats(at.journeys(at.demo.generate(n_accounts=2000, seed=0)))
    >>> "partial_period" in c.table["key"].to_list()  # the data ends on a Monday
    True
    >>> print(c.markdown("headline") or "(nothing to say beside the headline)")
    (nothing to say beside the headline)
    """
    frame = journeys.lazy()
    deals = _deals(frame)
    found = [
        _amounts(deals),
        _sales_only_on_won(deals),
        _provisional_losses(deals),
        _uninformative_channels(frame, deals),
        _partial_period(deals),
        _shared_touches(frame),
    ]
    return Caveats.of([c for c in found if c is not None])


def _deals(frame: pl.LazyFrame) -> pl.DataFrame:
    """One row per deal: status, amount, close, whether sales touched it."""
    return (
        frame.group_by(OPPORTUNITY_ID)
        .agg(
            pl.col(STATUS).first(),
            pl.col(AMOUNT).first(),
            pl.col(CLOSED_AT).first(),
            pl.col(WINDOW_END).first(),
            (pl.col(TEAM) == SALES).any().fill_null(False).alias("sales"),
        )
        .collect()
    )


def _amounts(deals: pl.DataFrame) -> Caveat | None:
    won = deals.filter(pl.col(STATUS) == "won")
    if won.is_empty():
        return None
    known = won.filter(pl.col(AMOUNT).is_not_null() & (pl.col(AMOUNT) > 0))
    total = float(known[AMOUNT].sum() or 0.0)
    largest = cast(float | None, known[AMOUNT].max())
    top = (largest or 0.0) / total if total else 0.0
    parts = []
    if known.height < won.height:
        parts.append(
            f"{won.height - known.height:,} of {won.height:,} won deals have no amount (or an "
            "amount of 0): revenue, averages and every revenue split rest on the "
            f"{known.height:,} that have one"
        )
    if top > CONCENTRATED:
        parts.append(f"one deal holds {top:.0%} of the won revenue")
    if not parts:
        return None
    text = "; ".join(parts)
    return Caveat(
        "amounts",
        "Amounts are missing or concentrated",
        text[:1].upper() + text[1:] + ".",
        ("headline", "revenue_by_month", "attribution", "estimates"),
    )


def _sales_only_on_won(deals: pl.DataFrame) -> Caveat | None:
    won = deals.filter(pl.col(STATUS) == "won")
    lost = deals.filter(pl.col(STATUS) == "lost")
    won_sales, lost_sales = int(won["sales"].sum()), int(lost["sales"].sum())
    if lost.is_empty() or won_sales == 0 or lost_sales > 0:
        return None
    return Caveat(
        "sales_only_on_won",
        "Sales work is recorded only for won deals",
        f"{won_sales:,} of {won.height:,} won deals have sales touches and none of the "
        f'{lost.height:,} lost deals do, so "touched by sales" separates wins from losses by '
        "how the data was recorded: win rates by team, sales' credit and its estimated "
        "effect read that gap, not what sales did.",
        ("attribution", "involvement", "win_rate", "estimates"),
    )


def _provisional_losses(deals: pl.DataFrame) -> Caveat | None:
    lost = deals.filter((pl.col(STATUS) == "lost") & pl.col(CLOSED_AT).is_not_null())
    if lost.height < 10:
        return None
    moment = cast(datetime, lost[CLOSED_AT].mode().sort()[-1])
    same = int((lost[CLOSED_AT] == moment).sum())
    last = cast(datetime | None, deals[CLOSED_AT].max())
    if same / lost.height < PROVISIONAL or moment != last:
        return None
    return Caveat(
        "provisional_losses",
        "Close dates of lost deals look provisional",
        f"{same:,} of {lost.height:,} lost deals close at the same moment, {moment:%Y-%m-%d}, "
        "the last close in the data: the export likely filled unknown close dates. Win rates "
        "count them as lost for good, and cycle times of lost deals are not real.",
        ("win_rate", "funnel", "headline"),
    )


def _uninformative_channels(frame: pl.LazyFrame, deals: pl.DataFrame) -> Caveat | None:
    closed = deals.filter(pl.col(STATUS).is_in(["won", "lost"]))
    n_won = int((closed[STATUS] == "won").sum())
    n_lost = closed.height - n_won
    if n_won < 10 or n_lost < 10:
        return None
    presence = (
        frame.filter(pl.col(STATUS).is_in(["won", "lost"]) & pl.col(CHANNEL).is_not_null())
        .group_by(CHANNEL)
        .agg(
            pl.col(OPPORTUNITY_ID).filter(pl.col(STATUS) == "won").n_unique().alias("won"),
            pl.col(OPPORTUNITY_ID).filter(pl.col(STATUS) == "lost").n_unique().alias("lost"),
        )
        .with_columns(
            (pl.col("won") / n_won).alias("in_won"), (pl.col("lost") / n_lost).alias("in_lost")
        )
        .with_columns(
            (pl.col("in_won") - pl.col("in_lost")).abs().alias("gap"),
            (
                pl.col("in_won") * (1 - pl.col("in_won")) / n_won
                + pl.col("in_lost") * (1 - pl.col("in_lost")) / n_lost
            )
            .sqrt()
            .alias("se"),
        )
        .filter(  # small, and within the noise of a two-proportion comparison
            (pl.col("gap") <= UNINFORMATIVE)
            & (pl.col("gap") <= 1.96 * pl.col("se"))
            & (((pl.col("won") + pl.col("lost")) / closed.height) >= COMMON)
        )
        .sort(CHANNEL)
        .collect()
    )
    if presence.is_empty():
        return None
    listed = "; ".join(
        f"{r[CHANNEL]!r} is in {r['in_won']:.0%} of won and {r['in_lost']:.0%} of lost journeys"
        for r in presence.iter_rows(named=True)
    )
    return Caveat(
        "uninformative_channels",
        "Some channels do not tell wins from losses",
        f"{listed}. Their presence says nothing about winning, yet path models (Markov, "
        "Shapley) and rule models credit them for being there: read their credit as "
        "presence, not effect.",
        ("attribution",),
    )


def _partial_period(deals: pl.DataFrame) -> Caveat | None:
    end = cast(datetime | None, deals[WINDOW_END].max())
    if end is None:
        return None
    days = calendar.monthrange(end.year, end.month)[1]
    week_days = end.weekday() + 1  # weeks start on Monday, as the weekly charts' do
    parts, affects = [], []
    if end.day / days < PARTIAL:
        parts.append(f"{end:%B %Y} holds {end.day} of its {days} days")
        affects.append("revenue_by_month")
    if week_days / 7 < PARTIAL:
        parts.append(f"its last week holds {week_days} of 7 days")
        affects.append("activity")
    if not parts:
        return None
    return Caveat(
        "partial_period",
        "The last period is partial",
        f"The data ends on {end:%Y-%m-%d}: {' and '.join(parts)}. Its bars and points are "
        "low because the period is not over, not because it went worse.",
        tuple(affects),
        severity="note",
    )


def _shared_touches(frame: pl.LazyFrame) -> Caveat | None:
    touches = frame.filter(pl.col(N_TOUCHES) > 0).select(OPPORTUNITY_ID, ACCOUNT_ID, TOUCH_ID)
    row = (
        touches.group_by(ACCOUNT_ID, TOUCH_ID)
        .agg(pl.col(OPPORTUNITY_ID).n_unique().alias("deals"))
        .select(pl.len().alias("touches"), (pl.col("deals") > 1).sum().alias("shared"))
        .collect()
        .row(0, named=True)
    )
    if not row["touches"] or row["shared"] / row["touches"] < 0.05:
        return None
    accounts = (
        touches.group_by(ACCOUNT_ID, TOUCH_ID)
        .agg(pl.col(OPPORTUNITY_ID).n_unique().alias("deals"))
        .filter(pl.col("deals") > 1)
        .select(pl.col(ACCOUNT_ID).n_unique())
        .collect()
        .item()
    )
    return Caveat(
        "shared_touches",
        "Touches are shared between deals",
        f"{row['shared'] / row['touches']:.0%} of the touches in journeys fall in the windows of "
        f"several deals of the same account ({plural(accounts, 'account')}): each of those deals' "
        "journeys holds touches that belong to the others. Link touches to their deal "
        "(touches.opportunity_id) to keep each journey to its own deal.",
        ("attribution", "involvement"),
    )
