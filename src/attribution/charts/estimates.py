"""Estimates and how far to trust them: intervals, agreement between models, calibration."""

from __future__ import annotations

import json
from typing import Any

import altair as alt
import polars as pl

from attribution.charts.blocks import (
    NO_ESTIMATE,
    Drawn,
    Sort,
    Tips,
    category_sort,
    checked,
    color_by,
    finite,
    note,
    order_of,
    tooltips,
    valid,
    value_axis,
)
from attribution.charts.theme import NEUTRAL, ValueKind, label

__all__ = ["calibration", "heatmap", "intervals"]


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
    tooltip: Tips = (),
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
    kind, title
        How values are formatted, and the chart title.
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
        Or, when no row has an estimate, a chart that says so
        (:data:`~attribution.charts.NO_ESTIMATE`).

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
    data = checked(frame, "intervals", list(dict.fromkeys(cols)))
    if finite(data, value).height == 0:
        return note(title, NO_ESTIMATE)
    colour = color or group
    shared = _rows(data, category, value, sort, group, colour)
    extra = [(c, None) for c in dict.fromkeys((group, colour, facet)) if c and c != category]
    fields: Tips = [(category, None), *extra, (value, kind), (low, kind), (high, kind)]
    tips = tooltips(data, [*fields, *tooltip])
    layers = _estimate_layers(data, shared, tips, (value, low, high), kind, bars)
    step = _row_step(data, group, bars)
    if facet:
        return _panels(alt.layer(*layers).properties(height=step, width=520), data, facet, title)
    layered = alt.layer(*layers, data=data, title=title or alt.Undefined)
    return layered.properties(height=step, width=560)


def _row_step(data: pl.DataFrame, group: str | None, bars: bool) -> alt.Step:
    """Return the height of a category's row: shared by its groups' marks, if any."""
    rows = len(order_of(data, group)) if group else 1
    return alt.Step(max(7, 24 // rows) if group else (26 if bars else 22))


def _rows(
    data: pl.DataFrame, category: str, value: str, sort: Sort, group: str | None, colour: str | None
) -> dict[str, Any]:
    """Return the encoding every layer shares: a row per category, dodged and coloured."""
    shared: dict[str, Any] = {
        "y": alt.Y(
            category,
            type="nominal",
            sort=category_sort(data, category, value, sort),
            title=None,  # the chart's title names the rows; a title would run into long names
            axis=alt.Axis(labelLimit=360),
        )
    }
    if group:
        shared["yOffset"] = alt.YOffset(group, type="nominal", sort=order_of(data, group))
    if colour:
        shared["color"] = color_by(data, colour, legend=colour != category)
    return shared


def _estimate_layers(
    data: pl.DataFrame,
    shared: dict[str, Any],
    tips: list[alt.Tooltip],
    fields: tuple[str, str, str],
    kind: ValueKind,
    bars: bool,
) -> list[Any]:
    """Draw a dot (or bar) per estimate and a whisker over its interval; a zero line if needed."""
    value, low, high = fields
    x = alt.X(value, type="quantitative", title=label(value), axis=value_axis(kind))
    whisker_encoding = {k: v for k, v in shared.items() if not (bars and k == "color")}
    whisker = (
        alt.Chart()
        .mark_rule(strokeWidth=1.5, color="#333333" if bars else alt.Undefined)
        .encode(
            x=alt.X(low, type="quantitative"), x2=alt.X2(high), **whisker_encoding, tooltip=tips
        )
        .transform_filter(valid(value, low, high))
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
    layers = [layer.transform_filter(valid(value)) for layer in layers]
    lows = finite(data, low).get_column(low)
    if len(lows) and lows.min() < 0:  # type: ignore[operator]
        zero = alt.Chart().mark_rule(color="#888888", strokeDash=[3, 3]).encode(x=alt.datum(0))
        layers.insert(0, zero)
    return layers


def _panels(inner: Drawn, data: pl.DataFrame, facet: str, title: str) -> alt.FacetChart:
    """Draw one panel per value of ``facet``, stacked, each with its own categories."""
    panels: alt.FacetChart = (
        alt.layer(inner, data=data)
        .facet(
            row=alt.Row(
                facet,
                type="nominal",
                title=None,
                sort=order_of(data, facet),
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
    return panels


def heatmap(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    x: str,
    y: str,
    value: str,
    title: str = "",
    domain: tuple[float, float] = (-1.0, 1.0),
    tooltip: Tips = (),
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
    data = checked(frame, "heatmap", [x, y, value])
    names = order_of(data, x)
    # horizontal labels, split at "_" onto lines: wide enough cells that they never collide
    words = max((len(w) for n in names for w in str(n).split("_")), default=6)
    base = alt.Chart().encode(
        x=alt.X(
            x,
            type="nominal",
            sort=names,
            title=label(x),
            axis=alt.Axis(labelAngle=0, labelExpr="split(datum.label, '_')", labelLimit=0),
        ),
        y=alt.Y(y, type="nominal", sort=order_of(data, y), title=label(y)),
    )
    tips = tooltips(data, [(x, None), (y, None), (value, "number"), *tooltip])
    cells = base.mark_rect().encode(
        color=alt.Color(
            value,
            type="quantitative",
            title=label(value),
            scale=alt.Scale(scheme="purplegreen", domain=list(domain)),
        ),
        tooltip=tips,
    )
    middle = (domain[0] + domain[1]) / 2
    reach = (domain[1] - domain[0]) / 2 * 0.6
    text = base.mark_text(fontSize=11).encode(  # the number has the cell's tooltip too
        tooltip=tips,
        text=alt.Text(value, type="quantitative", format=".2f"),
        color=alt.condition(
            f"abs(datum[{json.dumps(value)}] - {middle}) > {reach}",
            alt.value("white"),
            alt.value("black"),
        ),
    )
    return alt.layer(cells, text, data=data, title=title or alt.Undefined).properties(
        width=alt.Step(max(46, 8 * words + 12)), height=alt.Step(28)
    )


def calibration(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    predicted: str,
    observed: str,
    low: str | None = None,
    high: str | None = None,
    title: str = "",
    tooltip: Tips = (),
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
    data = checked(frame, "calibration", cols)
    plotted = finite(finite(data, predicted), observed)
    if plotted.height == 0:
        return note(title, NO_ESTIMATE)
    reach = max(float(plotted.select(pl.max_horizontal(c for c in cols).max()).item() or 0.0), 0.05)
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
    tips = tooltips(data, [*fields, *tooltip])
    layers: list[Any] = [diagonal]
    if low and high:
        layers.append(
            alt.Chart()
            .mark_rule(color=NEUTRAL)
            .encode(x=x, y=alt.Y(low, type="quantitative"), y2=alt.Y2(high), tooltip=tips)
            .transform_filter(valid(predicted, low, high))
        )
    layers.append(
        alt.Chart()
        .mark_point(filled=True, size=60, color=NEUTRAL, opacity=1)
        .encode(x=x, y=y, tooltip=tips)
        .transform_filter(valid(predicted, observed))
    )
    return alt.layer(*layers, data=data, title=title or alt.Undefined).properties(
        width=320, height=320
    )
