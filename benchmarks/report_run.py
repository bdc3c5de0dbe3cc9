"""Time a full report run (`attribution run`) on demo data: total and per step.

    python benchmarks/report_run.py                  # 5,000 accounts, --jobs 1 and 4
    python benchmarks/report_run.py --accounts 5000 20000 --jobs 1 2 4

Each configuration runs once into a temporary folder (kernel start dominates; repeat the
script for a spread). Prints one table row per configuration.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import tempfile
import time
from pathlib import Path

import yaml

from attribution.report import runner as report

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, nargs="+", default=[5_000])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 4])
    args = parser.parse_args()
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}"
    )
    header = (
        f"{'accounts':>9} {'jobs':>4} {'total s':>8} {'prepare':>8} {'load':>6} "
        f"{'notebooks':>9}  per notebook (execute + html)"
    )
    print(header)
    print("-" * len(header))
    for accounts in args.accounts:
        for jobs in args.jobs:
            with tempfile.TemporaryDirectory() as tmp:
                params = Path(tmp) / "bench.yaml"
                params.write_text(
                    yaml.safe_dump(
                        {
                            "run_name": "bench",
                            "source": {"demo": {"accounts": accounts, "seed": 0}},
                            "notebooks_dir": str(ROOT / "notebooks"),
                        }
                    )
                )
                start = time.perf_counter()
                result = report.run(params, jobs=jobs, out=tmp, progress=False, log=io.StringIO())
                wall = time.perf_counter() - start
                t = result.manifest["timings"]
                per = ", ".join(
                    f"{n.name} {n.seconds['execute']:.1f}+{n.seconds['html']:.1f}"
                    for n in result.notebooks
                )
                print(
                    f"{accounts:>9,} {jobs:>4} {wall:>8.1f} {t['prepare']:>8.1f} "
                    f"{t['load']:>6.2f} {t['notebooks']:>9.1f}  {per}"
                )


if __name__ == "__main__":
    main()
