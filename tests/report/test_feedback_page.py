"""The sales-insight page: registered, shown on the CI run, and safe with hostile values."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import nbformat
import polars as pl
import pytest
from conftest import CiRun

import attribution as at
from attribution.report import runner as report
from attribution.report.feedback_page import feedback_view
from attribution.report.notebook import table
from attribution.report.sections import RunParams
from attribution.report.shared import RunData

EVIL = '</script><img src=x onerror="alert(1)">'
FORMULA = '=HYPERLINK("http://x")'


def _markdown_outputs(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [
        o["data"]["text/markdown"]
        for c in nb.cells
        for o in c.get("outputs", [])
        if "text/markdown" in o.get("data", {})
    ]


def test_the_ci_run_shows_the_page_with_its_caveats(ci_run: CiRun) -> None:
    run_dir = ci_run.result.run_dir
    status = {n.name: n.status for n in ci_run.result.notebooks}
    assert status["06_feedback"] == "ok"
    said = "\n".join(_markdown_outputs(run_dir / "06_feedback.ipynb"))
    assert "not a measured cause" in said and "An association" in said
    assert "owned by **sales**" in said  # the win-rate target's owner beside the losses
    tables = run_dir / "tables" / "06_feedback"
    reasons = pl.read_parquet(tables / "loss_reasons.parquet")
    assert reasons["lost"].sum() == reasons["group_lost"][0]
    assert (tables / "thin_open_deals.csv").is_file()


def _hostile() -> at.Dataset:
    ds = at.demo.generate(n_accounts=600, seed=6)
    opps, contacts, accounts, touches = ds.opportunities, ds.contacts, ds.accounts, ds.touches
    assert isinstance(opps, pl.DataFrame) and isinstance(contacts, pl.DataFrame)
    assert isinstance(accounts, pl.DataFrame) and isinstance(touches, pl.DataFrame)
    evil = pl.lit(EVIL)
    return dataclasses.replace(
        ds,
        opportunities=opps.with_columns(
            pl.when(pl.col("lost_reason").is_not_null()).then(evil).alias("lost_reason")
        ),
        contacts=contacts.with_columns(
            pl.when(pl.col("disqualified_reason").is_not_null())
            .then(pl.lit(FORMULA))
            .alias("disqualified_reason"),
            pl.when(pl.col("title").is_not_null()).then(pl.lit("VP " + EVIL)).alias("title"),
        ),
        accounts=accounts.with_columns(
            evil.alias("industry"), evil.alias("region"), evil.alias("segment")
        ),
        touches=touches.with_columns(
            pl.when(pl.col("campaign").is_not_null()).then(evil).alias("campaign")
        ),
    )


@pytest.mark.filterwarnings("ignore")  # small data: the estimates warn, the page says so
def test_every_field_the_page_shows_is_escaped() -> None:
    params = dataclasses.replace(
        RunParams(), intervals=dataclasses.replace(RunParams().intervals, draws=40)
    )
    fb = feedback_view(RunData(params, _hostile()))
    texts = [
        fb.heard_markdown(),
        fb.rejections_markdown(),
        fb.profile_markdown(),
        fb.buying_markdown(),
    ]
    assert EVIL.split()[0] not in "".join(texts)  # no raw tag in any sentence
    assert any("&lt;img" in t for t in texts)
    frames = [
        fb.loss_reasons(),
        fb.loss_reasons(by="channel"),
        fb.loss_changes(),
        fb.rejections(),
        fb.disqualification_reasons(),
        fb.recycled(),
        fb.profile_table("segment"),
        fb.profile_table("industry"),
        fb.profile_terms(),
        fb.reach(),
        fb.group_sizes(),
        fb.thin_deals(),
    ]
    shown = [f for f in frames if f.height]
    assert len(shown) >= 8
    for frame in shown:
        page = table(frame).html
        assert "<img" not in page


def test_the_page_renders_hostile_values_as_text(tmp_path: Path) -> None:
    folder = tmp_path / "crm"
    folder.mkdir()
    for name, frame in _hostile().tables().items():
        assert isinstance(frame, pl.DataFrame)
        frame.write_parquet(folder / f"{name}.parquet")
    params = tmp_path / "params.yaml"
    params.write_text(
        f"run_name: hostile\nsource:\n  path: {folder}\nintervals:\n  draws: 40\n",
        encoding="utf-8",
    )
    result = report.run(
        params, out=tmp_path / "out", only=["06_feedback"], progress=False, log=io.StringIO()
    )
    assert [n.status for n in result.notebooks] == ["ok"], result.notebooks
    page = (result.run_dir / "06_feedback.html").read_text(encoding="utf-8")
    # the values reach the page (in tables, sentences and chart data) only as text:
    # never as a tag, and never closing the script that holds a chart's data
    assert "<img src=x" not in page
    assert "</script><img" not in page
    csv = (result.run_dir / "tables" / "06_feedback" / "disqualification_reasons.csv").read_text()
    assert "\n=HYPERLINK" not in csv and ",=HYPERLINK" not in csv


@pytest.mark.parametrize("key", ["loss_reasons", "disqualified", "profile", "buying_group"])
def test_without_the_fields_each_section_says_what_it_needs(key: str) -> None:
    ds = at.demo.generate(n_accounts=200, seed=1)
    bare = dataclasses.replace(
        ds, contacts=None, accounts=None, opportunities=ds.opportunities.drop("lost_reason")
    )  # type: ignore[union-attr]
    run = RunData(RunParams(), bare)
    assert run.needs(key).startswith("> **Not shown: this needs")
    fb = feedback_view(run)
    assert fb.loss_reasons().height == 0 and fb.heard_markdown() == ""
    assert fb.thin_deals().height == 0 and fb.buying_markdown() == ""
