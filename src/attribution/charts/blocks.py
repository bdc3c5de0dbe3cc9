"""The blocks every builder is made of: the checked frame, axes, tooltips, colours, notes.

Builders take a small, already aggregated frame (:func:`checked`), format values by their
kind (:func:`value_axis`, :func:`tooltips`), colour categories with the fixed colours
(:func:`color_by`) and draw a note instead of an empty chart (:func:`note`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

import altair as alt
import polars as pl

from attribution._format import format_expr
from attribution.charts.theme import ValueKind, color_scale, label, value_format
from attribution.errors import ParameterError

__all__ = [
    "MAX_ROWS",
    "NO_ESTIMATE",
    "Drawn",
    "Sort",
    "Tips",
    "category_sort",
    "checked",
    "color_by",
    "finite",
    "note",
    "order_of",
    "tooltips",
    "valid",
    "value_axis",
]

MAX_ROWS = 5_000
"""Altair refuses larger inline data; builders ask for aggregated frames instead."""

NO_ESTIMATE = "No estimate: the data cannot support it (the caution above says why)."
"""Text drawn instead of a chart of estimates when the data gave none."""

Drawn = alt.Chart | alt.LayerChart | alt.FacetChart
"""What the builders of estimates return: a chart, layers, or panels of layers."""

Sort = Literal["value", "category", "none"]
"""How categories are ordered: by value (largest first), by name, or as they come."""

Tips = Sequence[tuple[str, ValueKind | None]]
"""``(column, kind)`` pairs shown on hover (``kind`` None for text and dates)."""


def checked(
    frame: pl.DataFrame | pl.LazyFrame, builder: str, columns: Sequence[str]
) -> pl.DataFrame:
    """Return ``frame`` collected, once it has ``columns`` and at most :data:`MAX_ROWS` rows.

    Examples
    --------
    >>> checked(pl.DataFrame({"a": [1]}), "bars", ["a", "b"])
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: charts.bars: column(s) 'b' not in the frame; it has: a
    """
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


def value_axis(kind: ValueKind) -> alt.Axis:
    """Return the axis of values of ``kind`` (whole ticks for counts).

    Examples
    --------
    >>> value_axis("count").to_dict()
    {'format': ',.0f', 'tickMinStep': 1}
    """
    if kind == "count":
        return alt.Axis(format=value_format(kind), tickMinStep=1)
    return alt.Axis(format=value_format(kind))


def readable_tips(
    data: pl.DataFrame, fields: Tips, currency: str = ""
) -> tuple[pl.DataFrame, Tips]:
    """Turn hover-only columns with gaps into text, so a tooltip shows "n/a", never "null".

    Columns that only a tooltip shows (not an axis) and hold empty values are formatted
    here, as :func:`value_format` would, with ``n/a`` for the gaps; the others are left.

    Examples
    --------
    >>> d = pl.DataFrame({"stage": ["lead", "mql"], "median_days": [None, 3.25]})
    >>> d2, tips = readable_tips(d, [("median_days", "days")])
    >>> d2["median_days"].to_list(), tips
    (['n/a', '3.2'], [('median_days', None)])
    """
    out, fixed = data, list[tuple[str, ValueKind | None]]()
    for name, kind in fields:
        if name in data.columns and kind is not None and data[name].null_count():
            out = out.with_columns(format_expr(name, kind, currency or "$"))
            fixed.append((name, None))
        else:
            fixed.append((name, kind))
    return out, fixed


def tooltips(data: pl.DataFrame, fields: Tips) -> list[alt.Tooltip]:
    """Return a titled, rounded tooltip per field present in ``data``."""
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


def color_by(data: pl.DataFrame, column: str, *, title: str = "", legend: bool = True) -> alt.Color:
    """Colour marks by ``column`` with the fixed colours (:func:`color_scale`) where known.

    ``title`` defaults to the column's label; ``legend=False`` draws no legend (for a
    colour that repeats the axis).
    """
    return alt.Color(
        column,
        type="nominal",
        title=title or label(column),
        scale=color_scale(data.get_column(column).to_list()),
        legend=alt.Undefined if legend else None,
    )


def valid(*fields: str) -> str:
    """Return a Vega expression that is true where every field holds a finite number.

    Examples
    --------
    >>> valid("revenue")
    'isValid(datum["revenue"]) && isFinite(datum["revenue"])'
    """
    return " && ".join(
        f"isValid(datum[{json.dumps(f)}]) && isFinite(datum[{json.dumps(f)}])" for f in fields
    )


def finite(data: pl.DataFrame, column: str) -> pl.DataFrame:
    """Return the rows of ``data`` where ``column`` holds a finite number."""
    values = pl.col(column).cast(pl.Float64)
    return data.filter(values.is_not_null() & values.is_finite())


def note(title: str, text: str) -> alt.Chart:
    """Return a chart that only says ``text`` (drawn where there is nothing to plot)."""
    chart: alt.Chart = (
        alt.Chart(pl.DataFrame({"note": [text]}), title=title or alt.Undefined)
        .mark_text(align="left", baseline="middle", fontSize=13, color="#555555")
        .encode(x=alt.value(0), y=alt.value(20), text=alt.Text("note", type="nominal"))
        .properties(width=560, height=40)
    )
    return chart


def order_of(data: pl.DataFrame, column: str) -> list[str]:
    """Return the distinct values of ``column`` as text, in the order they come."""
    return [str(v) for v in dict.fromkeys(data.get_column(column).to_list()) if v is not None]


def category_sort(data: pl.DataFrame, category: str, value: str, sort: Sort) -> Any:
    """Return the axis sort of ``category``: by mean ``value`` (largest first), name, or as is.

    Examples
    --------
    >>> f = pl.DataFrame({"channel": ["a", "b", "a"], "revenue": [1.0, 3.0, 2.0]})
    >>> [category_sort(f, "channel", "revenue", s) for s in ("value", "none")]
    [['b', 'a'], ['a', 'b']]
    """
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
        return order_of(data, category)
    raise ParameterError(f"sort must be 'value', 'category' or 'none'; got {sort!r}")
