"""One report notebook: find it, read what it declares, execute it, render it to HTML.

:func:`execute` runs a notebook with papermill in its own kernel (working directory: the
run folder) and renders the executed notebook to one offline HTML page; a failing cell, a
dead kernel or a failed rendering becomes a :class:`NotebookRun` with ``status="failed"``
and an ``error`` that names the cell, never an exception.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from attribution._resources import shipped
from attribution._text import did_you_mean
from attribution.errors import ParameterError
from attribution.report.sections import RunParams

__all__ = [
    "NotebookRun",
    "available_notebooks",
    "choose",
    "declared_parameters",
    "execute",
    "notebook_title",
    "pages_dir",
]

_KERNEL_ARGS = ["--IPKernelApp.log_level=CRITICAL"]  # the kernel logs to our terminal


@dataclasses.dataclass(frozen=True)
class NotebookRun:
    """What happened to one notebook of a run.

    Attributes
    ----------
    name, title
        File stem and the title from its first heading.
    status
        ``"ok"`` or ``"failed"``.
    seconds
        Time to execute it (kernel start included) and to render its HTML.
    ipynb, html
        File names in the run folder (``html`` is None when rendering failed).
    tables
        Paths, relative to the run folder, of the tables it saved.
    error
        For a failed notebook: ``cell`` (1-based position in the source notebook, markdown
        cells included), ``execution_count`` (the ``In [n]`` of the executed notebook),
        ``ename``, ``evalue`` and ``source`` (first line of the cell).
    """

    name: str
    title: str
    status: str
    seconds: dict[str, float]
    ipynb: str
    html: str | None
    tables: list[str]
    error: dict[str, Any] | None = None

    def describe_error(self) -> str:
        """Return one line naming the notebook, the cell and the error."""
        e = self.error or {}
        where = f"cell {e.get('cell')}"
        if e.get("execution_count") is not None:
            where += f" (In [{e['execution_count']}])"
        src = f', which starts "{e["source"]}"' if e.get("source") else ""
        return f"notebook {self.name} failed in {where}{src}: {e.get('ename')}: {e.get('evalue')}"


def pages_dir(params: RunParams) -> Path:
    """Return the folder of a run's notebooks: ``notebooks_dir``, else the shipped pages.

    Examples
    --------
    >>> pages_dir(RunParams()).name
    'pages'
    """
    if params.notebooks_dir is not None:
        return Path(params.notebooks_dir)
    return shipped("attribution.report", "pages")


def available_notebooks(folder: str | os.PathLike[str]) -> dict[str, Path]:
    """Return the report notebooks of a folder by name (file stem), in name order."""
    root = Path(folder)
    if not root.is_dir():
        raise ParameterError(f"notebooks_dir: folder {root} does not exist")
    return {p.stem: p for p in sorted(root.glob("*.ipynb")) if not p.name.startswith(".")}


def notebook_title(path: str | os.PathLike[str]) -> str:
    """Return the text of a notebook's first markdown heading (or its file stem)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if line.startswith("#"):
                return str(line.lstrip("#").strip())
    return Path(path).stem


def choose(params: RunParams, only: Sequence[str] | None) -> dict[str, Path]:
    """Return the notebooks a run executes (``only``, the params' list, or all), by name."""
    folder = pages_dir(params)
    found = available_notebooks(folder)
    wanted = list(only) if only else (params.notebooks or list(found))
    problems = []
    for name in wanted:
        if name not in found:
            hint = did_you_mean(name, found, cutoff=0.5, otherwise="available: " + ", ".join(found))
            key = "--only" if only else "notebooks"
            problems.append(f"{key}: no notebook {name!r} in {folder}; {hint}")
    if not wanted:
        problems.append(f"notebooks_dir: {folder} holds no .ipynb notebooks")
    if problems:
        raise ParameterError("\n".join(problems), problems)
    return {name: found[name] for name in dict.fromkeys(wanted)}


def declared_parameters(path: Path) -> dict[str, Any]:
    """Return the parameters a notebook's ``parameters`` cell declares (papermill's view)."""
    import nbformat
    import papermill

    nb = nbformat.read(path, as_version=4)
    if not any("parameters" in c.metadata.get("tags", []) for c in nb.cells):
        raise ParameterError(
            f"notebook {path.name} has no cell tagged 'parameters'; the runner needs one to "
            "hand it the run's values (tag the first code cell 'parameters')"
        )
    return dict(papermill.inspect_notebook(str(path)))


@contextlib.contextmanager
def _thread_event_loop() -> Iterator[None]:
    """Close the event loop jupyter_core makes for a worker thread when the thread is done."""
    try:
        yield
    finally:
        from jupyter_core.utils import ensure_event_loop

        loop = ensure_event_loop()
        if not loop.is_running():
            loop.close()


def _error_of(exc: BaseException, executed: Path, source: Path) -> dict[str, Any]:
    """Describe a failure: which cell (1-based position in the source notebook), what error."""
    from papermill.exceptions import PapermillExecutionError

    if not isinstance(exc, PapermillExecutionError):
        return {
            "cell": None,
            "execution_count": None,
            "ename": type(exc).__name__,
            "evalue": str(exc),
            "source": "",
        }
    import nbformat

    cell_no, first_line = None, ""
    with contextlib.suppress(Exception):  # the description must not hide the failure
        failed = next(
            c
            for c in nbformat.read(executed, as_version=4).cells
            if c.metadata.get("papermill", {}).get("status") == "failed"
        )
        lines = [ln for ln in failed.source.splitlines() if ln.strip()]
        first_line = lines[0][:80] if lines else ""
        original = nbformat.read(source, as_version=4).cells
        cell_no = next(i for i, c in enumerate(original, 1) if c.source == failed.source)
    return {
        "cell": cell_no,
        "execution_count": exc.exec_count,
        "ename": exc.ename,
        "evalue": exc.evalue,
        "source": first_line,
    }


def execute(
    name: str,
    path: Path,
    title: str,
    values: dict[str, Any],
    run_dir: Path,
    nav: dict[str, Any],
    step: Callable[[str], None],
) -> NotebookRun:
    """Execute notebook ``name`` with ``values`` into ``run_dir`` and render its HTML page.

    ``step`` receives a progress message after each of the two stages. Never raises for a
    failing notebook: the returned :class:`NotebookRun` says what failed and where.
    """
    import nbformat
    import papermill

    from attribution.report.html import drop_loader, export_html

    executed = run_dir / f"{name}.ipynb"
    seconds: dict[str, float] = {}
    error = None
    t0 = time.perf_counter()
    with _thread_event_loop():
        try:
            papermill.execute_notebook(
                str(path),
                str(executed),
                parameters=values,
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                resources={"metadata": {"path": str(run_dir)}},
                extra_arguments=_KERNEL_ARGS,
            )
        except Exception as exc:  # a failing cell, a dead kernel, a timeout
            error = _error_of(exc, executed, path)
    seconds["execute"] = time.perf_counter() - t0
    step(f"{name}: executed in {seconds['execute']:.1f}s" + (" (FAILED)" if error else ""))
    html: str | None = f"{name}.html"
    t1 = time.perf_counter()
    try:
        nb = nbformat.read(executed, as_version=4)
        drop_loader(nb)  # 0.9 MB of libraries a live notebook needs and the record does not
        nb.metadata.setdefault("papermill", {})["output_path"] = executed.name
        nb.metadata["papermill"]["input_path"] = path.name
        nbformat.write(nb, executed)
        export_html(
            nb,
            run_dir / str(html),
            title=title,
            nav={**nav, "notebook": executed.name, "tables": f"tables/{name}/"},
        )
    except Exception as exc:  # rendering must not hide an execution error
        html = None
        if error is None:
            error = _error_of(exc, executed, path)
            error["evalue"] = f"rendering to HTML failed: {error['evalue']}"
    seconds["html"] = time.perf_counter() - t1
    step(f"{name}: rendered in {seconds['html']:.1f}s")
    tables_dir = run_dir / "tables" / name
    tables = (
        sorted(str(p.relative_to(run_dir)) for p in tables_dir.iterdir())
        if tables_dir.is_dir()
        else []
    )
    return NotebookRun(
        name=name,
        title=title,
        status="failed" if error else "ok",
        seconds={k: round(v, 3) for k, v in seconds.items()},
        ipynb=executed.name,
        html=html,
        tables=tables,
        error=error,
    )
