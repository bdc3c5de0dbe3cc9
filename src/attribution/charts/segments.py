"""One chart per segment in one: a value chosen from a list redraws the chart for it."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import polars as pl

from attribution.charts.theme import NEUTRAL, label, value_format
from attribution.errors import ParameterError

__all__ = ["SEGMENT_PARAM", "per_segment_bars"]

SEGMENT_PARAM = "chosen_segment"
"""Name of the chart's parameter bound to the list of values."""


def per_segment_bars(
    frame: pl.DataFrame,
    *,
    segment: str,
    category: str,
    value: str,
    values: Sequence[str],
    title: str,
    by: str = "segment",
) -> alt.Chart:
    """Horizontal bars of ``value`` per ``category`` for the segment chosen in a list.

    The list (a Vega-Lite parameter bound to a select, :data:`SEGMENT_PARAM`) holds
    ``values`` in order and starts on the first; the chart needs no script of its own.

    Examples
    --------
    >>> f = pl.DataFrame({"segment": ["A", "A", "B"], "channel": ["x", "y", "x"],
    ...                   "revenue": [1.0, 2.0, 3.0]})
    >>> spec = per_segment_bars(f, segment="segment", category="channel", value="revenue",
    ...                         values=["A", "B"], title="Revenue").to_dict()
    >>> spec["params"][0]["bind"]["options"], spec["params"][0]["value"]
    (['A', 'B'], 'A')
    """
    missing = [c for c in (segment, category, value) if c not in frame.columns]
    if missing or not values:
        raise ParameterError(
            f"per_segment_bars needs columns {segment}, {category}, {value} and values; "
            f"missing: {', '.join(missing) or 'the values'}"
        )
    chosen = alt.param(
        name=SEGMENT_PARAM,
        value=values[0],
        bind=alt.binding_select(options=list(values), name=f"{label(by)}: "),
    )
    data = frame.select(pl.col(segment).alias("_segment"), pl.col(category), pl.col(value))
    chart: alt.Chart = (
        alt.Chart(data, title=title)
        .mark_bar(color=NEUTRAL)
        .encode(
            y=alt.Y(f"{category}:N", sort="-x", title=None, axis=alt.Axis(labelLimit=360)),
            x=alt.X(
                f"{value}:Q", title=label(value), axis=alt.Axis(format=value_format("currency"))
            ),
            tooltip=[
                alt.Tooltip(f"{category}:N", title=label(category)),
                alt.Tooltip(
                    f"{value}:Q", title=label(value), format=value_format("currency", tooltip=True)
                ),
            ],
        )
        .add_params(chosen)
        .transform_filter(alt.datum["_segment"] == chosen)
        .properties(width=520)
    )
    return chart
