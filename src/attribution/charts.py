"""Altair chart builders in one house style.

Every builder takes a small, already aggregated polars frame and returns an altair chart;
nothing is shown or saved here. One registered theme (:data:`THEME`) sets fonts, sizes and
the currency symbol; colours carry meaning and never change between reports:

* marketing is always blue and sales always orange (:data:`TEAM_COLORS`), their joint work
  green and the baseline (no touches) grey;
* won, lost and open deals have their own colours (:data:`STATUS_COLORS`);
* other categories use the Okabe-Ito palette, which stays distinguishable for the common
  kinds of colour blindness.

Money is formatted with d3's ``$`` directive, which prints the currency symbol of the
theme's number locale, so one call to :func:`use_theme` switches every chart to euros.
Tooltips show values rounded to what the axis shows.

Examples
--------
>>> import polars as pl
>>> from attribution import charts
>>> frame = pl.DataFrame({"team": ["marketing", "sales"], "revenue": [1200.4, 800.0]})
>>> spec = charts.bars(frame, category="team", value="revenue", color="team",
...                    kind="currency").to_dict()
>>> spec["encoding"]["color"]["scale"]["range"]
['#0072B2', '#E69F00']
>>> spec["encoding"]["x"]["axis"]["format"]
'$,.0f'
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

import altair as alt
import polars as pl

from attribution.data.schema import MARKETING, SALES
from attribution.errors import ParameterError

__all__ = [
    "MAX_ROWS",
    "OKABE_ITO",
    "SCORECARD_COLORS",
    "STATUS_COLORS",
    "TEAM_COLORS",
    "THEME",
    "Drawn",
    "ValueKind",
    "bars",
    "calibration",
    "color_scale",
    "funnel",
    "heatmap",
    "intervals",
    "label",
    "lines",
    "period_bars",
    "sla_months",
    "stacked_share",
    "target_progress",
    "threshold_bars",
    "use_theme",
    "value_format",
]

THEME = "attribution"
"""Name of the registered altair theme."""

MAX_ROWS = 5_000
"""Altair refuses larger inline data; builders ask for aggregated frames instead."""

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
                    "currency": [currency, ""],
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


# ------------------------------------------------------------------------------ helpers
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


def _frame(
    frame: pl.DataFrame | pl.LazyFrame, builder: str, columns: Sequence[str]
) -> pl.DataFrame:
    data = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ParameterError(
            f"charts.{builder}: column(s) {', '.join(map(repr, missing))} not in the frame; "
            f"it has: {', '.join(data.columns)}"
        )
    if data.height > MAX_ROWS:
        raise ParameterError(
            f"charts.{builder}: the frame has {data.height:,} rows; charts take at most "
            f"{MAX_ROWS:,}: aggregate it first (group_by + agg)"
        )
    return data


def _value_axis(kind: ValueKind) -> alt.Axis:
    if kind == "count":
        return alt.Axis(format=value_format(kind), tickMinStep=1)
    return alt.Axis(format=value_format(kind))


def _tooltip(
    data: pl.DataFrame, fields: Sequence[tuple[str, ValueKind | None]]
) -> list[alt.Tooltip]:
    tips = []
    for name, kind in fields:
        if name not in data.columns:
            continue
        if kind is not None:
            tips.append(
                alt.Tooltip(
                    name,
                    type="quantitative",
                    title=label(name),
                    format=value_format(kind, tooltip=True),
                )
            )
        elif data.schema[name].is_temporal():
            tips.append(alt.Tooltip(name, type="temporal", title=label(name), format="%Y-%m-%d"))
        else:
            tips.append(alt.Tooltip(name, type="nominal", title=label(name)))
    return tips


# ------------------------------------------------------------------------------ builders
def bars(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    category: str,
    value: str,
    color: str | None = None,
    kind: ValueKind = "count",
    title: str = "",
    horizontal: bool = True,
    sort: Literal["value", "category", "none"] = "value",
    tooltip: Sequence[tuple[str, ValueKind | None]] = (),
) -> alt.Chart:
    """Draw bars of ``value`` per ``category`` (stacked by ``color`` when given).

    Parameters
    ----------
    frame
        One row per bar (or bar segment); at most :data:`MAX_ROWS` rows.
    category, value
        Column names: the bar labels and their lengths.
    color
        Column whose values colour (and stack) the bars; teams and outcomes get their
        fixed colours.
    kind
        How values are formatted on the axis and in tooltips.
    title
        Chart title.
    horizontal
        Horizontal bars (long labels stay readable) or vertical ones.
    sort
        Order bars by total value (largest first), by category, or as they come.
    tooltip
        Extra ``(column, kind)`` pairs to show on hover (``kind`` None for text).

    Returns
    -------
    altair.Chart

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"channel": ["email", "webinar"], "touches": [30, 12]})
    >>> bars(f, category="channel", value="touches").to_dict()["mark"]["type"]
    'bar'
    """
    cols = [category, value] + ([color] if color else [])
    data = _frame(frame, "bars", cols)
    order: Any = {"value": "-x" if horizontal else "-y", "category": "ascending", "none": None}[
        sort
    ]
    cat = alt.X if not horizontal else alt.Y
    val = alt.Y if not horizontal else alt.X
    encoding: dict[str, Any] = {
        ("y" if horizontal else "x"): cat(
            category,
            type="nominal",
            sort=order,
            title=label(category),
            axis=alt.Axis(labelAngle=0) if not horizontal else alt.Axis(labelLimit=360),
        ),
        ("x" if horizontal else "y"): val(
            value,
            type="quantitative",
            title=label(value),
            axis=_value_axis(kind),
        ),
        "tooltip": _tooltip(
            data,
            [
                (category, None),
                *([(color, None)] if color and color != category else []),
                (value, kind),
                *tooltip,
            ],
        ),
    }
    if color:
        encoding["color"] = alt.Color(
            color,
            type="nominal",
            title=label(color),
            scale=color_scale(data.get_column(color).to_list()),
            legend=None if color == category else alt.Undefined,
        )
    chart = alt.Chart(data, title=title or alt.Undefined).mark_bar().encode(**encoding)
    if horizontal:
        chart = chart.properties(height=alt.Step(24))
    return chart


def lines(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    time: str,
    value: str,
    color: str | None = None,
    kind: ValueKind = "count",
    title: str = "",
    points: bool = True,
    time_type: Literal["temporal", "ordinal", "quantitative"] = "temporal",
) -> alt.Chart:
    """Draw a line of ``value`` over ``time`` (a date or datetime column) per ``color`` group.

    With ``time_type="ordinal"`` (or ``"quantitative"``) the x axis holds ordered steps
    instead of dates, e.g. score deciles or months labelled ``2025-03``.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> f = pl.DataFrame({"week": [date(2025, 1, 6), date(2025, 1, 13)], "touches": [4, 9]})
    >>> lines(f, time="week", value="touches").to_dict()["encoding"]["x"]["type"]
    'temporal'
    >>> d = pl.DataFrame({"decile": [1, 2], "rate": [0.1, 0.3]})
    >>> spec = lines(d, time="decile", value="rate", time_type="ordinal").to_dict()
    >>> spec["encoding"]["x"]["type"]
    'ordinal'
    """
    cols = [time, value] + ([color] if color else [])
    data = _frame(frame, "lines", cols)
    if data.height and _finite(data, value).height == 0:
        return _note(title, NO_ESTIMATE)
    axis = alt.Axis(labelAngle=0) if time_type == "ordinal" else alt.Undefined
    encoding: dict[str, Any] = {
        "x": alt.X(time, type=time_type, title=label(time), axis=axis),
        "y": alt.Y(value, type="quantitative", title=label(value), axis=_value_axis(kind)),
        "tooltip": _tooltip(
            data, [(time, None), *([(color, None)] if color else []), (value, kind)]
        ),
    }
    if color:
        encoding["color"] = alt.Color(
            color,
            type="nominal",
            title=label(color),
            scale=color_scale(data.get_column(color).to_list()),
        )
    chart = alt.Chart(data, title=title or alt.Undefined).mark_line(point=points)
    chart = chart.encode(**encoding)
    # discrete steps would otherwise be drawn 20 pixels apart
    return chart.properties(width=560) if time_type == "ordinal" else chart


TimeUnit = Literal["yearweek", "yearmonth", "yearquarter", "year"]
"""Calendar periods :func:`period_bars` groups by."""


def period_bars(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    time: str,
    value: str,
    color: str | None = None,
    kind: ValueKind = "count",
    title: str = "",
    unit: TimeUnit = "yearmonth",
    selector: str | None = None,
) -> alt.Chart:
    """Draw one vertical bar per calendar period (stacked by ``color`` when given).

    ``time`` holds the period's first day (e.g. from ``dt.truncate("1mo")``); the axis
    shows the period (``Apr 2025``) and bars keep calendar order. With ``selector``, a
    drop-down under the chart picks one value of that column (e.g. the attribution model)
    and the bars show its rows only; it starts on the column's first value.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> f = pl.DataFrame({"month": [date(2025, 1, 1), date(2025, 2, 1)], "won": [3.0, 5.0]})
    >>> spec = period_bars(f, time="month", value="won", kind="currency").to_dict()
    >>> spec["encoding"]["x"]["timeUnit"], spec["encoding"]["y"]["axis"]["format"]
    ('yearmonth', '$,.0f')
    """
    cols = [time, value] + ([color] if color else []) + ([selector] if selector else [])
    data = _frame(frame, "period_bars", cols)
    formats = {"yearweek": "%d %b %Y", "yearmonth": "%b %Y", "yearquarter": "Q%q %Y", "year": "%Y"}
    encoding: dict[str, Any] = {
        "x": alt.X(
            time,
            type="ordinal",
            timeUnit=unit,
            title=label(time),
            axis=alt.Axis(format=formats[unit], labelAngle=-40),
        ),
        "y": alt.Y(value, type="quantitative", title=label(value), axis=_value_axis(kind)),
        "tooltip": [
            alt.Tooltip(
                time, type="temporal", timeUnit=unit, title=label(time), format=formats[unit]
            ),
            *_tooltip(data, [*([(color, None)] if color else []), (value, kind)]),
        ],
    }
    if color:
        encoding["color"] = alt.Color(
            color,
            type="nominal",
            title=label(color),
            scale=color_scale(data.get_column(color).to_list()),
        )
    chart = alt.Chart(data, title=title or alt.Undefined).mark_bar().encode(**encoding)
    if selector:
        options = [str(v) for v in dict.fromkeys(data.get_column(selector).to_list())]
        choice = alt.param(
            name="pick_" + "".join(c if c.isalnum() else "_" for c in selector),
            value=options[0] if options else None,
            bind=alt.binding_select(options=options, name=f"{label(selector)}: "),
        )
        chart = chart.add_params(choice).transform_filter(alt.datum[selector] == choice)
    return chart.properties(width=560)


def stacked_share(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    part: str,
    value: str,
    kind: ValueKind = "currency",
    title: str = "",
    group: str | None = None,
) -> alt.Chart:
    """Split one horizontal bar into the shares of ``part`` (e.g. the team split).

    Each segment is labelled with its share of the bar's total; the tooltip shows the
    value and the share. With ``group``, one such bar per group.

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"involvement": ["marketing and sales", "sales only"],
    ...                   "won_revenue": [700.0, 300.0]})
    >>> spec = stacked_share(f, part="involvement", value="won_revenue").to_dict()
    >>> spec["layer"][0]["encoding"]["x"]["stack"]
    'normalize'
    """
    cols = [part, value] + ([group] if group else [])
    data = _frame(frame, "stacked_share", cols)
    over = [group] if group else None
    total = pl.col(value).sum().over(over) if over else pl.col(value).sum()
    data = data.with_columns(
        (pl.col(value) / total).fill_nan(0.0).alias("share"),
        pl.int_range(pl.len()).over(over).cast(pl.Int32).alias("_order")
        if over
        else pl.int_range(pl.len()).cast(pl.Int32).alias("_order"),
    )
    y: Any = alt.Y(group, type="nominal", title=label(group)) if group else alt.Undefined
    base = alt.Chart(data, title=title or alt.Undefined).encode(
        x=alt.X(
            value,
            type="quantitative",
            stack="normalize",
            axis=alt.Axis(format=".0%"),
            title=f"Share of {label(value).lower()}",
        ),
        y=y,
        order=alt.Order("_order:Q"),
    )
    segments = base.mark_bar().encode(
        color=alt.Color(
            part,
            type="nominal",
            title=label(part),
            scale=color_scale(data.get_column(part).to_list()),
        ),
        tooltip=_tooltip(
            data,
            [(part, None), *([(group, None)] if group else []), (value, kind), ("share", "share")],
        ),
    )
    labels = base.mark_text(dx=-6, align="right", color="white", fontWeight=600).encode(
        text=alt.Text("share:Q", format=".0%"),
        opacity=alt.condition(alt.datum.share >= 0.06, alt.value(1), alt.value(0)),
    )
    return (segments + labels).properties(height=alt.Step(44) if group else 60)


# ------------------------------------------------------------------------------ estimates
NO_ESTIMATE = "No estimate: the data cannot support it (the caution above says why)."
"""Text drawn instead of a chart of estimates when the data gave none."""

Drawn = alt.Chart | alt.LayerChart | alt.FacetChart
"""What the builders of estimates return: a chart, layers, or panels of layers."""

Sort = Literal["value", "category", "none"]
"""How categories are ordered: by value (largest first), by name, or as they come."""


def _valid(*fields: str) -> str:
    """Return a Vega expression that is true where every field holds a finite number."""
    return " && ".join(
        f"isValid(datum[{json.dumps(f)}]) && isFinite(datum[{json.dumps(f)}])" for f in fields
    )


def _finite(data: pl.DataFrame, column: str) -> pl.DataFrame:
    values = pl.col(column).cast(pl.Float64)
    return data.filter(values.is_not_null() & values.is_finite())


def _note(title: str, text: str) -> alt.Chart:
    """Return a chart that only says ``text`` (drawn where there is nothing to plot)."""
    return (
        alt.Chart(pl.DataFrame({"note": [text]}), title=title or alt.Undefined)
        .mark_text(align="left", baseline="middle", fontSize=13, color="#555555")
        .encode(x=alt.value(0), y=alt.value(20), text=alt.Text("note", type="nominal"))
        .properties(width=560, height=40)
    )


def _order(data: pl.DataFrame, column: str) -> list[str]:
    return [str(v) for v in dict.fromkeys(data.get_column(column).to_list()) if v is not None]


def _sort(data: pl.DataFrame, category: str, value: str, sort: Sort) -> Any:
    if sort == "value":
        # an explicit order: layered charts drop a sort by a field's mean (unioned domains)
        means = (
            data.group_by(pl.col(category).cast(pl.String))
            .agg(pl.col(value).cast(pl.Float64).mean())
            .sort([value, category], descending=[True, False], nulls_last=True)
        )
        return [v for v in means.get_column(category).to_list() if v is not None]
    if sort == "category":
        return "ascending"
    if sort == "none":
        return _order(data, category)
    raise ParameterError(f"sort must be 'value', 'category' or 'none'; got {sort!r}")


def intervals(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    category: str,
    value: str,
    low: str,
    high: str,
    group: str | None = None,
    color: str | None = None,
    kind: ValueKind = "currency",
    title: str = "",
    sort: Sort = "value",
    bars: bool = False,
    facet: str | None = None,
    tooltip: Sequence[tuple[str, ValueKind | None]] = (),
) -> Drawn:
    """Draw estimates with their intervals: a dot (or bar) per row and a whisker low-high.

    Parameters
    ----------
    frame
        One row per estimate: ``category``, ``value`` and its interval ``low``/``high``
        (e.g. :attr:`attribution.Comparison.intervals` or a contributions table).
    category
        Column labelling the rows of the chart (e.g. ``channel``).
    value, low, high
        The estimate and its interval. Rows without an estimate are left out; rows without
        an interval get no whisker.
    group
        Several estimates per category (e.g. one per ``model``): drawn side by side within
        the category's row, coloured by group.
    color
        Column that colours the marks (default: ``group``); teams and components get their
        fixed colours.
    kind
        How values are formatted.
    title
        Chart title.
    sort
        Order categories by value (mean over groups, largest first), by name, or as they
        come.
    bars
        Bars from zero instead of dots (for shares and components).
    facet
        Column splitting the chart into panels, one per value, stacked.
    tooltip
        Extra ``(column, kind)`` pairs to show on hover.

    Returns
    -------
    altair.LayerChart or altair.FacetChart
        Or, when no row has an estimate, a chart that says so (:data:`NO_ESTIMATE`).

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"model": ["linear", "markov"] * 2,
    ...                   "channel": ["email"] * 2 + ["demo"] * 2,
    ...                   "revenue": [10.0, 12.0, 5.0, 4.0], "ci_low": [8.0, 9.0, 3.0, 2.0],
    ...                   "ci_high": [12.0, 15.0, 7.0, 6.0]})
    >>> spec = intervals(f, category="channel", value="revenue", low="ci_low", high="ci_high",
    ...                  group="model").to_dict()
    >>> [layer["mark"]["type"] for layer in spec["layer"]]
    ['rule', 'point']
    >>> spec["layer"][1]["encoding"]["yOffset"]["field"]
    'model'
    """
    cols = [category, value, low, high] + [c for c in (group, color, facet) if c]
    data = _frame(frame, "intervals", list(dict.fromkeys(cols)))
    if _finite(data, value).height == 0:
        return _note(title, NO_ESTIMATE)
    colour = color or group
    y = alt.Y(
        category,
        type="nominal",
        sort=_sort(data, category, value, sort),
        title=label(category),
        axis=alt.Axis(labelLimit=360),
    )
    x = alt.X(value, type="quantitative", title=label(value), axis=_value_axis(kind))
    shared: dict[str, Any] = {"y": y}
    if group:
        shared["yOffset"] = alt.YOffset(group, type="nominal", sort=_order(data, group))
    if colour:
        shared["color"] = alt.Color(
            colour,
            type="nominal",
            title=label(colour),
            scale=color_scale(data.get_column(colour).to_list()),
            legend=None if colour == category else alt.Undefined,
        )
    tips = _tooltip(
        data,
        [
            (category, None),
            *[(c, None) for c in dict.fromkeys((group, colour, facet)) if c and c != category],
            (value, kind),
            (low, kind),
            (high, kind),
            *tooltip,
        ],
    )
    whisker_encoding = {k: v for k, v in shared.items() if not (bars and k == "color")}
    whisker = (
        alt.Chart()
        .mark_rule(strokeWidth=1.5, color="#333333" if bars else alt.Undefined)
        .encode(
            x=alt.X(low, type="quantitative"), x2=alt.X2(high), **whisker_encoding, tooltip=tips
        )
        .transform_filter(_valid(value, low, high))
    )
    if bars:
        shared = {**shared, "color": shared.get("color", alt.value(NEUTRAL))}
        mark = alt.Chart().mark_bar(opacity=0.85).encode(x=x, **shared, tooltip=tips)
        layers = [mark, whisker]
    else:
        mark = (
            alt.Chart()
            .mark_point(filled=True, size=55, opacity=1)
            .encode(x=x, **shared, tooltip=tips)
        )
        layers = [whisker, mark]
    layers[0] = layers[0].transform_filter(_valid(value))
    layers[1] = layers[1].transform_filter(_valid(value))
    lows = _finite(data, low).get_column(low)
    if len(lows) and lows.min() < 0:  # type: ignore[operator]
        zero = alt.Chart().mark_rule(color="#888888", strokeDash=[3, 3]).encode(x=alt.datum(0))
        layers.insert(0, zero)
    rows = len(_order(data, group)) if group else 1
    step = alt.Step(max(7, 24 // rows) if group else (26 if bars else 22))
    if facet:
        inner = alt.layer(*layers).properties(height=step, width=520)
        return (
            alt.layer(inner, data=data)
            .facet(
                row=alt.Row(
                    facet,
                    type="nominal",
                    title=None,
                    sort=_order(data, facet),
                    header=alt.Header(
                        labelAngle=0,
                        labelAlign="left",
                        labelAnchor="start",
                        labelOrient="top",
                        labelFontSize=13,
                        labelFontWeight=600,
                    ),
                ),
                title=title or alt.Undefined,
            )
            .resolve_scale(y="independent")
        )
    return alt.layer(*layers, data=data, title=title or alt.Undefined).properties(
        height=step, width=560
    )


def heatmap(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    x: str,
    y: str,
    value: str,
    title: str = "",
    domain: tuple[float, float] = (-1.0, 1.0),
    tooltip: Sequence[tuple[str, ValueKind | None]] = (),
) -> Drawn:
    """Draw a grid of ``value`` per (``x``, ``y``) pair, each cell labelled with its value.

    Colours run through a diverging purple-green scheme (safe for colour blindness) over
    ``domain``; cells without a value stay blank. Rows and columns keep the frame's order.

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"model_a": ["a", "a", "b", "b"], "model_b": ["a", "b", "a", "b"],
    ...                   "spearman": [1.0, 0.4, 0.4, 1.0]})
    >>> spec = heatmap(f, x="model_a", y="model_b", value="spearman").to_dict()
    >>> spec["layer"][0]["encoding"]["color"]["scale"]
    {'domain': [-1.0, 1.0], 'scheme': 'purplegreen'}
    """
    data = _frame(frame, "heatmap", [x, y, value])
    base = alt.Chart().encode(
        x=alt.X(
            x, type="nominal", sort=_order(data, x), title=label(x), axis=alt.Axis(labelAngle=-35)
        ),
        y=alt.Y(y, type="nominal", sort=_order(data, y), title=label(y)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            value,
            type="quantitative",
            title=label(value),
            scale=alt.Scale(scheme="purplegreen", domain=list(domain)),
        ),
        tooltip=_tooltip(data, [(x, None), (y, None), (value, "number"), *tooltip]),
    )
    middle = (domain[0] + domain[1]) / 2
    reach = (domain[1] - domain[0]) / 2 * 0.6
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text(value, type="quantitative", format=".2f"),
        color=alt.condition(
            f"abs(datum[{json.dumps(value)}] - {middle}) > {reach}",
            alt.value("white"),
            alt.value("black"),
        ),
    )
    return alt.layer(cells, text, data=data, title=title or alt.Undefined).properties(
        width=alt.Step(46), height=alt.Step(28)
    )


def funnel(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    stage: str,
    value: str,
    rate: str | None = None,
    kind: ValueKind = "count",
    title: str = "",
    tooltip: Sequence[tuple[str, ValueKind | None]] = (),
) -> Drawn:
    """Draw a funnel: one bar per stage in the frame's order, labelled with its count and rate.

    Parameters
    ----------
    frame
        One row per stage, in funnel order (e.g. :func:`attribution.funnel`).
    stage, value
        Stage names and the counts reaching them.
    rate
        Conversion from the stage before (shown after the count).
    kind
        Format of ``value``.
    title
        Chart title.
    tooltip
        Extra ``(column, kind)`` pairs to show on hover.

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"stage": ["lead", "mql", "won"], "accounts": [100, 40, 8],
    ...                   "conversion": [None, 0.4, 0.2]})
    >>> spec = funnel(f, stage="stage", value="accounts", rate="conversion").to_dict()
    >>> spec["layer"][0]["encoding"]["y"]["sort"]
    ['lead', 'mql', 'won']
    """
    data = _frame(frame, "funnel", [stage, value] + ([rate] if rate else []))
    top = float(_finite(data, value).get_column(value).max() or 1.0)  # type: ignore[arg-type]
    base = alt.Chart().encode(
        y=alt.Y(
            stage,
            type="nominal",
            sort=_order(data, stage),
            title=label(stage),
            axis=alt.Axis(
                labelExpr=(
                    "indexof(['mql', 'sql'], datum.value) >= 0 ? upper(datum.value) : datum.value"
                )
            ),
        ),
        x=alt.X(
            value,
            type="quantitative",
            title=label(value),
            axis=_value_axis(kind),
            scale=alt.Scale(domain=[0, top * 1.5], nice=False),
        ),
    )
    tips: list[tuple[str, ValueKind | None]] = [(stage, None), (value, kind)]
    tips += [(rate, "share")] if rate else []
    bars = base.mark_bar(color=NEUTRAL).encode(tooltip=_tooltip(data, [*tips, *tooltip]))
    text = f"format(datum[{json.dumps(value)}], '{value_format(kind, tooltip=True)}')"
    if rate:
        r = json.dumps(rate)
        text += (
            f" + (isValid(datum[{r}]) ? ' (' + format(datum[{r}], '.0%') + ' of the step "
            "before)' : '')"
        )
    labels = (
        base.mark_text(align="left", dx=5, fontSize=12, color="#333333")
        .transform_calculate(bar_label=text)
        .encode(text=alt.Text("bar_label", type="nominal"))
    )
    return alt.layer(bars, labels, data=data, title=title or alt.Undefined).properties(
        height=alt.Step(34), width=560
    )


def calibration(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    predicted: str,
    observed: str,
    low: str | None = None,
    high: str | None = None,
    title: str = "",
    tooltip: Sequence[tuple[str, ValueKind | None]] = (),
) -> Drawn:
    """Draw observed against predicted rates (one dot per bin) with the diagonal of perfect fit.

    Dots on the dashed diagonal mean the predicted probabilities match what happened;
    whiskers show ``low``-``high`` intervals of the observed rate.

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"bin": [1, 2], "n": [50, 50], "predicted": [0.1, 0.6],
    ...                   "observed": [0.12, 0.55], "low": [0.05, 0.4], "high": [0.2, 0.7]})
    >>> spec = calibration(f, predicted="predicted", observed="observed", low="low",
    ...                    high="high").to_dict()
    >>> [layer["mark"]["type"] for layer in spec["layer"]]
    ['rule', 'rule', 'point']
    """
    cols = [predicted, observed] + [c for c in (low, high) if c]
    data = _frame(frame, "calibration", cols)
    valid = _finite(_finite(data, predicted), observed)
    if valid.height == 0:
        return _note(title, NO_ESTIMATE)
    reach = max(float(valid.select(pl.max_horizontal(c for c in cols).max()).item() or 0.0), 0.05)
    top = min(1.0, -(-reach * 20 // 1) / 20)  # round up to 5 points
    axis = alt.Axis(format=".0%")
    scale = alt.Scale(domain=[0, top], nice=False)
    x = alt.X(predicted, type="quantitative", title=label(predicted), axis=axis, scale=scale)
    y = alt.Y(observed, type="quantitative", title=label(observed), axis=axis, scale=scale)
    diagonal = (
        alt.Chart()
        .mark_rule(color="#888888", strokeDash=[4, 4])
        .encode(x=alt.datum(0), y=alt.datum(0), x2=alt.datum(top), y2=alt.datum(top))
    )
    fields: list[tuple[str, ValueKind | None]] = [
        (c, None) for c in ("bin", "decile") if c in data.columns
    ]
    fields += [(c, "count") for c in ("n", "leads") if c in data.columns]
    fields += [(predicted, "share"), (observed, "share")]
    fields += [(c, "share") for c in (low, high) if c]
    tips = _tooltip(data, [*fields, *tooltip])
    layers: list[Any] = [diagonal]
    if low and high:
        layers.append(
            alt.Chart()
            .mark_rule(color=NEUTRAL)
            .encode(x=x, y=alt.Y(low, type="quantitative"), y2=alt.Y2(high), tooltip=tips)
            .transform_filter(_valid(predicted, low, high))
        )
    layers.append(
        alt.Chart()
        .mark_point(filled=True, size=60, color=OKABE_ITO[0], opacity=1)
        .encode(x=x, y=y, tooltip=tips)
        .transform_filter(_valid(predicted, observed))
    )
    return alt.layer(*layers, data=data, title=title or alt.Undefined).properties(
        width=320, height=320
    )


def threshold_bars(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    category: str,
    value: str,
    threshold: float,
    threshold_label: str = "",
    kind: ValueKind = "hours",
    title: str = "",
    sort: Sort = "value",
    tooltip: Sequence[tuple[str, ValueKind | None]] = (),
) -> Drawn:
    """Draw bars against a threshold line; bars beyond it are drawn in the warning colour.

    For example the median hours each rep took to answer an MQL against the agreed SLA.
    Rows without a value are left out.

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"rep": ["Ann", "Bo"], "median_hours": [3.0, 40.0]})
    >>> spec = threshold_bars(f, category="rep", value="median_hours", threshold=24,
    ...                       threshold_label="SLA 24 h").to_dict()
    >>> spec["layer"][0]["encoding"]["color"]["condition"]["value"]
    '#D55E00'
    """
    data = _frame(frame, "threshold_bars", [category, value])
    if _finite(data, value).height == 0:
        return _note(title, NO_ESTIMATE)
    field = json.dumps(value)
    order: Any = {"value": "-x", "category": "ascending", "none": _order(data, category)}.get(sort)
    if order is None:
        raise ParameterError(f"sort must be 'value', 'category' or 'none'; got {sort!r}")
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            y=alt.Y(category, type="nominal", sort=order, title=label(category)),
            x=alt.X(value, type="quantitative", title=label(value), axis=_value_axis(kind)),
            color=alt.condition(
                f"datum[{field}] > {float(threshold)!r}",
                alt.value(STATUS_COLORS["lost"]),
                alt.value(NEUTRAL),
            ),
            tooltip=_tooltip(data, [(category, None), (value, kind), *tooltip]),
        )
        .transform_filter(_valid(value))
    )
    line = (
        alt.Chart()
        .mark_rule(color="#333333", strokeDash=[5, 3], strokeWidth=1.5)
        .encode(x=alt.datum(float(threshold)))
    )
    layers: list[Any] = [bars, line]
    if threshold_label:
        layers.append(
            alt.Chart()
            .mark_text(align="left", baseline="top", dx=4, dy=2, fontSize=11, color="#333333")
            .encode(x=alt.datum(float(threshold)), y=alt.value(0), text=alt.value(threshold_label))
        )
    return alt.layer(*layers, data=data, title=title or alt.Undefined).properties(
        height=alt.Step(24), width=560
    )


def target_progress(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    name: str = "label",
    progress: str = "progress_shown",
    status: str = "status",
    owner: str = "owner",
    text: str = "actual",
    title: str = "",
    tooltip: Sequence[str] = ("period", "target", "actual", "expected", "trend", "note"),
) -> alt.FacetChart:
    """Draw each target's progress as a bar coloured by status, one column per owner.

    Bars show ``progress`` (1 = on pace with the target, drawn as a dashed line); each bar
    is labelled with its status, so the chart reads without colour too, and the tooltip
    shows ``text`` and the other columns. Owners are ordered marketing, joint, sales.

    Parameters
    ----------
    frame
        One row per target, e.g. :meth:`attribution.alignment.scorecard.Scorecard.display`.
    name, progress, status, owner, text
        Column names: the target's name, its progress (capped for drawing), its status,
        who owns it, and its value as text (shown on hover).
    title
        Chart title.
    tooltip
        Further columns shown on hover (those present in the frame).

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"label": ["MQLs", "Win rate"], "owner": ["marketing", "sales"],
    ...                   "progress_shown": [1.2, 0.7], "status": ["met", "behind"],
    ...                   "actual": ["127", "22.7%"]})
    >>> spec = target_progress(f).to_dict()
    >>> spec["facet"]["column"]["field"], spec["spec"]["layer"][0]["mark"]["type"]
    ('owner', 'bar')
    """
    data = _frame(frame, "target_progress", [name, progress, status, owner, text])
    order = ["marketing", "joint", "sales"]
    owners = sorted(
        {str(o) for o in data.get_column(owner).to_list()},
        key=lambda o: (order.index(o) if o in order else len(order), o),
    )
    data = data.with_columns(pl.col(progress).fill_null(0.0).alias("_x"))
    tips = [
        alt.Tooltip(c, type="nominal", title=label(c))
        for c in dict.fromkeys((name, owner, status, text, *tooltip))
        if c in data.columns
    ]
    y = alt.Y(
        name,
        type="nominal",
        sort=None,
        title=None,
        axis=alt.Axis(labelLimit=165, labelFontSize=11),
    )
    x = alt.X(
        "_x",
        type="quantitative",
        title="Progress against the target so far",
        scale=alt.Scale(domain=[0, 1.5], clamp=True),
        axis=alt.Axis(format=".0%", values=[0, 0.5, 1.0, 1.5]),
    )
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                status,
                type="nominal",
                title="Status",
                scale=color_scale(data.get_column(status).to_list()),
            ),
            tooltip=tips,
        )
    )
    pace = alt.Chart().mark_rule(strokeDash=[4, 3], color="#4D4D4D").encode(x=alt.datum(1.0))
    words = (  # the status, written over the start of each bar
        alt.Chart()
        .mark_text(align="left", dx=3, fontSize=11, fontWeight=600, color="#1A1A1A")
        .encode(x=alt.datum(0), y=y, text=alt.Text(status, type="nominal"))
    )
    layered = alt.layer(bars, pace, words, data=data).properties(width=160, height=alt.Step(24))
    return layered.facet(
        column=alt.Column(
            owner,
            type="nominal",
            sort=owners,
            title=None,
            header=alt.Header(labelFontSize=13, labelFontWeight="bold", labelOrient="top"),
        ),
        title=title or alt.Undefined,
    ).resolve_scale(y="independent")


def sla_months(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    month: str = "month",
    measure: str = "measure",
    actual: str = "actual",
    agreed: str = "agreed",
    status: str = "status",
    kind: ValueKind = "share",
    title: str = "",
) -> alt.FacetChart:
    """Draw one row of monthly bars per SLA measure, coloured by status, with the agreed level.

    Parameters
    ----------
    frame
        One row per month and measure, e.g. ``Scorecard.sla_long(unit="share")``.
    month
        The month's first day (a date column).
    measure, actual, agreed, status
        Column names: the measure (one chart row each), its value, the agreed level
        (drawn as a dashed line) and the status (bar colour).
    kind
        How values are formatted.
    title
        Chart title.

    Examples
    --------
    >>> import polars as pl
    >>> from datetime import date
    >>> f = pl.DataFrame({"month": [date(2026, 5, 1), date(2026, 6, 1)],
    ...                   "measure": ["followed up", "followed up"], "actual": [0.8, 0.9],
    ...                   "agreed": [0.85, 0.85], "status": ["missed", "on track"]})
    >>> spec = sla_months(f).to_dict()
    >>> spec["facet"]["row"]["field"], [layer["mark"]["type"] for layer in spec["spec"]["layer"]]
    ('measure', ['bar', 'rule'])
    """
    data = _frame(frame, "sla_months", [month, measure, actual, agreed, status])
    x = alt.X(
        month,
        type="ordinal",
        timeUnit="yearmonth",
        title=None,
        axis=alt.Axis(format="%b %Y", labelAngle=-40),
    )
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y(actual, type="quantitative", title=None, axis=_value_axis(kind)),
            color=alt.Color(
                status,
                type="nominal",
                title="Status",
                scale=color_scale(data.get_column(status).to_list()),
            ),
            tooltip=[
                alt.Tooltip(
                    month, type="temporal", timeUnit="yearmonth", title="Month", format="%b %Y"
                ),
                alt.Tooltip(measure, type="nominal", title="Measure"),
                alt.Tooltip(
                    actual,
                    type="quantitative",
                    title="Actual",
                    format=value_format(kind, tooltip=True),
                ),
                alt.Tooltip(
                    agreed,
                    type="quantitative",
                    title="Agreed",
                    format=value_format(kind, tooltip=True),
                ),
                alt.Tooltip(status, type="nominal", title="Status"),
            ],
        )
    )
    line = (
        alt.Chart()
        .mark_rule(strokeDash=[4, 3], color="#4D4D4D")
        .encode(y=alt.Y(agreed, type="quantitative", aggregate="max"))
    )
    layered = alt.layer(bars, line, data=data).properties(width=560, height=120)
    return layered.facet(
        row=alt.Row(
            measure,
            type="nominal",
            sort=list(dict.fromkeys(data.get_column(measure).to_list())),
            title=None,
            header=alt.Header(labelAngle=0, labelAlign="left", labelFontWeight="bold"),
        ),
        title=title or alt.Undefined,
    ).resolve_scale(y="independent")


use_theme()
