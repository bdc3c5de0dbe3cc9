"""Open a run's report pages in headless Chromium and say what did not render.

Shared by the tests that run the reports on data other than the CI demo (touches and
opportunities only; the new-user path on real public data). Like tests/report/
test_browser.py, every request that is not a local file is blocked; a page renders when
each of its charts draws its marks, no error element shows and the console stays clean.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers import ARGS, CHROMIUM

PAGES = (
    "00_summary",
    "01_data_health",
    "02_attribution",
    "03_shared_goals",
    "04_scorecard",
    "05_money",
    "06_feedback",
)


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium (Debian's, driven by Playwright); skipped only on request."""
    if os.environ.get("ATTRIBUTION_SKIP_BROWSER") == "1":  # pragma: no cover - opt-out only
        pytest.skip("ATTRIBUTION_SKIP_BROWSER=1")
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).is_file(), f"{CHROMIUM} is missing: make test installs it"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def render_problems(browser: object, page_file: Path) -> list[str]:
    """Return what is wrong with one page in the browser (empty when it renders)."""
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
    outputs = page_file.read_text(encoding="utf-8").count('id="altair-viz-')
    problems = []
    try:
        page.wait_for_function(  # type: ignore[attr-defined]
            f"document.querySelectorAll('.vega-embed svg.marks').length >= {outputs}",
            timeout=30_000,
        )
    except Exception as exc:  # playwright's timeout
        problems.append(f"{page_file.name}: not every chart drew ({exc})")
    drawn = page.locator(".vega-embed svg.marks").count()  # type: ignore[attr-defined]
    if drawn != outputs:
        problems.append(f"{page_file.name}: {drawn} of {outputs} charts drew")
    if page.locator(".error").count():  # type: ignore[attr-defined]
        problems.append(f"{page_file.name}: an error element shows")
    problems += [f"{page_file.name}: request left the page: {u}" for u in blocked]
    problems += [f"{page_file.name}: console error: {e}" for e in errors]
    page.close()  # type: ignore[attr-defined]
    return problems


def run_problems(browser: object, run_dir: Path) -> list[str]:
    """Return what is wrong with a run: a page missing, failed, or not rendering."""
    problems = []
    for name in PAGES:
        html = run_dir / f"{name}.html"
        if not html.is_file():
            problems.append(f"{name}.html was not written")
            continue
        problems += render_problems(browser, html)
    return problems
