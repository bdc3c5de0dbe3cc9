"""Chart builders: house theme, fixed team colours, formats, tooltips, size limits."""

from __future__ import annotations

import json
import re
from datetime import date

import altair as alt
import polars as pl
import pytest
import vl_convert as vlc

from attribution import ParameterError, charts

TEAMS = pl.DataFrame(
    {
        "month": [date(2025, 1, 1), date(2025, 1, 1), date(2025, 2, 1), date(2025, 2, 1)],
        "team": ["sales", "marketing", "sales", "marketing"],
        "revenue": [1200.4, 800.0, 300.0, 950.5],
    }
)


def _builders() -> dict[str, alt.TopLevelMixin]:
    """One chart of every builder, coloured by team where the builder can colour."""
    return {
        "bars": charts.bars(
            TEAMS, category="month", value="revenue", color="team", kind="currency"
        ),
        "lines": charts.lines(TEAMS, time="month", value="revenue", color="team", kind="currency"),
        "period_bars": charts.period_bars(
            TEAMS, time="month", value="revenue", color="team", kind="currency"
        ),
        "stacked_share": charts.stacked_share(
            TEAMS, part="team", value="revenue", group="month", kind="currency"
        ),
    }


def _walk(spec: object) -> list[dict]:
    """Every dict inside a spec (to find encodings in layers)."""
    found = []
    if isinstance(spec, dict):
        found.append(spec)
        for v in spec.values():
            found += _walk(v)
    elif isinstance(spec, list):
        for v in spec:
            found += _walk(v)
    return found


def test_the_house_theme_is_registered_and_active() -> None:
    assert alt.theme.active == charts.THEME
    config = charts.bars(TEAMS, category="team", value="revenue").to_dict()["config"]
    assert config["locale"]["number"]["currency"] == ["$", ""]
    assert config["range"]["category"] == list(charts.OTHER_COLORS)
    team = {charts.TEAM_COLORS["marketing"], charts.TEAM_COLORS["sales"]}
    assert not team & set(config["range"]["category"]), "the team colours mean the teams only"


def test_use_theme_switches_the_currency_of_every_chart() -> None:
    try:
        charts.use_theme(currency="€")
        spec = charts.bars(TEAMS, category="team", value="revenue", kind="currency").to_dict()
        assert spec["config"]["locale"]["number"]["currency"] == ["€", ""]
        svg = vlc.vegalite_to_svg(spec)
        assert "€" in svg and "$" not in re.sub(r"<[^>]+>", "", svg)
    finally:
        charts.use_theme()


@pytest.mark.parametrize("bad", ["", "EURO EURO", 3])
def test_bad_currency_is_refused(bad: object) -> None:
    with pytest.raises(ParameterError, match="currency"):
        charts.use_theme(currency=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["bars", "lines", "period_bars", "stacked_share"])
def test_marketing_and_sales_have_the_same_colours_in_every_builder(name: str) -> None:
    spec = _builders()[name].to_dict()
    scales = [d["scale"] for d in _walk(spec) if "scale" in d and "domain" in d["scale"]]
    assert scales, "the chart has no colour scale"
    for scale in scales:
        mapping = dict(zip(scale["domain"], scale["range"], strict=True))
        assert mapping == {"marketing": "#0072B2", "sales": "#E69F00"}
        assert scale["domain"] == ["marketing", "sales"], "teams keep one order"


def test_team_split_labels_get_the_team_colours() -> None:
    scale = charts.color_scale(
        ["no touches", "sales only", "marketing and sales", "marketing only"]
    )
    mapping = dict(zip(scale.domain, scale.range, strict=True))  # type: ignore[arg-type]
    assert mapping["marketing only"] == charts.TEAM_COLORS["marketing"]
    assert mapping["sales only"] == charts.TEAM_COLORS["sales"]
    assert mapping["marketing and sales"] == charts.TEAM_COLORS["joint"]
    assert scale.domain == ["marketing and sales", "marketing only", "sales only", "no touches"]


def test_fixed_colours_come_from_a_colour_blind_safe_palette() -> None:
    core = [charts.TEAM_COLORS[k] for k in ("marketing", "sales", "joint", "baseline")]
    assert set(core) <= set(charts.OKABE_ITO) | {"#999999"} and len(set(core)) == 4
    reserved = set(core[:3])
    for palette in (
        charts.STATUS_COLORS,
        charts.SCORECARD_COLORS,
        charts.MODEL_COLORS,
        dict(enumerate(charts.OTHER_COLORS)),
    ):
        assert not reserved & set(palette.values()), "team colours mean the teams only"
    outcomes = [charts.STATUS_COLORS[k] for k in ("won", "lost", "open")]
    assert len(set(outcomes)) == 3
    assert len(set(charts.MODEL_COLORS.values())) == len(charts.MODEL_COLORS)


def test_other_categories_avoid_the_team_colours_first() -> None:
    scale = charts.color_scale(["email", "webinar", "event"])
    assert not set(scale.range) & {"#0072B2", "#E69F00"}  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["bars", "lines", "period_bars", "stacked_share"])
def test_money_is_formatted_and_every_tooltip_number_is_rounded(name: str) -> None:
    spec = _builders()[name].to_dict()
    text = json.dumps(spec)
    assert '"$,.0f"' in text or name == "stacked_share"
    tooltips = [t for d in _walk(spec) for t in (d.get("tooltip") or []) if isinstance(t, dict)]
    assert tooltips, "the chart has tooltips"
    for tip in tooltips:
        if tip.get("type") == "quantitative":
            assert tip.get("format"), f"tooltip {tip['field']} is not rounded"
        assert tip.get("title") and "_" not in tip["title"], "tooltip titles are readable"


def test_counts_have_whole_ticks_and_shares_percent() -> None:
    counts = charts.bars(TEAMS, category="team", value="revenue", kind="count").to_dict()
    assert counts["encoding"]["x"]["axis"] == {"format": ",.0f", "tickMinStep": 1}
    shares = charts.bars(TEAMS, category="team", value="revenue", kind="share").to_dict()
    assert shares["encoding"]["x"]["axis"]["format"] == ".0%"
    assert shares["encoding"]["tooltip"][-1]["format"] == ".1%"


def test_axis_titles_are_readable() -> None:
    spec = charts.bars(
        pl.DataFrame({"won_revenue": [1.0], "involvement": ["sales only"]}),
        category="involvement",
        value="won_revenue",
    ).to_dict()
    assert spec["encoding"]["x"]["title"] == "Won revenue"
    assert spec["encoding"]["y"]["title"] is None, "rows are named by the chart's title"
    assert charts.label("n_touches") == "Touches"


@pytest.mark.parametrize("name", ["bars", "lines", "period_bars", "stacked_share"])
def test_every_builder_compiles_and_renders(name: str) -> None:
    svg = vlc.vegalite_to_svg(_builders()[name].to_dict())
    assert svg.startswith("<svg") and "marks" in svg


def test_too_many_rows_ask_for_aggregation() -> None:
    big = pl.DataFrame({"channel": [f"c{i}" for i in range(5_001)], "touches": range(5_001)})
    with pytest.raises(ParameterError, match=r"5,001 rows.*aggregate"):
        charts.bars(big, category="channel", value="touches")


def test_a_missing_column_is_named() -> None:
    with pytest.raises(
        ParameterError,
        match=r"charts.bars: column\(s\) 'touches' not in the frame; it has: month, team",
    ):
        charts.bars(TEAMS, category="team", value="touches")


def test_unknown_value_kind_is_refused() -> None:
    with pytest.raises(ParameterError, match="kind must be one of"):
        charts.value_format("euros")  # type: ignore[arg-type]


def test_lazy_frames_are_accepted() -> None:
    spec = charts.bars(TEAMS.lazy(), category="team", value="revenue").to_dict()
    assert spec["mark"]["type"] == "bar"


def test_stacked_share_labels_each_part_with_its_share() -> None:
    chart = charts.stacked_share(
        TEAMS.filter(pl.col("month") == date(2025, 1, 1)), part="team", value="revenue"
    )
    spec = chart.to_dict()
    data = next(iter(spec["datasets"].values()))
    shares = {row["team"]: row["share"] for row in data}
    assert shares == pytest.approx({"sales": 1200.4 / 2000.4, "marketing": 800.0 / 2000.4})
    assert spec["layer"][1]["encoding"]["text"]["format"] == ".0%"


def test_bad_sort_and_unit_are_named() -> None:
    with pytest.raises(ParameterError, match="sort must be"):
        charts.bars(TEAMS, category="team", value="revenue", sort="size")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="unit must be one of"):
        charts.period_bars(TEAMS, time="month", value="revenue", unit="day")  # type: ignore[arg-type]
