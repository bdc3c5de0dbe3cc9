"""What report notebooks call: data, chart tables, display."""

from __future__ import annotations

import warnings
from datetime import datetime
from pathlib import Path

import altair as alt
import polars as pl
import pytest
from dbload import to_sqlite

import attribution as at
from attribution._markdown import Markdown
from attribution.data.demo.files import write
from attribution.report.notebook import (
    markdown,
    report_links,
    save_table,
    setup,
    table,
)
from attribution.report.params import parse_params
from attribution.report.shared import SHARED_DIR, RunData, open_run, write_params


def test_save_table_writes_parquet_and_csv_and_returns_the_frame(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {"path": [["email", "demo"], ["webinar"]], "won": [2, 1], "share": [0.5, None]}
    )
    back = save_table(frame.lazy(), "top_paths", tmp_path / "tables" / "00_summary")
    assert back.equals(frame)
    folder = tmp_path / "tables" / "00_summary"
    assert pl.read_parquet(folder / "top_paths.parquet").equals(frame)
    csv = pl.read_csv(folder / "top_paths.csv")
    assert csv.get_column("path").to_list() == ["email > demo", "webinar"]
    assert csv.height == frame.height


def test_save_table_without_a_folder_saves_nothing(tmp_path: Path) -> None:
    frame = pl.DataFrame({"a": [1]})
    assert save_table(frame, "a", "") is frame
    assert save_table(frame, "a", None) is frame
    with pytest.raises(at.ParameterError, match="table name"):
        save_table(frame, "../escape", tmp_path)


def test_open_run_on_its_own_reads_params_or_the_demo() -> None:
    run = open_run("", {"source": {"demo": {"accounts": 60, "seed": 4}}})
    assert run.dataset.source == "demo(n_accounts=60, seed=4)" and run.dataset.truth is not None
    assert run.params.intervals.level == 0.9 and run.folder is None
    assert open_run(None).params.source.demo is not None, "no params: the demo data"
    with pytest.raises(at.ParameterError, match="did you mean 'lookback_days'"):
        open_run("", {"window": {"lookbak_days": 90}})


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    ds = at.demo.generate(n_accounts=150, seed=8)
    folder = tmp_path_factory.mktemp("exports")
    csv = write(ds, folder / "crm", fmt="csv")
    db = to_sqlite(folder / "crm.db", ds.collect().tables())
    return {"dataset": ds, "folder": csv, "db": db}


@pytest.mark.parametrize("kind", ["folder", "relative folder", "sqlite"])
def test_a_page_on_its_own_reads_any_source(
    exports: dict[str, object], kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, db = Path(str(exports["folder"])), Path(str(exports["db"]))
    path = {"folder": str(folder), "relative folder": "crm", "sqlite": f"sqlite:///{db}"}[kind]
    monkeypatch.chdir(folder.parent)  # a notebook's kernel runs in the notebook's folder
    run = open_run("", {"source": {"path": path, "time_zone": "UTC"}})
    expected = exports["dataset"].touches  # type: ignore[attr-defined]
    assert run.dataset.touches.height == expected.height
    assert run.journeys.height > 0


def test_a_source_folder_given_as_data_dir_says_how_to_read_it(
    exports: dict[str, object],
) -> None:
    with pytest.raises(at.ParameterError, match=r"holds source tables .*params = \{\"source\""):
        open_run(str(exports["folder"]))


def test_the_default_demo_is_large_enough_for_every_estimate() -> None:
    run = open_run(None)
    assert run.params.source.demo is not None and run.params.source.demo.accounts == 3000
    with warnings.catch_warnings():
        warnings.simplefilter("error", at.EstimateWarning)  # no caution, no "not estimated"
        split = run.contributions()
        late = run.sla_cost()
    assert split.supported and split.diagnostics.events_per_parameter >= 10
    assert late.supported


@pytest.mark.filterwarnings("ignore::attribution.errors.EstimateWarning")
def test_open_run_reads_the_runs_data_and_shares_its_estimates(
    tmp_path: Path, demo_medium: at.Dataset
) -> None:
    p = parse_params({"source": {"demo": {}}, "intervals": {"draws": 20}})
    folder = tmp_path / "data"
    at.snapshot.write_snapshot(demo_medium, folder)
    write_params(p, folder)
    RunData(p, demo_medium, folder).precompute()
    assert {d.name for d in (folder / SHARED_DIR).iterdir()} >= {"contributions", "sla_cost"}

    run = open_run(str(folder), {"ignored": "with a run folder"})
    assert run.dataset.touches.equals(demo_medium.touches) and run.params.intervals.draws == 20
    again = open_run(str(folder))
    a, b = run.contributions(), again.contributions()
    assert a.table.equals(b.table) and a.model is None, "loaded from the run, not refitted"
    assert run.comparison("team").intervals.equals(again.comparison("team").intervals)
    with pytest.raises(at.ParameterError, match="run parameters"):
        open_run(str(tmp_path))


def test_setup_enables_the_theme_with_the_currency() -> None:
    try:
        setup(currency="£")
        assert alt.theme.active == "attribution"
        assert alt.theme.get()()["config"]["locale"]["number"]["currency"] == ["£", ""]
        assert alt.renderers.options["embed_options"]["actions"]["editor"] is False
    finally:
        setup()


def test_setup_leaves_the_sessions_table_display_alone() -> None:
    before = pl.Config.save()
    setup()
    assert pl.Config.save() == before
    frame = pl.DataFrame({"state_from": ["email"], "probability": [0.00465]})
    assert "0.00465" in repr(frame) and "0.00465" in frame._repr_html_()
    shown = table(frame)._repr_html_()  # a report table formats itself, in its own scope
    assert "0.00" in shown and pl.Config.save() == before


def test_table_is_readable_for_reviewers() -> None:
    frame = pl.DataFrame(
        {
            "status": ["won", "lost"],
            "value_coverage": [0.5, None],
            "amount": [1234.5, 99.4],
            "first": [datetime(2025, 1, 2, 3, 4), datetime(2025, 2, 3)],
        }
    )
    t = table(frame, percent=["value_coverage"], money=["amount"], currency="€")
    html = t._repr_html_()
    assert "<td>won</td>" in html and "&quot;" not in html
    assert "<td>50.0%</td>" in html and "<td>&ndash;</td>" in html
    assert "<th>Amount</th>" in html and "<th>Share of value with touches</th>" in html
    assert "<td>€1,234</td>" in html and "<td>€99.40</td>" in html  # no cents from 1,000 up
    assert "2025-01-02 03:04" in html and "str</td>" not in html and "shape:" not in html
    assert "td:nth-child(1)" in html  # the text column is left-aligned
    assert t.frame.equals(frame)
    with pytest.raises(at.ParameterError, match="no column"):
        table(frame, percent=["nope"])


def test_markdown_and_links() -> None:
    assert markdown(Markdown("**x**")).data == "**x**"
    assert markdown("**x**").data == r"\*\*x\*\*"  # text from elsewhere is shown as written
    assert markdown("**{}**", "<i>").data == "**&lt;i&gt;**"
    links = report_links({"01_data_health.html": "Data health", "02_attribution.html": "Models"})
    assert links == "- [Data health](01_data_health.html)\n- [Models](02_attribution.html)"
    assert "attribution run" in report_links({})


@pytest.mark.filterwarnings("ignore::attribution.errors.EstimateWarning")
def test_a_page_waits_for_an_estimate_the_runner_is_computing(
    tmp_path: Path, demo_medium: at.Dataset
) -> None:
    import threading
    import time

    p = parse_params({"source": {"demo": {}}, "intervals": {"draws": 20}})
    folder = tmp_path / "data"
    at.snapshot.write_snapshot(demo_medium, folder)
    write_params(p, folder)
    runner = RunData(p, demo_medium, folder)
    runner.announce()
    late = threading.Thread(target=lambda: (time.sleep(0.5), runner.precompute()))
    late.start()
    page = open_run(str(folder))
    split = page.contributions()  # announced: waits, then loads what the runner stored
    late.join()
    assert split.model is None, "loaded from the run, not fitted again by the page"
    assert not (folder / SHARED_DIR / "pending.json").exists()
