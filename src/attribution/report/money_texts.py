"""What the money page says: each number of :mod:`attribution.report.money_views` in words.

Every function takes the run (``RunData``) and returns :class:`~attribution._markdown.Markdown`
in which every value from the data is escaped or in a code span; the caveat stands in the
same paragraph as the number it qualifies. :func:`return_findings` gives the summary's
findings the best and worst return per dollar.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from attribution._format import money
from attribution._intervals import quantiles
from attribution._markdown import Markdown, code, escape
from attribution.data.schema import CHANNEL
from attribution.estimates.win_probability import WinProbability
from attribution.report.candidates import Finding
from attribution.report.money_views import money_views
from attribution.report.shared import RunData

__all__ = ["change_text", "pipeline_text", "return_findings", "returns_text"]


def returns_text(run: RunData) -> Markdown:
    """Say the return on spend, the best and worst per dollar, with its caveat.

    Empty without spend (the section's note says why).
    """
    m = money_views(run)
    result = m.return_result()
    if result is None or result.table.is_empty():
        return Markdown("")
    cur, level = run.params.report.currency, result.level or 0.9
    total = result.overall.row(0, named=True)
    ranked = result.table.filter(pl.col("roas").is_not_null()).sort("roas", descending=True)
    if ranked.is_empty():
        return Markdown("")
    best, worst = ranked.row(0, named=True), ranked.row(-1, named=True)
    text = (
        f"From {result.start:%Y-%m-%d} to {result.end:%Y-%m-%d}, {_money(total['spend'], cur)} "
        f"of spend stands against {_money(total['revenue'], cur)} of won revenue that the "
        f"{code(m.model)} model credits to the same channels' touches: "
        f"{_ratio(total, level)} per unit spent. Best return per dollar: "
        f"{code(best[CHANNEL])}, {_ratio(best, level)}; worst: {code(worst[CHANNEL])}, "
        f"{_ratio(worst, level)}."
        "\n\n*Credit is association: a channel's return says what the revenue its touches "
        "preceded was worth per unit spent, not what more spend would bring. Intervals "
        "resample accounts with the model fixed; channels with little spend have wide ones.*"
    )
    return Markdown(text)


def return_findings(run: RunData) -> list[Finding]:
    """Return the best and worst return per dollar as a finding for the summary.

    Weighed by the share of won revenue the spent channels are credited with; none
    without spend.
    """
    m = money_views(run)
    result = m.return_result()
    if result is None:
        return []
    ranked = result.table.filter(pl.col("roas").is_not_null()).sort("roas", descending=True)
    won = float(m.credits["revenue"].sum())
    if ranked.height < 2 or won <= 0:
        return []
    level = result.level or 0.9
    best, worst = ranked.row(0, named=True), ranked.row(-1, named=True)
    text = (
        f"Per unit spent, {code(best[CHANNEL])} returned the most won revenue "
        f"({_ratio(best, level)}) and {code(worst[CHANNEL])} the least "
        f"({_ratio(worst, level)}), as the {code(m.model)} model credits it. Credit "
        "is association: it is not the return another dollar would bring."
    )
    share = float(result.overall["revenue"].sum()) / won
    title = Markdown("Return per dollar")
    return [Finding("return_per_dollar", title, Markdown(text), min(1.0, share))]


def pipeline_text(run: RunData) -> Markdown:
    """Say created and pending pipeline, with how far the values can be trusted."""
    m = money_views(run)
    cur = run.params.report.currency
    rec = m.reconciliation()
    win = m.win
    opens = win.open
    low, high = _pending_interval(win)
    created, won, lost, open_amount = (
        float(rec[c].sum()) for c in ("created", "won", "lost", "open")
    )
    trust = (
        f"the win model separates won from lost deals with an AUC of {win.diagnostics.auc:.2f}"
        if win.supported
        else f"too few closed deals for a win model ({escape(win.reason)}), so the historical "
        "win rate"
    )
    return Markdown(
        f"Created pipeline: {_money(created, cur)} = {_money(won, cur)} won + "
        f"{_money(lost, cur)} lost + {_money(open_amount, cur)} still open, credited in "
        f"full by {code(m.model)}. The {opens.height:,} open deals are worth "
        f"{_money(float(opens['expected'].sum()), cur)} at their chance of winning "
        f"(*pending*, {win.level or 0.9:.0%} interval {_money(low, cur)} to "
        f"{_money(high, cur)})."
        f"\n\n*Pending values rest on {trust}; a deal's age and stage are not in it. "
        "Probabilities are associations learned from closed deals.*"
    )


def change_text(run: RunData, what: str = "credits", by: str = "team") -> Markdown:
    """Say the period comparison: totals, and which changes exceed their noise."""
    result = money_views(run).change(what, by)
    cur = run.params.report.currency
    t = result.table
    now, before = result.current, result.previous
    beyond = t.filter(pl.col("beyond_noise"))
    moved = ", ".join(
        f"{code(r[by])} {_money(r['change'], cur, signed=True)}"
        for r in beyond.iter_rows(named=True)
    )
    verdict = (
        f"Changes larger than their noise: {moved}."
        if moved
        else "No change is larger than its noise."
    )
    caveat = (
        "credit follows the deals that closed, and deals still open are missing from recent periods"
        if what == "credits"
        else "every deal opened counts, whatever became of it"
    )
    return Markdown(
        f"{now[0]:%Y-%m-%d} to {now[1]:%Y-%m-%d}: {_money(float(t['current'].sum()), cur)} "
        f"against {_money(float(t['previous'].sum()), cur)} from {before[0]:%Y-%m-%d} to "
        f"{before[1]:%Y-%m-%d}. {verdict} *A change says what moved, not why: {caveat}.*"
    )


def _pending_interval(win: WinProbability) -> tuple[float, float]:
    if not win.p_draws.size:
        return 0.0, 0.0
    totals = win.open["amount"].to_numpy() @ win.p_draws
    q_low, q_high = quantiles(win.level or 0.9)
    return float(np.quantile(totals, q_low)), float(np.quantile(totals, q_high))


def _ratio(row: dict[str, Any], level: float) -> str:
    if row["roas"] is None:
        return "no return measured"
    low, high = row["roas_low"], row["roas_high"]
    band = f" ({level:.0%} interval {low:,.1f} to {high:,.1f})" if low is not None else ""
    return f"{row['roas']:,.1f} returned{band}"


def _money(value: float, currency: str, *, signed: bool = False) -> Markdown:
    """Write an amount as markdown: the currency is the params file's, so it is escaped."""
    return escape(money(value, currency, signed=signed))
