"""A run's pages executed: its notebooks, ``jobs`` kernels at a time, beside its shared estimates.

:func:`execute_pages` is step 5 of :func:`attribution.report.runner.run`: each chosen
notebook (:class:`Pages`) is executed with papermill in its own kernel, in the run folder
(:func:`attribution.report.notebooks.execute`), handed only the parameters its
``parameters`` cell declares: ``data_dir`` (the run's data folder), ``tables_dir`` (where
its chart tables go) and ``reports`` (the run's other pages, for links). Meanwhile the
estimates every page shares are computed once (:meth:`RunData.precompute`); a page that
needs one before it is ready waits for it. :func:`page_runner` runs the same pages on one
segment's data (:mod:`attribution.report.segment_runs`).
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from attribution.data.dataset import Dataset
from attribution.report.html import import_exporter, vega_bundle
from attribution.report.notebooks import (
    NotebookRun,
    declared_parameters,
    execute,
    notebook_title,
)
from attribution.report.progress import Progress
from attribution.report.sections import RunParams
from attribution.report.segment_runs import PageRunner
from attribution.report.shared import RunData

__all__ = ["Pages", "execute_pages", "page_runner"]


@dataclasses.dataclass(frozen=True)
class Pages:
    """The notebooks a run executes, in run order: each one's file, parameters and title."""

    chosen: dict[str, Path]
    """Each notebook's file, by name (stem), in run order."""
    declared: dict[str, dict[str, Any]]
    """The parameters each notebook's ``parameters`` cell declares."""
    titles: dict[str, str]
    """Each notebook's title (its first heading)."""

    @classmethod
    def of(cls, chosen: dict[str, Path]) -> Pages:
        """Read what each chosen notebook declares and its title."""
        return cls(
            chosen=chosen,
            declared={name: declared_parameters(path) for name, path in chosen.items()},
            titles={name: notebook_title(path) for name, path in chosen.items()},
        )


def execute_pages(
    pages: Pages,
    tmp: Path,
    nav: dict[str, Any],
    jobs: int,
    bar: Progress,
    shared: RunData,
    timings: dict[str, float],
) -> list[NotebookRun]:
    """Execute and render every notebook, ``jobs`` at a time; return them in run order.

    The estimates the pages share are computed meanwhile, beside the kernels' start: a
    page that needs one before it is ready waits for it. Their seconds go into
    ``timings["shared estimates"]``.
    """
    reports = {f"{n}.html": pages.titles[n] for n in pages.chosen}
    width = min(jobs, len(pages.chosen))
    import_exporter()  # before any thread starts (see its note)
    with cf.ThreadPoolExecutor(max_workers=width + 2) as pool:
        pool.submit(vega_bundle)  # build the 0.9 MB JavaScript bundle while kernels start
        estimates = pool.submit(_shared_estimates, shared, bar)
        gate = threading.BoundedSemaphore(width)
        futures = {}
        for name, path in pages.chosen.items():
            values = {
                "data_dir": "data",
                "tables_dir": f"tables/{name}",
                "reports": {k: v for k, v in reports.items() if k != f"{name}.html"},
            }  # the notebook reads every other setting from the run's data (RUNNER_PARAMETERS)
            values = {k: v for k, v in values.items() if k in pages.declared[name]}
            futures[name] = pool.submit(
                _gated, gate, execute, name, path, pages.titles[name], values, tmp, nav, bar.step
            )
        runs = [futures[name].result() for name in pages.chosen]
        timings["shared estimates"] = estimates.result()
    return runs


def page_runner(pages: Pages, jobs: int, bar: Progress) -> PageRunner:
    """Return what runs the run's pages on one segment's data, in that segment's folder."""

    def run_pages(
        p: RunParams, dataset: Dataset, folder: Path, nav: dict[str, Any]
    ) -> list[NotebookRun]:
        shared = RunData(p, dataset, folder / "data")
        shared.announce()
        return execute_pages(pages, folder, nav, jobs, bar, shared, {})

    return run_pages


def _shared_estimates(shared: RunData, bar: Progress) -> float:
    """Compute the shared estimates; return the seconds it took (a failure is the pages')."""
    t = time.perf_counter()
    try:
        shared.precompute()
    except Exception as exc:  # the pages compute it themselves and report the error there
        bar.step(f"the shared estimates failed ({type(exc).__name__}); each page computes them")
        return time.perf_counter() - t
    took = time.perf_counter() - t
    bar.step(f"computed the shared estimates in {took:.1f}s")
    return took


def _gated(gate: threading.BoundedSemaphore, fn: Callable[..., NotebookRun], *args: Any) -> Any:
    with gate:
        return fn(*args)
