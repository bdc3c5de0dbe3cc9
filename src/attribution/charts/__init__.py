"""Altair chart builders in one house style.

Every builder takes a small, already aggregated polars frame and returns an altair chart;
nothing is shown or saved here. One registered theme (:data:`THEME`) sets fonts, sizes and
the currency symbol; colours carry meaning and never change between reports:

* marketing is always blue and sales always orange (:data:`TEAM_COLORS`), their joint work
  green and the baseline (no touches) grey;
* won, lost and open deals, the scorecard's statuses and the models have their own
  palettes (:data:`STATUS_COLORS`, :data:`SCORECARD_COLORS`, :data:`MODEL_COLORS`);
* other categories use the Okabe-Ito palette, which stays distinguishable for the common
  kinds of colour blindness.

Money is formatted with d3's ``$`` directive, which prints the currency symbol of the
theme's number locale, so one call to :func:`use_theme` switches every chart to euros.
Tooltips show values rounded to what the axis shows.

The modules: :mod:`~attribution.charts.theme` (theme, colours, value formats),
:mod:`~attribution.charts.blocks` (what every builder is made of), and the builders by
kind: :mod:`~attribution.charts.totals` (bars, lines, period bars, shares),
:mod:`~attribution.charts.estimates` (intervals, heatmap, calibration),
:mod:`~attribution.charts.stages` (funnel), :mod:`~attribution.charts.agreed`
(threshold bars, target progress, SLA months) and :mod:`~attribution.charts.timeline` (one
deal's touches and milestones in time). Importing the package enables the theme.

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

from attribution.charts.agreed import sla_months, target_progress, threshold_bars
from attribution.charts.blocks import MAX_ROWS, NO_ESTIMATE, Drawn, Sort
from attribution.charts.estimates import calibration, heatmap, intervals
from attribution.charts.stages import funnel
from attribution.charts.theme import (
    MODEL_COLORS,
    NEUTRAL,
    OKABE_ITO,
    OTHER_COLORS,
    SCORECARD_COLORS,
    STATUS_COLORS,
    TEAM_COLORS,
    THEME,
    ValueKind,
    color_scale,
    label,
    use_theme,
    value_format,
)
from attribution.charts.timeline import timeline
from attribution.charts.totals import TimeUnit, bars, lines, period_bars, stacked_share

__all__ = [
    "MAX_ROWS",
    "MODEL_COLORS",
    "NEUTRAL",
    "NO_ESTIMATE",
    "OKABE_ITO",
    "OTHER_COLORS",
    "SCORECARD_COLORS",
    "STATUS_COLORS",
    "TEAM_COLORS",
    "THEME",
    "Drawn",
    "Sort",
    "TimeUnit",
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
    "timeline",
    "use_theme",
    "value_format",
]

use_theme()
