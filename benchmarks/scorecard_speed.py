"""Speed and memory of the shared scorecard on demo data of growing size.

For each size, demo data is generated in a child process and written as Parquet parts (not
timed, not counted in memory), loaded into memory (``--eager``, the default) or kept as
lazy scans, and each step is timed: applying the shipped definitions
(``attribution.apply_definitions``), the scorecard without the contribution targets, and
the full shipped scorecard (one contribution estimate included). Prints one table. Peak
memory is this process's maximum resident set size (it only grows).

    .venv/bin/python benchmarks/scorecard_speed.py --accounts 5000 50000 200000

Demo data has about 11 touches and 1.6 contacts per account.
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

import attribution as at

ROOT = Path(__file__).resolve().parents[1]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", at.EstimateWarning)
        out = fn()
    return out, time.perf_counter() - start


def write(folder: Path, accounts: int, seed: int) -> None:
    at.demo.write_large(folder, n_accounts=accounts, seed=seed)


def measure(folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    definitions = at.load_definitions(ROOT / "params" / "definitions.yaml")
    targets = at.load_targets(ROOT / "params" / "targets.yaml")
    counted = {
        "targets": [
            {k: v for k, v in vars(t).items() if v is not None}
            for t in targets.targets
            if not at.targets.KPIS[str(t.kpi)].estimate
        ]
    }
    ds, t_load = timed(lambda: at.load(folder, lazy=True))
    if args.eager:
        ds, t_collect = timed(ds.collect)
        t_load += t_collect
    applied, t_apply = timed(lambda: at.apply_definitions(ds, definitions))
    _, t_counted = timed(lambda: at.scorecard(ds, counted, definitions))
    card, t_full = timed(lambda: at.scorecard(ds, targets, definitions, draws=args.draws))
    return {
        "contacts": applied.contacts.height,
        "agreed MQLs": applied.contacts["mql_at"].is_not_null().sum(),
        "load s": t_load,
        "apply_definitions s": t_apply,
        f"scorecard, {len(counted['targets'])} counted KPIs s": t_counted,
        f"scorecard, all {card.table.height} KPIs s": t_full,
        "peak RSS MB": peak_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, nargs="+", default=[5_000, 50_000])
    parser.add_argument("--draws", type=int, default=300, help="contribution interval draws")
    parser.add_argument("--lazy", dest="eager", action="store_false", help="keep lazy scans")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rows = []
    spawn = multiprocessing.get_context("spawn")
    for accounts in args.accounts:
        tmp = Path(tempfile.mkdtemp(prefix="attribution-bench-"))
        try:
            child = spawn.Process(target=write, args=(tmp / "demo", accounts, args.seed))
            child.start()
            child.join()
            touches = pl.scan_parquet(tmp / "demo" / "touches" / "*.parquet").select(pl.len())
            row = {"accounts": accounts, "touches": touches.collect().item()}
            rows.append(row | measure(tmp / "demo", args))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    cores = len(os.sched_getaffinity(0))
    print(
        f"cores available: {cores}; polars threads: {pl.thread_pool_size()}; "
        f"tables {'in memory' if args.eager else 'lazy (Parquet re-read per query)'}"
    )
    with pl.Config(tbl_cols=20, tbl_width_chars=250, float_precision=2, thousands_separator=True):
        print(pl.DataFrame(rows))


if __name__ == "__main__":
    main()
