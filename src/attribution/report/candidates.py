"""Candidate findings: each computes one statement about the run and weighs it.

A candidate returns a :class:`Finding` (or ``None`` when its statement does not apply or
rests on too few deals). The first group reads the data (which touches came before won and
lost deals: descriptive); the second reads the models and estimates of the run and carries
their intervals and caveats. :func:`attribution.report.findings.findings` ranks them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from attribution._format import money
from attribution._markdown import Markdown
from attribution.data.schema import (
    AMOUNT,
    MARKETING,
    SALES,
)
from attribution.estimates.contributions import ContributionResult
from attribution.estimates.sla_cost import SlaCost
from attribution.journey.columns import N_TOUCHES, STATUS
from attribution.models.agreement import disagreement
from attribution.models.compare import Comparison
from attribution.report.overview import (
    INVOLVEMENT,
    INVOLVEMENT_LEVELS,
    MIN_DEALS,
)

__all__ = [
    "DATA_CANDIDATES",
    "MISREAD_WITHOUT_SALES_RECORDS",
    "Finding",
    "joint_effect",
    "late_follow_up",
    "model_consensus",
    "model_disagreement",
    "recording_gap",
]


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
        A few words (markdown).
    text
        One or two sentences with the numbers, for a reviewer (markdown: every value from
        the data escaped).
    weight
        How much it matters, between 0 and 1: the share of won revenue it concerns, or the
        relative size of the difference it reports.
    """

    key: str
    title: Markdown
    text: Markdown
    weight: float


def _coverage(opp: pl.DataFrame, currency: str) -> Finding | None:
    won = opp.filter(pl.col(STATUS) == "won")
    total = won.pipe(_revenue)
    if won.height == 0 or not total:
        return None
    dark = won.filter(pl.col(N_TOUCHES) == 0)
    share = dark.pipe(_revenue) / total
    lookback = won.select(pl.col("lookback_days").max()).item()
    window = Markdown("{:,.0f}-day").format(lookback) if lookback is not None else "journey"
    if dark.height == 0:
        text = Markdown(
            "Every won deal has at least one marketing or sales touch in its {} "
            "window, so all won revenue can be traced to touches."
        ).format(window)
    else:
        text = Markdown(
            "{:.0%} of won revenue ({} from {:,} of {:,} won deals) has no marketing or sales "
            "touch in its {} window: where it came from cannot be traced. The data health "
            "report lists these gaps."
        ).format(share, money(dark.pipe(_revenue), currency), dark.height, won.height, window)
    return Finding("coverage", Markdown("Revenue without touches"), text, float(share))


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
    others = Markdown(" and ").join(
        Markdown("{:.0%} for {} deals ({:,} closed)").format(
            r["rate"], r[INVOLVEMENT].replace(" ", "-"), r["n"]
        )
        for r in singles
    )
    text = Markdown(
        "Deals that both marketing and sales touched won {:.0%} of the time ({:,} closed "
        "deals), against {}. They brought {:.0%} of won revenue. This compares deals as they "
        "are; it does not by itself prove that working together caused the wins."
    ).format(both["rate"], both["n"], others, both_revenue / won_revenue)
    return Finding(
        "joint_work",
        Markdown("Marketing and sales together"),
        text,
        abs(both["rate"] - best["rate"]) / top,
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
    text = Markdown(
        "Touches of the *{}* channel appear in {:.0%} of won deals' journeys but in only "
        "{:.0%} of lost ones: the widest gap of any channel."
    ).format(top["channels"], top["in_won"], top["in_lost"])
    title = Markdown("The channel most over-represented in wins")
    return Finding("channel_gap", title, text, top["gap"])


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
        text = Markdown(
            "Won and lost deals take about as long to close: a median of {:,.0f} and "
            "{:,.0f} days from opportunity to decision."
        ).format(won, lost)
    else:
        faster = "faster" if won < lost else "slower"
        text = Markdown(
            "Won deals closed in a median of {:,.0f} days from opportunity to signature, "
            "{} than lost deals ({:,.0f} days to a loss)."
        ).format(won, faster, lost)
    return Finding("cycle", Markdown("Time to close"), text, weight)


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
    other = SALES if lead == MARKETING else MARKETING
    text = Markdown(
        "{} made the first touch of the journey behind {:.0%} of won revenue; {} behind {:.0%}."
    ).format(lead.capitalize(), share[lead], other, share[other])
    return Finding("first_touch", Markdown("Who opens won deals"), text, share[lead] - 0.5)


DATA_CANDIDATES: tuple[Callable[[pl.DataFrame, str], Finding | None], ...] = (
    _coverage,
    _joint_work,
    _channel_gap,
    _cycle,
    _first_touch,
)


def _sales_only_on_won(opp: pl.DataFrame) -> bool:
    """Whether sales touches appear on won deals only, while other deals were lost."""
    touched = opp.filter(pl.col("sales_touches") > 0)
    lost = int((opp.get_column(STATUS) == "lost").sum())
    return bool(touched.height and lost and (touched.get_column(STATUS) == "won").all())


def recording_gap(opp: pl.DataFrame, currency: str) -> Finding | None:
    """Say when sales work is recorded only for won deals (then touches mislead)."""
    if not _sales_only_on_won(opp):
        return None
    lost = int((opp.get_column(STATUS) == "lost").sum())
    text = Markdown(
        "Sales activity is recorded only for won deals: none of the {:,} lost deals has "
        "a sales touch. Comparing deals with and without sales touches, or letting a model "
        "learn from lost deals, would read this gap in the records as the effect of sales, so "
        "such statements are left out; the estimates that need sales activity say they cannot "
        "be made."
    ).format(lost)
    title = Markdown("Sales work is recorded for won deals only")
    return Finding("recording_gap", title, text, 1.0)


MISREAD_WITHOUT_SALES_RECORDS = ("joint_work", "channel_gap")
"""Findings that compare deals by their sales touches: artefacts when only wins have them."""


_DATA_DRIVEN = ("markov", "shapley")


def _pretty(model: str) -> str:
    """Return a model's label as a reviewer reads it (``first_touch`` -> ``first touch``)."""
    return {"markov": "Markov", "shapley": "Shapley"}.get(model, model.replace("_", " "))


def _model_names(labels: list[str]) -> Markdown:
    pretty = [_pretty(label) for label in labels]
    joined = Markdown(", ").join(pretty[:-1])
    return joined + Markdown(" and " if len(pretty) > 1 else "") + pretty[-1]


def model_consensus(comparison: Comparison, currency: str) -> Finding | None:
    """Name the group every model ranks first (weight: the smallest share it gets)."""
    spread = disagreement(comparison)
    if spread.height < 2 or spread["models"][0] < 2:
        return None
    by = spread.columns[0]
    models = int(spread["models"][0])
    top = spread.filter(pl.col("ranked_first") == models)
    if top.height != 1:
        return None
    row = top.row(0, named=True)
    text = Markdown(
        "Every one of the {} attribution models credits *{}* with more won revenue than any "
        "other {}: between {:.0%} ({}) and {:.0%} ({}) of it. Whichever way credit is "
        "assigned, it comes first."
    ).format(
        models,
        row[by],
        by,
        row["min_share"],
        _pretty(row["min_model"]),
        row["max_share"],
        _pretty(row["max_model"]),
    )
    title = Markdown("The {} every model ranks first").format(by)
    return Finding("model_consensus", title, text, row["min_share"])


def model_disagreement(
    comparison: Comparison, currency: str, *, data_driven: bool = True
) -> Finding | None:
    """Name the group whose credit depends most on the model (weight: the spread)."""
    spread = disagreement(comparison)
    if spread.height == 0 or spread["models"][0] < 2:
        return None
    by = spread.columns[0]
    row = spread.row(0, named=True)
    if not row["spread"] or row["spread"] <= 0:
        return None
    table = comparison.table
    learned = [m for m in _DATA_DRIVEN if m in table.columns] if data_driven else []
    text = Markdown(
        "How much credit *{}* gets depends most on the model: from {:.0%} of won revenue "
        "({}) to {:.0%} ({})."
    ).format(
        row[by],
        row["min_share"],
        _pretty(row["min_model"]),
        row["max_share"],
        _pretty(row["max_model"]),
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
            text += Markdown(
                " The data-driven {} model{}, which learn{} from lost deals too, give{} {}; "
                "rule-based models encode a convention, not evidence."
            ).format(
                _model_names(list(value)),
                "s" if many else "",
                "" if many else "s",
                "" if many else "s",
                shares,
            )
    title = Markdown("Where the models disagree most")
    return Finding("model_disagreement", title, text, row["spread"])


def joint_effect(result: ContributionResult, currency: str) -> Finding | None:
    """Quote the joint work of both teams when its interval lies above zero."""
    if not result.supported:
        return None
    joint = result.table.filter(pl.col("component") == "joint").row(0, named=True)
    low, share, high = joint["ci_low"], joint["share"], joint["ci_high"]
    if low is None or share is None or high is None or low <= 0:
        return None
    if share > 1 or high - low > 1:  # wider than the whole: too uncertain to state
        return None
    text = Markdown(
        "Deals that both teams work are worth more than the sum of each team's effect: their "
        "joint work accounts for an estimated {:.0%} of expected revenue ({:.0%} interval "
        "{:.0%} to {:.0%}), the part that neither team would get alone. This is an "
        "association in observational data, not a proven cause."
    ).format(share, result.level, low, joint["ci_high"])
    title = Markdown("Marketing and sales add more together")
    return Finding("joint_effect", title, text, share)


def late_follow_up(cost: SlaCost, currency: str) -> Finding | None:
    """Quote what late follow-up cost when its interval lies above zero."""
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
    text = Markdown(
        "{:,} MQLs were first answered after the {:g}-hour SLA. Answered within it, an "
        "estimated {:.0f} more would have won, worth {} ({:.0%} interval {} to {}); the "
        "largest part, {}, on the {:,} late MQLs of {} {}. An association, not a proven cause."
    ).format(
        total["late"],
        cost.sla_hours,
        total["lost_wins"],
        money(lost, currency),
        cost.level,
        money(low, currency),
        money(total["ci_high"], currency),
        money(top["lost_revenue"], currency),
        top["late"],
        key.replace("_", " "),
        top[key],
    )
    return Finding("late_follow_up", Markdown("What late follow-up costs"), text, weight)
