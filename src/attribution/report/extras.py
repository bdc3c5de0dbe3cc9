"""What a run writes besides its pages: the glossary page, the workbook and the summary PDF.

* ``glossary.html``: every term the pages use, defined in plain words; each page links a
  term's first use in its prose to its entry (:func:`attribution.report.glossary.link_terms`).
* ``tables.xlsx``: the tables behind the charts of every page, one sheet each
  (:func:`attribution.report.exports.write_workbook`), for a reviewer who works in Excel.
* ``summary.pdf``: the summary page printed by headless Chromium after its charts are
  drawn (:func:`attribution.report.exports.print_pdf`). Without a Chromium the run still
  succeeds; the manifest says why there is no PDF.

Each is optional for the run: a failure is recorded in the manifest (``exports``), never
hides the pages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from attribution.errors import AttributionError
from attribution.report.exports import find_chromium, print_pdf, write_workbook
from attribution.report.glossary import GLOSSARY_PAGE, glossary_markdown
from attribution.report.html import export_html

__all__ = ["PDF", "SUMMARY", "WORKBOOK", "write_extras"]

SUMMARY = "00_summary"
"""The page printed to PDF."""
PDF = "summary.pdf"
"""File name of the printed summary in a run folder."""
WORKBOOK = "tables.xlsx"
"""File name of the workbook of every table behind the charts."""


def write_glossary(run_dir: Path, nav: Mapping[str, Any]) -> Path:
    """Write the glossary page into ``run_dir`` (the same look and header as the pages)."""
    import nbformat

    intro = (
        "# Glossary\n\nThe words the reports use, in plain terms. Each page links a term's "
        "first use here."
    )
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(intro),
            nbformat.v4.new_markdown_cell(str(glossary_markdown())),
        ]
    )
    return export_html(
        nb,
        run_dir / GLOSSARY_PAGE,
        title="Glossary",
        nav={**nav, "notebook": "(written by the run)", "tables": "(none)"},
    )


def write_extras(
    run_dir: Path,
    nav: Mapping[str, Any],
    pages: Mapping[str, str | None],
    step: Callable[[str], None],
) -> dict[str, Any]:
    """Write the glossary, the workbook and the summary PDF; return what was written.

    Parameters
    ----------
    run_dir
        The run folder being written (its ``tables/`` hold the pages' tables).
    nav
        The pages' header values (run name, facts...).
    pages
        Page name -> its HTML file name (``None`` when it failed to render).
    step
        Receives a progress message per file.

    Returns
    -------
    dict
        Per file: ``{"file": name}`` or ``{"skipped": why}``, for the manifest.
    """
    done: dict[str, Any] = {}
    makers: dict[str, Callable[[], Path]] = {
        "glossary": lambda: write_glossary(run_dir, nav),
        "workbook": lambda: write_workbook(run_dir / "tables", run_dir / WORKBOOK),
        "pdf": lambda: _pdf(run_dir, pages),
    }
    for key, make in makers.items():
        try:
            written = make()
        except (AttributionError, OSError, ValueError) as exc:
            done[key] = {"skipped": str(exc)}
            step(f"{key}: not written ({exc})")
            continue
        done[key] = {"file": written.name}
        step(f"wrote {written.name}")
    return done


def _pdf(run_dir: Path, pages: Mapping[str, str | None]) -> Path:
    page = pages.get(SUMMARY)
    if page is None:
        raise AttributionError("the summary page is not in this run (or failed to render)")
    if find_chromium() is None:
        raise AttributionError(
            "no Chromium is installed to print it (Debian: apt install chromium)"
        )
    return print_pdf(run_dir / page, run_dir / PDF)
