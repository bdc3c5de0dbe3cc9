"""What the shared-goals report says: the team split as one table, and results as sentences.

The estimates themselves live in :mod:`attribution.estimates.contributions`,
:mod:`attribution.estimates.speed` and :mod:`attribution.estimates.scoring`; this module turns
their results into what a reviewer reads:

* :func:`split_table`: the contribution split as one long table (components, Shapley
  shares, channel groups) for one chart with a panel per view;
* :func:`split_markdown`, :func:`diagnostics_markdown`, :func:`sla_markdown`,
  :func:`score_markdown`: short paragraphs with the numbers and their intervals, or a
  plain statement that the data could not support the estimate.

Every sentence is computed from the result it describes; nothing is fixed text.
"""

from __future__ import annotations

import math

import polars as pl

from attribution._format import money
from attribution._markdown import Markdown
from attribution.data.schema import MARKETING, SALES
from attribution.estimates.contributions import ContributionResult
from attribution.estimates.scoring import LeadScoreResult
from attribution.estimates.sla_cost import SlaCost

__all__ = [
    "VIEWS",
    "diagnostics_markdown",
    "score_markdown",
    "sla_markdown",
    "split_markdown",
    "split_table",
]

VIEWS: tuple[str, ...] = (
    "Components: the baseline, each team alone, and their joint work",
    "Shapley shares: each team with half of the joint work",
    "Channel groups (Shapley values among the groups)",
)
"""Panel titles of :func:`split_table`, in order."""

_COLUMNS = (
    "view",
    "component",
    "team",
    "revenue",
    "revenue_ci_low",
    "revenue_ci_high",
    "share",
    "ci_low",
    "ci_high",
)


def _number(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _pct(value: float | None) -> str:
    return f"{value:.0%}" if _number(value) else "n/a"


def _money(value: float | None, currency: str) -> Markdown:
    if not _number(value):
        return Markdown("n/a")
    assert value is not None
    return Markdown("{}").format(money(value, currency))


def split_table(result: ContributionResult) -> pl.DataFrame:
    """Return the contribution split as one long table: components, Shapley shares, groups.

    Parameters
    ----------
    result
        What :func:`attribution.contributions` returns.

    Returns
    -------
    polars.DataFrame
        ``view`` (one of :data:`VIEWS`), ``component`` (``baseline``, ``marketing``,
        ``sales``, ``joint``, or a channel group), ``team`` (the component itself, or the
        group's team), ``revenue`` with ``revenue_ci_low``/``revenue_ci_high`` and
        ``share`` with ``ci_low``/``ci_high``. Channel groups appear only when the result
        has them. Numbers are empty when the data could not support the split.

    Examples
    --------
    >>> import warnings, attribution as at
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     r = at.contributions(at.demo.generate(n_accounts=3000, seed=2), draws=50)
    >>> t = split_table(r)
    >>> t.group_by("view", maintain_order=True).len()["len"].to_list()
    [4, 3]
    """
    parts = [
        result.table.select(
            pl.lit(VIEWS[0]).alias("view"),
            "component",
            pl.col("component").alias("team"),
            *_COLUMNS[3:],
        ),
        result.shapley.select(
            pl.lit(VIEWS[1]).alias("view"),
            "component",
            pl.col("component").alias("team"),
            *_COLUMNS[3:],
        ),
    ]
    if result.groups is not None:
        parts.append(
            result.groups.select(
                pl.lit(VIEWS[2]).alias("view"),
                pl.col("group").alias("component"),
                "team",
                *_COLUMNS[3:],
            )
        )
    return pl.concat(parts, how="vertical_relaxed").select(_COLUMNS)


def split_markdown(result: ContributionResult, *, currency: str = "$") -> Markdown:
    """One paragraph: each team's Shapley share with its interval, the baseline, the caveat.

    Examples
    --------
    >>> import warnings, attribution as at
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     r = at.contributions(at.demo.generate(n_accounts=3000, seed=2), draws=50)
    >>> "marketing's share" in split_markdown(r)
    True
    """
    if not result.supported:
        return Markdown(
            "**Not estimated.** The data cannot support a split of revenue between marketing "
            "and sales (the caution above says why), so no share is shown rather than a "
            "misleading one. The involvement of each team below is descriptive only."
        )
    rows = {r["component"]: r for r in result.shapley.iter_rows(named=True)}
    joint = result.table.filter(pl.col("component") == "joint").row(0, named=True)
    total = float(result.reconciliation["value"][0] or 0.0)
    level = f"{result.level:.0%}"

    def part(name: str, who: str) -> Markdown:
        r = rows[name]
        return Markdown("**{} {}** ({} to {})").format(
            who, _pct(r["share"]), _pct(r["ci_low"]), _pct(r["ci_high"])
        )

    widths = [
        r["ci_high"] - r["ci_low"]
        for r in rows.values()
        if _number(r["ci_low"]) and _number(r["ci_high"])
    ]
    vague = (
        Markdown(
            " **With {:,} closed deals the intervals span more than the whole: the split is "
            "not informative yet.**"
        ).format(result.diagnostics.n)
        if widths and max(widths) > 1
        else Markdown("")
    )
    marketing = part(MARKETING, "marketing's share is")
    sales = part(SALES, "sales'")
    baseline = part("baseline", "the baseline")
    return Markdown(
        "Of the {} of revenue the model expects from the closed deals, {}, {}, and {} would "
        "have come without any touch ({} intervals in brackets). Each team's share includes "
        "half of what the two add only together ({} of the total).{} These are associations "
        "in observational data, not proven causes: the shared-goals report explains the "
        "model, its diagnostics and what would make it causal."
    ).format(
        _money(total, currency), marketing, sales, baseline, level, _pct(joint["share"]), vague
    )


def diagnostics_markdown(result: ContributionResult) -> Markdown:
    """One paragraph on how far the contribution estimate can be trusted.

    Examples
    --------
    >>> import warnings, attribution as at
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     r = at.contributions(at.demo.generate(n_accounts=3000, seed=2), draws=50)
    >>> diagnostics_markdown(r).startswith("Fitted on")
    True
    """
    d = result.diagnostics
    if not result.supported:
        return Markdown(
            "Not fitted: {:,} closed deals ({:,} won) could not support the models "
            "({} reason{} in the caution above)."
        ).format(d.n, d.events, len(d.warnings), "s" if len(d.warnings) != 1 else "")
    gap = d.extra.get("gap share")
    fit = Markdown(
        "Fitted on {:,} closed deals ({:,} won), {} coefficients ({:.0f} of the rarer outcome "
        "per coefficient; 10 or more is advised). The win model separates won from lost deals "
        "with an AUC of {:.2f} (0.5 is chance, 1 perfect; McFadden's pseudo-R² {:.2f})."
    ).format(d.n, d.events, d.parameters, d.events_per_parameter, d.auc, d.pseudo_r2)
    if gap is not None and _number(gap):
        fit += Markdown(" Expected revenue differs from booked revenue by {:+.1%}{}").format(
            gap,
            Markdown(" (within 10%).")
            if abs(gap) <= 0.1
            else Markdown(": the deal-size model fits poorly."),
        )
    warned = len(d.warnings)
    fit += (
        Markdown(" No diagnostic raised a warning.")
        if warned == 0
        else Markdown(" {} warning{} (above) limit what it can say.").format(
            warned, "s" if warned != 1 else ""
        )
    )
    return fit


def sla_markdown(cost: SlaCost, *, currency: str = "$") -> Markdown:
    """One paragraph: late and missed follow-ups, and the revenue late follow-up cost.

    Examples
    --------
    >>> import warnings, attribution as at
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     c = at.sla_cost(at.demo.generate(n_accounts=4000, seed=4), draws=50)
    >>> "after the 24-hour SLA" in sla_markdown(c)
    True
    """
    total = cost.total.row(0, named=True)
    sla = Markdown("{:g}-hour SLA").format(cost.sla_hours)
    if not total["mqls"]:
        return Markdown(
            "No MQL whose follow-up could be judged, so there is nothing to cost (see above)."
        )
    if total["late"] is None:
        return Markdown(
            "{:,} MQLs, but follow-up cannot be judged: sales activity is recorded only for "
            "won deals (the caution above says more), so neither late answers nor their cost "
            "are shown."
        ).format(total["mqls"])
    text = Markdown(
        "**{:,} of {:,} MQLs** ({}) were first answered after the {}, and {:,} were never "
        "followed up."
    ).format(
        total["late"], total["mqls"], _pct(total["share_late"]), sla, total["never_followed_up"]
    )
    if not cost.supported or not _number(total["lost_revenue"]):
        return text + Markdown(
            " The data cannot support an estimate of what that cost (see above)."
        )
    text += Markdown(
        " Had the late ones been answered within the SLA, an estimated **{:.1f} more would "
        "have won, worth {}** ({:.0%} interval {} to {})."
    ).format(
        total["lost_wins"],
        _money(total["lost_revenue"], currency),
        cost.level,
        _money(total["ci_low"], currency),
        _money(total["ci_high"], currency),
    )
    top = cost.table.row(0, named=True)
    key = cost.table.columns[0]
    if _number(top["lost_revenue"]) and top["lost_revenue"] > 0 and total["lost_revenue"] > 0:
        text += Markdown(
            " The largest part, {} ({:.0%}), comes from the {:,} late MQLs of {} **{}**."
        ).format(
            _money(top["lost_revenue"], currency),
            top["lost_revenue"] / total["lost_revenue"],
            top["late"],
            key.replace("_", " "),
            top[key],
        )
    return text


def score_markdown(score: LeadScoreResult) -> Markdown:
    """One sentence comparing the learned lead score with the current one on held-out leads.

    Examples
    --------
    >>> import warnings, attribution as at
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     s = at.lead_score_weights(at.demo.generate(n_accounts=3000, seed=3))
    >>> score_markdown(s).startswith("On ")
    True
    """
    if not score.supported:
        return Markdown(
            "**Not estimated.** The data cannot support lead-score weights (the caution above "
            "says why)."
        )
    auc = {r["score"]: r for r in score.auc.iter_rows(named=True)}
    learned = auc.get("learned")
    if learned is None:  # pragma: no cover - a supported result always has it
        return Markdown("")
    text = Markdown(
        "On {:,} held-out leads the learned weights rank converting leads above the others "
        "with an AUC of {:.2f} (0.5 is chance, 1 perfect)"
    ).format(learned["n"], learned["auc"])
    current = auc.get("current")
    if current is not None and _number(current["auc"]):
        better = "better than" if learned["auc"] > current["auc"] else "no better than"
        text += Markdown(", {} the current score's {:.2f}").format(better, current["auc"])
    return text + Markdown(".")
