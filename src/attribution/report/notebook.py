"""What a report notebook calls besides the analysis: its data, its tables, its display.

Report notebooks stay linear: a parameters cell, then calls into :mod:`attribution`. The
helpers here do the plumbing every notebook needs, so that none of it is written (or
branched on) inside a notebook:

* :func:`setup` switches on the house chart theme with the report's currency and draws
  charts with the Vega libraries of the installed package (offline, loaded once per
  notebook);
* :func:`attribution.report.shared.open_run` (not here) gives a page its run: parameters,
  data and the estimates pages share;
* :func:`save_table` writes the table behind a chart as Parquet and CSV into the run's
  tables folder and hands the frame back for charting;
* :func:`markdown` shows computed text as formatted markdown;
* :func:`caution` shows an :class:`~attribution.EstimateWarning` as a readable note:
  inside a notebook kernel, :func:`setup` routes every such warning there, so an estimate
  the data cannot support says why in the report instead of printing a traceback-like
  warning (or a meaningless number).
"""

from __future__ import annotations

import hashlib
import os
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import polars as pl

from attribution._format import MISSING, count_expr, decimal_expr, money_expr, share_expr
from attribution._markdown import Markdown, plain
from attribution.data.dataset import Frame
from attribution.errors import ParameterError
from attribution.report import lab_charts
from attribution.report.spreadsheet import flat_cells, formula_safe

__all__ = [
    "Table",
    "caution",
    "markdown",
    "report_links",
    "save_table",
    "setup",
    "table",
]

_ACTIONS = {"export": True, "source": False, "compiled": False, "editor": False}


def setup(*, currency: str = "$") -> None:
    """Prepare a notebook: chart theme and currency, charts drawn offline, cautions.

    Charts get the house theme (:func:`attribution.charts.use_theme`), are embedded so that
    no value in their data can run as a script (:mod:`attribution.report.embed`), have a
    menu that only offers to save the image (no links to online editors), and are drawn by
    the Vega libraries of the installed package, loaded once per notebook (no CDN; see
    :mod:`attribution.report.lab_charts`). In a kernel, estimate warnings show as cautions.

    Display settings stay with the tables that need them (:func:`table` formats a report
    table; every result object formats its own repr): the session's polars settings are
    left as they are, so a 0.00465 transition probability still reads 0.00465.

    Examples
    --------
    >>> setup(currency="€")
    >>> import altair as alt
    >>> alt.theme.get()()["config"]["locale"]["number"]["currency"][0]
    '€'
    >>> alt.renderers.active
    'attribution'
    >>> setup()
    """
    from attribution import charts

    charts.use_theme(currency=currency)
    _route_estimate_warnings()
    lab_charts.enable({"actions": _ACTIONS, "renderer": "svg"})


def save_table(frame: Frame, name: str, tables_dir: str | os.PathLike[str] | None) -> pl.DataFrame:
    """Save the table behind a chart as ``<tables_dir>/<name>.parquet`` and ``.csv``.

    The Parquet file keeps the exact values; in the CSV file, which reviewers open in a
    spreadsheet, no text cell can start a formula
    (:func:`attribution.report.spreadsheet.formula_safe`).

    Parameters
    ----------
    frame
        The table (collected if lazy).
    name
        File stem: letters, digits, ``_`` and ``-``.
    tables_dir
        The run's tables folder for this notebook; empty or ``None`` saves nothing (a
        notebook running on its own).

    Returns
    -------
    polars.DataFrame
        ``frame`` itself, to chart or show.

    Examples
    --------
    >>> import pathlib, tempfile, polars as pl
    >>> folder = tempfile.mkdtemp()
    >>> f = pl.DataFrame({"path": [["email", "demo"]], "conversions": [3]})
    >>> save_table(f, "top_paths", folder).height
    1
    >>> print(pathlib.Path(folder, "top_paths.csv").read_text().strip())
    path,conversions
    email > demo,3
    """
    data = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
    if not name or not all(c.isalnum() or c in "_-" for c in name):
        raise ParameterError(f"table name must be letters, digits, '_' or '-'; got {name!r}")
    if tables_dir:
        folder = Path(tables_dir)
        folder.mkdir(parents=True, exist_ok=True)
        data.write_parquet(folder / f"{name}.parquet")
        formula_safe(flat_cells(data)).write_csv(folder / f"{name}.csv")
    return data


_DOLLAR = re.compile(r"(?<!\\)\$")


def markdown(text: str, *values: object) -> Any:
    r"""Return text as an IPython Markdown object (shown formatted in a notebook).

    Only the package's own markup is rendered as markdown: ``text`` that is
    :class:`~attribution._markdown.Markdown` (what the package's text functions return),
    or a template given with ``values``, each of which is escaped where it goes in. Any
    other text (a note, a value from the data) is shown exactly as written, so a name such
    as ``<img src=x onerror=alert(1)>`` is text on the page, never HTML.

    Dollar signs are escaped: Jupyter and nbconvert read text between two ``$`` as LaTeX
    math, which would swallow amounts such as ``$1,200 ... $300``.

    Examples
    --------
    >>> markdown(Markdown("**42** deals")).data
    '**42** deals'
    >>> markdown("Rep **{}**: {:,} MQLs", "<b>Ann</b>", 1200).data
    'Rep **&lt;b&gt;Ann&lt;/b&gt;**: 1,200 MQLs'
    >>> markdown("plain *text* from data").data
    'plain \\*text\\* from data'
    >>> print(markdown(Markdown("won **$1,200**, lost $300")).data)
    won **\$1,200**, lost \$300
    """
    from IPython.display import Markdown as Shown

    shown = Markdown(text).format(*values) if values else plain(text)
    return Shown(_DOLLAR.sub(r"\\$", shown))


_SOURCES = {
    "funnel": "Funnel",
    "speed_to_lead": "Speed to lead",
    "speed_to_lead_effect": "Response time and winning",
    "sla_cost": "Cost of late follow-up",
    "lead_score_weights": "Lead score",
}
_PREFIX = re.compile(r"^([a-z_]+): ")


def caution(message: str) -> Any:
    r"""Return an estimate's warning as a short markdown note for reviewers.

    A leading function name (``speed_to_lead: ...``) becomes a readable label.

    Examples
    --------
    >>> print(caution("speed_to_lead: sales activity is recorded only for won deals").data)
    > **Caution (speed to lead).** Sales activity is recorded only for won deals.
    >>> print(caution("the data cannot support a split: one touch per lead").data)
    > **Caution.** The data cannot support a split\: one touch per lead.
    """
    text = " ".join(str(message).split())
    source = ""
    found = _PREFIX.match(text)
    if found:
        name = found.group(1)
        source = f" ({_SOURCES.get(name, name.replace('_', ' ')).lower()})"
        text = text[found.end() :]
    text = text[:1].upper() + text[1:]
    if not text.endswith((".", "!", "?")):
        text += "."
    return markdown("> **Caution{}.** {}", Markdown(source), text)


_ROUTED = "_attribution_routes_estimate_warnings"


def _route_estimate_warnings() -> None:
    """In a notebook kernel, show :class:`EstimateWarning` as :func:`caution` notes.

    Other warnings keep their usual display. Outside a kernel (scripts, tests) nothing
    changes.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the notebook stack
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return
    original = warnings.showwarning
    if getattr(original, _ROUTED, False):
        return
    from IPython.display import display

    from attribution.errors import EstimateWarning

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: Any = None,
        line: str | None = None,
    ) -> None:
        if issubclass(category, EstimateWarning):
            display(caution(str(message)))
        else:
            original(message, category, filename, lineno, file, line)

    setattr(show, _ROUTED, True)
    warnings.showwarning = show


def report_links(reports: dict[str, str] | None) -> Markdown:
    """Return markdown links to the other reports of a run (``{file: title}``).

    Titles are escaped; a link goes only to a page file of the run (a plain file name
    ending in ``.html``), never to another place.

    Examples
    --------
    >>> print(report_links({"01_data_health.html": "Data health"}))
    - [Data health](01_data_health.html)
    >>> report_links({"javascript:alert(1)": "x"})
    ''
    >>> report_links({}).startswith("_Run")
    True
    """
    if not reports:
        return Markdown(
            "_Run `attribution run params/default.yaml` to produce every report of a run, "
            "linked from here._"
        )
    return Markdown("\n").join(
        Markdown("- [{}]({})").format(title, Markdown(quote(href)))
        for href, title in reports.items()
        if _PAGE.fullmatch(href)
    )


_PAGE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\.html")


class Table:
    """A table for reviewers: readable headers, formatted numbers, no type row or quotes.

    Shown as HTML in a notebook; ``frame`` keeps the data.
    """

    def __init__(self, frame: pl.DataFrame, html: str) -> None:
        self.frame = frame
        self.html = html

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return repr(self.frame)


_QUOTED = re.compile(r"<td>&quot;(.*?)&quot;</td>", re.S)


def _decimals(values: pl.Series) -> int:
    """Decimals that show a column of plain numbers without false precision."""
    top = values.drop_nans().abs().max()
    if top is None or not isinstance(top, int | float):
        return 0
    if (values.drop_nans().drop_nulls() == values.drop_nans().drop_nulls().round(0)).all():
        return 0
    return 0 if top >= 100 else 2 if top >= 1 else 3


def _cell_formats(
    data: pl.DataFrame, percent: Sequence[str], money: Sequence[str], currency: str
) -> list[pl.Expr]:
    """One formatter per column: shares, money, counts, plain numbers and timestamps."""
    exprs = [share_expr(c) for c in percent] + [money_expr(c, currency) for c in money]
    for c, dtype in data.schema.items():
        if c in percent or c in money:
            continue
        if dtype.is_integer():
            exprs.append(count_expr(c))
        elif dtype.is_float():
            exprs.append(decimal_expr(c, _decimals(data[c])))
        elif isinstance(dtype, pl.Datetime):
            exprs.append(pl.col(c).dt.strftime("%Y-%m-%d %H:%M"))
        elif isinstance(dtype, pl.Date):
            exprs.append(pl.col(c).dt.strftime("%Y-%m-%d"))
    return exprs


def table(
    frame: Frame,
    *,
    percent: Sequence[str] = (),
    money: Sequence[str] = (),
    currency: str = "$",
    rows: int = 60,
) -> Table:
    """Format a small frame as a table for a report page.

    Parameters
    ----------
    frame
        The table (the first ``rows`` rows are shown).
    percent
        Columns holding shares (0.25 is shown as ``25.0%``).
    money
        Columns holding amounts (written with ``currency``, no cents from 1,000 up).
    currency
        Money symbol.
    rows
        Most rows shown.

    Examples
    --------
    >>> import polars as pl
    >>> t = table(pl.DataFrame({"status": ["won"], "value_coverage": [0.5], "amount": [1234.5]}),
    ...           percent=["value_coverage"], money=["amount"])
    >>> "<td>won</td>" in t._repr_html_(), "50.0%" in t._repr_html_(), "$1,234" in t.html
    (True, True, True)
    """
    from attribution.charts import label

    data = (frame.collect() if isinstance(frame, pl.LazyFrame) else frame).head(rows)
    missing = [c for c in (*percent, *money) if c not in data.columns]
    if missing:
        raise ParameterError(f"table: no column(s) {', '.join(missing)}; it has {data.columns}")
    exprs = _cell_formats(data, percent, money, currency)
    shown = data.with_columns(exprs).rename({c: label(c) for c in data.columns})
    with pl.Config(
        tbl_hide_column_data_types=True,
        tbl_hide_dataframe_shape=True,
        tbl_rows=rows,
        tbl_cols=-1,
        fmt_str_lengths=160,
    ):
        page = shown._repr_html_()
    page = _QUOTED.sub(lambda m: f"<td>{m.group(1)}</td>", page)
    for empty in ("null", "NaN", MISSING):
        page = page.replace(f"<td>{empty}</td>", "<td>&ndash;</td>")
    # text reads better left-aligned (polars aligns every cell right); numbers never wrap
    ident = "t" + hashlib.sha1(page.encode()).hexdigest()[:10]
    formatted = {e.meta.output_name() for e in exprs}
    left = [i for i, (c, t) in enumerate(data.schema.items(), 1) if t == pl.String]
    keep = [i for i, c in enumerate(data.columns, 1) if c in formatted]
    rules = [
        *(
            f"#{ident} td:nth-child({i}), #{ident} th:nth-child({i}) {{ text-align: left; }}"
            for i in left
        ),
        *(f"#{ident} td:nth-child({i}) {{ white-space: nowrap; }}" for i in keep),
    ]
    style = f"<style>{' '.join(rules)}</style>" if rules else ""
    page = page.replace(
        '<table border="1" class="dataframe"',
        f'{style}<table border="1" class="dataframe report-table" id="{ident}"',
    )
    return Table(data, page)
