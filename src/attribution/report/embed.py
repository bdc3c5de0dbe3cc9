r"""How charts enter a page, and the page's content security policy.

altair's own HTML output writes a chart's Vega-Lite spec into an inline ``<script>`` as raw
JSON. The spec holds the chart's data, so a channel named ``</script><script>...`` ends the
script and runs its own. Here a chart is instead:

* a ``<div>`` to draw in;
* its spec and embed options in a ``<script type="application/json">`` block (data, never
  run), written by :func:`json_for_html`, which escapes ``<``, ``>``, ``&`` and the line
  separators U+2028/U+2029 as ``\uXXXX``, so no value can end the block or open a
  comment;
* one constant loader script (:data:`LOADER_JS`), the same for every chart, that parses the
  block and calls vega-embed. Nothing is fetched: a report page inlines the libraries in its
  head; in JupyterLab :mod:`attribution.report.lab_charts` loads them once per notebook, and
  a chart shown before them waits in a queue the loader drains.

:func:`use_renderer` makes this altair's renderer; :func:`attribution.report.notebook.setup`
calls it. Because every script a page ships is known in advance (the inlined bundle, its
``VEGA_DEBUG`` line, the loader), a page carries a content security policy
(:func:`content_security_policy`) that allows exactly those scripts by their SHA-256 and no
other: no injected script, no inline event handler, no network request would run even if
some text escaped its escaping. Charts draw with Vega's expression interpreter (the
``ast`` embed option), which needs no ``eval``.

Examples
--------
>>> page = chart_html({"mark": "bar", "title": "</script><script>alert(1)</script>"}, {})
>>> "<script>alert(1)" in page, "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in page
(False, True)
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "LOADER_JS",
    "RENDERER",
    "chart_html",
    "chart_specs",
    "content_security_policy",
    "json_for_html",
    "script_hash",
    "use_renderer",
]

RENDERER = "attribution"
"""Name of the altair renderer registered by :func:`use_renderer`."""

LOADER_JS = """
(function () {
  var me = document.currentScript;
  var block = me ? me.previousElementSibling : null;
  if (!block || block.type !== "application/json") {
    var blocks = document.querySelectorAll("script.attribution-chart:not([data-drawn])");
    block = blocks.length ? blocks[blocks.length - 1] : null;
  }
  if (!block) { return; }
  block.setAttribute("data-drawn", "1");
  var target = block.previousElementSibling;
  var chart = JSON.parse(block.textContent);
  function fail(message) {
    var box = document.createElement("div");
    box.className = "error";
    box.style.color = "#b00020";
    box.textContent = message;
    target.replaceChildren(box);
  }
  function draw() {
    if (target.getAttribute("data-drawn")) { return; }
    target.setAttribute("data-drawn", "1");
    vegaEmbed(target, chart.spec, chart.embed).catch(function (err) {
      fail("The chart could not be drawn: " + err.message);
    });
  }
  if (typeof vegaEmbed === "function") { draw(); return; }
  (window.__attributionCharts = window.__attributionCharts || []).push(draw);
  setTimeout(function () {
    if (!target.getAttribute("data-drawn")) {
      fail("The chart library is not loaded in this page: run the cell that calls " +
           "setup() (attribution.report.notebook), then this cell again.");
    }
  }, 8000);
})();
"""
"""The one script every chart runs: parse the chart's JSON block and draw it."""

_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_TABLE = str.maketrans(_ESCAPES)


def _finite(value: Any) -> Any:
    """Replace NaN and infinities (not JSON) by null, walking lists and mappings."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def json_for_html(value: Any) -> str:
    r"""Return ``value`` as JSON that is safe inside any HTML element, a script included.

    ``<``, ``>``, ``&`` and U+2028/U+2029 are written as ``\uXXXX`` escapes, which
    ``JSON.parse`` reads back as the same characters; NaN and infinities become ``null``.

    Examples
    --------
    >>> json_for_html({"name": "</script>&", "x": float("nan")})
    '{"name": "\\u003c/script\\u003e\\u0026", "x": null}'
    """
    text = json.dumps(_finite(value), ensure_ascii=False, allow_nan=False, default=str)
    return text.translate(_TABLE)


def chart_html(spec: Mapping[str, Any], embed_options: Mapping[str, Any] | None) -> str:
    """Return the HTML of one chart: a div, its spec as a JSON block, the loader script.

    Parameters
    ----------
    spec
        The Vega-Lite spec (``chart.to_dict()``), data included.
    embed_options
        vega-embed options (actions, renderer...); ``ast`` is switched on, so that the
        chart draws without ``eval`` under the page's content security policy.
    """
    ident = f"altair-viz-{uuid.uuid4().hex}"
    options = {**dict(embed_options or {}), "ast": True, "mode": "vega-lite"}
    block = json_for_html({"spec": spec, "embed": options})
    return (
        f'<div id="{ident}" class="attribution-chart-area"></div>'
        f'<script type="application/json" class="attribution-chart">{block}</script>'
        f"<script>{LOADER_JS}</script>"
    )


_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)


def chart_specs(html: str) -> list[dict[str, Any]]:
    """Return the Vega-Lite specs of the charts in ``html`` (a page or a notebook output).

    Examples
    --------
    >>> chart_specs(chart_html({"mark": "bar", "title": "a<b"}, {}))
    [{'mark': 'bar', 'title': 'a<b'}]
    """
    return [
        json.loads(body)["spec"]
        for attributes, body in _SCRIPT.findall(html)
        if "application/json" in attributes and "attribution-chart" in attributes
    ]


def _render(spec: dict[str, Any], **metadata: Any) -> dict[str, str]:
    """Altair renderer: the chart as safe HTML (see :func:`chart_html`)."""
    return {
        "text/html": chart_html(spec, metadata.get("embed_options")),
        "text/plain": "<altair chart>",
    }


def use_renderer(*, embed_options: Mapping[str, Any] | None = None) -> None:
    """Register and enable the renderer that embeds every altair chart safely.

    Examples
    --------
    >>> import altair as alt
    >>> use_renderer(embed_options={"renderer": "svg"})
    >>> alt.renderers.active
    'attribution'
    >>> bundle = alt.Chart().mark_point()._repr_mimebundle_()
    >>> 'type="application/json"' in bundle["text/html"]
    True
    """
    import altair as alt

    alt.renderers.register(RENDERER, _render)
    alt.renderers.enable(RENDERER, embed_options=dict(embed_options or {}))


def script_hash(script: str) -> str:
    """Return the CSP source that allows one inline script: ``'sha256-<base64>'``.

    Examples
    --------
    >>> script_hash("alert(1)")
    "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
    """
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(scripts: Iterable[str] = ()) -> str:
    """Return a page's content security policy: only ``scripts`` may run, nothing is fetched.

    Styles may be inline (the notebook template and vega-embed write them); images and
    fonts only from ``data:``/``blob:`` URLs; no request may leave the page, no form be
    sent, no plugin load.

    Examples
    --------
    >>> content_security_policy()
    "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:; connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
    """  # noqa: E501
    allowed = " ".join(dict.fromkeys(script_hash(s) for s in scripts)) or "'none'"
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {allowed}",
            "style-src 'unsafe-inline'",
            "img-src data: blob:",
            "font-src data:",
            "connect-src 'none'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
