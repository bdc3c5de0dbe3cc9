"""The one-page overview: the shared revenue number, who touched it, and what stands out.

Everything here is **descriptive**: it counts which teams and channels touched won and lost
deals within their journey windows. Touching a deal is not the same as causing it to win;
the attribution models and the contribution estimates measure that. Texts say so.

* :func:`opportunity_summary`: one row per opportunity with its touches per team;
* :func:`headline`: won revenue, deals, win rate, deal size, cycle, period;
* :func:`team_involvement`: won revenue and win rate by which teams touched the deal
  (``marketing and sales``, ``marketing only``, ``sales only``, ``no touches``);
* :func:`revenue_by_month`: won revenue per closing month and involvement;
* :func:`findings`: the statements that stand out most in the data, computed and ranked,
  as short sentences for reviewers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import polars as pl

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
from attribution.journey.build import (
    N_TOUCHES,
    OPPORTUNITY_CREATED_AT,
    POSITION,
    STATUS,
    WINDOW_START,
)

if TYPE_CHECKING:
    from attribution.estimates.contributions import ContributionResult
    from attribution.estimates.sla_cost import SlaCost
    from attribution.models.compare import Comparison

__all__ = [
    "INVOLVEMENT",
    "INVOLVEMENT_LEVELS",
    "Finding",
    "Headline",
    "findings",
    "findings_markdown",
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


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


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

    def markdown(self, *, currency: str = "$") -> str:
        """Return the headline as a short markdown paragraph."""
        if self.won_deals == 0:
            return "**No deal was won** in the data."
        period = ""
        if self.first_close and self.last_close:
            period = f" between {self.first_close:%d %b %Y} and {self.last_close:%d %b %Y}"
        parts = [
            f"**{currency}{self.won_revenue:,.0f} of won revenue**{period}, "
            f"from **{_count(self.won_deals, 'won deal')}**"
        ]
        if self.win_rate is not None:
            parts.append(
                f"**{self.win_rate:.0%} win rate** ({self.won_deals:,} won of "
                f"{self.won_deals + self.lost_deals:,} closed)"
            )
        if self.average_deal is not None:
            parts.append(f"average won deal {currency}{self.average_deal:,.0f}")
        if self.median_cycle_days is not None:
            parts.append(f"median {self.median_cycle_days:,.0f} days from opportunity to win")
        text = "; ".join(parts) + "."
        if self.open_deals:
            text += (
                f" Still open: {_count(self.open_deals, 'deal')} worth "
                f"{currency}{self.open_pipeline:,.0f}."
            )
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
    from attribution.journey.build import paths

    table = paths(journeys, by=by)
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


# ------------------------------------------------------------------------------ findings
def _revenue(frame: pl.DataFrame) -> float:
    return float(frame.get_column(AMOUNT).sum() or 0.0)


@dataclass(frozen=True)
class Finding:
    """One statement about the data, with the weight it is ranked by.

    Attributes
    ----------
    key
        Which kind of finding (``coverage``, ``joint_work``, ``channel_gap``, ``cycle``,
        ``first_touch``, ``recording_gap``; with the evidence passed to :func:`findings`,
        also ``model_consensus``, ``model_disagreement``, ``joint_effect``,
        ``late_follow_up``).
    title
        A few words.
    text
        One or two sentences with the numbers, for a reviewer.
    weight
        How much it matters, between 0 and 1: the share of won revenue it concerns, or the
        relative size of the difference it reports.
    """

    key: str
    title: str
    text: str
    weight: float


def _coverage(opp: pl.DataFrame, currency: str) -> Finding | None:
    won = opp.filter(pl.col(STATUS) == "won")
    total = won.pipe(_revenue)
    if won.height == 0 or not total:
        return None
    dark = won.filter(pl.col(N_TOUCHES) == 0)
    share = dark.pipe(_revenue) / total
    lookback = won.select(pl.col("lookback_days").max()).item()
    window = f"{lookback:,.0f}-day" if lookback is not None else "journey"
    if dark.height == 0:
        text = (
            f"Every won deal has at least one marketing or sales touch in its {window} "
            "window, so all won revenue can be traced to touches."
        )
    else:
        text = (
            f"{share:.0%} of won revenue ({currency}{dark.pipe(_revenue):,.0f} from "
            f"{dark.height:,} of {won.height:,} won deals) has no marketing or sales touch in "
            f"its {window} window: where it came from cannot be traced. The data health "
            "report lists these gaps."
        )
    return Finding("coverage", "Revenue without touches", text, float(share))


def _joint_work(opp: pl.DataFrame, currency: str) -> Finding | None:
    closed = opp.filter(pl.col(STATUS).is_in(["won", "lost"]))
    rates = (
        closed.group_by(INVOLVEMENT)
        .agg(
            pl.len().alias("n"),
            (pl.col(STATUS) == "won").mean().alias("rate"),
        )
        .filter(pl.col("n") >= MIN_DEALS)
    )
    by = {r[INVOLVEMENT]: r for r in rates.iter_rows(named=True)}
    both = by.get(INVOLVEMENT_LEVELS[0])
    singles = [by[k] for k in INVOLVEMENT_LEVELS[1:3] if k in by]
    if both is None or not singles:
        return None
    best = max(singles, key=lambda r: r["rate"])
    top = max(both["rate"], best["rate"])
    if top == 0:
        return None
    won_revenue = opp.filter(pl.col(STATUS) == "won").pipe(_revenue)
    both_revenue = opp.filter(
        (pl.col(STATUS) == "won") & (pl.col(INVOLVEMENT) == INVOLVEMENT_LEVELS[0])
    ).pipe(_revenue)
    others = " and ".join(
        f"{r['rate']:.0%} for {r[INVOLVEMENT].replace(' ', '-')} deals ({r['n']:,} closed)"
        for r in singles
    )
    text = (
        f"Deals that both marketing and sales touched won {both['rate']:.0%} of the time "
        f"({both['n']:,} closed deals), against {others}. They brought "
        f"{both_revenue / won_revenue:.0%} of won revenue. "
        "This compares deals as they are; it does not by itself prove that working together "
        "caused the wins."
    )
    return Finding(
        "joint_work", "Marketing and sales together", text, abs(both["rate"] - best["rate"]) / top
    )


def _channel_gap(opp: pl.DataFrame, currency: str) -> Finding | None:
    closed = opp.filter(pl.col(STATUS).is_in(["won", "lost"]))
    n_won = int((closed.get_column(STATUS) == "won").sum())
    n_lost = closed.height - n_won
    if n_won < MIN_DEALS or n_lost < MIN_DEALS:
        return None
    per = (
        closed.select(STATUS, "channels")
        .explode("channels")
        .drop_nulls("channels")
        .group_by("channels")
        .agg(
            ((pl.col(STATUS) == "won").sum() / n_won).alias("in_won"),
            ((pl.col(STATUS) == "lost").sum() / n_lost).alias("in_lost"),
            pl.len().alias("journeys"),
        )
        .filter(pl.col("journeys") >= MIN_DEALS)
        .with_columns((pl.col("in_won") - pl.col("in_lost")).alias("gap"))
        .sort("gap", "channels", descending=[True, False])
    )
    if per.height == 0 or per.get_column("gap")[0] <= 0:
        return None
    top = per.row(0, named=True)
    text = (
        f"Touches of the *{top['channels']}* channel appear in {top['in_won']:.0%} of won "
        f"deals' journeys but in only {top['in_lost']:.0%} of lost ones: the widest gap of "
        "any channel."
    )
    return Finding("channel_gap", "The channel most over-represented in wins", text, top["gap"])


def _cycle(opp: pl.DataFrame, currency: str) -> Finding | None:
    closed = opp.filter(pl.col(STATUS).is_in(["won", "lost"]))
    med = closed.group_by(STATUS).agg(
        pl.col("cycle_days").median().alias("days"), pl.len().alias("n")
    )
    by = {r[STATUS]: r for r in med.iter_rows(named=True)}
    if any(k not in by or by[k]["n"] < MIN_DEALS for k in ("won", "lost")):
        return None
    won, lost = by["won"]["days"], by["lost"]["days"]
    top = max(won, lost)
    if not top:
        return None
    weight = abs(won - lost) / top
    if weight < 0.1:
        text = (
            f"Won and lost deals take about as long to close: a median of {won:,.0f} and "
            f"{lost:,.0f} days from opportunity to decision."
        )
    else:
        faster = "faster" if won < lost else "slower"
        text = (
            f"Won deals closed in a median of {won:,.0f} days from opportunity to signature, "
            f"{faster} than lost deals ({lost:,.0f} days to a loss)."
        )
    return Finding("cycle", "Time to close", text, weight)


def _first_touch(opp: pl.DataFrame, currency: str) -> Finding | None:
    won = opp.filter((pl.col(STATUS) == "won") & pl.col("first_team").is_not_null())
    if won.height < MIN_DEALS:
        return None
    total = won.pipe(_revenue)
    if not total:
        return None
    share = {
        team: won.filter(pl.col("first_team") == team).pipe(_revenue) / total
        for team in (MARKETING, SALES)
    }
    lead = max(share, key=lambda k: share[k])
    text = (
        f"{lead.capitalize()} made the first touch of the journey behind "
        f"{share[lead]:.0%} of won revenue; "
        f"{(SALES if lead == MARKETING else MARKETING)} behind "
        f"{share[SALES if lead == MARKETING else MARKETING]:.0%}."
    )
    return Finding("first_touch", "Who opens won deals", text, share[lead] - 0.5)


_CANDIDATES: tuple[Callable[[pl.DataFrame, str], Finding | None], ...] = (
    _coverage,
    _joint_work,
    _channel_gap,
    _cycle,
    _first_touch,
)

_DATA_DRIVEN = ("markov", "shapley")


def _pretty(model: str) -> str:
    """Return a model's label as a reviewer reads it (``first_touch`` -> ``first touch``)."""
    return {"markov": "Markov", "shapley": "Shapley"}.get(model, model.replace("_", " "))


def _model_names(labels: list[str]) -> str:
    pretty = [_pretty(label) for label in labels]
    return ", ".join(pretty[:-1]) + (" and " if len(pretty) > 1 else "") + pretty[-1]


def _model_consensus(comparison: Comparison, currency: str) -> Finding | None:
    from attribution.models.agreement import disagreement

    spread = disagreement(comparison)
    if spread.height < 2 or spread["models"][0] < 2:
        return None
    by = spread.columns[0]
    models = int(spread["models"][0])
    top = spread.filter(pl.col("ranked_first") == models)
    if top.height != 1:
        return None
    row = top.row(0, named=True)
    text = (
        f"Every one of the {models} attribution models credits *{row[by]}* with more won "
        f"revenue than any other {by}: between {row['min_share']:.0%} "
        f"({_pretty(row['min_model'])}) and {row['max_share']:.0%} "
        f"({_pretty(row['max_model'])}) of it. Whichever "
        "way credit is assigned, it comes first."
    )
    return Finding("model_consensus", f"The {by} every model ranks first", text, row["min_share"])


def _sales_only_on_won(opp: pl.DataFrame) -> bool:
    """Whether sales touches appear on won deals only, while other deals were lost."""
    touched = opp.filter(pl.col("sales_touches") > 0)
    lost = int((opp.get_column(STATUS) == "lost").sum())
    return bool(touched.height and lost and (touched.get_column(STATUS) == "won").all())


def _recording_gap(opp: pl.DataFrame, currency: str) -> Finding | None:
    if not _sales_only_on_won(opp):
        return None
    lost = int((opp.get_column(STATUS) == "lost").sum())
    text = (
        f"Sales activity is recorded only for won deals: none of the {lost:,} lost deals has "
        "a sales touch. Comparing deals with and without sales touches, or letting a model "
        "learn from lost deals, would read this gap in the records as the effect of sales, so "
        "such statements are left out; the estimates that need sales activity say they cannot "
        "be made."
    )
    return Finding("recording_gap", "Sales work is recorded for won deals only", text, 1.0)


_MISREAD_WITHOUT_SALES_RECORDS = ("joint_work", "channel_gap")
"""Findings that compare deals by their sales touches: artefacts when only wins have them."""


def _model_disagreement(
    comparison: Comparison, currency: str, *, data_driven: bool = True
) -> Finding | None:
    from attribution.models.agreement import disagreement

    spread = disagreement(comparison)
    if spread.height == 0 or spread["models"][0] < 2:
        return None
    by = spread.columns[0]
    row = spread.row(0, named=True)
    if not row["spread"] or row["spread"] <= 0:
        return None
    table = comparison.table
    learned = [m for m in _DATA_DRIVEN if m in table.columns] if data_driven else []
    text = (
        f"How much credit *{row[by]}* gets depends most on the model: from "
        f"{row['min_share']:.0%} of won revenue ({_pretty(row['min_model'])}) to "
        f"{row['max_share']:.0%} ({_pretty(row['max_model'])})."
    )
    if learned:
        total = {m: float(table[m].sum()) for m in learned}
        value = {
            m: float(table.filter(pl.col(by) == row[by])[m].sum()) / total[m]
            for m in learned
            if total[m]
        }
        if value:
            shares = " and ".join(f"{v:.0%}" for v in value.values())
            many = len(value) > 1
            text += (
                f" The data-driven {_model_names(list(value))} model{'s' if many else ''}, "
                f"which learn{'' if many else 's'} from lost deals too, "
                f"give{'' if many else 's'} {shares}; rule-based models encode a convention, "
                "not evidence."
            )
    return Finding("model_disagreement", "Where the models disagree most", text, row["spread"])


def _joint_effect(result: ContributionResult, currency: str) -> Finding | None:
    if not result.supported:
        return None
    joint = result.table.filter(pl.col("component") == "joint").row(0, named=True)
    low, share, high = joint["ci_low"], joint["share"], joint["ci_high"]
    if low is None or share is None or high is None or low <= 0:
        return None
    if share > 1 or high - low > 1:  # wider than the whole: too uncertain to state
        return None
    text = (
        f"Deals that both teams work are worth more than the sum of each team's effect: their "
        f"joint work accounts for an estimated {share:.0%} of expected revenue "
        f"({result.level:.0%} interval {low:.0%} to {joint['ci_high']:.0%}), the part that "
        "neither team would get alone. This is an association in observational data, not a "
        "proven cause."
    )
    return Finding("joint_effect", "Marketing and sales add more together", text, share)


def _late_follow_up(cost: SlaCost, currency: str) -> Finding | None:
    if not cost.supported:
        return None
    total = cost.total.row(0, named=True)
    lost, low = total["lost_revenue"], total["ci_low"]
    if lost is None or low is None or low <= 0 or not total["late"]:
        return None
    top = cost.table.row(0, named=True)
    key = cost.table.columns[0]
    effect = cost.effect.table.filter(pl.col("bin") == cost.reference_bin)
    rate = effect["adjusted_rate"][0] if effect.height else None
    # the relative drop in wins: lost wins over the wins had they been answered in time
    weight = min(1.0, total["lost_wins"] / (total["late"] * rate)) if rate else 0.0
    text = (
        f"{total['late']:,} MQLs were first answered after the {cost.sla_hours:g}-hour SLA. "
        f"Answered within it, an estimated {total['lost_wins']:.0f} more would have won, worth "
        f"{currency}{lost:,.0f} ({cost.level:.0%} interval {currency}{low:,.0f} to "
        f"{currency}{total['ci_high']:,.0f}); the largest part, {currency}"
        f"{top['lost_revenue']:,.0f}, on the {top['late']:,} late MQLs of "
        f"{key.replace('_', ' ')} {top[key]}. An association, not a proven cause."
    )
    return Finding("late_follow_up", "What late follow-up costs", text, weight)


def findings(
    journeys: Frame,
    *,
    currency: str = "$",
    n: int = 3,
    comparison: Comparison | None = None,
    contributions: ContributionResult | None = None,
    sla: SlaCost | None = None,
) -> list[Finding]:
    """Return the ``n`` statements that stand out most in the data, most important first.

    Each candidate (revenue without touches, deals worked by both teams against one,
    the channel most over-represented in wins, time to close, which team opens won deals)
    is computed from the data and weighed by the share of won revenue or the relative
    difference it reports; rates are
    only quoted when at least :data:`MIN_DEALS` closed deals stand behind them, so small
    data gives fewer findings.

    Results of the models and estimates add candidates, weighed the same way:

    * ``comparison`` (:func:`attribution.compare`): the channel every model ranks first
      (weight: the smallest share any model gives it), and the channel whose credit
      depends most on the model (weight: the spread of its share across models);
    * ``contributions`` (:func:`attribution.contributions`): the joint work of the two
      teams, when its interval lies above zero (weight: its share of expected revenue);
    * ``sla`` (:func:`attribution.sla_cost`): the revenue late follow-up cost, when its
      interval lies above zero (weight: the relative drop in win rate of the late MQLs).

    Estimates the data cannot support add nothing. When sales activity is recorded only for
    won deals (as in some exports), statements that compare deals by their sales touches
    would read that gap in the records as an effect: they are replaced by one finding that
    says so (weight 1), and the data-driven models' figures are not quoted.

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=1000, seed=1))
    >>> found = findings(j)
    >>> len(found), found[0].weight >= found[-1].weight
    (3, True)
    >>> keys = [f.key for f in findings(j, n=10, comparison=at.compare(j))]
    >>> "model_disagreement" in keys
    True
    """
    if n < 1:
        raise ParameterError(f"n must be a positive number of findings, got {n!r}")
    opp = opportunity_summary(journeys)
    gap = _recording_gap(opp, currency)
    found = [f for f in (c(opp, currency) for c in _CANDIDATES) if f is not None]
    if gap is not None:
        found = [f for f in found if f.key not in _MISREAD_WITHOUT_SALES_RECORDS] + [gap]
    evidence: list[Finding | None] = []
    if comparison is not None:
        evidence += [
            _model_consensus(comparison, currency),
            _model_disagreement(comparison, currency, data_driven=gap is None),
        ]
    if contributions is not None:
        evidence.append(_joint_effect(contributions, currency))
    if sla is not None:
        evidence.append(_late_follow_up(sla, currency))
    found += [f for f in evidence if f is not None]
    return sorted(found, key=lambda f: -f.weight)[:n]


def findings_markdown(found: list[Finding]) -> str:
    """Return findings as a numbered markdown list with bold titles.

    Examples
    --------
    >>> print(findings_markdown([Finding("x", "A title", "Some text.", 0.5)]))
    1. **A title.** Some text.
    """
    if not found:
        return "_The data is too small for findings (fewer than 20 closed deals)._"
    return "\n".join(f"{i}. **{f.title}.** {f.text}" for i, f in enumerate(found, 1))
