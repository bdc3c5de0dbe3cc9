"""The notebooks in the real JupyterLab UI, offline: every chart draws, no cell fails.

JupyterLab is started on 127.0.0.1 with the command ``make lab`` runs, on working copies of
the notebooks; headless Chromium (Playwright, Debian's browser) opens each notebook, clicks
Run > Run All Cells, and every request that does not go to that server is aborted and
recorded. Then: every chart output holds drawn marks (SVG or canvas), no cell shows an
error or warning, no request left the machine, the console has no errors. The server is
stopped at the end.

An analyst's session is played too: a notebook pointed at a folder of CSV files and at a
SQLite database through its ``params`` cell, then sliced by segment in new cells.

Set ATTRIBUTION_SKIP_BROWSER=1 to skip on a machine without Chromium (CI never sets it).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from dbload import to_sqlite
from helpers import ROOT
from labdriver import (
    Lab,
    chromium,
    close,
    open_notebook,
    run_all,
    run_new_cell,
    running_lab,
    set_cell_source,
)

import attribution as at
from attribution.data.demo.files import write
from attribution.report.lab import workspace

pytestmark = pytest.mark.slow

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))

if os.environ.get("ATTRIBUTION_SKIP_BROWSER") == "1":  # pragma: no cover - opt-out only
    pytest.skip("ATTRIBUTION_SKIP_BROWSER=1", allow_module_level=True)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("lab")
    workspace(root / "notebooks", ROOT / "notebooks")
    with running_lab(root / "notebooks", tmp_path_factory.mktemp("lab-state")) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One small demo dataset as a folder of CSV files and as a SQLite database."""
    ds = at.demo.generate(n_accounts=3000, seed=21)
    folder = tmp_path_factory.mktemp("sources")
    csv = write(ds, folder / "crm_export", fmt="csv")
    db = to_sqlite(folder / "crm.db", ds.collect().tables())
    return {"dataset": ds, "folder": csv, "url": f"sqlite:///{db}"}


def _assert_clean(opened: Any, run: Any) -> None:
    assert run.cell_errors == [], f"{opened.name}: a cell shows an error:\n{run.cell_errors}"
    assert run.chart_errors == [], f"{opened.name}: a chart failed:\n{run.chart_errors}"
    assert opened.blocked == [], f"{opened.name}: requests left the machine: {opened.blocked}"
    assert opened.console == [], f"{opened.name}: console errors: {opened.console}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_chart_draws_in_jupyterlab_offline(lab: Lab, browser: Any, name: str) -> None:
    opened = open_notebook(browser, lab, name)
    try:
        run = run_all(opened)
        assert run.expected >= 1
        assert run.charts == run.expected, "one chart output per chart cell"
        assert run.drawn == run.charts, f"{run.charts - run.drawn} chart(s) not drawn"
        _assert_clean(opened, run)
    finally:
        close(opened, lab)


PARAMETERS = """data_dir: str = ""
params: dict = {{"source": {{"path": "{source}"}}}}  # a folder or a database URL
tables_dir: str = ""
"""
SLICE = """import polars as pl
j = at.journeys(ds, include=["segment"])
at.compare(j, ["linear", "markov"], by="segment")"""
SUMMARY = """at.contributions(ds, where=pl.col("segment") != "Enterprise").summary()"""


@pytest.mark.parametrize("where", ["folder", "url"])
def test_an_analyst_points_a_notebook_at_a_source_and_slices_it(
    lab: Lab, browser: Any, sources: dict[str, Any], where: str
) -> None:
    opened = open_notebook(browser, lab, "01_data_health.ipynb")
    try:
        source = str(sources[where])
        set_cell_source(opened, 1, PARAMETERS.format(source=source))
        run = run_all(opened)
        _assert_clean(opened, run)
        assert run.drawn == run.charts == run.expected
        touches = sources["dataset"].touches.height
        assert f"{touches:,}" in run.text, "the summary table counts the source's touches"
        sliced = run_new_cell(opened, SLICE)
        assert "Comparison:" in sliced and "Mid-Market" in sliced and "SMB" in sliced
        summary = run_new_cell(opened, SUMMARY)
        assert "Logit Regression Results" in summary and "segment[T." in summary
        assert "Enterprise" not in summary, "where= left the Enterprise deals out"
        assert "Traceback" not in sliced + summary
        kernel = run_new_cell(opened, "import sys\nprint(sys.executable)")
        assert kernel.strip() == sys.executable, "the kernel is the Python that started Lab"
    finally:
        close(opened, lab)
