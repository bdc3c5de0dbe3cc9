"""What the standalone benchmarks share: demo sources written in a child, timed stages.

``contributions_speed.py`` and ``scorecard_speed.py`` write a demo source per size (in a
spawned process, so the generator's memory is not the measurement's), measure it with
their own function and print one table.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any


def peak_mb() -> float:
    """Peak resident memory of this process so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """Run ``fn`` once with estimate warnings silenced; return its result and wall seconds."""
    import attribution as at

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", at.EstimateWarning)
        out = fn()
    return out, time.perf_counter() - start


def write(folder: Path, accounts: int, seed: int) -> None:
    import attribution as at

    at.demo.write_large(folder, n_accounts=accounts, seed=seed)


def run_sizes(
    accounts: Iterable[int],
    args: argparse.Namespace,
    measure: Callable[[Path, argparse.Namespace], dict[str, Any]],
    *,
    float_precision: int = 1,
) -> None:
    """Write a demo source of each size, ``measure`` it, print one row per size."""
    import polars as pl

    rows = []
    spawn = multiprocessing.get_context("spawn")
    for n in accounts:
        tmp = Path(tempfile.mkdtemp(prefix="attribution-bench-"))
        try:
            child = spawn.Process(target=write, args=(tmp / "demo", n, args.seed))
            child.start()
            child.join()
            touches = pl.scan_parquet(tmp / "demo" / "touches" / "*.parquet").select(pl.len())
            row = {"accounts": n, "touches": touches.collect().item()}
            rows.append(row | measure(tmp / "demo", args))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    cores = len(os.sched_getaffinity(0))
    print(
        f"cores available: {cores}; polars threads: {pl.thread_pool_size()}; "
        f"tables {'in memory' if args.eager else 'lazy (Parquet re-read per query)'}"
    )
    with pl.Config(
        tbl_cols=20,
        tbl_width_chars=250,
        float_precision=float_precision,
        thousands_separator=True,
    ):
        print(pl.DataFrame(rows))
