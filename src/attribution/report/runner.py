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
import dataclasses
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from attribution._folders import swap_into_place
from attribution.data import demo
from attribution.data.dataset import Dataset
from attribution.data.load import load
from attribution.data.snapshot import source_files, write_snapshot
from attribution.engines import adapter
from attribution.errors import NotebookError, ParameterError
from attribution.models.compare import model_specs
from attribution.report.notebooks import (
    NotebookRun,
    available_notebooks,
    choose,
    declared_parameters,
    execute,
    notebook_title,
)
from attribution.report.params import load_params, notebook_values
from attribution.report.records import manifest as record_manifest
from attribution.report.records import now, write_records
from attribution.report.sections import RunParams, Source

__all__ = [
    "NotebookError",
    "NotebookRun",
    "RunResult",
    "available_notebooks",
    "load_source",
    "notebook_title",
    "run",
]


# ------------------------------------------------------------------------------ results


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


# ------------------------------------------------------------------------------ data
def load_source(source: Source) -> Dataset:
    """Load (and validate) the data a params ``source`` section names.

    Raises
    ------
    AttributionError
        The source cannot be read or breaks the data contract (every problem listed).
    """
    if source.demo is not None:
        return demo.generate(n_accounts=source.demo.accounts, seed=source.demo.seed)
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


def _folder_mode() -> int:
    """Permissions of a new folder under the current umask (what mkdir would give)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o777 & ~umask


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
    started = now()
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
    chosen = choose(p, only)
    declared = {name: declared_parameters(path) for name, path in chosen.items()}
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
                    _gated, gate, execute, name, path, titles[name], values, tmp, nav, bar.step
                )
            for name, future in futures.items():
                results[name] = future.result()
        timings["notebooks"] = time.perf_counter() - t
        runs = [results[n] for n in chosen]
        failed = [r for r in runs if r.status != "ok"]
        timings["total"] = time.perf_counter() - t_start
        manifest = record_manifest(
            p, params_file, snapshot, runs, timings, started, status="failed" if failed else "ok"
        )
        write_records(tmp, p, manifest, runs)
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
    info = write_snapshot(dataset, tmp / "data")
    files = source_files(p.source.path, tables=p.source.tables) if p.source.path is not None else []
    return {**info, "source_files": files}
