"""Against what was agreed: values over a threshold, progress to targets, SLAs per month."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, cast

import altair as alt
import polars as pl

from attribution.charts.blocks import (
    NO_ESTIMATE,
    Drawn,
    Sort,
    Tips,
    checked,
    color_by,
    finite,
    note,
    order_of,
    tooltips,
    valid,
    value_axis,
)
from attribution.charts.theme import (
    NEUTRAL,
    SCORECARD_COLORS,
    ValueKind,
    label,
    value_format,
)
from attribution.errors import ParameterError

__all__ = ["sla_months", "target_progress", "threshold_bars"]


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
    tooltip: Tips = (),
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
    '#882255'
    >>> spec["layer"][2]["transform"]  # the label is drawn once
    [{'aggregate': [{'op': 'count', 'as': 'rows'}]}]
    """
    data = checked(frame, "threshold_bars", [category, value])
    if finite(data, value).height == 0:
        return note(title, NO_ESTIMATE)
    field = json.dumps(value)
    order: Any = {"value": "-x", "category": "ascending", "none": order_of(data, category)}.get(
        sort
    )
    if order is None:
        raise ParameterError(f"sort must be 'value', 'category' or 'none'; got {sort!r}")
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            y=alt.Y(category, type="nominal", sort=order, title=label(category)),
            x=alt.X(value, type="quantitative", title=label(value), axis=value_axis(kind)),
            color=alt.condition(
                f"datum[{field}] > {float(threshold)!r}",
                alt.value(SCORECARD_COLORS["missed"]),
                alt.value(NEUTRAL),
            ),
            tooltip=tooltips(data, [(category, None), (value, kind), *tooltip]),
        )
        .transform_filter(valid(value))
    )
    line = (
        alt.Chart()
        .mark_rule(color="#333333", strokeDash=[5, 3], strokeWidth=1.5)
        .encode(x=alt.datum(float(threshold)))
    )
    layers: list[Any] = [bars, line]
    if threshold_label:
        layers.append(  # once (the rows aggregated to one), above the bars, never over one
            alt.Chart()
            .transform_aggregate(rows="count()")
            .mark_text(align="left", baseline="bottom", dx=4, dy=-4, fontSize=11, color="#333333")
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
    data = checked(frame, "target_progress", [name, progress, status, owner, text])
    data = data.with_columns(pl.col(progress).fill_null(0.0).alias("_x"))
    tips = [
        alt.Tooltip(c, type="nominal", title=label(c))
        for c in dict.fromkeys((name, owner, status, text, *tooltip))
        if c in data.columns
    ]
    layered = _progress_bars(data, name, status, tips)
    panels: alt.FacetChart = layered.facet(
        column=alt.Column(
            owner,
            type="nominal",
            sort=_owners(data, owner),
            title=None,
            header=alt.Header(labelFontSize=13, labelFontWeight="bold", labelOrient="top"),
        ),
        title=alt.TitleParams(title or "", subtitle=_BEYOND) if title else alt.Undefined,
    ).resolve_scale(y="independent")
    return panels


def _owners(data: pl.DataFrame, owner: str) -> list[str]:
    """Return the owners in the frame: marketing, joint, sales, then any other by name."""
    order = ["marketing", "joint", "sales"]
    return sorted(
        {str(o) for o in data.get_column(owner).to_list()},
        key=lambda o: (order.index(o) if o in order else len(order), o),
    )


def _progress_bars(
    data: pl.DataFrame, name: str, status: str, tips: list[alt.Tooltip]
) -> alt.LayerChart:
    """Draw the bars of progress (column ``_x``), the line of pace and the status words."""
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
        scale=alt.Scale(domain=[0, _AXIS_END], clamp=True),
        axis=alt.Axis(format=".0%", values=[0, 0.5, 1.0, 1.5]),
    )
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(x=x, y=y, color=color_by(data, status, title="Status"), tooltip=tips)
    )
    pace = alt.Chart().mark_rule(strokeDash=[4, 3], color="#4D4D4D").encode(x=alt.datum(1.0))
    words = (  # the status, written over the start of each bar
        alt.Chart()
        .mark_text(align="left", dx=3, fontSize=11, fontWeight=600, color="#1A1A1A")
        .encode(x=alt.datum(0), y=y, text=alt.Text(status, type="nominal"))
    )
    beyond = (  # a bar cut at the axis end says so, and the tooltip gives the real value
        alt.Chart()
        .transform_filter(f"datum._x >= {_AXIS_END}")
        .mark_text(align="left", dx=2, fontSize=13, fontWeight=700, color="#1A1A1A")
        .encode(x=alt.datum(_AXIS_END), y=y, text=alt.value("»"), tooltip=tips)
    )
    layered = alt.layer(bars, pace, words, beyond, data=data).properties(
        width=160, height=alt.Step(24)
    )
    return cast(alt.LayerChart, layered)


_AXIS_END = 1.5
"""Where the progress axis ends: bars past it are cut there and marked with a »."""
_BEYOND = "» marks a bar cut at 150%: the target is passed by more (hover for the value)"


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
    data = checked(frame, "sla_months", [month, measure, actual, agreed, status])
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
            y=alt.Y(actual, type="quantitative", title=None, axis=value_axis(kind)),
            color=color_by(data, status, title="Status"),
            tooltip=_sla_tooltips(month, measure, actual, agreed, status, kind),
        )
    )
    line = (
        alt.Chart()
        .mark_rule(strokeDash=[4, 3], color="#4D4D4D")
        .encode(y=alt.Y(agreed, type="quantitative", aggregate="max"))
    )
    layered = alt.layer(bars, line, data=data).properties(width=560, height=120)
    panels: alt.FacetChart = layered.facet(
        row=alt.Row(
            measure,
            type="nominal",
            sort=list(dict.fromkeys(data.get_column(measure).to_list())),
            title=None,
            header=alt.Header(labelAngle=0, labelAlign="left", labelFontWeight="bold"),
        ),
        title=alt.TitleParams(title or "", subtitle=_BEYOND) if title else alt.Undefined,
    ).resolve_scale(y="independent")
    return panels


def _sla_tooltips(
    month: str, measure: str, actual: str, agreed: str, status: str, kind: ValueKind
) -> list[alt.Tooltip]:
    """Return the tooltips of an SLA month: month, measure, actual, agreed and status."""
    shown = value_format(kind, tooltip=True)
    return [
        alt.Tooltip(month, type="temporal", timeUnit="yearmonth", title="Month", format="%b %Y"),
        alt.Tooltip(measure, type="nominal", title="Measure"),
        alt.Tooltip(actual, type="quantitative", title="Actual", format=shown),
        alt.Tooltip(agreed, type="quantitative", title="Agreed", format=shown),
        alt.Tooltip(status, type="nominal", title="Status"),
    ]
