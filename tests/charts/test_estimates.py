"""Chart builders for estimates: intervals, agreement heatmap, funnel, calibration, SLA bars."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest
import vl_convert as vlc

from attribution import ParameterError, charts

MODELS = pl.DataFrame(
    {
        "model": ["linear", "markov", "linear", "markov", "linear", "markov"],
        "channel": ["email", "email", "demo", "demo", "call", "call"],
        "revenue": [100.0, 140.0, 80.0, 40.0, 10.0, None],
        "ci_low": [80.0, 100.0, 60.0, 20.0, -5.0, None],
        "ci_high": [120.0, 180.0, 95.0, 70.0, 30.0, None],
    }
)
SPLIT = pl.DataFrame(
    {
        "view": ["components"] * 4 + ["shapley"] * 3,
        "component": ["baseline", "marketing", "sales", "joint", "baseline", "marketing", "sales"],
        "share": [0.2, 0.15, 0.35, 0.3, 0.2, 0.3, 0.5],
        "ci_low": [0.1, -0.05, 0.2, 0.1, 0.1, 0.2, 0.4],
        "ci_high": [0.3, 0.3, 0.5, 0.5, 0.3, 0.4, 0.6],
    }
)


def _walk(spec: object) -> list[dict]:
    found = []
    if isinstance(spec, dict):
        found.append(spec)
        for v in spec.values():
            found += _walk(v)
    elif isinstance(spec, list):
        for v in spec:
            found += _walk(v)
    return found


def _builders() -> dict[str, charts.Drawn]:
    return {
        "intervals": charts.intervals(
            MODELS, category="channel", value="revenue", low="ci_low", high="ci_high",
            group="model",
        ),
        "intervals_bars_facet": charts.intervals(
            SPLIT, category="component", value="share", low="ci_low", high="ci_high",
            color="component", kind="share", bars=True, sort="none", facet="view",
        ),
        "heatmap": charts.heatmap(
            pl.DataFrame({"a": ["x", "x", "y", "y"], "b": ["x", "y", "x", "y"],
                          "rho": [1.0, -0.2, -0.2, 1.0]}),
            x="a", y="b", value="rho",
        ),
        "funnel": charts.funnel(
            pl.DataFrame({"stage": ["lead", "mql", "won"], "accounts": [100, 40, 8],
                          "conversion": [None, 0.4, 0.2]}),
            stage="stage", value="accounts", rate="conversion",
        ),
        "calibration": charts.calibration(
            pl.DataFrame({"bin": [1, 2, 3], "n": [10, 10, 10], "predicted": [0.1, 0.3, 0.5],
                          "observed": [0.12, 0.25, 0.6], "low": [0.0, 0.1, 0.3],
                          "high": [0.4, 0.5, 0.8]}),
            predicted="predicted", observed="observed", low="low", high="high",
        ),
        "threshold_bars": charts.threshold_bars(
            pl.DataFrame({"rep": ["Ann", "Bo", "(no response)"],
                          "median_hours": [3.0, 40.0, None]}),
            category="rep", value="median_hours", threshold=24, threshold_label="SLA 24 h",
        ),
    }  # fmt: skip


@pytest.mark.parametrize("name", list(_builders()))
def test_every_builder_compiles_renders_and_keeps_one_dataset(name: str) -> None:
    spec = _builders()[name].to_dict()
    assert len(spec["datasets"]) == 1, "one table behind the chart (saved by the notebook)"
    svg = vlc.vegalite_to_svg(spec)
    assert svg.startswith("<svg") and "marks" in svg


@pytest.mark.parametrize("name", list(_builders()))
def test_tooltips_are_rounded_and_titled(name: str) -> None:
    spec = _builders()[name].to_dict()
    tips = [t for d in _walk(spec) for t in (d.get("tooltip") or []) if isinstance(t, dict)]
    assert tips, "the chart has tooltips"
    for tip in tips:
        if tip.get("type") == "quantitative":
            assert tip.get("format"), f"tooltip {tip['field']} is not rounded"
        assert tip.get("title") and "_" not in tip["title"]


def test_intervals_dodge_models_within_a_channel_and_skip_missing_estimates() -> None:
    spec = _builders()["intervals"].to_dict()
    point = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "point")
    assert point["encoding"]["yOffset"] == {"field": "model", "sort": ["linear", "markov"],
                                            "type": "nominal"}  # fmt: skip
    # email: mean 120, demo: 60, call: 10 (markov has no estimate there)
    assert point["encoding"]["y"]["sort"] == ["email", "demo", "call"]
    filters = [t["filter"] for t in point.get("transform", [])]
    assert any("isValid" in f and "revenue" in f for f in filters)
    whisker = next(layer for layer in spec["layer"] if "x2" in layer.get("encoding", {}))
    assert whisker["encoding"]["x"]["field"] == "ci_low"
    assert whisker["encoding"]["x2"]["field"] == "ci_high"
    assert spec["layer"][0]["encoding"]["x"] == {"datum": 0}, "a zero line: a low end is < 0"
    assert point["encoding"]["x"]["axis"]["format"] == "$,.0f"


def test_components_keep_the_team_colours_and_one_panel_per_view() -> None:
    spec = _builders()["intervals_bars_facet"].to_dict()
    assert spec["facet"]["row"]["field"] == "view"
    assert spec["resolve"]["scale"]["y"] == "independent"
    bar = next(layer for layer in _walk(spec["spec"]) if layer.get("mark", {}) == {
        "type": "bar", "opacity": 0.85})  # fmt: skip
    scale = bar["encoding"]["color"]["scale"]
    colours = dict(zip(scale["domain"], scale["range"], strict=True))
    assert colours == {
        "marketing": charts.TEAM_COLORS["marketing"],
        "sales": charts.TEAM_COLORS["sales"],
        "joint": charts.TEAM_COLORS["joint"],
        "baseline": charts.TEAM_COLORS["baseline"],
    }
    assert bar["encoding"]["y"]["sort"] == ["baseline", "marketing", "sales", "joint"]
    assert bar["encoding"]["x"]["axis"]["format"] == ".0%"


def test_teams_in_model_comparisons_keep_their_colours() -> None:
    frame = pl.DataFrame(
        {"model": ["a", "a", "a"], "team": ["sales", "marketing", "(no touch)"],
         "revenue": [1.0, 2.0, 3.0], "ci_low": [0.5, 1.0, 2.0], "ci_high": [2.0, 3.0, 4.0]}
    )  # fmt: skip
    spec = charts.intervals(
        frame, category="model", value="revenue", low="ci_low", high="ci_high", group="team"
    ).to_dict()
    point = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "point")
    scale = point["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"], strict=True)) == {
        "marketing": "#0072B2",
        "sales": "#E69F00",
        "(no touch)": "#999999",
    }


def test_no_estimate_gives_a_chart_that_says_so() -> None:
    empty = MODELS.with_columns(pl.lit(None, dtype=pl.Float64).alias("revenue"))
    for chart in (
        charts.intervals(empty, category="channel", value="revenue", low="ci_low", high="ci_high"),
        charts.calibration(
            empty.head(0).with_columns(pl.col("revenue").alias("observed")),
            predicted="revenue",
            observed="observed",
        ),
        charts.threshold_bars(empty, category="channel", value="revenue", threshold=1),
        charts.lines(
            pl.DataFrame(
                {"month": ["2025-01"], "share": [None]},
                schema={"month": pl.String, "share": pl.Float64},
            ),
            time="month",
            value="share",
            time_type="ordinal",
        ),
    ):
        spec = chart.to_dict()
        assert spec["mark"]["type"] == "text"
        (rows,) = spec["datasets"].values()
        assert rows == [{"note": charts.NO_ESTIMATE}]
        assert "marks" in vlc.vegalite_to_svg(spec)


def test_heatmap_keeps_the_order_and_a_diverging_safe_scheme() -> None:
    spec = _builders()["heatmap"].to_dict()
    cells, text = spec["layer"]
    assert cells["encoding"]["x"]["sort"] == ["x", "y"]
    assert cells["encoding"]["color"]["scale"] == {"domain": [-1.0, 1.0], "scheme": "purplegreen"}
    assert text["encoding"]["text"]["format"] == ".2f"


def test_funnel_keeps_the_stage_order_and_labels_rates() -> None:
    spec = _builders()["funnel"].to_dict()
    bars, labels = spec["layer"]
    assert bars["encoding"]["y"]["sort"] == ["lead", "mql", "won"]
    (calc,) = labels["transform"]
    assert "of the step before" in calc["calculate"] and "conversion" in calc["calculate"]
    svg = vlc.vegalite_to_svg(spec)
    assert "40% of the step before" in svg and "MQL" in svg


def test_calibration_draws_the_diagonal_over_a_shared_domain() -> None:
    spec = _builders()["calibration"].to_dict()
    diagonal = spec["layer"][0]
    assert diagonal["encoding"]["x"] == {"datum": 0} and diagonal["encoding"]["x2"] == {
        "datum": 0.8
    }
    point = spec["layer"][-1]
    assert point["encoding"]["x"]["scale"] == point["encoding"]["y"]["scale"]


def test_threshold_bars_mark_what_is_over_the_line() -> None:
    spec = _builders()["threshold_bars"].to_dict()
    bars, line, label = spec["layer"]
    assert bars["encoding"]["color"]["condition"]["test"] == 'datum["median_hours"] > 24.0'
    assert line["encoding"]["x"] == {"datum": 24.0}
    assert label["encoding"]["text"] == {"value": "SLA 24 h"}
    assert bars["encoding"]["x"]["axis"]["format"] == ",.0f"
    svg = vlc.vegalite_to_svg(spec)
    assert "SLA 24 h" in svg and "(no response)" not in svg


def test_period_bars_with_a_selector_start_on_the_first_value() -> None:
    frame = pl.DataFrame(
        {"period": [date(2025, 1, 1)] * 2 + [date(2025, 2, 1)] * 2,
         "model": ["markov", "linear"] * 2, "revenue": [1.0, 2.0, 3.0, 4.0]}
    )  # fmt: skip
    spec = charts.period_bars(
        frame, time="period", value="revenue", kind="currency", selector="model"
    ).to_dict()
    (param,) = spec["params"]
    assert param["value"] == "markov"
    assert param["bind"]["options"] == ["markov", "linear"]
    assert spec["transform"] == [{"filter": f"(datum['model'] === {param['name']})"}]
    assert json.dumps(spec).count('"datasets"') == 1
    assert vlc.vegalite_to_svg(spec).startswith("<svg")


def test_lines_can_run_over_ordered_steps() -> None:
    frame = pl.DataFrame({"decile": [1, 2, 3] * 2, "rate": [0.1, 0.2, 0.4, 0.2, 0.2, 0.3],
                          "score": ["learned"] * 3 + ["current"] * 3})  # fmt: skip
    spec = charts.lines(
        frame, time="decile", value="rate", color="score", kind="share", time_type="ordinal"
    ).to_dict()
    assert spec["encoding"]["x"]["type"] == "ordinal"
    assert spec["encoding"]["y"]["axis"]["format"] == ".0%"


def test_hours_are_a_value_kind() -> None:
    assert charts.value_format("hours") == ",.0f"
    assert charts.value_format("hours", tooltip=True) == ",.1f"


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ParameterError, match=r"charts.intervals: column\(s\) 'nope'"):
        charts.intervals(MODELS, category="channel", value="nope", low="ci_low", high="ci_high")
    with pytest.raises(ParameterError, match="sort must be"):
        charts.intervals(
            MODELS, category="channel", value="revenue", low="ci_low", high="ci_high",
            sort="size",  # type: ignore[arg-type]
        )  # fmt: skip
    with pytest.raises(ParameterError, match="sort must be"):
        charts.threshold_bars(
            MODELS, category="channel", value="revenue", threshold=1,
            sort="size",  # type: ignore[arg-type]
        )  # fmt: skip
