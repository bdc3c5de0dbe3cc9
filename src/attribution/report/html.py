"""Offline HTML: executed notebooks as self-contained pages, and a run's index page.

A reviewer opens the reports without internet, so a page must not fetch anything. Plain
``nbconvert --to html`` output does: altair's chart output loads vega, vega-lite and
vega-embed from a CDN, and the ``lab`` template adds require.js and MathJax from another.
:func:`export_html` renders through the package's ``offline`` template (``templates/``),
which empties those head blocks and inlines, once per page, the JavaScript bundle that
``vl_convert.javascript_bundle()`` builds, plus a ``VEGA_DEBUG`` global naming altair's
library versions. Charts are embedded by :mod:`attribution.report.embed` (spec as an
escaped JSON block, one constant loader script) and stay interactive (tooltips,
selections). Every page, the index too, carries a content security policy that lets only
the scripts the page ships run and fetches nothing. A browser test guards all of it.

Code cells are left out of the pages (reviewers read results, not code); the executed
notebooks next to them keep the code.
"""

from __future__ import annotations

import contextlib
import functools
import html
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from attribution.report.embed import LOADER_JS, content_security_policy
from attribution.report.glossary import link_terms

__all__ = [
    "LOADER_KEY",
    "TEMPLATE_DIR",
    "cache_dir",
    "drop_loader",
    "export_html",
    "external_references",
    "import_exporter",
    "index_html",
    "vega_bundle",
]

TEMPLATE_DIR = Path(__file__).parent / "templates"
"""Folder of the package's nbconvert templates (``offline``)."""
LOADER_KEY = "attribution_vega_loader"
"""Output metadata that marks a notebook's Vega loader (:mod:`attribution.report.lab_charts`);
a page has the libraries in its head, so :func:`export_html` drops that output."""

_EXTERNAL = re.compile(
    r"<(?:script|link|img|iframe|source|video|audio|embed)\b[^>]*?\b(?:src|href)\s*=\s*"
    r"[\"']?\s*((?:https?:)?//[^\"'\s>]+)",
    re.I,
)


def _version_key(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


@functools.cache
def vega_bundle() -> tuple[str, dict[str, str]]:
    """Return the inlined JavaScript (vega, vega-lite, vega-embed) and altair's versions.

    The bundle uses the newest Vega-Lite that vl-convert has and that is not newer than
    altair's. Building it takes vl-convert 1-2 s, so it is kept in a cache folder
    (:func:`cache_dir`) per vl-convert and Vega-Lite version, written whole or not at all,
    and read from there by every later process (each notebook kernel shows it once).

    Returns
    -------
    tuple
        ``(javascript, versions)`` where ``versions`` maps ``vega_version``,
        ``vegalite_version`` and ``vegaembed_version`` to altair's values (what its chart
        loader checks before going to the CDN).
    """
    import altair as alt
    import vl_convert as vlc

    wanted = _version_key(alt.VEGALITE_VERSION)
    usable = [v for v in vlc.get_vegalite_versions() if _version_key(v) <= wanted]
    if not usable:  # pragma: no cover - depends on installed versions
        raise RuntimeError(
            f"vl-convert has no Vega-Lite version <= {alt.VEGALITE_VERSION} "
            "(altair's); install a vl-convert-python that matches altair"
        )
    chosen = max(usable, key=_version_key)
    key = f"vega-bundle-{getattr(vlc, '__version__', 'x')}-vl{chosen}.js"
    script = _cached(key, lambda: vlc.javascript_bundle(vl_version=chosen))  # type: ignore[call-arg]
    script = script.replace("</script", "<\\/script")
    versions = {
        "vega_version": alt.VEGA_VERSION,
        "vegalite_version": alt.VEGALITE_VERSION,
        "vegaembed_version": alt.VEGAEMBED_VERSION,
    }
    return script, versions


def import_exporter() -> None:
    """Import nbconvert's HTML exporter now, in the calling thread.

    Call it before pages are rendered in threads: importing it loads bleach, which silences
    a deprecation warning of its vendored html5lib with a global warning filter. A thread
    computing estimates meanwhile (inside ``warnings.catch_warnings``, which is not thread
    safe) can drop that filter mid-import, and under ``-W error`` the import then fails.
    """
    import nbconvert  # noqa: F401


def cache_dir() -> Path:
    """Return the folder of the package's caches.

    ``$ATTRIBUTION_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/attribution`` (by default
    ``~/.cache/attribution``).
    """
    given = os.environ.get("ATTRIBUTION_CACHE_DIR")
    if given:
        return Path(given)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "attribution"


_BUNDLE_END = "window.vegaEmbed="  # the bundle's last statements define the globals


def _cached(name: str, build: Callable[[], str]) -> str:
    """Return the cached text ``name``, building and caching it when missing or broken."""
    path = cache_dir() / name
    with contextlib.suppress(OSError, UnicodeDecodeError):
        text = path.read_text(encoding="utf-8")
        if _BUNDLE_END in text[-2000:]:
            return text
    text = build()
    with contextlib.suppress(OSError):  # no writable cache: build it each time
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return text


def drop_loader(notebook: Any) -> int:
    """Remove the Vega loader outputs (marked :data:`LOADER_KEY`); return how many.

    ``notebook`` (an nbformat notebook node) is changed in place.

    Examples
    --------
    >>> import nbformat
    >>> cell = nbformat.v4.new_code_cell("setup()")
    >>> cell.outputs = [nbformat.v4.new_output(
    ...     "display_data", {"text/html": "..."}, metadata={LOADER_KEY: True})]
    >>> nb = nbformat.v4.new_notebook(cells=[cell])
    >>> drop_loader(nb), nb.cells[0].outputs
    (1, [])
    """
    removed = 0
    for cell in notebook.cells:
        outputs = cell.get("outputs")
        if not outputs:
            continue
        kept = [o for o in outputs if not o.get("metadata", {}).get(LOADER_KEY)]
        removed += len(outputs) - len(kept)
        cell.outputs = kept
    return removed


def export_html(
    notebook: Any,
    dest: str | os.PathLike[str],
    *,
    title: str,
    nav: Mapping[str, Any] | None = None,
) -> Path:
    """Render an executed notebook to one self-contained, offline HTML file.

    Parameters
    ----------
    notebook
        An nbformat notebook node (its Vega loader outputs are removed, see
        :func:`drop_loader`), or the path of an ``.ipynb`` file.
    dest
        The HTML file to write.
    title
        The page title.
    nav
        Navigation bar and footer values: ``index_href``, ``run_name``, ``source``,
        ``generated``, ``version``, ``notebook``, ``tables``, ``facts`` (the run's data
        period, currency, models, interval level), ``glossary_href`` (the first use of
        each glossary term in the page's prose then links to its entry) and, in a run
        per segment, ``segments`` (the menu of
        :func:`attribution.report.segments.segment_menu`); ``None`` leaves them out.

    Returns
    -------
    pathlib.Path
        ``dest``.
    """
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = notebook
    if isinstance(notebook, str | os.PathLike):
        nb = nbformat.read(notebook, as_version=4)
    drop_loader(nb)  # the page inlines the libraries once, in its head
    nb.metadata["title"] = title
    script, versions = vega_bundle()
    exporter = HTMLExporter(
        template_name="offline",
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(
            remove_cell_tags={"parameters", "injected-parameters", "remove-cell"}, enabled=True
        ),
        enabled=True,
    )
    head_scripts = [f"var VEGA_DEBUG = {json.dumps(versions)};", script]
    resources = {
        "offline": {
            "head_scripts": head_scripts,
            "csp": content_security_policy([*head_scripts, LOADER_JS]),
            "nav": dict(nav) if nav else None,
        }
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    glossary = (nav or {}).get("glossary_href")
    if glossary and Path(dest).name != glossary:
        body = link_terms(body, href=glossary)
    out = Path(dest)
    out.write_text(body, encoding="utf-8")
    return out


def external_references(page: str) -> list[str]:
    """Return the URLs a page would fetch from outside (scripts, styles, images, frames).

    Examples
    --------
    >>> external_references('<script src="https://cdn.example/x.js"></script><a href="x.html">')
    ['https://cdn.example/x.js']
    """
    return _EXTERNAL.findall(page)


_INDEX_CSS = """
body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, 'DejaVu Sans', sans-serif;
       max-width: 960px; margin: 32px auto; padding: 0 20px; color: #222; line-height: 1.45; }
h1 { font-size: 26px; margin-bottom: 4px; }
p.sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: 16px 0 24px; font-size: 14px; }
th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid #e3e3e3;
         vertical-align: top; }
th { font-weight: 600; color: #444; }
a { color: #0072B2; }
.ok { color: #009E73; font-weight: 600; }
.failed { color: #D55E00; font-weight: 600; }
code { background: #f4f4f4; padding: 1px 4px; border-radius: 3px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; font-size: 14px; }
dt { color: #555; }
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _segment_block(menu: Mapping[str, Any] | None) -> str:
    """Return the index's list of the run's segments (every value escaped)."""
    if not menu:
        return ""
    items = "".join(
        f'<li><a href="{_e(link["href"])}">{_e(link["label"])}</a></li>'
        if link["href"]
        else f"<li>{_e(link['label'])} (too little data for pages)</li>"
        for link in menu["links"]
    )
    where = "all data" if menu.get("current") is None else menu["current"]
    return (
        f"<h2>Per {_e(menu['by'])}</h2><p>These pages: <b>{_e(where)}</b>. "
        f'<a href="{_e(menu["compare_href"])}">Every {_e(menu["by"])} compared</a> · '
        f'<a href="{_e(menu["whole_href"])}">All data</a></p><ul>{items}</ul>'
    )


_EXTRAS = {
    "pdf": "The summary as a PDF",
    "workbook": "Every table behind the charts, one Excel workbook",
    "glossary": "Glossary: the words the reports use",
}


def _report_row(r: Mapping[str, Any]) -> str:
    """One report's row of the index: its link and notebook, status, time, table links."""
    link = f'<a href="{_e(r["html"])}">{_e(r["title"])}</a>' if r.get("html") else _e(r["title"])
    status = _e(r.get("status", ""))
    css = "ok" if r.get("status") == "ok" else "failed"
    tables = r.get("tables") or []
    table_links = ", ".join(
        f'<a href="{_e(t)}">{_e(Path(t).stem)}</a>' for t in tables if t.endswith(".csv")
    )
    return (
        "<tr>"
        f'<td>{link}<br><small><a href="{_e(r["ipynb"])}" download>notebook (.ipynb, '
        "to open in Jupyter)</a></small></td>"
        f'<td class="{css}">{status}</td>'
        f"<td>{sum((r.get('seconds') or {}).values()):.1f} s</td>"
        f"<td><small>{table_links or '&ndash;'}</small></td>"
        "</tr>"
    )


def _extras_list(extras: Mapping[str, str]) -> str:
    """Return the list of the run's other files (PDF, workbook, glossary), or nothing."""
    more = "".join(
        f'<li><a href="{_e(file)}"{" download" if kind != "glossary" else ""}>'
        f"{_e(_EXTRAS.get(kind, kind))}</a></li>"
        for kind, file in extras.items()
    )
    return f"<ul>{more}</ul>" if more else ""


def index_html(
    *,
    title: str,
    run_name: str,
    reports: Sequence[Mapping[str, Any]],
    facts: Mapping[str, Any],
    extras: Mapping[str, str] | None = None,
    segments: Mapping[str, Any] | None = None,
) -> str:
    """Build the run's index page: links to every report, their status, and run facts.

    Parameters
    ----------
    title
        Title of the run.
    run_name
        Name of the run.
    reports
        One mapping per notebook: ``name``, ``title``, ``html`` (file name or None),
        ``ipynb``, ``status``, ``seconds`` (mapping of step to seconds), ``tables``
        (list of paths relative to the run folder).
    facts
        Label -> value lines shown under the list (source, period, versions...).
    extras
        Other files of the run by kind: ``glossary``, ``workbook``, ``pdf`` -> file name.
    segments
        The run's segments, as :func:`attribution.report.segments.segment_menu` gives them
        (a run with ``by``): linked under the reports.

    Examples
    --------
    >>> page = index_html(title="Q3", run_name="q3", facts={"Source": "demo"},
    ...     reports=[{"name": "00_summary", "title": "Summary", "html": "00_summary.html",
    ...               "ipynb": "00_summary.ipynb", "status": "ok", "seconds": {"execute": 9.5},
    ...               "tables": []}])
    >>> 'href="00_summary.html"' in page, external_references(page)
    (True, [])
    """
    rows = [_report_row(r) for r in reports]
    fact_lines = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in facts.items())
    more_block = _extras_list(extras or {}) + _segment_block(segments)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta http-equiv="Content-Security-Policy" content="{content_security_policy()}">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{_e(title)} ({_e(run_name)})</title>
<style>{_INDEX_CSS}</style>
</head>
<body>
<h1>{_e(title)}</h1>
<p class="sub">Run <b>{_e(run_name)}</b>. Every page opens offline; the tables behind each
chart are saved as CSV (and Parquet) beside it.</p>
<table>
<thead><tr><th>Report</th><th>Status</th><th>Took</th><th>Tables behind the charts (CSV)</th>
</tr></thead>
<tbody>
{"".join(rows)}
</tbody>
</table>
{more_block}
<h2>About this run</h2>
<dl>{fact_lines}</dl>
<p class="sub">Everything about the run (parameters, input row counts and hashes, versions,
timings) is in <a href="manifest.json">manifest.json</a>.</p>
</body>
</html>
"""
