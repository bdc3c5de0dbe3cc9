"""The largest deals on the money page: a table that links to each deal's time line.

:func:`largest_deals_links` lists the largest won and lost deals
(:meth:`attribution.report.money_views.MoneyViews.largest`), each deal's id a link to its
anchor; :func:`show_deal_timelines` shows, per deal, that anchor, a line saying what the
deal was, and its journey drawn by :func:`attribution.charts.timeline`. An anchor is
``deal-`` and a hash of the deal's id (:func:`deal_anchor`), so no id can change the
page's markup; every id, status and amount in the text is escaped.
"""

from __future__ import annotations

import hashlib
from typing import Any

import polars as pl

from attribution._format import money
from attribution._markdown import Markdown
from attribution.data.schema import AMOUNT, CHANNEL, CLOSED_AT, CREATED_AT, OPPORTUNITY_ID
from attribution.journey.columns import STATUS
from attribution.report.money_views import money_views
from attribution.report.shared import RunData

__all__ = ["deal_anchor", "deal_timelines", "largest_deals_links", "show_deal_timelines"]


def deal_anchor(opportunity_id: object) -> str:
    """Return the HTML id of a deal's time line: ``deal-`` and 16 hex digits of a hash.

    Examples
    --------
    >>> deal_anchor("OPP-1")
    'deal-5be7ecc1525c1500'
    >>> deal_anchor('"><script>').startswith("deal-") and len(deal_anchor("x")) == 21
    True
    """
    return "deal-" + hashlib.sha256(str(opportunity_id).encode()).hexdigest()[:16]


def _date(value: object) -> str:
    return f"{value:%Y-%m-%d}" if value is not None else "n/a"


def largest_deals_links(run: RunData) -> Markdown:
    """Return the largest won and lost deals as a markdown table, each id linked to its line.

    Empty when there are no closed deals.
    """
    deals = money_views(run).largest()
    if deals.is_empty():
        return Markdown("")
    currency = run.params.report.currency
    rows = [
        Markdown("| [{}](#{}) | {} | {} | {} | {} |").format(
            r[OPPORTUNITY_ID],
            Markdown(deal_anchor(r[OPPORTUNITY_ID])),
            r[STATUS],
            money(r[AMOUNT], currency),
            _date(r[CREATED_AT]),
            _date(r[CLOSED_AT]),
        )
        for r in deals.iter_rows(named=True)
    ]
    head = Markdown("| Deal | Status | Amount | Created | Closed |\n|---|---|--:|---|---|\n")
    return head + Markdown("\n").join(rows)


def deal_timelines(run: RunData) -> list[tuple[Markdown, Any]]:
    """Return, per largest deal, its anchor and heading, and its time line chart."""
    from attribution import charts

    m = money_views(run)
    events = m.journeys_of_largest()
    if events.is_empty():
        return []
    credits = [c for c in events.columns if c.startswith("credit ")]
    channels = sorted(events[CHANNEL].drop_nulls().unique().to_list())
    currency = run.params.report.currency
    out = []
    for deal in m.largest().iter_rows(named=True):
        ident = deal[OPPORTUNITY_ID]
        amount = money(deal[AMOUNT], currency)
        heading = Markdown('<a id="{}"></a>\n\n**{} deal {}**, {}, created {}{}.').format(
            Markdown(deal_anchor(ident)),
            str(deal[STATUS]).capitalize(),
            ident,
            amount,
            _date(deal[CREATED_AT]),
            f", closed {_date(deal[CLOSED_AT])}" if deal[CLOSED_AT] is not None else "",
        )
        chart = charts.timeline(
            events.filter(pl.col(OPPORTUNITY_ID) == ident),
            credits=credits,
            channels=channels,
            title=f"{str(deal[STATUS]).capitalize()} deal {ident}: {amount}",
        )
        out.append((heading, chart))
    return out


def show_deal_timelines(run: RunData) -> None:
    """Show each largest deal's anchor, heading and time line in the notebook, in order."""
    from IPython.display import display

    from attribution.report.notebook import markdown

    for heading, chart in deal_timelines(run):
        display(markdown(heading))
        display(chart)
