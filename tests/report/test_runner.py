"""The report runner: a full run on params/ci.yaml, its records, and every failure mode."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import nbformat
import papermill
import polars as pl
import pytest
from conftest import CiRun
from helpers import ROOT, plant_previous_run

import attribution as at
from attribution.cli import main
from attribution.data.snapshot import file_sha256
from attribution.errors import NotebookError
from attribution.report.embed import chart_specs
from attribution.report.html import external_references, vega_bundle
from attribution.report.notebooks import notebook_title
from attribution.report.params import load_params
from attribution.report.runner import _Progress

pytestmark = pytest.mark.slow

NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))


# ------------------------------------------------------------------------------ a full run
def test_every_notebook_ran_and_the_old_folder_was_replaced(ci_run: CiRun) -> None:
    run_dir = ci_run.result.run_dir
    assert run_dir == ci_run.out / "ci"
    assert [r.name for r in ci_run.result.notebooks] == NOTEBOOKS
    assert all(r.status == "ok" for r in ci_run.result.notebooks)
    for name in NOTEBOOKS:
        assert (run_dir / f"{name}.ipynb").is_file() and (run_dir / f"{name}.html").is_file()
    assert (run_dir / "index.html").is_file() and (run_dir / "manifest.json").is_file()
    assert not (run_dir / "stale.txt").exists(), "the run replaces the folder as a whole"
    (ci_run.out / "made-by-mkdir").mkdir()
    expected = (ci_run.out / "made-by-mkdir").stat().st_mode & 0o777
    (ci_run.out / "made-by-mkdir").rmdir()
    assert run_dir.stat().st_mode & 0o777 == expected, "as readable as a folder made by mkdir"
    assert [p.name for p in ci_run.out.iterdir()] == ["ci"], "no temporary folder is left"
    assert "00_summary: executed" in ci_run.log and "wrote manifest.json" in ci_run.log


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_executed_notebooks_got_their_parameters_and_have_no_errors(
    ci_run: CiRun, name: str
) -> None:
    nb = nbformat.read(ci_run.result.run_dir / f"{name}.ipynb", as_version=4)
    meta = nb.metadata["papermill"]
    assert not meta.get("exception")
    params = meta["parameters"]
    assert params["data_dir"] == "data" and params["tables_dir"] == f"tables/{name}"
    declared = set(papermill.inspect_notebook(str(ROOT / "notebooks" / f"{name}.ipynb")))
    assert set(params) <= declared, "only declared parameters are injected"
    # every other setting reaches the page whole, from the run's data folder
    settings = json.loads((ci_run.result.run_dir / "data" / "run.json").read_text())
    assert settings["window"]["lookback_days"] == 120.0 and settings["report"]["currency"] == "€"
    assert meta["output_path"] == f"{name}.ipynb" and meta["input_path"] == f"{name}.ipynb"
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", cell.source
            assert output.get("name") != "stderr", output.get("text")


def _chart_specs(nb: nbformat.NotebookNode) -> list[dict]:
    specs = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            specs += chart_specs(output.get("data", {}).get("text/html", ""))
    return specs


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_table_behind_every_chart_is_saved(ci_run: CiRun, name: str) -> None:
    folder = ci_run.result.run_dir / "tables" / name
    parquet = sorted(folder.glob("*.parquet"))
    assert parquet, "the notebook saved its tables"
    heights = set()
    for file in parquet:
        frame = pl.read_parquet(file)
        csv = pl.read_csv(file.with_suffix(".csv"))
        assert csv.height == frame.height and csv.columns == frame.columns
        heights.add(frame.height)
    nb = nbformat.read(ci_run.result.run_dir / f"{name}.ipynb", as_version=4)
    specs = _chart_specs(nb)
    assert specs, "the notebook draws charts"
    for spec in specs:
        if len(spec["datasets"]) > 1:  # a deal's time line: one cut of the deals' journeys
            assert str(spec.get("title", "")).split(" deal ")[0] in {"Won", "Lost"}
            assert (folder / "largest_deal_journeys.parquet").is_file()
            continue
        (rows,) = spec["datasets"].values()
        assert len(rows) in heights, f"chart {spec.get('title')} has no saved table"
        assert spec["config"]["locale"]["number"]["currency"] == ["€", ""]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_html_pages_are_self_contained(ci_run: CiRun, name: str) -> None:
    page = (ci_run.result.run_dir / f"{name}.html").read_text()
    assert external_references(page) == []
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=[\"']https?:", page)
    _, versions = vega_bundle()
    assert page.count(f"var VEGA_DEBUG = {json.dumps(versions)};") == 1, "one bundle per page"
    assert f"<title>{notebook_title(ROOT / 'notebooks' / f'{name}.ipynb')}</title>" in page
    assert "save_table(" not in page and "import attribution" not in page, "no code shown"
    assert 'href="index.html"' in page


def test_index_links_every_report(ci_run: CiRun) -> None:
    page = ci_run.result.index.read_text()
    assert external_references(page) == []
    for name in NOTEBOOKS:
        assert f'href="{name}.html"' in page and f'href="{name}.ipynb"' in page
    assert 'href="tables/00_summary/headline.csv"' in page
    assert "CI run on small demo data" in page and 'href="manifest.json"' in page


def test_the_manifest_records_the_run(ci_run: CiRun) -> None:
    run_dir = ci_run.result.run_dir
    m = json.loads((run_dir / "manifest.json").read_text())
    assert m == json.loads(json.dumps(ci_run.result.manifest, default=str))
    assert m["status"] == "ok" and m["run_name"] == "ci"
    assert m["params"] == load_params(ROOT / "params" / "ci.yaml").to_dict()
    assert m["params_file"] == str(ROOT / "params" / "ci.yaml")
    expected_rows = at.demo.generate(n_accounts=1000, seed=3).row_counts()
    assert {k: v["rows"] for k, v in m["inputs"]["tables"].items()} == expected_rows
    for entry in m["inputs"]["tables"].values():
        assert entry["sha256"] == file_sha256(run_dir / entry["snapshot"])
    assert m["inputs"]["source"] == "demo(n_accounts=1000, seed=3)"
    assert m["inputs"]["demo_truth"] is True
    assert m["versions"]["polars"] and m["versions"]["altair"] and m["versions"]["python"]
    assert re.fullmatch(r"[0-9a-f]{40}", m["git"]["commit"])
    assert {"prepare", "load", "snapshot", "notebooks", "total"} <= set(m["timings"])
    assert [n["name"] for n in m["notebooks"]] == NOTEBOOKS
    assert all(n["seconds"]["execute"] > 0 for n in m["notebooks"])


def test_the_snapshot_is_what_the_notebooks_read(ci_run: CiRun) -> None:
    ds = at.snapshot.read_snapshot(ci_run.result.run_dir / "data")
    again = at.demo.generate(n_accounts=1000, seed=3)
    assert ds.touches.equals(again.touches)


# ------------------------------------------------------------------------------ failures
TINY_OK = [
    ("code", 'data_dir: str = ""  # the snapshot\ntables_dir: str = ""  # tables', ["parameters"]),
    ("code", "import os\nassert os.path.isdir(data_dir)", []),
]
TINY_FAIL = [
    *TINY_OK,
    ("code", "x = 1", []),
    ("code", "raise ValueError('boom in the data: ' + data_dir)", []),
]


def _notebook(path: Path, cells: list[tuple[str, str, list[str]]], title: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {title}")] + [
        nbformat.v4.new_code_cell(src, metadata={"tags": tags}) for _, src, tags in cells
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A params file, a notebooks folder with one tiny good notebook, and a previous report."""
    (tmp_path / "notebooks").mkdir()
    _notebook(tmp_path / "notebooks" / "a_ok.ipynb", TINY_OK, "Fine")
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "p.yaml").write_text(
        "run_name: r\nnotebooks_dir: ../notebooks\nsource: {demo: {accounts: 60}}\n"
    )
    plant_previous_run(tmp_path / "outputs" / "r", {"index.html": "the previous report\n"})
    return tmp_path


def _untouched(project: Path) -> None:
    assert (project / "outputs" / "r" / "index.html").read_text() == "the previous report\n"
    hidden = [p.name for p in (project / "outputs").iterdir() if p.name.startswith(".")]
    assert hidden == [], "no temporary folder is left behind"


def test_the_cli_runs_a_params_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["run", str(project / "params" / "p.yaml"), "--out", str(project / "elsewhere")]) == 0
    )
    out = capsys.readouterr().out
    assert f"open {project / 'elsewhere' / 'r' / 'index.html'}" in out
    assert (project / "elsewhere" / "r" / "a_ok.html").is_file()


def test_a_failing_notebook_exits_1_names_the_cell_and_keeps_the_old_report(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _notebook(project / "notebooks" / "b_fail.ipynb", TINY_FAIL, "Broken")
    code = main(["run", str(project / "params" / "p.yaml"), "--jobs", "2"])
    err = capsys.readouterr().err
    assert code == 1
    partial = project / "outputs" / "r.failed"
    assert '\nerror: notebook b_fail failed in cell 5 (In [5]), which starts "raise' in err
    assert "ValueError: boom in the data: data" in err
    assert (
        f"partial output of b_fail: {partial / 'b_fail.ipynb'} (HTML: {partial / 'b_fail.html'})"
        in err
    )
    assert f"the previous report in {project / 'outputs' / 'r'} is untouched" in err
    _untouched(project)
    manifest = json.loads((partial / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    assert [n["status"] for n in manifest["notebooks"]] == ["ok", "failed"]
    executed = nbformat.read(partial / "b_fail.ipynb", as_version=4)
    assert executed.metadata["papermill"]["exception"] is True
    assert "boom" in (partial / "b_fail.html").read_text()


def test_the_python_api_raises_notebook_error(project: Path) -> None:
    _notebook(project / "notebooks" / "b_fail.ipynb", TINY_FAIL, "Broken")
    with pytest.raises(NotebookError) as info:
        at.report.run(
            project / "params" / "p.yaml", only=["b_fail"], progress=False, log=io.StringIO()
        )
    (failure,) = info.value.failures
    assert failure.error and failure.error["ename"] == "ValueError"
    assert failure.error["cell"] == 5 and failure.error["execution_count"] == 5
    assert info.value.partial_dir == project / "outputs" / "r.failed"


@pytest.mark.parametrize(
    ("params", "args", "message"),
    [
        (
            "source: {demo: {acounts: 5}}\n",
            [],
            "source.demo.acounts: unknown key; did you mean 'accounts'?",
        ),
        (
            "window: {lookback_days: soon}\n",
            [],
            "window.lookback_days: expected a number, got 'soon'",
        ),
        ("source: {path: ../nowhere}\n", [], "source folder"),
        ("notebooks: [a_okk]\n", [], "notebooks: no notebook 'a_okk'"),
        ("", ["--only", "a_k"], "--only: no notebook 'a_k' in"),
        ("", ["--jobs", "0"], "--jobs must be a whole number of at least 1, got 0"),
    ],
)
def test_bad_parameters_exit_2_before_anything_runs(
    project: Path, capsys: pytest.CaptureFixture[str], params: str, args: list[str], message: str
) -> None:
    (project / "params" / "p.yaml").write_text("run_name: r\n" + params)
    assert main(["run", str(project / "params" / "p.yaml"), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err, err
    _untouched(project)


def test_bad_data_exits_2_with_the_validation_problems(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    at.demo.write(at.demo.generate(n_accounts=40, seed=1), project / "crm", fmt="csv")
    touches = pl.read_csv(project / "crm" / "touches.csv", infer_schema=False)
    touches.with_columns(pl.lit("partner").alias("team")).write_csv(project / "crm" / "touches.csv")
    (project / "params" / "p.yaml").write_text("run_name: r\nsource: {path: ../crm}\n")
    assert main(["run", str(project / "params" / "p.yaml")]) == 2
    err = capsys.readouterr().err
    assert "touches.team: unknown team" in err and "nothing was loaded" in err
    _untouched(project)


def test_a_notebook_without_a_parameters_cell_is_refused(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _notebook(project / "notebooks" / "c_plain.ipynb", [("code", "x = 1", [])], "Plain")
    assert main(["run", str(project / "params" / "p.yaml")]) == 2
    assert "c_plain.ipynb has no cell tagged 'parameters'" in capsys.readouterr().err
    _untouched(project)


def test_a_mapping_file_in_params_is_applied(project: Path) -> None:
    ds = at.demo.generate(n_accounts=60, seed=1)
    crm = project / "crm"
    at.demo.write(ds, crm, fmt="csv")
    touches = pl.read_csv(crm / "touches.csv", infer_schema=False)
    touches.rename({"occurred_at": "When"}).write_csv(crm / "activities.csv")
    (crm / "touches.csv").unlink()
    (project / "params" / "maps").mkdir()
    (project / "params" / "maps" / "crm.yaml").write_text(
        "tables:\n  touches:\n    from: activities\n    keep_other_columns: true\n"
        "    columns: {occurred_at: When}\n"
    )
    (project / "params" / "p.yaml").write_text(
        "run_name: r\nsource: {path: ../crm, mapping: maps/crm.yaml}\n"
    )
    loaded = at.report.load_source(load_params(project / "params" / "p.yaml").source)
    assert loaded.touches.height == ds.touches.height
    assert loaded.touches["occurred_at"].sort().equals(ds.touches["occurred_at"].sort())


def test_progress_is_a_bar_on_a_terminal_and_lines_otherwise() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Terminal()
    bar = _Progress(2, enabled=None, stream=tty)
    bar.step("loaded")
    bar.step("done")
    bar.close()
    assert "report" in tty.getvalue() and "2/2" in tty.getvalue()
    plain = io.StringIO()
    lines = _Progress(2, enabled=None, stream=plain)
    lines.step("loaded")
    assert re.fullmatch(r"\[attribution run +\d+\.\ds\] loaded\n", plain.getvalue())
