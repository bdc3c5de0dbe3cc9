"""The comparison page of a run per segment: ``by/<column>/index.html``.

One row per value of the ``by`` column (:func:`attribution.money.segments.segment_summary`):
accounts, opportunities, won deals, won revenue, win rate with its interval, the team
split of credited revenue by the run's first model, the top channel, and a link to the
value's own pages (or why it has none). Below, a chart of credited revenue by channel whose
segment is picked from a list in the chart. The tables are saved beside the page
(``tables/``, Parquet and formula-safe CSV). Every value is escaped where it enters the
page; the page has the header, footer and content security policy of the report pages.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from attribution import _format
from attribution._markdown import escape
from attribution.money.segments import SegmentSummary
from attribution.report.embed import chart_html
from attribution.report.html import export_html
from attribution.report.notebook import save_table
from attribution.report.segments import SegmentPlan

__all__ = ["COMPARISON_PAGE", "write_comparison"]

COMPARISON_PAGE = "index.html"
"""File name of the comparison page in ``by/<column>/``."""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _row(cells: list[str], *, head: bool = False) -> str:
    tag = "th" if head else "td"
    return "<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>"


def _rate(row: Mapping[str, Any]) -> str:
    if row["win_rate"] is None:
        return "no closed deals"
    low, high = _format.share(row["win_rate_low"], 0), _format.share(row["win_rate_high"], 0)
    return f"{_format.share(row['win_rate'], 0)} ({low} to {high})"


def _pages(plan: SegmentPlan, value: str) -> str:
    segment = next((s for s in plan.segments if s.value == value), None)
    if segment is None:
        return "not run (not in by_values)"
    if segment.pages:
        return f'<a href="{_e(segment.slug)}/index.html">its pages</a>'
    return _e(
        f"too little data for pages: {segment.won:,} won deals (needs {plan.min_won:,}, by_min_won)"
    )


def comparison_table(
    summary: SegmentSummary, plan: SegmentPlan, currency: str, whole_href: str
) -> str:
    """Return the HTML table of the comparison page (every value escaped)."""
    heads = [
        _e(plan.by),
        "Accounts",
        "Opportunities",
        "Won deals",
        "Won revenue",
        f"Win rate ({summary.level or 0:.0%} interval)",
        "Marketing share",
        "Sales share",
        "No touch",
        "Top channel",
        "Pages",
    ]
    rows = [_row(heads, head=True)]
    for r in summary.table.iter_rows(named=True):  # one row per segment (at most 12)
        rows.append(
            _row(
                [
                    f"<b>{_e(r['value'])}</b>",
                    _format.count(r["accounts"]),
                    _format.count(r["opportunities"]),
                    _format.count(r["won"]),
                    _e(_format.money(r["revenue"], currency)),
                    _rate(r),
                    _format.share(r["marketing_share"]),
                    _format.share(r["sales_share"]),
                    _format.share(r["no_touch_share"]),
                    _e(r["top_channel"] or "–"),
                    _pages(plan, r["value"]),
                ]
            )
        )
    t = summary.table
    revenue = float(t["revenue"].sum())

    def weighted(column: str) -> str:
        if revenue <= 0:
            return _format.MISSING
        return _format.share(float((t[column].fill_null(0) * t["revenue"]).sum()) / revenue)

    accounts = _format.count(int(t["accounts"].sum())) if plan.table == "accounts" else "–"
    closed = int(t["closed"].sum())
    won = int(t["won"].sum())
    rows.append(
        _row(
            [
                "<b>All values</b>",
                accounts,
                _format.count(int(t["opportunities"].sum())),
                _format.count(won),
                _e(_format.money(revenue, currency)),
                _format.share(won / closed, 0) if closed else "no closed deals",
                weighted("marketing_share"),
                weighted("sales_share"),
                weighted("no_touch_share"),
                "",
                f'<a href="{_e(whole_href)}">all data</a>',
            ]
        )
    )
    return '<table class="report-table">' + "".join(rows) + "</table>"


def _cell(kind: str, content: str) -> Any:
    import nbformat

    if kind == "markdown":
        return nbformat.v4.new_markdown_cell(content)
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", {"text/html": content})]
    return cell


def _intro(plan: SegmentPlan, summary: SegmentSummary) -> str:
    by = escape(plan.by)
    return (
        f"# Every {by} compared\n\n"
        f"The whole data split by **{by}**, one row per value; the last column links each "
        f"value's own pages. {escape(summary.note)}"
    )


def _notes(plan: SegmentPlan) -> str:
    few = [s for s in plan.segments if not s.pages]
    lines = [
        "**What each value's pages show.** Each value's pages are the run's pages on that "
        "value's data alone (its accounts and what hangs off them). A section that needs "
        "data the value lacks says what is missing instead of a number. Spend is per "
        "channel and period, not per account, so it is not split: a value's pages show no "
        "return on spend. Data-driven models are fitted on the value's deals alone, so a "
        "value's own pages can credit its revenue differently from this table; rule models "
        "agree with it."
    ]
    if few:
        names = ", ".join(escape(s.value) for s in few)
        lines.append(
            f"**Too little data.** {names}: fewer than {plan.min_won:,} won deals "
            "(`by_min_won`), so no pages of their own; their rows above still count."
        )
    return "\n\n".join(lines)


def write_comparison(
    folder: Path,
    plan: SegmentPlan,
    summary: SegmentSummary,
    *,
    currency: str,
    nav: Mapping[str, Any],
) -> Path:
    """Write the comparison page and its tables into ``folder`` (``by/<column>/``).

    ``nav`` is the header of the run's pages with links relative to ``folder``.
    """
    import nbformat

    from attribution.charts import use_theme
    from attribution.charts.segments import per_segment_bars

    tables = folder / "tables"
    save_table(summary.table, "segments", tables)
    save_table(summary.channels, "revenue_by_channel", tables)
    values = [v for v in summary.table["value"].to_list() if v in set(summary.channels["value"])]
    cells = [
        _cell("markdown", _intro(plan, summary)),
        _cell("html", comparison_table(summary, plan, currency, nav["segments"]["whole_href"])),
    ]
    if values:
        chart = per_segment_bars(
            summary.channels.filter(pl.col("revenue") > 0),
            segment="value",
            category="channel",
            value="revenue",
            values=values,
            title=f"Credited revenue by channel ({summary.model}), one {plan.by} at a time",
            by=plan.by,
        )
        use_theme(currency=currency)  # the run's symbol in the chart's number locale ...
        try:
            spec = chart.to_dict()
        finally:
            use_theme()  # ... and the default back for whatever this process draws next
        embed = {"renderer": "svg", "actions": False}
        cells += [
            _cell("markdown", "Pick a value in the list under the chart to see its channels."),
            _cell("html", chart_html(spec, embed)),
        ]
    cells.append(_cell("markdown", _notes(plan)))
    nb = nbformat.v4.new_notebook(cells=cells)
    return export_html(
        nb,
        folder / COMPARISON_PAGE,
        title=f"Every {plan.by} compared",
        nav={**nav, "notebook": "(written by the run)", "tables": "tables/"},
    )
