"""The house theme: fonts, sizes, fixed colours with meaning, and value formats.

Colours carry meaning and never change between reports:

* marketing is always blue and sales always orange (:data:`TEAM_COLORS`), their joint work
  bluish green and the baseline (no touches) grey: these colours mean the teams and nothing
  else, on every page;
* won, lost and open deals (:data:`STATUS_COLORS`), the scorecard's statuses
  (:data:`SCORECARD_COLORS`) and the attribution models (:data:`MODEL_COLORS`) have palettes
  of their own, drawn from Paul Tol's colour-blind safe schemes without the team colours;
* other categories take :data:`OTHER_COLORS` in order.

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
    "MODEL_COLORS",
    "NEUTRAL",
    "OKABE_ITO",
    "OTHER_COLORS",
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

OTHER_COLORS: tuple[str, ...] = (
    "#332288",  # indigo
    "#AA4499",  # purple
    "#999933",  # olive
    "#882255",  # wine
    "#DDCC77",  # sand
    "#CC6677",  # rose
    "#6F4E37",  # brown
    "#000000",  # black
)
"""Colours of categories that are not teams (Tol's muted scheme without its blues and greens)."""

STATUS_COLORS: dict[str, str] = {
    "won": "#332288",  # indigo
    "lost": "#CC6677",  # rose
    "open": "#DDCC77",  # sand
    "total": "#4D4D4D",
}
"""Fixed colours of opportunity outcomes (and of their total)."""

SCORECARD_COLORS: dict[str, str] = {
    "met": "#332288",  # indigo
    "on track": "#7F7FC8",  # light indigo
    "unclear": "#AA4499",  # purple
    "behind": "#DDCC77",  # sand
    "missed": "#882255",  # wine
    "not started": "#DDDDDD",
    "no data": _GREY,
    "not agreed": "#BBBBBB",
}
"""Fixed colours of the scorecard's statuses (no team colour; every status is written out)."""

MODEL_COLORS: dict[str, str] = {
    "first_touch": "#332288",
    "last_touch": "#882255",
    "linear": "#999933",
    "time_decay": "#DDCC77",
    "u_shaped": "#CC6677",
    "w_shaped": "#AA4499",
    "full_path": "#6F4E37",
    "j_shaped": "#B8A9D9",
    "inverse_j": "#E7B5C4",
    "custom": "#7F7F7F",
    "markov": "#2F4858",
    "shapley": "#A0522D",
    "incremental": "#000000",
}
"""Fixed colours of the attribution models, the same on every page (none is a team colour)."""

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
    """Turn a column name into a readable axis label or table header.

    Examples
    --------
    >>> label("won_revenue"), label("n_touches"), label("kpi"), label("ci_low")
    ('Won revenue', 'Touches', 'KPI', 'Interval low')
    >>> label("within_sla"), label("crm_mql_at")
    ('Within SLA', 'CRM MQL at')
    """
    special = {
        "n_touches": "touches",
        "value_coverage": "share of value with touches",
        "share_within_sla": "share answered within the SLA",
        "sql_rate": "SQL rate",
        "ci_low": "interval low",
        "ci_high": "interval high",
    }
    text = special.get(name)
    if text is None:
        words = name.replace("_", " ").strip().split(" ")
        text = " ".join(_ACRONYMS.get(w, w) for w in words)
    return text[:1].upper() + text[1:]


_ACRONYMS = {
    "kpi": "KPI",
    "kpis": "KPIs",
    "sla": "SLA",
    "crm": "CRM",
    "mql": "MQL",
    "mqls": "MQLs",
    "sql": "SQL",
    "sqls": "SQLs",
    "roi": "ROI",
    "roas": "ROAS",
    "cac": "CAC",
    "auc": "AUC",
    "id": "ID",
    "ci": "interval",
}
"""Words written in capitals (or spelled out) in labels."""


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
            # x labels keep clear of the y axis's and of each other (fewer, never stacked)
            "axisX": {"labelPadding": 6, "labelOverlap": "greedy", "labelSeparation": 6},
            "axisQuantitative": {"tickCount": 6},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom"},
            "range": {"category": list(OTHER_COLORS)},
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

    Teams and team labels get :data:`TEAM_COLORS`, outcomes :data:`STATUS_COLORS`, the
    scorecard's statuses :data:`SCORECARD_COLORS`, models :data:`MODEL_COLORS`; other
    categories take :data:`OTHER_COLORS` in order of appearance (never a team colour).

    Examples
    --------
    >>> color_scale(["sales", "marketing"]).to_dict()["range"]
    ['#0072B2', '#E69F00']
    >>> color_scale(["markov", "u_shaped"]).to_dict()["range"]
    ['#2F4858', '#CC6677']
    """
    domain = [str(v) for v in dict.fromkeys(values) if v is not None]
    for fixed in (SCORECARD_COLORS, MODEL_COLORS, {**TEAM_COLORS, **STATUS_COLORS}):
        if domain and all(v in fixed for v in domain):
            if fixed is not MODEL_COLORS:  # teams, outcomes, statuses list in a fixed order
                domain.sort(key=list(fixed).index)
            return alt.Scale(domain=domain, range=[fixed[v] for v in domain])
    known = {**TEAM_COLORS, **STATUS_COLORS}
    colors = [known.get(v) or OTHER_COLORS[i % len(OTHER_COLORS)] for i, v in enumerate(domain)]
    return alt.Scale(domain=domain, range=colors)
