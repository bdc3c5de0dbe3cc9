"""A run's workbook of tables and the PDF of a page."""

from __future__ import annotations

import zipfile
from pathlib import Path

import polars as pl
import pytest

from attribution.report.exports import find_chromium, print_pdf, sheet_names, write_workbook


def test_every_table_gets_a_sheet_and_formula_text_stays_text(tmp_path: Path) -> None:
    hostile = '=HYPERLINK("http://evil.example","click")'
    for page, table in (("00_summary", "headline"), ("02_attribution", "credited_by_channel")):
        (tmp_path / "tables" / page).mkdir(parents=True, exist_ok=True)
        pl.DataFrame(
            {"channel": [hostile, "+cmd", "@sum(1)"], "path": [["a", "b"], ["c"], []]}
        ).write_parquet(tmp_path / "tables" / page / f"{table}.parquet")
    book = write_workbook(tmp_path / "tables", tmp_path / "tables.xlsx")
    with zipfile.ZipFile(book) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = "".join(z.read(n).decode() for n in sheets)
        strings = z.read("xl/sharedStrings.xml").decode()
        workbook = z.read("xl/workbook.xml").decode()
    assert len(sheets) == 3 and "contents" in workbook and "02 credited_by_channel" in workbook
    assert "<f>" not in xml, "no cell is a formula"
    assert "HYPERLINK" in strings and "a &gt; b" in strings


def test_sheet_names_are_short_and_distinct() -> None:
    long = "a_very_long_table_name_that_goes_on_and_on"
    names = sheet_names([("00_summary", long), ("00_summary", long + "_too")])
    assert all(len(n) <= 31 for n in names) and len(set(names)) == 2


@pytest.mark.skipif(find_chromium() is None, reason="Chromium prints the PDF (.ci/run installs it)")
def test_a_page_prints_to_pdf_offline(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><body><h1>Summary</h1><p>Won revenue</p></body></html>")
    pdf = print_pdf(page, tmp_path / "page.pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 500
