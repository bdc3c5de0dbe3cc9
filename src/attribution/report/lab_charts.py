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
is the small output of :func:`attribution.report.embed.chart_html` (its spec as an escaped
JSON block and one constant script that draws it with the loaded libraries). A chart whose
output renders before the loader waits for it; one that finds no loader after a few
seconds says which cell to run, instead of reaching for the internet.
``benchmarks/lab_charts.py`` measures the choice (sizes per chart, time to draw).

In the offline HTML pages (:func:`attribution.report.html.export_html`) the page inlines
the libraries in its head, so the chart outputs draw the same way, and the loader output
is dropped (:func:`attribution.report.html.drop_loader`): the libraries are on each page once.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from attribution.report.embed import RENDERER, json_for_html, use_renderer
from attribution.report.html import LOADER_KEY, vega_bundle

__all__ = ["RENDERER", "enable", "loader_html"]

_LOADER = """<script type="text/javascript">
if (typeof window.vegaEmbed !== "function") {{ (function () {{
{bundle}
}})(); }}
window.VEGA_DEBUG = Object.assign(window.VEGA_DEBUG || {{}}, {versions});
(window.__attributionCharts || []).splice(0).forEach(function (draw) {{ draw(); }});
</script>"""


@functools.cache
def loader_html() -> str:
    """Return the loader: one script that defines vega, vega-lite and vega-embed once.

    The bundle runs inside a function, so showing the loader twice in one page (a cell
    run again, two notebooks in one JupyterLab window) defines nothing twice; charts
    shown before it draw when it runs. About 0.9 MB, built once per process.
    """
    bundle, versions = vega_bundle()
    return _LOADER.format(bundle=bundle, versions=json_for_html(versions))


def enable(embed_options: Mapping[str, Any] | None = None) -> None:
    """Draw altair charts offline in this notebook: switch the renderer on, show the loader.

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
    use_renderer(embed_options=embed_options)
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
