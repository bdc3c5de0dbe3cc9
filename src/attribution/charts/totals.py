"""Totals and shares: bars per category, lines and bars over time, one bar split in parts."""

from __future__ import annotations

from typing import Any, Literal

import altair as alt
import polars as pl

from attribution.charts.blocks import (
    NO_ESTIMATE,
    Tips,
    checked,
    color_by,
    finite,
    note,
    tooltips,
    value_axis,
)
from attribution.charts.theme import ValueKind, label
from attribution.errors import ParameterError

__all__ = ["TimeUnit", "bars", "lines", "period_bars", "stacked_share"]

TimeUnit = Literal["yearweek", "yearmonth", "yearquarter", "year"]
"""Calendar periods :func:`period_bars` groups by."""

_PERIOD_FORMATS = {
    "yearweek": "%d %b %Y",
    "yearmonth": "%b %Y",
    "yearquarter": "Q%q %Y",
    "year": "%Y",
}


def _bar_axes(
    category: str, value: str, kind: ValueKind, horizontal: bool, sort: str
) -> dict[str, Any]:
    """Return the category and value axes of bars, either way round."""
    orders: dict[str, Any] = {"value": "-x" if horizontal else "-y", "category": "ascending"}
    if sort not in (*orders, "none"):
        raise ParameterError(f"sort must be 'value', 'category' or 'none'; got {sort!r}")
    cat = alt.X if not horizontal else alt.Y
    val = alt.Y if not horizontal else alt.X
    return {
        ("y" if horizontal else "x"): cat(
            category,
            type="nominal",
            sort=orders.get(sort),
            # rows of long names (campaigns, paths) carry no axis title: the chart's title
            # names them, and a title beside long labels would run into them
            title=label(category) if not horizontal else None,
            axis=alt.Axis(labelAngle=0) if not horizontal else alt.Axis(labelLimit=360),
        ),
        ("x" if horizontal else "y"): val(
            value,
            type="quantitative",
            title=label(value),
            axis=value_axis(kind),
        ),
    }


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
    tooltip: Tips = (),
) -> alt.Chart:
    """Draw bars of ``value`` per ``category`` (stacked by ``color`` when given).

    Parameters
    ----------
    frame
        One row per bar (or bar segment); at most :data:`~attribution.charts.MAX_ROWS` rows.
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
    data = checked(frame, "bars", [category, value] + ([color] if color else []))
    encoding = _bar_axes(category, value, kind, horizontal, sort)
    encoding["tooltip"] = tooltips(
        data,
        [
            (category, None),
            *([(color, None)] if color and color != category else []),
            (value, kind),
            *tooltip,
        ],
    )
    if color:
        encoding["color"] = color_by(data, color, legend=color != category)
    chart: alt.Chart = alt.Chart(data, title=title or alt.Undefined).mark_bar().encode(**encoding)
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
    data = checked(frame, "lines", [time, value] + ([color] if color else []))
    if data.height and finite(data, value).height == 0:
        return note(title, NO_ESTIMATE)
    axis = alt.Axis(labelAngle=0) if time_type == "ordinal" else alt.Undefined
    encoding: dict[str, Any] = {
        "x": alt.X(time, type=time_type, title=label(time), axis=axis),
        "y": alt.Y(value, type="quantitative", title=label(value), axis=value_axis(kind)),
        "tooltip": tooltips(
            data, [(time, None), *([(color, None)] if color else []), (value, kind)]
        ),
    }
    if color:
        encoding["color"] = color_by(data, color)
    chart: alt.Chart = alt.Chart(data, title=title or alt.Undefined).mark_line(point=points)
    chart = chart.encode(**encoding)
    # discrete steps would otherwise be drawn 20 pixels apart
    return chart.properties(width=560) if time_type == "ordinal" else chart


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
    data = checked(frame, "period_bars", cols)
    if unit not in _PERIOD_FORMATS:
        raise ParameterError(f"unit must be one of {', '.join(_PERIOD_FORMATS)}; got {unit!r}")
    shown = _PERIOD_FORMATS[unit]
    encoding: dict[str, Any] = {
        "x": alt.X(
            time,
            type="ordinal",
            timeUnit=unit,
            title=label(time),
            axis=alt.Axis(format=shown, labelAngle=-40),
        ),
        "y": alt.Y(value, type="quantitative", title=label(value), axis=value_axis(kind)),
        "tooltip": [
            alt.Tooltip(time, type="temporal", timeUnit=unit, title=label(time), format=shown),
            *tooltips(data, [*([(color, None)] if color else []), (value, kind)]),
        ],
    }
    if color:
        encoding["color"] = color_by(data, color)
    chart: alt.Chart = alt.Chart(data, title=title or alt.Undefined).mark_bar().encode(**encoding)
    if selector:
        chart = _pick_one(chart, data, selector)
    return chart.properties(width=560)


def _pick_one(chart: alt.Chart, data: pl.DataFrame, selector: str) -> alt.Chart:
    """Add a drop-down that shows the rows of one value of ``selector`` (the first at start)."""
    options = [str(v) for v in dict.fromkeys(data.get_column(selector).to_list())]
    choice = alt.param(
        name="pick_" + "".join(c if c.isalnum() else "_" for c in selector),
        value=options[0] if options else None,
        bind=alt.binding_select(options=options, name=f"{label(selector)}: "),
    )
    return chart.add_params(choice).transform_filter(alt.datum[selector] == choice)


def stacked_share(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    part: str,
    value: str,
    kind: ValueKind = "currency",
    title: str = "",
    group: str | None = None,
) -> alt.LayerChart:
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
    data = checked(frame, "stacked_share", [part, value] + ([group] if group else []))
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
        color=color_by(data, part),
        tooltip=tooltips(
            data,
            [(part, None), *([(group, None)] if group else []), (value, kind), ("share", "share")],
        ),
    )
    labels = base.mark_text(dx=-6, align="right", color="white", fontWeight=600).encode(
        text=alt.Text("share:Q", format=".0%"),
        opacity=alt.condition(alt.datum.share >= 0.06, alt.value(1), alt.value(0)),
    )
    shares: alt.LayerChart = (segments + labels).properties(height=alt.Step(44) if group else 60)
    return shares
