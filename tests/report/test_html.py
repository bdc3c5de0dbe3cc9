"""Offline HTML export without a kernel: template, bundle, markdown, external references."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import nbformat
import polars as pl

from attribution import charts
from attribution._markdown import Markdown
from attribution.report.html import export_html, external_references, index_html, vega_bundle
from attribution.report.notebook import markdown


def _notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    md = markdown(Markdown("won **$1,200** and lost **$300**"))
    chart = charts.bars(pl.DataFrame({"team": ["sales"], "n": [3]}), category="team", value="n")
    bundle = chart._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A report"),
        nbformat.v4.new_code_cell("x: int = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "secret_code()",
            outputs=[
                nbformat.v4.new_output("display_data", data={"text/markdown": md.data}),
                nbformat.v4.new_output("display_data", data=data),
            ],
        ),
    ]
    return nb


def test_pages_carry_the_bundle_once_and_fetch_nothing(tmp_path: Path) -> None:
    page = export_html(_notebook(), tmp_path / "r.html", title="A report").read_text()
    script, versions = vega_bundle()
    assert script[:200] in page and page.count(script[:200]) == 1
    assert external_references(page) == []
    assert "require.min.js" not in page and "mathjax" not in page.lower()
    assert "secret_code" not in page and "x: int" not in page, "code and parameters are hidden"
    assert "<title>A report</title>" in page
    assert versions["vegalite_version"].startswith("6")


def test_dollar_amounts_in_markdown_are_not_read_as_math(tmp_path: Path) -> None:
    page = export_html(_notebook(), tmp_path / "r.html", title="A report").read_text()
    assert "<strong>$1,200</strong>" in page and "<strong>$300</strong>" in page
    assert "**$1,200" not in page and "\\$1,200" not in page


def test_the_navigation_bar_links_back_to_the_index(tmp_path: Path) -> None:
    nav = {
        "index_href": "index.html",
        "run_name": "q3",
        "source": "crm <export>",
        "generated": "2026-01-01",
        "version": "0.1.0",
        "notebook": "a.ipynb",
        "tables": "tables/a/",
    }
    page = export_html(_notebook(), tmp_path / "r.html", title="A", nav=nav).read_text()
    assert '<a href="index.html">' in page and "crm &lt;export&gt;" in page
    assert "tables/a/" in page


def test_external_references_are_found() -> None:
    page = (
        '<script src="https://cdn.example/v.js"></script>'
        "<link rel=stylesheet href=//fonts.example/x.css>"
        '<img src="data:image/png;base64,xx"><a href="https://example.org">a link</a>'
    )
    assert external_references(page) == ["https://cdn.example/v.js", "//fonts.example/x.css"]


def test_index_escapes_what_it_shows() -> None:
    page = index_html(
        title="<Q3>",
        run_name="q3",
        reports=[
            {"name": "a", "title": "A & B", "html": None, "ipynb": "a.ipynb", "status": "failed",
             "seconds": {"execute": 1.0}, "tables": []}
        ],
        facts={"Data": "x<y"},
    )  # fmt: skip
    assert "&lt;Q3&gt;" in page and "A &amp; B" in page and "x&lt;y" in page
    assert 'class="failed">failed<' in page


def test_a_quote_in_a_navigation_value_cannot_leave_its_attribute(tmp_path: Path) -> None:
    """A quote in a value stays inside its attribute: no new attribute, no new element."""
    nav = {
        "index_href": 'index.html" onmouseover="alert(1)',
        "run_name": 'q3"><script>alert(1)</script>',
        "source": "crm",
        "generated": "2026-01-01",
        "version": "0.1.0",
        "notebook": "a.ipynb",
        "tables": "tables/a/",
    }
    page = export_html(_notebook(), tmp_path / "r.html", title="A", nav=nav).read_text()
    anchors: list[dict[str, str | None]] = []

    class Anchors(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "a":
                anchors.append(dict(attrs))

    Anchors().feed(page)
    assert {"href": nav["index_href"]} in anchors
    assert not any("onmouseover" in a for a in anchors)
    assert "<script>alert(1)" not in page
