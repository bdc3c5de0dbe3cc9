"""Charts in a live notebook (JupyterLab) without a CDN: Vega loaded once per notebook.

altair's default output loads vega, vega-lite and vega-embed from a CDN each time a chart
is shown, so offline every chart is a red "Error loading script" line; JupyterLab's own
Vega renderer knows Vega-Lite 3 to 5, while altair 6 writes Vega-Lite 6. Inlining the
libraries into every chart (``alt.renderers.enable("html", template="inline")``) works
offline but makes each chart output about 0.9 MB.

Here the libraries come from the installed package (``vl_convert.javascript_bundle()``,
the same bundle the offline HTML pages inline; :func:`attribution.report.html.vega_bundle`)
and are loaded **once per notebook**: :func:`enable` (called by
:func:`attribution.report.notebook.setup`) shows a loader output, and every chart after it
is a small output holding its spec and a few lines of script that draw it with the loaded
libraries. A chart whose output renders before the loader waits for it; one that finds no
loader after a few seconds says which cell to run, instead of reaching for the internet.
``benchmarks/lab_charts.py`` measures the choice (sizes per chart, time to draw).

In the offline HTML pages (:func:`attribution.report.html.export_html`) the page inlines
the libraries in its head, so the chart outputs draw the same way, and the loader output
is dropped (:func:`attribution.report.html.drop_loader`): the libraries are on each page once.

Chart specs are written into a ``<script>`` as JSON with ``<``, ``>`` and ``&`` escaped,
so no data value can close the script or open a tag.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Mapping
from typing import Any

from attribution.report.html import LOADER_KEY, vega_bundle

__all__ = [
    "RENDERER",
    "chart_html",
    "enable",
    "loader_html",
    "render",
    "script_json",
]

RENDERER = "attribution"
"""Name of the altair renderer registered by :func:`enable`."""
_QUEUE = "__attributionCharts"  # charts waiting for the loader (a page-global list)
_WAIT_MS = 8000  # how long a chart waits for the loader before saying what to run

_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def script_json(value: Any) -> str:
    r"""Return ``value`` as JSON that is safe inside an HTML ``<script>`` element.

    ``<``, ``>``, ``&`` and the two JavaScript line separators are written as ``\u``
    escapes: the JSON means the same, and no value can end the script.

    Examples
    --------
    >>> print(script_json({"label": "</script><b>"}))
    {"label": "\u003c/script\u003e\u003cb\u003e"}
    """
    text = json.dumps(value, ensure_ascii=False, default=str)  # NaN: a JavaScript literal
    for raw, escaped in _ESCAPES.items():
        text = text.replace(raw, escaped)
    return text


_LOADER = """<script type="text/javascript">
if (typeof window.vegaEmbed !== "function") {{ (function () {{
{bundle}
}})(); }}
window.VEGA_DEBUG = Object.assign(window.VEGA_DEBUG || {{}}, {versions});
(window.{queue} || []).splice(0).forEach(function (draw) {{ draw(); }});
</script>"""


@functools.cache
def loader_html() -> str:
    """Return the loader: one script that defines vega, vega-lite and vega-embed once.

    The bundle runs inside a function, so showing the loader twice in one page (a cell
    run again, two notebooks in one JupyterLab window) defines nothing twice; charts
    shown before it draw when it runs. About 0.9 MB, built once per process.
    """
    bundle, versions = vega_bundle()
    return _LOADER.format(bundle=bundle, versions=script_json(versions), queue=_QUEUE)


_CHART = """<div id="{div}" class="attribution-chart"></div>
<script type="text/javascript">
(function (spec, embedOpt) {{
  var el = document.currentScript && document.currentScript.previousElementSibling;
  if (!el || el.id !== "{div}") {{ el = document.getElementById("{div}"); }}
  function fail(text) {{
    var box = document.createElement("div");
    box.className = "error";
    box.style.color = "#D55E00";
    box.textContent = text;
    el.replaceChildren(box);
  }}
  function draw() {{
    if (el.dataset.drawn) {{ return; }}
    el.dataset.drawn = "1";
    window.vegaEmbed(el, spec, embedOpt).catch(function (err) {{
      fail("The chart could not be drawn: " + err.message);
    }});
  }}
  if (typeof window.vegaEmbed === "function") {{ draw(); return; }}
  (window.{queue} = window.{queue} || []).push(draw);
  setTimeout(function () {{
    if (!el.dataset.drawn) {{
      fail("The chart library is not loaded in this page: run the cell that calls " +
           "setup() (attribution.report.notebook), then this cell again.");
    }}
  }}, {wait});
}})({spec}, {options});
</script>"""


def chart_html(spec: Mapping[str, Any], embed_options: Mapping[str, Any] | None = None) -> str:
    """Return one chart's output: a ``<div>`` and the script that draws ``spec`` into it.

    Parameters
    ----------
    spec
        A Vega-Lite spec (``chart.to_dict()``), data included.
    embed_options
        vega-embed options (renderer, actions...).

    Examples
    --------
    >>> page = chart_html({"mark": "bar", "title": "</script>"})
    >>> page.count('id="altair-viz-'), "</script>" in page.split("<script")[1][:-9]
    (1, False)
    """
    div = f"altair-viz-{uuid.uuid4().hex}"
    return _CHART.format(
        div=div,
        queue=_QUEUE,
        wait=_WAIT_MS,
        spec=script_json(dict(spec)),
        options=script_json(dict(embed_options or {})),
    )


def render(spec: dict[str, Any], **metadata: Any) -> dict[str, str]:
    """Render a chart as a small HTML output drawn by the loaded libraries (altair renderer).

    Examples
    --------
    >>> bundle = render({"mark": "point"}, embed_options={"renderer": "svg"})
    >>> list(bundle), '"renderer": "svg"' in bundle["text/html"]
    (['text/html'], True)
    """
    return {"text/html": chart_html(spec, metadata.get("embed_options"))}


def enable(embed_options: Mapping[str, Any] | None = None) -> None:
    """Draw altair charts offline in this notebook: register the renderer, show the loader.

    Outside a notebook kernel (a script, a test) only the renderer is switched on.

    Parameters
    ----------
    embed_options
        vega-embed options for every chart (e.g. ``{"renderer": "svg"}``).

    Examples
    --------
    >>> enable({"renderer": "svg"})
    >>> import altair as alt
    >>> alt.renderers.active
    'attribution'
    """
    import altair as alt

    if RENDERER not in alt.renderers.names():
        alt.renderers.register(RENDERER, render)
    alt.renderers.enable(RENDERER, embed_options=dict(embed_options or {}))
    if _in_kernel():
        from IPython.display import HTML, display

        display(HTML(loader_html()), metadata={LOADER_KEY: True})


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the notebook stack
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")
