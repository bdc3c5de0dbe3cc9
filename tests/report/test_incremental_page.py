"""The attribution page's incremental section: credit with intervals, evidence levels, checks."""

from __future__ import annotations

import polars as pl
import pytest
from conftest import CiRun

import attribution as at
from attribution.report.evidence import incremental_view
from attribution.report.notebook import table
from attribution.report.params import parse_params
from attribution.report.shared import RunData

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
    assert HOSTILE not in rendered and "&lt;img" in rendered
    assert HOSTILE not in view.summary and HOSTILE not in view.checks.reason
