"""Charts in JupyterLab, offline: what each way of drawing them costs, and notebook run times.

    python benchmarks/lab_charts.py                      # 02_attribution, every variant
    python benchmarks/lab_charts.py --notebook 00_summary --no-lab

1. Runs the notebook with papermill at its defaults (the stand-alone demo) and takes its
   chart specs. Per chart it reports the output size of: our renderer (the spec and a few
   lines of script; the libraries come once per notebook in the loader), altair's default
   output (CDN), altair's ``inline`` template (the libraries in every chart), a spec for
   JupyterLab's own Vega-Lite 5 renderer, and a static SVG from vl-convert (with the time
   to make it in the kernel).
2. Starts JupyterLab (``make lab``'s command) and, in headless Chromium with the network
   limited to the machine, runs a copy of the notebook per variant: seconds from Run All
   to the last chart drawn, charts drawn, chart errors, requests blocked.
3. Times every notebook on its own (papermill, defaults, kernel start included).

Writes the tables to stdout and to ``benchmarks/results/lab-charts.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat
import papermill

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the JupyterLab driver of the UI test

VARIANTS: dict[str, str | None] = {
    "ours: loader once + small outputs": None,
    "altair default (CDN)": (  # as in a notebook without our loader
        "import altair as alt\nfrom IPython.display import HTML, display\n"
        'display(HTML("<script>delete window.vegaEmbed; delete window.VEGA_DEBUG;</script>"))\n'
        'alt.renderers.enable("default")'
    ),
    "altair inline template": (
        'import altair as alt\nalt.renderers.enable("html", template="inline")'
    ),
    "JupyterLab Vega-Lite 5 MIME (spec relabelled)": (
        "import altair as alt\n"
        'V5 = "https://vega.github.io/schema/vega-lite/v5.json"\n'
        'alt.renderers.register("v5", lambda spec, **kw: '
        '{"application/vnd.vegalite.v5+json": {**spec, "$schema": V5}})\n'
        'alt.renderers.enable("v5")'
    ),
}


def execute(name: str, folder: Path) -> tuple[nbformat.NotebookNode, float]:
    """Run notebook ``name`` at its defaults; return it executed and the seconds taken."""
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{name}.ipynb"
    start = time.perf_counter()
    papermill.execute_notebook(
        str(ROOT / "notebooks" / f"{name}.ipynb"),
        str(out),
        progress_bar=False,
        cwd=str(ROOT / "notebooks"),
        kernel_name="python3",
    )
    return nbformat.read(out, as_version=4), time.perf_counter() - start


def chart_outputs(nb: nbformat.NotebookNode) -> tuple[int, list[tuple[int, dict[str, Any]]]]:
    """Return the loader's size and (output size, spec) per chart of an executed notebook."""
    from attribution.report.embed import chart_specs
    from attribution.report.html import LOADER_KEY

    loader, charts = 0, []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html", "")
            if output.get("metadata", {}).get(LOADER_KEY):
                loader += len(html.encode())
            else:
                charts += [(len(html.encode()), spec) for spec in chart_specs(html)]
    return loader, charts


def sizes(charts: list[tuple[int, dict[str, Any]]]) -> list[tuple[str, float, str]]:
    """Median output size per chart for each renderer (KB), with notes."""
    import altair as alt
    import vl_convert as vlc
    from altair.utils.html import spec_to_html

    versions = {
        "vega_version": alt.VEGA_VERSION,
        "vegalite_version": alt.VEGALITE_VERSION,
        "vegaembed_version": alt.VEGAEMBED_VERSION,
    }
    rows: dict[str, list[float]] = {}
    svg_seconds = []
    for ours, spec in charts:
        rows.setdefault("ours", []).append(ours)
        default = spec_to_html(spec, "vega-lite", fullhtml=False, template="universal", **versions)
        rows.setdefault("default", []).append(len(default.encode()))
        inline = spec_to_html(spec, "vega-lite", template="inline", **versions)
        rows.setdefault("inline", []).append(len(inline.encode()))
        rows.setdefault("mime", []).append(len(json.dumps(spec).encode()))
        start = time.perf_counter()
        svg = vlc.vegalite_to_svg(spec, vl_version="6.4")
        svg_seconds.append(time.perf_counter() - start)
        rows.setdefault("svg", []).append(len(svg.encode()))
    kb = {k: statistics.median(v) / 1024 for k, v in rows.items()}
    return [
        ("ours: chart output", kb["ours"], "plus the loader once per notebook"),
        ("altair default (CDN)", kb["default"], "fetches Vega from a CDN: blank offline"),
        ("altair inline template", kb["inline"], "the libraries in every chart"),
        ("JupyterLab Vega-Lite 5 MIME", kb["mime"], "altair 6 writes Vega-Lite 6"),
        (
            "vl-convert SVG (static)",
            kb["svg"],
            f"no tooltips or selectors; {statistics.median(svg_seconds):.2f} s per chart",
        ),
    ]


def in_lab(name: str, work: Path) -> list[tuple[str, dict[str, Any]]]:
    """Run a copy of the notebook per variant in JupyterLab; time Run All to the last chart."""
    from labdriver import chromium, close, open_notebook, running_lab

    source = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    root = work / "lab"
    root.mkdir()
    files = {}
    for i, (variant, code) in enumerate(VARIANTS.items()):
        nb = nbformat.from_dict(json.loads(json.dumps(source)))
        if code:
            nb.cells.insert(3, nbformat.v4.new_code_cell(code))
        files[variant] = f"v{i}_{name}.ipynb"
        nbformat.write(nb, root / files[variant])
    results = []
    with running_lab(root, work / "state") as lab, chromium() as browser:
        for variant, file in files.items():
            opened = open_notebook(browser, lab, file)
            results.append((variant, _time_charts(opened, _expected(root / file))))
            close(opened, lab)
    return results


def _expected(path: Path) -> int:
    from labdriver import CHART_CALL

    cells = nbformat.read(path, as_version=4).cells
    return sum(bool(CHART_CALL.search(c.source)) for c in cells if c.cell_type == "code")


_STATE = """() => {
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
  const embeds = [...nb.querySelectorAll('.vega-embed')];
  return {
    drawn: embeds.filter(e => e.querySelector('svg.marks .role-mark > *, canvas.marks')).length,
    errors: nb.querySelectorAll('.jp-OutputArea-output .error').length,
    total: embeds.length,
    busy: [...nb.querySelectorAll('.jp-InputPrompt')].some(p => p.textContent.includes('*')),
  };
}"""


def _time_charts(opened: Any, expected: int, timeout: float = 180.0) -> dict[str, Any]:
    page = opened.page
    start = time.perf_counter()
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    state: dict[str, Any] = {}
    while time.perf_counter() - start < timeout:
        state = page.evaluate(_STATE)
        if state["drawn"] >= expected or (not state["busy"] and state["errors"]):
            break
        if not state["busy"] and time.perf_counter() - start > 60:
            break  # every cell ran and nothing more is coming
        time.sleep(0.1)
    seconds = time.perf_counter() - start
    return {**state, "expected": expected, "seconds": seconds, "blocked": len(opened.blocked)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", default="02_attribution")
    parser.add_argument("--no-lab", action="store_true", help="skip the JupyterLab runs")
    args = parser.parse_args()
    lines = [
        f"# Charts in JupyterLab, offline ({time.strftime('%Y-%m-%d %H:%M')})",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}; load average {os.getloadavg()[0]:.1f} at the "
        f"start. Command: `benchmarks/lab_charts.py --notebook {args.notebook}`.",
        "",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        nb, _ = execute(args.notebook, work)
        loader, charts = chart_outputs(nb)
        lines += [
            f"## Output size per chart ({args.notebook}: {len(charts)} charts, median)",
            "",
            "| renderer | KB per chart | note |",
            "|---|---:|---|",
            *(f"| {r} | {kb:,.1f} | {note} |" for r, kb, note in sizes(charts)),
            f"| ours: the loader | {loader / 1024:,.1f} | once per notebook |",
            "",
        ]
        if not args.no_lab:
            lines += [
                "## In JupyterLab (Run All to the last chart drawn, network limited)",
                "",
                "| renderer | charts drawn | chart errors | requests blocked | seconds |",
                "|---|---:|---:|---:|---:|",
            ]
            for variant, r in in_lab(args.notebook, work):
                lines.append(
                    f"| {variant} | {r['drawn']} of {r['expected']} | {r['errors']} | "
                    f"{r['blocked']} | {r['seconds']:.1f} |"
                )
            lines.append("")
        lines += [
            "## Every notebook on its own (papermill, defaults, kernel start included)",
            "",
            "| notebook | seconds | charts | executed notebook KB |",
            "|---|---:|---:|---:|",
        ]
        for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
            executed, seconds = execute(path.stem, work / "alone")
            _, found = chart_outputs(executed)
            size = (work / "alone" / path.name).stat().st_size / 1024
            lines.append(f"| {path.stem} | {seconds:.1f} | {len(found)} | {size:,.0f} |")
    lines += ["", f"Load average at the end: {os.getloadavg()[0]:.1f}."]
    text = "\n".join(lines) + "\n"
    print(text)
    (ROOT / "benchmarks" / "results" / "lab-charts.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
