"""What the money page adds to a report run: the run without it, then with it.

    python benchmarks/money_overhead.py                       # params/default.yaml, --jobs 4
    python benchmarks/money_overhead.py --params params/ci.yaml --jobs 2

Runs the params file twice into temporary folders: every page but ``05_money``, then every
page; prints the wall and CPU time of each (CPU: this process and the notebook kernels,
steadier than wall time on a shared machine), the money page's own execute + render
seconds and the relative overhead. Repeat for a spread.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import resource
import tempfile
import time
from pathlib import Path

from attribution.report import runner as report
from attribution.report.notebooks import available_notebooks, pages_dir
from attribution.report.params import load_params

ROOT = Path(__file__).resolve().parents[1]
PAGE = "05_money"


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the notebook kernels)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _timed(
    params: Path, only: list[str] | None, jobs: int
) -> tuple[float, float, dict[str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        start, cpu = time.perf_counter(), _cpu()
        result = report.run(
            params, only=only, jobs=jobs, out=tmp, progress=False, log=io.StringIO()
        )
        wall, used = time.perf_counter() - start, _cpu() - cpu
        pages = {n.name: n.seconds["execute"] + n.seconds["html"] for n in result.notebooks}
        return wall, used, pages


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
    without, cpu_without, _ = _timed(params, [n for n in names if n != PAGE], args.jobs)
    print(f"without {PAGE}: {without:.1f} s wall, {cpu_without:.1f} s CPU")
    with_page, cpu_with, pages = _timed(params, None, args.jobs)
    own = pages.get(PAGE, float("nan"))
    print(f"with {PAGE}: {with_page:.1f} s wall, {cpu_with:.1f} s CPU ({PAGE}: {own:.1f} s)")
    print(
        f"overhead: wall {with_page - without:+.1f} s ({(with_page - without) / without:+.1%}), "
        f"CPU {cpu_with - cpu_without:+.1f} s ({(cpu_with - cpu_without) / cpu_without:+.1%})"
    )


if __name__ == "__main__":
    main()
