"""The house theme: fonts, sizes, fixed colours with meaning, and value formats.

Colours carry meaning and never change between reports:

* marketing is always blue and sales always orange (:data:`TEAM_COLORS`), their joint work
  green and the baseline (no touches) grey;
* won, lost and open deals have their own colours (:data:`STATUS_COLORS`);
* other categories use the Okabe-Ito palette, which stays distinguishable for the common
  kinds of colour blindness.

Money is formatted with d3's ``$`` directive, which prints the currency symbol of the
theme's number locale, so one call to :func:`use_theme` switches every chart to euros.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import altair as alt

from attribution._text import DEALS
from attribution.data.schema import MARKETING, SALES
from attribution.errors import ParameterError

__all__ = [
    "NEUTRAL",
    "OKABE_ITO",
    "SCORECARD_COLORS",
    "STATUS_COLORS",
    "TEAM_COLORS",
    "THEME",
    "ValueKind",
    "color_scale",
    "label",
    "use_theme",
    "value_format",
]

THEME = "attribution"
"""Name of the registered altair theme."""

OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
"""Okabe & Ito's colour-blind safe palette (Color Universal Design, 2008)."""

_GREY = "#999999"

TEAM_COLORS: dict[str, str] = {
    MARKETING: OKABE_ITO[0],
    SALES: OKABE_ITO[1],
    "joint": OKABE_ITO[2],
    "baseline": _GREY,
    "marketing and sales": OKABE_ITO[2],
    "marketing only": OKABE_ITO[0],
    "sales only": OKABE_ITO[1],
    "no touches": _GREY,
    "(no touch)": _GREY,
}
"""Fixed colours of the teams (and their labels in team splits), in every report."""

STATUS_COLORS: dict[str, str] = {
    "won": OKABE_ITO[2],
    "lost": OKABE_ITO[5],
    "open": _GREY,
    "total": "#4D4D4D",
}
"""Fixed colours of opportunity outcomes (and of their total)."""

SCORECARD_COLORS: dict[str, str] = {
    "met": OKABE_ITO[2],  # bluish green
    "on track": OKABE_ITO[4],  # sky blue
    "unclear": OKABE_ITO[3],  # reddish purple
    "behind": OKABE_ITO[6],  # yellow
    "missed": OKABE_ITO[5],  # vermillion
    "not started": "#DDDDDD",
    "no data": _GREY,
    "not agreed": "#BBBBBB",
}
"""Fixed colours of the scorecard's statuses (Okabe-Ito; every status is also written out)."""

NEUTRAL = "#5B6770"
"""Colour of single-series marks: a slate that no team or outcome uses."""

ValueKind = Literal["currency", "count", "share", "number", "days", "hours"]
"""How a value is formatted: money, whole counts, shares (percent), plain numbers, days, hours."""

_AXIS_FORMATS: dict[str, str] = {
    "currency": "$,.0f",
    "count": ",.0f",
    "share": ".0%",
    "number": ",.2~f",
    "days": ",.0f",
    "hours": ",.0f",
}
_TOOLTIP_FORMATS: dict[str, str] = {
    "currency": "$,.0f",
    "count": ",.0f",
    "share": ".1%",
    "number": ",.2f",
    "days": ",.1f",
    "hours": ",.1f",
}


def value_format(kind: ValueKind, *, tooltip: bool = False) -> str:
    """Return the d3 format string for values of ``kind`` (axis or tooltip).

    Examples
    --------
    >>> value_format("currency"), value_format("share", tooltip=True)
    ('$,.0f', '.1%')
    """
    table = _TOOLTIP_FORMATS if tooltip else _AXIS_FORMATS
    if kind not in table:
        raise ParameterError(f"kind must be one of {', '.join(table)}; got {kind!r}")
    return table[kind]


def label(name: str) -> str:
    """Turn a column name into a readable axis label.

    Examples
    --------
    >>> label("won_revenue"), label("n_touches")
    ('Won revenue', 'Touches')
    """
    special = {
        "n_touches": "touches",
        "value_coverage": "share of value with touches",
        "mqls": "MQLs",
        "sqls": "SQLs",
        "sql_rate": "SQL rate",
        "share_within_sla": "share answered within the SLA",
    }
    text = special.get(name, name.replace("_", " ").strip())
    return text[:1].upper() + text[1:]


# ------------------------------------------------------------------------------ theme
def _theme(currency: str) -> alt.theme.ThemeConfig:
    font = "Helvetica Neue, Helvetica, Arial, DejaVu Sans, sans-serif"
    return alt.theme.ThemeConfig(
        config={
            "font": font,
            "background": "white",
            "view": {"continuousWidth": 560, "continuousHeight": 280, "stroke": None},
            "title": {"fontSize": 15, "anchor": "start", "fontWeight": 600, "offset": 10},
            "axis": {
                "labelFontSize": 12,
                "titleFontSize": 12,
                "titleFontWeight": 500,
                "labelLimit": 260,
                "gridColor": "#e6e6e6",
                "domainColor": "#888888",
                "tickColor": "#888888",
            },
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom"},
            "range": {"category": list(OKABE_ITO)},
            "mark": {"color": NEUTRAL},
            "bar": {"cornerRadiusEnd": 2, "color": NEUTRAL},
            "line": {"strokeWidth": 2.5, "color": NEUTRAL},
            "locale": {
                "number": {
                    "decimal": ".",
                    "thousands": ",",
                    "grouping": [3],
                    # count-only data: "amounts" are numbers of deals, written after them
                    "currency": ["", " deals"] if currency == DEALS else [currency, ""],
                }
            },
        }
    )


def use_theme(*, currency: str = "$") -> str:
    """Register and enable the house theme, with ``currency`` as the money symbol.

    Called on import with ``"$"``; a report calls it again with its own symbol.

    Returns
    -------
    str
        The theme's name (:data:`THEME`).

    Examples
    --------
    >>> import altair as alt
    >>> use_theme(currency="€")
    'attribution'
    >>> alt.theme.get()()["config"]["locale"]["number"]["currency"]
    ['€', '']
    >>> _ = use_theme()
    """
    if not isinstance(currency, str) or not 0 < len(currency) <= 5:
        raise ParameterError(f"currency must be a symbol of 1 to 5 characters; got {currency!r}")
    alt.theme.register(THEME, enable=True)(lambda: _theme(currency))
    return THEME


def color_scale(values: Sequence[Any]) -> alt.Scale:
    """Return a colour scale for ``values``, with the fixed colours where known.

    Teams and team labels get :data:`TEAM_COLORS`, outcomes get :data:`STATUS_COLORS`,
    the scorecard's statuses :data:`SCORECARD_COLORS`; other categories take Okabe-Ito
    colours in order of appearance.

    Examples
    --------
    >>> color_scale(["sales", "marketing"]).to_dict()["range"]
    ['#0072B2', '#E69F00']
    """
    domain = [str(v) for v in dict.fromkeys(values) if v is not None]
    if domain and all(v in SCORECARD_COLORS for v in domain):  # the scorecard's statuses
        domain.sort(key=list(SCORECARD_COLORS).index)
        return alt.Scale(domain=domain, range=[SCORECARD_COLORS[v] for v in domain])
    known = {**TEAM_COLORS, **STATUS_COLORS}
    if domain and all(v in known for v in domain):
        order = list(known)
        domain.sort(key=order.index)  # teams and outcomes always list in the same order
        return alt.Scale(domain=domain, range=[known[v] for v in domain])
    free = [c for c in OKABE_ITO if c not in known.values()] + [
        c for c in OKABE_ITO if c in known.values()
    ]
    colors = [known.get(v) or free[i % len(free)] for i, v in enumerate(domain)]
    return alt.Scale(domain=domain, range=colors)
