"""The report runner: params file in, ``outputs/<run_name>/`` out.

:func:`run` (and ``attribution run PARAMS.yaml``) does, in order:

1. read and check the params file (:func:`attribution.report.params.load_params`): unknown or
   mistyped keys stop the run before anything happens;
2. pick the notebooks (``notebooks`` in the params, ``only=``, or every notebook in
   ``notebooks_dir``) and check each has a ``parameters`` cell;
3. load and validate the data **once** and write it as a snapshot
   (:mod:`attribution.data.snapshot`) into a temporary run folder, with row counts and hashes;
4. write the run's parameters (``data/run.json``) and compute the estimates several pages
   show once, into ``data/shared/`` (:mod:`attribution.report.shared`);
5. execute the notebooks with papermill (:mod:`attribution.report.page_runs`: ``jobs`` at a
   time, each in its own kernel whose working directory is the run folder), handing each
   ``data_dir`` (the run's data folder: snapshot, parameters, shared estimates),
   ``tables_dir`` (where its chart tables go) and ``reports`` (the other reports of the
   run, for links);
6. render every executed notebook to one offline HTML page (:mod:`attribution.report.html`);
7. write ``manifest.json`` and ``index.html``, then swap the temporary folder into place.
   A run that fails leaves the previous report untouched; its partial output goes to
   ``<run_name>.failed/``.

A run never deletes what it did not write: it replaces ``<run_name>/`` (or
``<run_name>.failed/``) only when that folder holds the manifest of an earlier run, and
says so before reading anything otherwise. Its temporary folder
(``.<run_name>.tmp-XXXX``) is held by a lock while the run lives; the next run of the same
name removes one that a killed run left behind. Concurrent runs of one name take turns
at the swap (:mod:`attribution._folders`).

Layout of a run folder::

    outputs/<run_name>/
    ├── index.html                  links to every report, run facts
    ├── manifest.json               parameters, inputs (rows, hashes), versions, git commit of
    │                               the package's source, timings, status
    ├── 00_summary.html             one self-contained page per notebook (no external URL)
    ├── 00_summary.ipynb            the executed notebook (code, outputs, papermill metadata)
    ├── tables/00_summary/*.parquet the table behind every chart, also as .csv
    └── data/                       what the notebooks read: the validated input snapshot,
                                    run.json (the parameters), shared/ (the shared estimates)
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from attribution._folders import claimed, swap_into_place
from attribution._version import __version__
from attribution.data.dataset import Dataset
from attribution.data.snapshot import source_files, write_snapshot
from attribution.engines import adapter
from attribution.errors import NotebookError, ParameterError
from attribution.models.compare import model_specs
from attribution.report.extras import write_extras
from attribution.report.facts import run_facts
from attribution.report.glossary import GLOSSARY_PAGE
from attribution.report.notebooks import NotebookRun, choose
from attribution.report.page_runs import Pages, execute_pages, page_runner
from attribution.report.params import load_params
from attribution.report.progress import Progress as _Progress
from attribution.report.records import check_destination, is_run_folder, now, write_records
from attribution.report.records import manifest as record_manifest
from attribution.report.sections import RunParams
from attribution.report.segment_runs import run_segments
from attribution.report.segments import SegmentPlan, plan_segments, segment_menu
from attribution.report.shared import RunData, load_source, write_params

__all__ = ["RunResult", "run"]


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


# ------------------------------------------------------------------------------ data
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
    started, t_start = now(), time.perf_counter()
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ParameterError(f"--jobs must be a whole number of at least 1, got {jobs!r}")
    plan = _plan(params, only, out)
    timings: dict[str, float] = {"prepare": time.perf_counter() - t_start}
    bar = _Progress(4 + 2 * len(plan.pages.chosen), enabled=progress, stream=log)
    with contextlib.ExitStack() as stack:
        stack.callback(bar.close)
        dataset, segments = _load_and_plan(plan, stack, timings, bar)
        tmp = stack.enter_context(claimed(plan.out_root, plan.p.run_name))
        snapshot = _write_data(dataset, plan.p, tmp, timings, bar)
        shared = RunData(plan.p, dataset, tmp / "data")
        facts = run_facts(dataset, plan.p)
        whole = dataset if segments is not None else None  # the segments are cut from it
        shared.announce()
        nav = _nav(plan, snapshot, started, facts, segments)
        t = time.perf_counter()
        runs = execute_pages(plan.pages, tmp, nav, jobs, bar, shared, timings)
        timings["notebooks"] = time.perf_counter() - t
        per_segment, runs_in_segments = _segments(plan, segments, whole, tmp, nav, jobs, bar)
        timings.update(per_segment.get("timings", {}) if per_segment else {})
        t = time.perf_counter()
        extras = write_extras(tmp, nav, {r.name: r.html for r in runs}, bar.step)
        timings["exports"] = time.perf_counter() - t
        timings["total"] = time.perf_counter() - t_start
        failed = [r for r in [*runs, *runs_in_segments] if r.status != "ok"]
        manifest = record_manifest(
            plan.p, plan.params_file, snapshot, runs, timings, started,
            status="failed" if failed else "ok",
        )  # fmt: skip
        manifest["exports"] = extras
        if per_segment is not None:
            manifest["segments"] = per_segment
        write_records(tmp, plan.p, manifest, runs, facts, segments=nav.get("segments"))
        bar.step("wrote manifest.json and index.html")
        _publish(tmp, plan, failed)
    return RunResult(
        run_dir=plan.run_dir, index=plan.run_dir / "index.html", manifest=manifest, notebooks=runs
    )


@dataclasses.dataclass(frozen=True)
class _Plan:
    """A checked run before anything is written: its params, notebooks and folders."""

    p: RunParams
    params_file: Path | None
    pages: Pages
    out_root: Path
    run_dir: Path


def _plan(
    params: str | os.PathLike[str] | RunParams,
    only: Sequence[str] | None,
    out: str | os.PathLike[str] | None,
) -> _Plan:
    """Check the params and the notebooks; nothing is read or written yet."""
    if isinstance(params, RunParams):
        params_file, p = None, params
    else:
        params_file, p = Path(params).resolve(), load_params(params)
    chosen = choose(p, only)
    out_root = Path(out) if out is not None else Path(p.output_dir)
    check_destination(out_root, out_root / p.run_name)
    return _Plan(
        p=p,
        params_file=params_file,
        pages=Pages.of(chosen),
        out_root=out_root,
        run_dir=out_root / p.run_name,
    )


def _load(plan: _Plan, stack: contextlib.ExitStack) -> Dataset:
    """Load and validate the data once; Spark tables go through a scratch folder.

    The scratch folder (``.<run_name>.spark.tmp-XXXX``) lives as long as ``stack``, like the
    run's own temporary folder: the next run of the name removes one a killed run left.
    """
    p = plan.p
    if p.source.spark is None:
        return load_source(p.source)
    scratch = stack.enter_context(claimed(plan.out_root, f"{p.run_name}.spark"))
    return _load_spark(p, scratch)


def _load_and_plan(
    plan: _Plan, stack: contextlib.ExitStack, timings: dict[str, float], bar: _Progress
) -> tuple[Dataset, SegmentPlan | None]:
    """Load the data (timed) and plan the runs per segment, if any (``by`` checked)."""
    t = time.perf_counter()
    dataset = _load(plan, stack)
    timings["load"] = time.perf_counter() - t
    bar.step(f"loaded and validated {dataset.source} in {timings['load']:.1f}s")
    segments = plan_segments(dataset, plan.p)  # checks `by` before anything is written
    per_value = 2 + 2 * len(plan.pages.chosen)  # progress steps per segment value
    bar.grow(0 if segments is None else 1 + per_value * len(segments.with_pages))
    return dataset, segments


def _write_data(
    dataset: Dataset, p: RunParams, tmp: Path, timings: dict[str, float], bar: _Progress
) -> dict[str, Any]:
    """Write the snapshot of the data and the run's parameters."""
    t = time.perf_counter()
    info = write_snapshot(dataset, tmp / "data")
    files = source_files(p.source.path, tables=p.source.tables) if p.source.path is not None else []
    write_params(p, tmp / "data")
    timings["snapshot"] = time.perf_counter() - t
    bar.step(f"wrote the data snapshot in {timings['snapshot']:.1f}s")
    return {**info, "source_files": files}


def _nav(
    plan: _Plan,
    snapshot: dict[str, Any],
    started: str,
    facts: dict[str, str],
    segments: SegmentPlan | None = None,
) -> dict[str, Any]:
    """Return what every page's header and footer show: the run, its data and its facts.

    In a run per segment, the header also links every value's pages (``segments``).
    """
    menu = {} if segments is None else {"segments": segment_menu(segments, None)}
    return {
        **menu,
        "index_href": "index.html",
        "glossary_href": GLOSSARY_PAGE,
        "run_name": plan.p.run_name,
        "source": snapshot["source"],
        "generated": started,
        "version": __version__,
        "facts": " · ".join(f"{k}: {v}" for k, v in facts.items()),
    }


def _segments(
    plan: _Plan,
    segments: SegmentPlan | None,
    whole: Dataset | None,
    tmp: Path,
    nav: dict[str, Any],
    jobs: int,
    bar: _Progress,
) -> tuple[dict[str, Any] | None, list[NotebookRun]]:
    """Run the pages per segment (a run with ``by``): ``jobs`` kernels in all."""
    if segments is None or whole is None:
        return None, []
    width = max(1, min(jobs, len(segments.with_pages)))  # values at the same time
    pages = page_runner(plan.pages, max(1, jobs // width), bar)
    return run_segments(segments, whole, plan.p, tmp, nav, pages, bar.step, parallel=width)


def _publish(tmp: Path, plan: _Plan, failed: list[NotebookRun]) -> None:
    """Swap the finished run into place, or keep a failed one aside and raise.

    Only a folder an earlier run wrote is replaced (checked again under the folder's lock:
    a concurrent run may have written it meanwhile).
    """
    if failed:
        partial = plan.out_root / f"{plan.p.run_name}.failed"
        swap_into_place(tmp, partial, replaceable=is_run_folder)
        raise _failure(failed, partial, plan.run_dir)
    swap_into_place(tmp, plan.run_dir, replaceable=is_run_folder)
