"""A run per segment: each value's pages, its records, and the comparison page.

With ``by: <column>`` in the params, :func:`attribution.report.runner.run` writes the
whole-data pages as usual, then calls :func:`run_segments`, which for each value with
enough data (:func:`attribution.report.segments.plan_segments`):

1. cuts the data to the value (:func:`attribution.journey.subsets.subset`) and writes its
   snapshot and parameters into ``by/<column>/<slug>/data/``;
2. runs the same pages on it (the runner's own page executor, so shared estimates,
   readiness and rendering are the same), each page's header linking the other values;
3. writes the value's ``manifest.json`` and ``index.html`` beside its pages;

and then writes the comparison page ``by/<column>/index.html``
(:mod:`attribution.report.segment_page`). It returns what the run's manifest records
under ``segments``, and every page run, so that a failed one fails the run.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from attribution._text import DEALS
from attribution.data.dataset import Dataset
from attribution.data.snapshot import write_snapshot
from attribution.journey.subsets import subset
from attribution.models.compare import model_specs
from attribution.money.segments import segment_summary
from attribution.report.facts import run_facts
from attribution.report.notebooks import NotebookRun
from attribution.report.records import manifest, now, write_records
from attribution.report.sections import RunParams
from attribution.report.segment_page import COMPARISON_PAGE, write_comparison
from attribution.report.segments import Segment, SegmentPlan, segment_menu
from attribution.report.shared import write_params

__all__ = ["PageRunner", "run_segments"]

PageRunner = Callable[[RunParams, Dataset, Path, dict[str, Any]], list[NotebookRun]]
"""Runs the run's pages on ``(params, data, folder, header)`` and returns them."""


def _params(p: RunParams, plan: SegmentPlan, segment: Segment) -> RunParams:
    """Return one value's parameters: the run's, titled for the value, without ``by``."""
    return dataclasses.replace(
        p, title=f"{p.title} ({plan.by}: {segment.value})", by=None, by_values=None
    )


def _one(
    plan: SegmentPlan,
    segment: Segment,
    dataset: Dataset,
    p: RunParams,
    folder: Path,
    nav: Mapping[str, Any],
    pages: PageRunner,
) -> tuple[dict[str, Any], list[NotebookRun]]:
    """Run one value's pages into ``folder``; return its manifest entry and page runs."""
    t, started = time.perf_counter(), now()
    mine = _params(p, plan, segment)
    part = subset(dataset, plan.by, segment.value)
    snapshot = {**write_snapshot(part, folder / "data"), "source_files": []}
    write_params(mine, folder / "data")
    facts = {f"{plan.by}": segment.value, **run_facts(part, mine)}
    menu = segment_menu(plan, segment.slug)
    header = {
        **nav,
        "index_href": "index.html",
        "glossary_href": f"{menu['to_run']}{nav['glossary_href']}",
        "run_name": f"{p.run_name} · {plan.by}: {segment.value}",
        "source": snapshot["source"],
        "facts": " · ".join(f"{k}: {v}" for k, v in facts.items()),
        "segments": menu,
    }
    runs = pages(mine, part, folder, header)
    took = {"total": time.perf_counter() - t}
    status = "failed" if any(r.status != "ok" for r in runs) else "ok"
    record = manifest(mine, None, snapshot, runs, took, started, status=status)
    record["segment"] = {"by": plan.by, "value": segment.value}
    write_records(folder, mine, record, runs, facts, segments=menu)
    entry = {
        "status": status,
        "folder": f"{plan.folder}/{segment.slug}",
        "seconds": round(took["total"], 3),
        "pages": [r.html for r in runs if r.html],
    }
    return entry, runs


def _in_run(page: NotebookRun, folder: str) -> NotebookRun:
    """Return ``page`` with its names relative to the run folder (for the run's messages)."""
    return dataclasses.replace(
        page,
        name=f"{folder}/{page.name}",
        ipynb=f"{folder}/{page.ipynb}",
        html=f"{folder}/{page.html}" if page.html else None,
    )


def run_segments(
    plan: SegmentPlan,
    dataset: Dataset,
    p: RunParams,
    run_dir: Path,
    nav: Mapping[str, Any],
    pages: PageRunner,
    step: Callable[[str], None],
    *,
    parallel: int = 1,
) -> tuple[dict[str, Any], list[NotebookRun]]:
    """Write every value's pages and the comparison page into ``run_dir``.

    Parameters
    ----------
    plan
        The checked segments.
    dataset
        The whole data.
    p
        The run's parameters.
    run_dir
        The run folder being written.
    nav
        The header of the whole-data pages (run name, facts, glossary link...).
    pages
        Runs the run's pages on one value's data (the runner's executor).
    step
        Receives progress messages.
    parallel
        Values run at the same time (each runs its pages as ``pages`` does).

    Returns
    -------
    tuple
        What the manifest records under ``segments``, and every page run of every value.
    """
    t = time.perf_counter()
    values, every = _run_values(plan, dataset, p, run_dir, nav, pages, step, parallel)
    model = _compare_values(plan, dataset, p, run_dir, nav)
    step(f"wrote the comparison of every {plan.by}")
    record = {
        "by": plan.by,
        "comparison": f"{plan.folder}/{COMPARISON_PAGE}",
        "min_won": plan.min_won,
        "model": model,
        "values": values,
        "timings": {"segments": round(time.perf_counter() - t, 3)},
    }
    return record, every


def _run_values(
    plan: SegmentPlan,
    dataset: Dataset,
    p: RunParams,
    run_dir: Path,
    nav: Mapping[str, Any],
    pages: PageRunner,
    step: Callable[[str], None],
    parallel: int,
) -> tuple[list[dict[str, Any]], list[NotebookRun]]:
    """Run the pages of every value with enough data, ``parallel`` at a time.

    Returns each value's manifest entry (in the plan's order; "too little data" for a value
    without pages) and every page run, named from the run folder.
    """
    every: list[NotebookRun] = []
    values = [
        {
            "value": s.value,
            "slug": s.slug,
            "accounts": s.accounts,
            "opportunities": s.opportunities,
            "won": s.won,
            "status": "too little data",
            "pages": [],
        }
        for s in plan.segments
    ]

    def one(segment: Segment) -> tuple[dict[str, Any], list[NotebookRun]]:
        step(f"{plan.by} = {segment.value}: running the pages on its data")
        folder = run_dir / plan.folder / segment.slug
        return _one(plan, segment, dataset, p, folder, nav, pages)

    with cf.ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        futures = {s.slug: pool.submit(one, s) for s in plan.with_pages}
        for entry in values:  # in the plan's order, whatever order they finish in
            if entry["slug"] in futures:
                done, runs = futures[entry["slug"]].result()
                entry.update(done)
                every += [_in_run(r, done["folder"]) for r in runs]
    return values, every


def _compare_values(
    plan: SegmentPlan, dataset: Dataset, p: RunParams, run_dir: Path, nav: Mapping[str, Any]
) -> str:
    """Write the comparison page of every value (the run's first model); return the model."""
    m = p.models
    model = m.models[0]
    options = model_specs(
        [model],
        markov_order=m.markov_order,
        half_life_days=m.half_life_days,
        custom_weights=m.custom_weights or None,
    )[model]
    summary = segment_summary(
        dataset,
        plan.by,
        model=model,
        options=options,
        lookback_days=p.window.lookback_days,
        as_of=p.window.as_of,
        level=p.intervals.level,
    )
    menu = segment_menu(plan, None, comparison=True)
    header = {
        **nav,
        "index_href": menu["whole_href"],
        "glossary_href": f"{menu['to_run']}{nav['glossary_href']}",
        "segments": menu,
    }
    currency = DEALS if dataset.count_only else p.report.currency
    write_comparison(run_dir / plan.folder, plan, summary, currency=currency, nav=header)
    return model
