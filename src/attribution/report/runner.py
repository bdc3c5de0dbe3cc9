"""The report runner: params file in, ``outputs/<run_name>/`` out.

:func:`run` (and ``attribution run PARAMS.yaml``) does, in order:

1. read and check the params file (:func:`attribution.report.params.load_params`): unknown or
   mistyped keys stop the run before anything happens;
2. pick the notebooks (``notebooks`` in the params, ``only=``, or every notebook in
   ``notebooks_dir``) and check each has a ``parameters`` cell;
3. load and validate the data **once** and write it as a snapshot
   (:mod:`attribution.data.snapshot`) into a temporary run folder, with row counts and hashes;
4. execute the notebooks with papermill (``jobs`` at a time, each in its own kernel whose
   working directory is the run folder), handing each the parameters its ``parameters``
   cell declares: the run's values (:func:`attribution.report.params.notebook_values`) plus
   :data:`attribution.report.params.RUNNER_PARAMETERS`: ``data_dir`` (the snapshot),
   ``tables_dir`` (where its chart tables go) and ``reports`` (the other reports of the
   run, for links);
5. render every executed notebook to one offline HTML page (:mod:`attribution.report.html`);
6. write ``manifest.json`` and ``index.html``, then rename the temporary folder into
   place. A run that fails leaves the previous report untouched; its partial output goes to
   ``<run_name>.failed/``.

Layout of a run folder::

    outputs/<run_name>/
    ├── index.html                  links to every report, run facts
    ├── manifest.json               parameters, inputs (rows, hashes), versions, git commit of
    │                               the package's source, timings, status
    ├── 00_summary.html             one self-contained page per notebook (no external URL)
    ├── 00_summary.ipynb            the executed notebook (code, outputs, papermill metadata)
    ├── tables/00_summary/*.parquet the table behind every chart, also as .csv
    └── data/                       the validated input snapshot the notebooks read
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import dataclasses
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from attribution._folders import swap_into_place
from attribution._text import did_you_mean
from attribution.data.dataset import Dataset
from attribution.engines import adapter
from attribution.errors import NotebookError, ParameterError
from attribution.models.compare import model_specs
from attribution.report.params import RunParams, Source, load_params, notebook_values

__all__ = [
    "NotebookError",
    "NotebookRun",
    "RunResult",
    "available_notebooks",
    "load_source",
    "notebook_title",
    "run",
]

_VERSIONS = (
    "attribution",
    "polars",
    "pyarrow",
    "numpy",
    "scipy",
    "statsmodels",
    "pandas",
    "altair",
    "vl-convert-python",
    "papermill",
    "nbconvert",
    "nbformat",
    "ipykernel",
)
_KERNEL_ARGS = ["--IPKernelApp.log_level=CRITICAL"]  # the kernel logs to our terminal


# ------------------------------------------------------------------------------ results
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


@dataclasses.dataclass(frozen=True)
class RunResult:
    """A finished run: where it is and what it recorded."""

    run_dir: Path
    index: Path
    manifest: dict[str, Any]
    notebooks: list[NotebookRun]


def _failure(failures: Sequence[NotebookRun], partial_dir: Path, run_dir: Path) -> NotebookError:
    """Return the error of a run whose notebooks failed: what failed, where its output is."""
    lines = [f.describe_error() for f in failures]
    for f in failures:
        html = f" (HTML: {partial_dir / f.html})" if f.html else ""
        lines.append(f"  partial output of {f.name}: {partial_dir / f.ipynb}{html}")
    lines.append(
        f"the previous report in {run_dir} is untouched"
        if run_dir.exists()
        else f"no report was written to {run_dir}"
    )
    return NotebookError(
        "\n".join(lines), failures=failures, partial_dir=partial_dir, run_dir=run_dir
    )


# ------------------------------------------------------------------------------ notebooks
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
                return line.lstrip("#").strip()
    return Path(path).stem


def _choose(params: RunParams, only: Sequence[str] | None) -> dict[str, Path]:
    found = available_notebooks(params.notebooks_dir)
    wanted = list(only) if only else (params.notebooks or list(found))
    problems = []
    for name in wanted:
        if name not in found:
            hint = did_you_mean(name, found, cutoff=0.5, otherwise="available: " + ", ".join(found))
            key = "--only" if only else "notebooks"
            problems.append(f"{key}: no notebook {name!r} in {params.notebooks_dir}; {hint}")
    if not wanted:
        problems.append(f"notebooks_dir: {params.notebooks_dir} holds no .ipynb notebooks")
    if problems:
        raise ParameterError("\n".join(problems), problems)
    return {name: found[name] for name in dict.fromkeys(wanted)}


def _declared(path: Path) -> dict[str, Any]:
    import nbformat
    import papermill

    nb = nbformat.read(path, as_version=4)
    if not any("parameters" in c.metadata.get("tags", []) for c in nb.cells):
        raise ParameterError(
            f"notebook {path.name} has no cell tagged 'parameters'; the runner needs one to "
            "hand it the run's values (tag the first code cell 'parameters')"
        )
    return dict(papermill.inspect_notebook(str(path)))


# ------------------------------------------------------------------------------ data
def load_source(source: Source) -> Dataset:
    """Load (and validate) the data a params ``source`` section names.

    Raises
    ------
    AttributionError
        The source cannot be read or breaks the data contract (every problem listed).
    """
    if source.demo is not None:
        from attribution.data import demo

        return demo.generate(n_accounts=source.demo.accounts, seed=source.demo.seed)
    from attribution.data.load import load

    assert source.path is not None  # checked by the params schema
    return load(
        source.path,
        mapping=source.mapping,
        columns=source.columns,
        tables=source.tables,
        time_zone=source.time_zone,
        lazy=source.lazy,
    )


# ------------------------------------------------------------------------------ progress
class _Progress:
    """A progress bar on a terminal, plain timestamped log lines otherwise."""

    def __init__(self, total: int, *, enabled: bool | None, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.bar: Any = None
        self.lock = threading.Lock()
        self.start = time.perf_counter()
        if (enabled is None and tty) or enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="step", file=self.stream, desc="report")

    def step(self, message: str, *, advance: int = 1) -> None:
        with self.lock:
            if self.bar is not None:
                self.bar.set_postfix_str(message, refresh=False)
                self.bar.update(advance)
            else:
                took = time.perf_counter() - self.start
                print(f"[attribution run {took:6.1f}s] {message}", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# ------------------------------------------------------------------------------ execution
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


def _execute_one(
    name: str,
    path: Path,
    title: str,
    values: dict[str, Any],
    run_dir: Path,
    nav: dict[str, str],
    progress: _Progress,
) -> NotebookRun:
    import nbformat
    import papermill

    from attribution.report.html import export_html

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
    progress.step(f"{name}: executed in {seconds['execute']:.1f}s" + (" (FAILED)" if error else ""))
    html: str | None = f"{name}.html"
    t1 = time.perf_counter()
    try:
        nb = nbformat.read(executed, as_version=4)
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
    progress.step(f"{name}: rendered in {seconds['html']:.1f}s")
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


# ------------------------------------------------------------------------------ records
def _load_spark(p: RunParams, scratch: Path) -> Dataset:
    """Check the params' Spark tables (and write model credits) through the Spark adapter."""
    source = p.source.spark
    assert source is not None
    models = model_specs(
        p.models.models,
        markov_order=p.models.markov_order,
        half_life_days=p.models.half_life_days,
        custom_weights=p.models.custom_weights or None,
    )
    spark: Any = adapter("spark")
    dataset: Dataset = spark.load_for_report(
        source.tables,
        scratch,
        master=source.master,
        credits_parquet=source.credits_parquet,
        models=models,
        lookback_days=p.window.lookback_days,
        as_of=p.window.as_of,
    )
    return dataset


def _versions() -> dict[str, str | None]:
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str | None] = {"python": platform.python_version()}
    for dist in _VERSIONS:
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = None
    return out


def _git(folder: Path) -> dict[str, Any] | None:
    """Commit (and whether files differ from it) of the repository holding ``folder``."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(folder), *args],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return None
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status)}


def _folder_mode() -> int:
    """Permissions of a new folder under the current umask (what mkdir would give)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o777 & ~umask


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# ------------------------------------------------------------------------------ run
def run(
    params: str | os.PathLike[str] | RunParams,
    *,
    only: Sequence[str] | None = None,
    jobs: int = 1,
    out: str | os.PathLike[str] | None = None,
    progress: bool | None = None,
    log: Any = None,
) -> RunResult:
    """Run the report notebooks of a params file and write ``<out>/<run_name>/``.

    Parameters
    ----------
    params
        A params YAML file (see :mod:`attribution.report.params`) or checked :class:`RunParams`.
    only
        Run only these notebooks (names without ``.ipynb``).
    jobs
        Notebooks executed at the same time (each in its own kernel).
    out
        Folder receiving ``<run_name>/`` (default: the params' ``output_dir``).
    progress
        Show a progress bar (default: when the log stream is a terminal); otherwise
        plain log lines.
    log
        Stream for progress output (default ``sys.stderr``).

    Returns
    -------
    RunResult

    Raises
    ------
    ParameterError
        Bad parameters, unknown notebooks, a notebook without a parameters cell: nothing
        has run and nothing was written.
    AttributionError
        The data cannot be read or breaks the contract: nothing was written.
    NotebookError
        A notebook failed: the previous report is untouched and the partial output is in
        ``<out>/<run_name>.failed/`` (named in the message).
    """
    started = _now()
    t_start = time.perf_counter()
    timings: dict[str, float] = {}
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ParameterError(f"--jobs must be a whole number of at least 1, got {jobs!r}")
    if isinstance(params, RunParams):
        params_file = None
        p = params
    else:
        params_file = Path(params).resolve()
        p = load_params(params)
    chosen = _choose(p, only)
    declared = {name: _declared(path) for name, path in chosen.items()}
    titles = {name: notebook_title(path) for name, path in chosen.items()}
    out_root = Path(out) if out is not None else Path(p.output_dir)
    run_dir = out_root / p.run_name
    timings["prepare"] = time.perf_counter() - t_start

    bar = _Progress(2 + 2 * len(chosen), enabled=progress, stream=log)
    tmp: Path | None = None
    scratch: Path | None = None
    try:
        t = time.perf_counter()
        if p.source.spark is not None:  # Spark tables: see attribution.spark.report
            out_root.mkdir(parents=True, exist_ok=True)
            scratch = out_root / f".{p.run_name}.spark-tables"
            dataset = _load_spark(p, scratch)
        else:
            dataset = load_source(p.source)
        timings["load"] = time.perf_counter() - t
        bar.step(f"loaded and validated {dataset.source} in {timings['load']:.1f}s")

        out_root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{p.run_name}.", dir=out_root))
        tmp.chmod(_folder_mode())  # mkdtemp makes it private; reviewers must read the report
        t = time.perf_counter()
        snapshot = _write_inputs(dataset, p, tmp)
        timings["snapshot"] = time.perf_counter() - t
        bar.step(f"wrote the data snapshot in {timings['snapshot']:.1f}s")
        del dataset  # the notebooks read the snapshot; free the memory for the kernels
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)

        from attribution import __version__
        from attribution.report.html import vega_bundle

        nav = {
            "index_href": "index.html",
            "run_name": p.run_name,
            "source": snapshot["source"],
            "generated": started,
            "version": __version__,
        }
        base_values = notebook_values(p)
        reports = {f"{n}.html": titles[n] for n in chosen}
        t = time.perf_counter()
        results: dict[str, NotebookRun] = {}
        with cf.ThreadPoolExecutor(max_workers=min(jobs, len(chosen)) + 1) as pool:
            pool.submit(vega_bundle)  # build the 0.9 MB JavaScript bundle while kernels start
            futures = {}
            gate = threading.BoundedSemaphore(min(jobs, len(chosen)))
            for name, path in chosen.items():
                runner_values = {
                    "data_dir": "data",
                    "tables_dir": f"tables/{name}",
                    "reports": {k: v for k, v in reports.items() if k != f"{name}.html"},
                }
                values = {**base_values, **runner_values}
                values = {k: v for k, v in values.items() if k in declared[name]}
                futures[name] = pool.submit(
                    _gated, gate, _execute_one, name, path, titles[name], values, tmp, nav, bar
                )
            for name, future in futures.items():
                results[name] = future.result()
        timings["notebooks"] = time.perf_counter() - t
        runs = [results[n] for n in chosen]
        failed = [r for r in runs if r.status != "ok"]
        timings["total"] = time.perf_counter() - t_start
        manifest = _manifest(
            p, params_file, snapshot, runs, timings, started, status="failed" if failed else "ok"
        )
        _write_records(tmp, p, manifest, runs)
        bar.step("wrote manifest.json and index.html")
        if failed:
            partial = out_root / f"{p.run_name}.failed"
            shutil.rmtree(partial, ignore_errors=True)
            tmp.rename(partial)
            tmp = None
            raise _failure(failed, partial, run_dir)
        swap_into_place(tmp, run_dir)
        tmp = None
    finally:
        bar.close()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    return RunResult(
        run_dir=run_dir, index=run_dir / "index.html", manifest=manifest, notebooks=runs
    )


def _gated(gate: threading.BoundedSemaphore, fn: Callable[..., NotebookRun], *args: Any) -> Any:
    with gate:
        return fn(*args)


def _write_inputs(dataset: Dataset, p: RunParams, tmp: Path) -> dict[str, Any]:
    from attribution.data.snapshot import source_files, write_snapshot

    info = write_snapshot(dataset, tmp / "data")
    files = source_files(p.source.path, tables=p.source.tables) if p.source.path is not None else []
    return {**info, "source_files": files}


def _manifest(
    p: RunParams,
    params_file: Path | None,
    snapshot: dict[str, Any],
    runs: list[NotebookRun],
    timings: dict[str, float],
    started: str,
    *,
    status: str,
) -> dict[str, Any]:
    return {
        "run_name": p.run_name,
        "title": p.title,
        "status": status,
        "started_at": started,
        "finished_at": _now(),
        "params_file": str(params_file) if params_file else None,
        "params": p.to_dict(),
        "inputs": {
            "source": snapshot["source"],
            "tables": {
                name: {"rows": t["rows"], "snapshot": f"data/{t['file']}", "sha256": t["sha256"]}
                for name, t in snapshot["tables"].items()
            },
            "source_files": snapshot["source_files"],
            "demo_truth": snapshot["truth"],
        },
        "notebooks": [dataclasses.asdict(r) for r in runs],
        "timings": {k: round(v, 3) for k, v in timings.items()},
        "versions": _versions(),
        "git": _git(Path(__file__).parent),
        "platform": {"system": platform.platform(), "cpus": os.cpu_count()},
    }


def _write_records(
    tmp: Path, p: RunParams, manifest: dict[str, Any], runs: list[NotebookRun]
) -> None:
    from attribution.report.html import index_html

    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
    inputs = manifest["inputs"]
    rows = ", ".join(f"{k} {v['rows']:,}" for k, v in inputs["tables"].items())
    git = manifest["git"]
    facts = {
        "Data": inputs["source"],
        "Rows": rows,
        "Journey window": f"{p.window.lookback_days:g} days before each opportunity",
        "Seen as of": p.window.as_of.isoformat()
        if p.window.as_of
        else "the latest timestamp in the data",
        "Started": manifest["started_at"],
        "Took": f"{manifest['timings']['total']:.1f} s",
        "Package": f"attribution {manifest['versions']['attribution']}",
        "Code": (f"git {git['commit'][:12]}" + (" (with local changes)" if git["dirty"] else ""))
        if git
        else "not in a git repository",
    }
    page = index_html(
        title=p.title,
        run_name=p.run_name,
        reports=[dataclasses.asdict(r) for r in runs],
        facts=facts,
    )
    (tmp / "index.html").write_text(page, encoding="utf-8")
