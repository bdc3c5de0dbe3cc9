"""Charts in a live notebook: one loader per notebook, small chart outputs, no way out.

The JavaScript is checked in headless Chromium on plain pages: charts draw whether their
output comes before or after the loader, a second loader changes nothing, and a chart
with no loader says what to run instead of fetching anything.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import altair as alt
import nbformat
import polars as pl
import pytest

from attribution import charts
from attribution.report import lab_charts
from attribution.report.html import LOADER_KEY, export_html, external_references, vega_bundle
from attribution.report.notebook import setup

HOSTILE = "</script><script>window.pwned=1</script><!--"


def _chart_html(category: str = "sales") -> str:
    lab_charts.enable({"renderer": "svg"})
    frame = pl.DataFrame({"team": [category, "marketing"], "n": [3, 5]})
    bundle = charts.bars(frame, category="team", value="n")._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "text/html" in data
    html: str = data["text/html"]
    return html


def test_setup_switches_every_chart_to_the_offline_renderer() -> None:
    try:
        setup()
        assert alt.renderers.active == lab_charts.RENDERER
        assert alt.renderers.options["embed_options"]["renderer"] == "svg"
    finally:
        setup()


def test_a_chart_output_is_small_and_fetches_nothing() -> None:
    html = _chart_html()
    assert html.count('id="altair-viz-') == 1 and 'class="attribution-chart-area"' in html
    assert len(html) < 20_000, "the libraries are not in the chart output"
    assert "cdn" not in html and "maybeLoadScript" not in html and external_references(html) == []


def test_a_hostile_value_cannot_leave_the_chart_script() -> None:
    html = _chart_html(HOSTILE)
    assert html.count("</script>") == 2 and html.count("<script") == 2  # the spec, the loader
    assert "pwned" in html and "<!--" not in html  # kept as data, escaped as \u003c...


def test_the_loader_defines_the_libraries_once_and_releases_waiting_charts() -> None:
    loader = lab_charts.loader_html()
    script, _ = vega_bundle()
    assert loader.count(script[:200]) == 1 and loader.count("</script>") == 1
    assert 'if (typeof window.vegaEmbed !== "function")' in loader
    assert "VEGA_DEBUG" in loader and "__attributionCharts" in loader


def test_exported_pages_and_run_records_drop_the_loader(tmp_path: Path) -> None:
    loader = nbformat.v4.new_output(
        "display_data", {"text/html": lab_charts.loader_html()}, metadata={LOADER_KEY: True}
    )
    chart = nbformat.v4.new_output("display_data", {"text/html": _chart_html()})
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("setup()", outputs=[loader, chart])]
    )
    page = export_html(nb, tmp_path / "p.html", title="t").read_text()
    script, _ = vega_bundle()
    assert page.count(script[:200]) == 1, "the page head holds the libraries; no second copy"
    assert nb.cells[0].outputs == [chart]


# ---------------------------------------------------------------------- in a browser
if os.environ.get("ATTRIBUTION_SKIP_BROWSER") == "1":  # pragma: no cover - opt-out only
    browser_test = pytest.mark.skip(reason="ATTRIBUTION_SKIP_BROWSER=1")
else:
    browser_test = pytest.mark.slow


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from labdriver import chromium

    with chromium() as b:
        yield b


def _page(browser: Any, folder: Path, body: str) -> tuple[Any, list[str], list[str]]:
    file = folder / "page.html"
    file.write_text(
        f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{body}</body></html>"
    )
    page = browser.new_page()
    blocked: list[str] = []
    errors: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(("file:", "data:", "blob:")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(file.as_uri())
    return page, blocked, errors


DRAWN = (
    "n => document.querySelectorAll('.attribution-chart-area svg.marks .role-mark > *').length >= n"
)


@browser_test
def test_charts_draw_before_and_after_the_loader_and_with_two_loaders(
    browser: Any, tmp_path: Path
) -> None:
    loader = lab_charts.loader_html()
    body = _chart_html() + loader + _chart_html(HOSTILE) + loader + _chart_html()
    page, blocked, errors = _page(browser, tmp_path, body)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.attribution-chart-area')].every("
        "el => el.querySelectorAll('svg.marks .role-mark > *').length > 0)",
        timeout=30_000,
    )
    assert page.locator(".attribution-chart-area").count() == 3
    assert page.locator(".error").count() == 0
    assert page.evaluate("() => window.pwned === undefined")
    assert blocked == [] and errors == []
    page.close()


@browser_test
def test_a_chart_without_the_loader_says_what_to_run(browser: Any, tmp_path: Path) -> None:
    page, blocked, errors = _page(browser, tmp_path, _chart_html())
    page.wait_for_selector(".attribution-chart-area .error", timeout=30_000)
    assert "run the cell that calls setup()" in page.locator(".error").inner_text()
    assert blocked == [] and errors == []
    page.close()
