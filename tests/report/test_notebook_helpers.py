"""What report notebooks call: data, chart tables, display."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import altair as alt
import polars as pl
import pytest

import attribution as at
from attribution.report.notebook import (
    markdown,
    open_dataset,
    report_links,
    save_table,
    setup,
    table,
    timestamp,
)


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


def test_open_dataset_falls_back_to_demo_data() -> None:
    ds = open_dataset("", demo_accounts=60, demo_seed=4)
    assert ds.source == "demo(n_accounts=60, seed=4)" and ds.truth is not None


def test_open_dataset_reads_a_snapshot(tmp_path: Path, demo_small: at.Dataset) -> None:
    at.snapshot.write_snapshot(demo_small, tmp_path / "data")
    ds = open_dataset(str(tmp_path / "data"))
    assert ds.touches.equals(demo_small.touches)
    with pytest.raises(at.SourceError, match="holds no data snapshot"):
        open_dataset(str(tmp_path))


def test_timestamp_parameter() -> None:
    assert timestamp("") is None and timestamp(None) is None
    assert timestamp("2026-03-31T20:00:00+02:00") == datetime(2026, 3, 31, 18, tzinfo=UTC)
    with pytest.raises(at.ParameterError, match="as_of must be an ISO timestamp"):
        timestamp("end of march")


def test_setup_enables_the_theme_with_the_currency() -> None:
    try:
        setup(currency="£")
        assert alt.theme.active == "attribution"
        assert alt.theme.get()()["config"]["locale"]["number"]["currency"] == ["£", ""]
        assert alt.renderers.options["embed_options"]["actions"]["editor"] is False
    finally:
        setup()
        pl.Config.restore_defaults()


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
    assert "<th>Amount (€)</th>" in html and "<th>Share of value with touches</th>" in html
    assert "<td>1,234.00</td>" in html or "<td>1,234</td>" in html
    assert "2025-01-02 03:04" in html and "str</td>" not in html and "shape:" not in html
    assert "td:nth-child(1)" in html  # the text column is left-aligned
    assert t.frame.equals(frame)
    with pytest.raises(at.ParameterError, match="no column"):
        table(frame, percent=["nope"])


def test_markdown_and_links() -> None:
    assert markdown("**x**").data == "**x**"
    links = report_links({"01_data_health.html": "Data health", "02_attribution.html": "Models"})
    assert links == "- [Data health](01_data_health.html)\n- [Models](02_attribution.html)"
    assert "attribution run" in report_links({})
