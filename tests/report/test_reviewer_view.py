"""What a reviewer sees, measured in a browser: chart text that never collides, no raw
``null``/``NaN``/``-0.0`` on any page, each caveat beside the number it limits, and the
glossary, PDF and workbook every run writes.

Runs the pages of the demo (``params/ci.yaml``) and of real data (Olist, whose gaps the
caveats are about) in Debian's headless Chromium, the network blocked.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CiRun
from helpers import REAL_DATA, ROOT

from attribution.report import runner as report
from attribution.report.params import load_params

OLIST = REAL_DATA / "olist_marketing_funnel"

pytestmark = pytest.mark.slow

OVERLAPS = r"""
() => {
  const out = [];
  document.querySelectorAll('.vega-embed').forEach((embed, k) => {
    const svg = embed.querySelector('svg.marks'); if (!svg) return;
    const boxes = [];
    svg.querySelectorAll('text').forEach(t => {
      const s = t.textContent.trim(); if (!s) return;
      const st = getComputedStyle(t); if (st.visibility === 'hidden' || st.opacity === '0') return;
      const r = t.getBoundingClientRect(); if (r.width === 0 || r.height === 0) return;
      boxes.push({s, x: r.x, y: r.y, w: r.width, h: r.height});
    });
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      const ox = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
      const oy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      if (ox > 0.5 && oy > 0.5) out.push(`chart ${k}: "${a.s}" over "${b.s}"`);
    }
  });
  return out;
}
"""
"""Every pair of text boxes in a chart's SVG that overlap (labels, titles, legends)."""

OUTPUTS = r"""
() => [...document.querySelectorAll('.jp-OutputArea-output')].map(o => ({
  text: o.innerText.trim(),
  chart: o.querySelector('.vega-embed') !== null,
  title: ((o.querySelector('svg .role-title-text') || {}).textContent || ''),
}))
"""
"""Every output of a page in reading order: its text, and whether it is a chart."""

PROSE = r"""
() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('pre, code, script, style').forEach(e => e.remove());
  document.documentElement.appendChild(body);
  const text = body.innerText;
  body.remove();
  return text;
}
"""
"""The page's text without code blocks (an agreement file printed verbatim may say null)."""

RAW = re.compile(r"\bnull\b|\bNaN\b|(?<![\w.])-0(?:\.0+)?%?(?![\w.])")
"""Missing values and negative zeros as a program prints them, never as a reviewer should read."""


@pytest.fixture(scope="module")
def olist_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not OLIST.is_dir():
        pytest.skip("needs ../shared/data/real")
    p = load_params(ROOT / "params" / "olist.yaml")
    p = dataclasses.replace(p, intervals=dataclasses.replace(p.intervals, draws=40))
    out = tmp_path_factory.mktemp("olist")
    result = report.run(p, out=out, jobs=2, progress=False, log=io.StringIO())
    assert [n.status for n in result.notebooks] == ["ok"] * len(result.notebooks)
    return result.run_dir


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from labdriver import chromium

    with chromium() as b:
        yield b


def _open(browser: Any, file: Path) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort(),
    )
    page.goto(file.as_uri())
    page.wait_for_function(
        "() => [...document.querySelectorAll('.attribution-chart-area')].every("
        "el => el.querySelector('svg.marks') || el.querySelector('.error'))",
        timeout=60_000,
    )
    return page


def _pages(run_dir: Path) -> list[Path]:
    return sorted(run_dir.glob("*.html"))


def _read_cleanly(browser: Any, run_dir: Path) -> None:
    problems = []
    for file in _pages(run_dir):
        page = _open(browser, file)
        problems += [f"{file.name}: {o}" for o in page.evaluate(OVERLAPS)]
        text = page.evaluate(PROSE)
        problems += [
            f"{file.name}: {m.group(0)!r} in {text[max(0, m.start() - 60) : m.end() + 20]!r}"
            for m in RAW.finditer(text)
        ]
        assert page.locator(".attribution-chart-area .error").count() == 0, file.name
        page.close()
    assert problems == [], "\n".join(problems[:20])


def test_the_demo_pages_read_cleanly(ci_run: CiRun, browser: Any) -> None:
    _read_cleanly(browser, ci_run.result.run_dir)


def test_the_olist_pages_read_cleanly(olist_run: Path, browser: Any) -> None:
    _read_cleanly(browser, olist_run)


def _after(outputs: list[dict[str, Any]], where: int) -> str:
    """The text of the outputs after ``where`` up to the next chart or heading-like output."""
    texts = []
    for o in outputs[where + 1 :]:
        if o["chart"]:
            break
        texts.append(o["text"])
    return "\n".join(texts)


def test_olist_caveats_stand_beside_the_headline_and_the_attribution(
    olist_run: Path, browser: Any
) -> None:
    page = _open(browser, olist_run / "00_summary.html")
    outputs = page.evaluate(OUTPUTS)
    page.close()
    headline = next(i for i, o in enumerate(outputs) if " of won revenue between " in o["text"])
    beside = _after(outputs, headline)
    assert "Caution: amounts are missing or concentrated." in beside
    assert "797 of 842 won deals have no amount" in beside
    assert "Caution: close dates of lost deals look provisional." in beside
    involvement = next(i for i, o in enumerate(outputs) if "teams that touched" in o["title"])
    assert "Caution: sales work is recorded only for won deals." in _after(outputs, involvement)

    page = _open(browser, olist_run / "02_attribution.html")
    outputs = page.evaluate(OUTPUTS)
    page.close()
    first_chart = next(i for i, o in enumerate(outputs) if o["chart"])
    before = "\n".join(o["text"] for o in outputs[:first_chart])
    assert "Caution: sales work is recorded only for won deals." in before


def test_a_run_writes_a_glossary_a_pdf_and_a_workbook(ci_run: CiRun) -> None:
    run_dir = ci_run.result.run_dir
    assert (run_dir / "summary.pdf").read_bytes().startswith(b"%PDF")
    with zipfile.ZipFile(run_dir / "tables.xlsx") as book:
        assert "xl/workbook.xml" in book.namelist()
    index = (run_dir / "index.html").read_text()
    for name in ("summary.pdf", "tables.xlsx", "glossary.html"):
        assert f'href="{name}"' in index
    assert "download>notebook (.ipynb" in index
    assert ci_run.result.manifest["exports"]["pdf"] == {"file": "summary.pdf"}
    summary = (run_dir / "00_summary.html").read_text()
    assert 'href="glossary.html#' in summary and "Data through:" in summary
    assert "Intervals: 90%" in summary
    glossary = (run_dir / "glossary.html").read_text()
    assert 'id="removal-effect"' in glossary and 'id="shapley"' in glossary


TIMELINES = r"""
() => [...document.querySelectorAll('.vega-embed')].filter(embed => {
  const t = embed.querySelector('svg .role-title-text');
  return t && /^(Won|Lost) deal /.test(t.textContent);
}).map(embed => {
  const svg = embed.querySelector('svg.marks').getBoundingClientRect();
  const out = [];
  embed.querySelectorAll('svg text').forEach(t => {
    const r = t.getBoundingClientRect();
    if (r.width === 0 || !t.textContent.trim()) return;
    if (r.left < svg.left - 0.5 || r.right > svg.right + 0.5) out.push(t.textContent.trim());
  });
  return out;
})
"""
"""Per deal time line on a page: the texts that stick out of the chart's own box."""


def test_the_deal_time_lines_read_cleanly_and_the_deal_table_links_to_them(
    ci_run: CiRun, browser: Any
) -> None:
    page = _open(browser, ci_run.result.run_dir / "05_money.html")
    outside = page.evaluate(TIMELINES)
    assert outside and all(o == [] for o in outside), outside  # drawn, nothing cut off
    assert page.evaluate(OVERLAPS) == []  # the milestone labels included
    links = page.locator('a[href^="#deal-"]')
    assert links.count() == len(outside)  # one link per deal drawn
    target = str(links.nth(0).get_attribute("href"))[1:]
    assert page.locator(f'a[id="{target}"]').count() == 1
    links.nth(0).click()
    page.wait_for_timeout(300)
    top = page.evaluate(f"document.getElementById('{target}').getBoundingClientRect().top")
    assert -2 <= top < 900  # the link took the reader to the deal
    page.close()
