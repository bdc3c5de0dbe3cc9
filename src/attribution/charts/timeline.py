"""One deal on a time line: its touches in a lane per team, its milestones above them.

:func:`timeline` draws the events of one deal (:func:`attribution.money.deal.deal_journey`):
each touch a dot in its team's lane, coloured by channel, with the channel, campaign,
activity and each model's credit on hover; each milestone (lead, MQL, SQL, opportunity
created, stage changes, won or lost) a dashed rule across the lanes, labelled on a row of
its own above them, so no two labels can collide. Names from the data are chart data and
titles, never markup (:mod:`attribution.report.embed` writes the spec as escaped JSON).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import altair as alt
import polars as pl

from attribution.charts.blocks import checked
from attribution.charts.theme import NEUTRAL, OTHER_COLORS, TEAM_COLORS, color_scale, label
from attribution.data.schema import ACTIVITY, CAMPAIGN, CHANNEL, MARKETING, SALES, TEAM

__all__ = ["timeline"]

_WIDTH = 560
_ROW = 16  # pixels per milestone label row
_AXIS_FORMAT = "%Y-%m-%d"
_SHAPES = ("circle", "square", "triangle-up", "diamond")


def _milestone_label(event: pl.Expr) -> pl.Expr:
    names = {
        "lead": "lead created",
        "mql": "MQL",
        "sql": "SQL",
        "created": "opportunity created",
        "won": "won",
        "lost": "lost",
    }
    return event.replace_strict(names, default=event)


def timeline(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    credits: Sequence[str] = (),
    channels: Sequence[str] = (),
    title: str = "",
) -> alt.VConcatChart:
    """Draw one deal's touches by team and its milestones on a time line.

    Parameters
    ----------
    frame
        The deal's events, as :func:`attribution.money.deal.deal_journey` returns them:
        ``at``, ``event`` (``touch`` or a milestone), ``team``, ``channel``, and
        optionally ``campaign``, ``activity`` and credit columns.
    credits
        Columns holding each model's share of the deal per touch (``credit <model>``),
        shown on hover.
    channels
        Every channel of the report, so that a channel has the same colour in every
        deal's chart (default: the deal's own).
    title
        Chart title (text, e.g. the deal's id and amount).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> t = lambda d: datetime(2026, 1, d, tzinfo=timezone.utc)
    >>> f = pl.DataFrame({"at": [t(2), t(5), t(9), t(20)],
    ...     "event": ["touch", "created", "touch", "won"],
    ...     "team": ["marketing", None, "sales", None],
    ...     "channel": ["email", None, "call", None],
    ...     "credit linear": [0.5, None, 0.5, None]})
    >>> spec = timeline(f, credits=["credit linear"], title="D-1").to_dict()
    >>> len(spec["vconcat"]), spec["title"]
    (2, 'D-1')
    """
    data = checked(frame, "timeline", ["at", "event", TEAM, CHANNEL, *credits])
    safe = {c: f"credit_{i}" for i, c in enumerate(credits)}  # field names never from data
    data = data.rename(safe).with_columns(pl.col("at").cast(pl.Datetime("us", "UTC")))
    touches = data.filter(pl.col("event") == "touch").with_columns(
        pl.col(TEAM).cast(pl.String).fill_null("(no team)"),
        pl.col(CHANNEL).cast(pl.String).fill_null("(none)"),
    )
    milestones = (
        data.filter((pl.col("event") != "touch") & pl.col("at").is_not_null())
        .select("at", _milestone_label(pl.col("event").cast(pl.String)).alias("milestone"))
        .with_row_index("row")
    )
    middle, x_scale = _time_scale(data["at"])
    lanes = [MARKETING, SALES, *sorted(set(touches[TEAM].to_list()) - {MARKETING, SALES})]
    names = [str(c) for c in dict.fromkeys([*channels, *touches[CHANNEL].to_list()])]
    scale = color_scale(names)
    if any(n in TEAM_COLORS for n in names):  # a channel named like a team: no team colour
        scale = alt.Scale(domain=names, range=[OTHER_COLORS[i % 8] for i in range(len(names))])
    tips = _tips(touches, credits, safe)
    axis = alt.Axis(format=_AXIS_FORMAT, labelOverlap=True, labelFlush=True)  # UTC: the scale
    x = alt.X("at", type="temporal", scale=x_scale, title="Date (UTC)", axis=axis)
    dots = (
        alt.Chart(touches)
        .mark_point(filled=True, size=90, opacity=0.85)
        .encode(
            x=x,
            y=alt.Y(TEAM, type="nominal", sort=lanes, scale=alt.Scale(domain=lanes), title=None),
            color=alt.Color(CHANNEL, type="nominal", title=label(CHANNEL), scale=scale),
            shape=alt.Shape(  # with colour, tells apart more channels than there are colours
                CHANNEL,
                type="nominal",
                title=label(CHANNEL),
                scale=alt.Scale(
                    domain=names,
                    range=[_SHAPES[i // len(OTHER_COLORS) % 4] for i in range(len(names))],
                ),
            ),
            tooltip=tips,
        )
    )
    rules = (
        alt.Chart(milestones)
        .mark_rule(color=NEUTRAL, strokeDash=[4, 3], opacity=0.7)
        .encode(x=x, tooltip=[alt.Tooltip("milestone", type="nominal", title="Milestone")])
    )
    lower = alt.layer(rules, dots).properties(width=_WIDTH, height=44 * len(lanes))
    upper = _labels(milestones, alt.X("at", type="temporal", scale=x_scale, axis=None), middle)
    upper = upper.properties(width=_WIDTH, height=max(1, milestones.height) * _ROW)
    chart: alt.VConcatChart = alt.vconcat(
        upper, lower, spacing=4, title=title or alt.Undefined
    ).resolve_scale(x="shared")
    return chart


def _tips(touches: pl.DataFrame, credits: Sequence[str], safe: dict[str, str]) -> list[Any]:
    """Return a touch's tooltip: when, team, channel, campaign, activity, each model's credit."""
    return [
        alt.Tooltip(
            "at",
            type="temporal",
            timeUnit="utcyearmonthdatehoursminutes",  # shown in UTC, whatever the browser's zone
            title="When (UTC)",
            format="%Y-%m-%d %H:%M",
        ),
        alt.Tooltip(TEAM, type="nominal", title=label(TEAM)),
        alt.Tooltip(CHANNEL, type="nominal", title=label(CHANNEL)),
        *(
            alt.Tooltip(c, type="nominal", title=label(c))
            for c in (CAMPAIGN, ACTIVITY)
            if c in touches.columns
        ),
        *(
            alt.Tooltip(
                safe[c], type="quantitative", title=f"{c} (share of the deal)", format=".1%"
            )
            for c in credits
        ),
    ]


def _time_scale(at: pl.Series) -> tuple[datetime, alt.Scale]:
    """Return the middle of the events' span and a UTC scale over it, with a margin."""
    times = at.drop_nulls()
    first: datetime = times.min() or datetime(2000, 1, 1, tzinfo=UTC)  # type: ignore[assignment]
    last: datetime = times.max() or first  # type: ignore[assignment]
    pad = max((last - first) / 25, timedelta(days=1))
    domain = [(first - pad).isoformat(), (last + pad).isoformat()]
    return first + (last - first) / 2, alt.Scale(domain=domain, type="utc")


def _labels(milestones: pl.DataFrame, x: alt.X, middle: datetime) -> alt.LayerChart:
    """Each milestone's name on its own row: left of its date in the right half, else right."""
    y = alt.Y("row", type="ordinal", axis=None)
    base = alt.Chart(milestones).encode(x=x, y=y)
    ticks = base.mark_point(shape="diamond", filled=True, size=40, color=NEUTRAL)
    late = pl.col("at") > pl.lit(middle)
    text = {"text": alt.Text("milestone", type="nominal")}
    left = (
        alt.Chart(milestones.filter(~late))
        .mark_text(align="left", dx=7, fontSize=11, color="#333333", limit=_WIDTH // 2 - 10)
        .encode(x=x, y=y, **text)
    )
    right = (
        alt.Chart(milestones.filter(late))
        .mark_text(align="right", dx=-7, fontSize=11, color="#333333", limit=_WIDTH // 2 - 10)
        .encode(x=x, y=y, **text)
    )
    return alt.LayerChart(layer=[ticks, left, right])
