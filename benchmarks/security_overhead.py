"""What the security and reliability checks cost: validation, CSV encoding, YAML limits.

    python benchmarks/security_overhead.py                    # 50,000 demo accounts
    python benchmarks/security_overhead.py --accounts 200000

Prints, for demo data of the given size: validation time with and without the
plausibility rules (timestamps in range, money below 1e15), the extra pass that checks a
CSV file is UTF-8, the time to neutralise formula cells of a chart table, and how long the
YAML reader takes to refuse a 540-byte alias bomb and a deep file (wall time and the
process's peak memory, VmHWM, read after each step). Each figure is the best of three runs;
run the script again for a spread.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

import attribution as at
from attribution._yaml import read_yaml
from attribution.data.schema import validate
from attribution.data.schema.plausible import Plausible
from attribution.data.sources.csv_files import _decode_all
from attribution.errors import ParameterError
from attribution.report.spreadsheet import formula_safe


def _best(fn: Callable[[], Any], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _NoRules(Plausible):
    def rules(self, table: Any, converted: Any) -> list[Any]:
        return []


def _refuse(path: Path) -> float:
    start = time.perf_counter()
    try:
        read_yaml(path)
    except ParameterError:
        return time.perf_counter() - start
    raise AssertionError(f"{path} was read")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50_000)
    args = parser.parse_args()
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, polars {pl.__version__}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    ds = at.demo.generate(n_accounts=args.accounts, seed=0)
    tables = ds.tables()
    rows = ", ".join(f"{k} {v.height:,}" for k, v in tables.items())
    print(f"demo data, {args.accounts:,} accounts: {rows}")
    with_rules = _best(lambda: validate(tables))
    without = _best(lambda: validate(tables, plausible=_NoRules()))
    print(
        f"validate: {with_rules:.2f} s with the plausibility rules, {without:.2f} s without "
        f"(+{with_rules - without:.2f} s); peak {_peak_mb():,.0f} MB"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = at.demo.write(ds, Path(tmp) / "src", fmt="csv")
        csv = folder / "touches.csv"
        size = csv.stat().st_size / 1e6
        check = _best(lambda: _decode_all(csv, "utf-8"))
        load = _best(lambda: at.load(folder))
        print(
            f"UTF-8 check of touches.csv ({size:,.0f} MB): {check:.2f} s "
            f"({size / check:,.0f} MB/s); whole at.load of the CSV folder {load:.2f} s"
        )
        table = tables["touches"].group_by("campaign", "channel").len()
        safe = _best(lambda: formula_safe(table))
        print(f"formula_safe on a chart table of {table.height:,} rows: {safe * 1e3:.1f} ms")
        bomb = Path(tmp) / "bomb.yaml"
        lines = ["report:", "  top_paths: &a0 [x, x, x, x, x, x, x, x, x]"]
        lines += [f"  l{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
        bomb.write_text("\n".join([*lines, "  currency: *a8", ""]))
        deep = Path(tmp) / "deep.yaml"
        deep.write_text("title: " + "[" * 5000 + "]" * 5000 + "\n")
        print(
            f"read_yaml refuses the alias bomb ({bomb.stat().st_size} bytes) in "
            f"{_refuse(bomb) * 1e3:.1f} ms and 5,000-deep nesting in {_refuse(deep) * 1e3:.1f} "
            f"ms; peak {_peak_mb():,.0f} MB"
        )


if __name__ == "__main__":
    main()
