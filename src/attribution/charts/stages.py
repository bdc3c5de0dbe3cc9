"""Stages: how many reach each step of a funnel, and what share of the step before."""

from __future__ import annotations

import json

import altair as alt
import polars as pl

from attribution.charts.blocks import (
    Drawn,
    Tips,
    checked,
    finite,
    order_of,
    readable_tips,
    tooltips,
    value_axis,
)
from attribution.charts.theme import NEUTRAL, ValueKind, label, value_format

__all__ = ["funnel"]


def funnel(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    stage: str,
    value: str,
    rate: str | None = None,
    kind: ValueKind = "count",
    title: str = "",
    tooltip: Tips = (),
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
    data = checked(frame, "funnel", [stage, value] + ([rate] if rate else []))
    data, tooltip = readable_tips(data, tooltip)  # a stage with no figure reads "n/a"
    top = float(finite(data, value).get_column(value).max() or 1.0)  # type: ignore[arg-type]
    base = alt.Chart().encode(
        y=alt.Y(
            stage,
            type="nominal",
            sort=order_of(data, stage),
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
            axis=value_axis(kind),
            scale=alt.Scale(domain=[0, top * 1.5], nice=False),
        ),
    )
    tips: list[tuple[str, ValueKind | None]] = [(stage, None), (value, kind)]
    tips += [(rate, "share")] if rate else []
    bars = base.mark_bar(color=NEUTRAL).encode(tooltip=tooltips(data, [*tips, *tooltip]))
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
