"""What the money page adds to a report run: the run without it, then with it.

    python benchmarks/money_overhead.py                       # params/default.yaml, --jobs 4
    python benchmarks/money_overhead.py --params params/ci.yaml --jobs 2

Runs the params file twice into temporary folders: every page but ``05_money``, then every
page; prints the wall time of each, the money page's own execute + render seconds and the
relative overhead. Kernel start and a shared machine add noise: repeat for a spread.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import tempfile
import time
from pathlib import Path

from attribution.report import runner as report
from attribution.report.notebooks import available_notebooks, pages_dir
from attribution.report.params import load_params

ROOT = Path(__file__).resolve().parents[1]
PAGE = "05_money"


def _timed(params: Path, only: list[str] | None, jobs: int) -> tuple[float, dict[str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        result = report.run(
            params, only=only, jobs=jobs, out=tmp, progress=False, log=io.StringIO()
        )
        wall = time.perf_counter() - start
        pages = {n.name: n.seconds["execute"] + n.seconds["html"] for n in result.notebooks}
        return wall, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", default=str(ROOT / "params" / "default.yaml"))
    parser.add_argument("--jobs", type=int, default=4)
    args = parser.parse_args()
    params = Path(args.params)
    names = list(available_notebooks(pages_dir(load_params(params))))
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}; {params.name}, --jobs {args.jobs}"
    )
    without, _ = _timed(params, [n for n in names if n != PAGE], args.jobs)
    print(f"without {PAGE}: {without:.1f} s")
    with_page, pages = _timed(params, None, args.jobs)
    print(f"with {PAGE}: {with_page:.1f} s ({PAGE}: {pages.get(PAGE, float('nan')):.1f} s)")
    print(f"overhead: {with_page - without:+.1f} s ({(with_page - without) / without:+.1%})")


if __name__ == "__main__":
    main()
