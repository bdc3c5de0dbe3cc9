"""The rendered reports in a real headless Chromium, with every network request blocked.

Guards the offline HTML trick (the inlined vega bundle and the VEGA_DEBUG global that makes
altair's loader skip its CDN): every chart must draw, no request may leave the page, the
console must stay free of errors, and tooltips must work.

Needs Debian's ``chromium`` (``.ci/run`` installs it) and Playwright from PyPI; Playwright's
own browser download is never used. Set ATTRIBUTION_SKIP_BROWSER=1 to skip on a machine
without Chromium; CI never sets it, so there the test fails if Chromium is missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CiRun
from helpers import ARGS, CHROMIUM, ROOT

pytestmark = pytest.mark.slow

NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))

if os.environ.get("ATTRIBUTION_SKIP_BROWSER") == "1":  # pragma: no cover - opt-out only
    pytest.skip("ATTRIBUTION_SKIP_BROWSER=1", allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).is_file(), f"{CHROMIUM} is missing: apt-get install chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _open(browser: object, page_file: Path) -> tuple[object, list[str], list[str]]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    blocked: list[str] = []
    errors: list[str] = []

    def route(r: object) -> None:
        url = r.request.url  # type: ignore[attr-defined]
        if url.startswith(("file:", "data:", "blob:")):
            r.continue_()  # type: ignore[attr-defined]
        else:
            blocked.append(url)
            r.abort()  # type: ignore[attr-defined]

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_file.as_uri())
    return page, blocked, errors


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_chart_draws_offline(browser: object, ci_run: CiRun, name: str) -> None:
    page, blocked, errors = _open(browser, ci_run.result.run_dir / f"{name}.html")
    charts = page.locator(".vega-embed").count()  # type: ignore[attr-defined]
    outputs = (ci_run.result.run_dir / f"{name}.html").read_text().count('id="altair-viz-')
    assert charts >= 1 and charts == outputs  # one drawn chart per altair output
    page.wait_for_function(  # type: ignore[attr-defined]
        f"document.querySelectorAll('.vega-embed svg.marks').length >= {charts}", timeout=30_000
    )
    assert page.locator(".vega-embed svg.marks").count() == charts  # type: ignore[attr-defined]
    assert page.locator(".error").count() == 0  # type: ignore[attr-defined]
    assert blocked == [], f"requests left the page: {blocked}"
    assert errors == [], f"console errors: {errors}"


def test_tooltips_show_on_hover(browser: object, ci_run: CiRun) -> None:
    page, _, errors = _open(browser, ci_run.result.run_dir / "00_summary.html")
    page.wait_for_selector(".vega-embed svg.marks")  # type: ignore[attr-defined]
    chart = page.locator(  # type: ignore[attr-defined]
        ".vega-embed", has_text="Won revenue by the teams that touched the deal"
    )
    mark = chart.locator("svg.marks .mark-rect path").first
    mark.hover()
    page.wait_for_selector("#vg-tooltip-element.visible", timeout=10_000)  # type: ignore[attr-defined]
    text = page.locator("#vg-tooltip-element").inner_text()  # type: ignore[attr-defined]
    assert "Involvement" in text and "€" in text
    assert errors == []


def test_the_index_page_opens_offline(browser: object, ci_run: CiRun) -> None:
    page, blocked, errors = _open(browser, ci_run.result.index)
    links = page.locator("table a[href$='.html']").count()  # type: ignore[attr-defined]
    assert links == len(NOTEBOOKS)
    assert blocked == [] and errors == []
