"""The attribution page's incremental section: credit with intervals, evidence levels, checks."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import polars as pl
import pytest
from conftest import CiRun

import attribution as at
from attribution.report.evidence import incremental_view
from attribution.report.notebook import table
from attribution.report.params import load_params, parse_params
from attribution.report.shared import RunData, open_run

ROOT = Path(__file__).resolve().parents[2]

HOSTILE = "<img src=x onerror=alert(1)>"


def test_the_page_shows_the_incremental_model_its_evidence_and_the_checks(
    ci_run: CiRun,
) -> None:
    tables = ci_run.result.run_dir / "tables" / "02_attribution"
    channels = pl.read_parquet(tables / "incremental_evidence.parquet")
    assert set(channels["evidence"]) <= {"experiment", "model", "presence only"}
    assert (channels["ci_low"] <= channels["ci_high"]).all()
    assert channels["share"].sum() == pytest.approx(1.0)
    checks = pl.read_parquet(tables / "model_checks.parquet")
    assert "incremental" in checks["model"].to_list()
    assert checks["supported"].sum() <= 1
    page = (ci_run.result.run_dir / "02_attribution.html").read_text()
    assert "Which model is right" in page and "Model checks on these data" in page


def test_a_hostile_channel_name_is_escaped_in_the_section() -> None:
    ds = at.demo.generate(n_accounts=1_500, seed=0, experiments=["webinar"])
    touches = (
        ds.touches.lazy()
        .collect()
        .with_columns(
            pl.when(pl.col("channel") == "webinar")
            .then(pl.lit(HOSTILE))
            .otherwise(pl.col("channel"))
            .alias("channel")
        )
    )
    experiments = ds.experiments.lazy().collect().with_columns(pl.lit(HOSTILE).alias("channel"))
    tables = {**{k: v.lazy().collect() for k, v in ds.tables().items()}, "touches": touches}
    tables["experiments"] = experiments
    data = at.validate(tables)
    run = RunData(parse_params({"intervals": {"draws": 20}}), data)
    view = incremental_view(run)
    assert HOSTILE in view.channels["channel"].to_list()
    rendered = table(view.channels)._repr_html_() + table(view.notes)._repr_html_()
    rendered += table(view.experiments)._repr_html_()
    rendered += table(view.calibration_shown)._repr_html_()
    assert HOSTILE not in rendered and "&lt;img" in rendered
    assert HOSTILE in view.experiments["channel"].to_list()
    assert view.calibration_shown["channel"].to_list() == [HOSTILE]
    assert HOSTILE not in view.experiments_note
    assert HOSTILE not in view.summary and HOSTILE not in view.checks.reason
    # an experiment too noisy to move the model is named in the evidence text, escaped
    assert view.result.calibration is not None
    weak = view.result.calibration.with_columns(weight=pl.lit(0.01))
    noisy = dataclasses.replace(view, result=dataclasses.replace(view.result, calibration=weak))
    assert "weight below 0.1" in noisy.experiments_note
    assert HOSTILE not in noisy.experiments_note and "&lt;img" in noisy.experiments_note
    assert HOSTILE not in view.calibration_note


def test_a_demo_run_with_experiments_shows_their_lift_and_evidence(tmp_path: Path) -> None:
    """``source.demo.experiments`` simulates holdouts; the page measures and calibrates by them."""
    from attribution.report import run

    params = parse_params(
        {
            "run_name": "experiments",
            "source": {"demo": {"accounts": 1_500, "seed": 1, "experiments": ["webinar"]}},
            "models": {"models": ["linear", "markov"], "refit_draws": 20},
            "intervals": {"draws": 20},
        }
    )
    assert params.source.demo is not None and params.source.demo.experiments == ["webinar"]
    result = run(params, only=["02_attribution"], out=tmp_path, progress=False, log=io.StringIO())
    tables = result.run_dir / "tables" / "02_attribution"
    channels = pl.read_parquet(tables / "incremental_evidence.parquet")
    webinar = channels.filter(pl.col("channel") == "webinar").row(0, named=True)
    assert webinar["evidence"] == "experiment" and webinar["scale"] >= 0
    assert set(channels.filter(pl.col("channel") != "webinar")["evidence"]) <= {
        "model",
        "presence only",
    }
    calibration = pl.read_parquet(tables / "experiment_calibration.parquet")
    row = calibration.row(0, named=True)
    assert calibration["channel"].to_list() == ["webinar"] and 0 <= row["experiment_weight"] <= 1
    assert row["scale"] == pytest.approx(webinar["scale"], abs=1e-3)
    low, high = sorted([row["measured_lift"], row["model_lift"]])
    assert low - 1e-3 <= row["calibrated_lift"] <= high + 1e-3
    assert row["measured_low"] <= row["measured_lift"] <= row["measured_high"]
    lifts = pl.read_parquet(tables / "experiment_lift.parquet")
    assert lifts["outcome"].to_list() == ["opportunity", "win", "revenue"]
    assert (lifts["ci_low"] <= lifts["lift"]).all() and (lifts["lift"] <= lifts["ci_high"]).all()
    page = (result.run_dir / "02_attribution.html").read_text()
    assert "What the experiments measured" in page and "channels calibrated: webinar" in page
    assert "Experiment weight" in page and "weighs the experiment" in page


def test_the_default_run_simulates_an_experiment_and_bad_channels_are_named() -> None:
    default = load_params(ROOT / "params" / "default.yaml")
    assert default.source.demo is not None and default.source.demo.experiments == ["webinar"]
    with pytest.raises(at.ParameterError, match=r"source\.demo\.experiments.*'demo'"):
        parse_params({"source": {"demo": {"experiments": ["demo"]}}})
    with pytest.raises(at.ParameterError, match="holdout_share"):
        parse_params({"source": {"demo": {"experiments": ["email"], "holdout_share": 1.0}}})


def test_without_experiments_the_section_says_how_to_add_one() -> None:
    run = open_run("", {"source": {"demo": {"accounts": 1_000}}, "models": {"refit_draws": 20}})
    view = incremental_view(run)
    assert view.lifts is None and view.experiments.height == 0
    assert "No experiment in these data" in view.experiments_note
    assert "experiment" not in set(view.channels["evidence"])
    assert view.calibration_shown.height == 0 and view.result.calibration is None
