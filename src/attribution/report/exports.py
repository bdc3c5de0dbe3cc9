"""What a run hands to people who do not read HTML: a PDF of a page, a workbook of its tables.

* :func:`write_workbook` puts every table behind the run's charts (``tables/<page>/*.parquet``)
  into one Excel workbook, one sheet per table, with an index sheet. Text cells are written as
  text, never as formulas or links, so a channel named ``=HYPERLINK(...)`` stays a name.
* :func:`print_pdf` prints a rendered page with Chromium (headless, offline, charts drawn
  first), using the page's print stylesheet: each chart whole on a page.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import polars as pl

from attribution.errors import AttributionError
from attribution.report.spreadsheet import flat_cells

__all__ = [
    "CHROMIUM",
    "CHROMIUM_FLAGS",
    "find_chromium",
    "print_pdf",
    "sheet_names",
    "write_workbook",
]

CHROMIUM = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
"""Executable names looked up on the PATH for :func:`print_pdf`."""

CHROMIUM_FLAGS: tuple[str, ...] = (
    "--disable-gpu",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
)
"""Chromium's flags wherever the package, its tests and scripts drive it headless and offline:
no GPU, no first-run or sync, nothing fetched in the background, no component updates."""

_INDEX = "contents"


def sheet_names(tables: list[tuple[str, str]]) -> list[str]:
    """Return a distinct Excel sheet name (at most 31 characters) per (page, table).

    Examples
    --------
    >>> sheet_names([("02_attribution", "credited_by_channel"), ("00_summary", "headline")])
    ['02 credited_by_channel', '00 headline']
    """
    out: list[str] = []
    for page, table in tables:
        base = f"{page[:2]} {table}"[:31]
        name, k = base, 2
        while name.lower() in {n.lower() for n in out} or name.lower() == _INDEX:
            suffix = f" {k}"
            name, k = base[: 31 - len(suffix)] + suffix, k + 1
        out.append(name)
    return out


def write_workbook(tables_dir: str | os.PathLike[str], path: str | os.PathLike[str]) -> Path:
    """Write every ``<page>/<table>.parquet`` under ``tables_dir`` into one workbook.

    Returns
    -------
    pathlib.Path
        The workbook; its first sheet lists each table's sheet, page and row count.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "tables" / "00_summary").mkdir(parents=True)
    >>> pl.DataFrame({"channel": ["=1+1"], "revenue": [2.0]}).write_parquet(
    ...     root / "tables" / "00_summary" / "headline.parquet")
    >>> write_workbook(root / "tables", root / "tables.xlsx").name
    'tables.xlsx'
    """
    import xlsxwriter

    files = sorted(Path(tables_dir).glob("*/*.parquet"))
    pairs = [(f.parent.name, f.stem) for f in files]
    names = sheet_names(pairs)
    out = Path(path)
    options = {"strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": True}
    with xlsxwriter.Workbook(str(out), options) as book:
        index = pl.DataFrame(
            {
                "sheet": names,
                "page": [p for p, _ in pairs],
                "table": [t for _, t in pairs],
                "rows": [pl.scan_parquet(f).select(pl.len()).collect().item() for f in files],
            },
            schema={"sheet": pl.String, "page": pl.String, "table": pl.String, "rows": pl.Int64},
        )
        index.write_excel(book, worksheet=_INDEX, autofit=True)
        for f, name in zip(files, names, strict=True):
            flat_cells(pl.read_parquet(f), naive_times=True).write_excel(
                book, worksheet=name, autofit=True
            )
    return out


def find_chromium() -> str | None:
    """Return the path of a Chromium on the PATH, or ``None``."""
    for name in CHROMIUM:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(
    page: str | os.PathLike[str],
    pdf: str | os.PathLike[str],
    *,
    chromium: str | None = None,
    timeout: float = 120.0,
) -> Path:
    """Print a rendered page to PDF with headless Chromium, after its charts are drawn.

    Nothing is fetched from the network; the page's print stylesheet keeps each chart whole
    on a page.

    Raises
    ------
    AttributionError
        No Chromium is installed, or printing failed or timed out.
    """
    browser = chromium or find_chromium()
    if browser is None:
        raise AttributionError(
            "no Chromium found to print the PDF (install Debian's chromium, or skip the PDF)"
        )
    out = Path(pdf).resolve()
    with tempfile.TemporaryDirectory(prefix="attribution-pdf-") as profile:
        args = [
            browser,
            "--headless",
            *CHROMIUM_FLAGS,
            "--disable-extensions",
            "--run-all-compositor-stages-before-draw",
            "--virtual-time-budget=20000",  # let the charts' scripts draw before printing
            "--no-pdf-header-footer",
            f"--user-data-dir={profile}",
            f"--print-to-pdf={out}",
            Path(page).resolve().as_uri(),
        ]
        if os.geteuid() == 0:  # Chromium refuses to run as root with its sandbox
            args.insert(1, "--no-sandbox")
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AttributionError(f"printing {page} to PDF took over {timeout:.0f} s") from None
    if done.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        raise AttributionError(f"printing {page} to PDF failed: {done.stderr.strip()[-300:]}")
    return out
