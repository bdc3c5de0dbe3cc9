"""Hostile segment names: safe folder names, and text (never code) on every segment view.

The segments of the hostile data are script and markup injections (some also starting
like a spreadsheet formula). They name folders, fill the comparison page's table and its
chart's list of values, and label the segment menu of every page header and index.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import altair as alt
import pytest
from security.hostile import attack, hostile_dataset

import attribution as at
from attribution.money.segments import segment_summary
from attribution.report.embed import chart_specs
from attribution.report.html import export_html, index_html
from attribution.report.params import parse_params
from attribution.report.segment_page import write_comparison
from attribution.report.segments import SegmentPlan, plan_segments, segment_menu

NAV = {
    "index_href": "../../index.html",
    "glossary_href": "../../glossary.html",
    "run_name": "hostile",
    "source": "hostile",
    "generated": "now",
    "version": "0",
    "facts": "",
}


@pytest.fixture(scope="module")
def hostile() -> tuple[at.Dataset, SegmentPlan]:
    ds, _ = hostile_dataset()
    plan = plan_segments(ds, parse_params({"by": "segment", "by_min_won": 1}))
    assert plan is not None
    return ds, plan


def test_hostile_values_get_plain_folder_names(hostile: tuple[at.Dataset, SegmentPlan]) -> None:
    _, plan = hostile
    assert all("alert" in s.value for s in plan.segments)
    slugs = [s.slug for s in plan.segments]
    assert len(set(slugs)) == len(slugs)
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", s) for s in slugs), slugs


def _opened(browser: object, file: Path) -> tuple[object, dict[str, list[str]]]:
    page = browser.new_page()  # type: ignore[attr-defined]
    seen: dict[str, list[str]] = {"dialogs": [], "errors": []}
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.goto(file.as_uri())
    return page, seen


def test_the_comparison_page_shows_hostile_values_as_text(
    hostile: tuple[at.Dataset, SegmentPlan], browser: object, tmp_path: Path
) -> None:
    ds, plan = hostile
    summary = segment_summary(ds, "segment", model="linear")
    folder = tmp_path / plan.folder
    menu = segment_menu(plan, None, comparison=True)
    file = write_comparison(folder, plan, summary, currency="<i>€", nav={**NAV, "segments": menu})
    html = file.read_text()
    assert "<script>alert(" not in html and "<img src=x" not in html
    assert "<i>€" in json.dumps(chart_specs(html), ensure_ascii=False), (
        "the run's currency is in the chart"
    )
    default = alt.theme.get()()["config"]["locale"]["number"]["currency"]  # type: ignore[misc]
    assert default == ["$", ""], "the theme of the process is left as it was"
    csv = (folder / "tables" / "segments.csv").read_text()
    assert not any(line[:1] in "=+-@" for line in csv.splitlines()), "no cell starts a formula"
    page, seen = _opened(browser, file)
    page.wait_for_function(  # type: ignore[attr-defined]
        "document.querySelectorAll('.vega-embed svg.marks').length >= 1", timeout=60_000
    )
    options = page.eval_on_selector_all(  # type: ignore[attr-defined]
        "select option", "els => els.map(e => e.textContent)"
    )
    assert sorted(options) == sorted(s.value for s in plan.segments)
    page.select_option("select", plan.segments[-1].value)  # type: ignore[attr-defined]
    page.wait_for_timeout(500)  # type: ignore[attr-defined]
    text = page.evaluate("document.body.innerText")  # type: ignore[attr-defined]
    assert "alert('segment')" in text, "the values are on the page, as text"
    assert seen["dialogs"] == [] and seen["errors"] == [], seen


def test_the_segment_menu_of_pages_and_index_is_text(
    hostile: tuple[at.Dataset, SegmentPlan], browser: object, tmp_path: Path
) -> None:
    import nbformat

    _, plan = hostile
    current = plan.segments[0]
    menu = segment_menu(plan, current.slug)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A page")])
    page_file = export_html(
        nb, tmp_path / "page.html", title="A page", nav={**NAV, "segments": menu}
    )
    index = tmp_path / "index.html"
    index.write_text(
        index_html(title=attack("title"), run_name="r", reports=[], facts={}, segments=menu)
    )
    for file in (page_file, index):
        html = file.read_text()
        assert "<script>alert(" not in html and "<svg onload" not in html
        hrefs = re.findall(r'<a href="([^"]*)"', html)
        assert len(hrefs) >= len(plan.segments)
        assert all(re.fullmatch(r"[a-z0-9./#_-]+", h) for h in hrefs), "links: folder names only"
        page, seen = _opened(browser, file)
        page.wait_for_timeout(300)  # type: ignore[attr-defined]
        assert seen["dialogs"] == []
        assert attack("segment").split("<")[0] in page.evaluate("document.body.innerText")  # type: ignore[attr-defined]
