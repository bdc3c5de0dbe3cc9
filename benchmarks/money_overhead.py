"""What the money page adds to a report run: the run without it, then with it, repeated.

    python benchmarks/money_overhead.py                       # params/default.yaml, --jobs 4, 3x
    python benchmarks/money_overhead.py --params params/ci.yaml --jobs 2 --repeat 1

Runs the params file into temporary folders, ``--repeat`` times each way: every page but
``05_money`` (spend and return, pipeline, periods with the funnel and the SLA, the deal time
lines), and every page. The two kinds of run alternate (without first, then with first, ...)
so that a change of the machine's load weighs on both. Prints and writes
(``--out``, default ``benchmarks/results/money-overhead.md`` and ``.csv``) the WALL time of
each run (what a user waits for), its CPU time (this process and the notebook kernels), the
money page's own execute + render seconds and the 1-minute load average before each run;
then the median of each and the overhead of the medians. The summary page's finding on
the return per dollar is part of both runs (it is on the summary, not the money page).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import resource
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from attribution.report import runner as report
from attribution.report.notebooks import available_notebooks, pages_dir
from attribution.report.params import load_params

ROOT = Path(__file__).resolve().parents[1]
PAGE = "05_money"
FIELDS = ("repeat", "run", "wall_s", "cpu_s", "page_s", "load_before")


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the notebook kernels)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _timed(params: Path, only: list[str] | None, jobs: int) -> dict[str, float]:
    """Run the report once; its wall and CPU seconds, the money page's, the load before."""
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        start, cpu = time.perf_counter(), _cpu()
        result = report.run(
            params, only=only, jobs=jobs, out=tmp, progress=False, log=io.StringIO()
        )
        wall, used = time.perf_counter() - start, _cpu() - cpu
        failed = [n.name for n in result.notebooks if n.status != "ok"]
        if failed:
            raise SystemExit(f"pages failed: {failed}")
        pages = {n.name: n.seconds["execute"] + n.seconds["html"] for n in result.notebooks}
    return {"wall_s": wall, "cpu_s": used, "page_s": pages.get(PAGE, 0.0), "load_before": load}


def _median(rows: list[dict[str, float | str]], run: str, key: str) -> float:
    return statistics.median(float(r[key]) for r in rows if r["run"] == run)


def _report(rows: list[dict[str, float | str]], header: str) -> str:
    """The runs and their medians as markdown."""
    lines = [
        header,
        "",
        "| repeat | run | wall s | CPU s | money page s | load before |",
        "|---|---|--:|--:|--:|--:|",
    ]
    lines += [
        f"| {r['repeat']} | {r['run']} | {float(r['wall_s']):.1f} | {float(r['cpu_s']):.1f} | "
        f"{float(r['page_s']):.1f} | {float(r['load_before']):.1f} |"
        for r in rows
    ]
    wall = [_median(rows, k, "wall_s") for k in ("without", "with")]
    cpu = [_median(rows, k, "cpu_s") for k in ("without", "with")]
    lines += [
        "",
        f"Median wall: {wall[0]:.1f} s without {PAGE}, {wall[1]:.1f} s with it: "
        f"{wall[1] - wall[0]:+.1f} s ({(wall[1] - wall[0]) / wall[0]:+.1%}).",
        f"Median CPU: {cpu[0]:.1f} s without, {cpu[1]:.1f} s with: "
        f"{cpu[1] - cpu[0]:+.1f} s ({(cpu[1] - cpu[0]) / cpu[0]:+.1%}).",
        f"The money page itself (execute + render, median): "
        f"{_median(rows, 'with', 'page_s'):.1f} s.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", default=str(ROOT / "params" / "default.yaml"))
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "money-overhead"))
    args = parser.parse_args()
    params = Path(args.params)
    names = list(available_notebooks(pages_dir(load_params(params))))
    header = (
        f"# What {PAGE} adds to `attribution run {params.name} --jobs {args.jobs}`\n\n"
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs (shared with other jobs), load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} at the start; "
        f"`python benchmarks/money_overhead.py --repeat {args.repeat}`."
    )
    print(header)
    rows: list[dict[str, float | str]] = []
    for k in range(args.repeat):
        order = ("without", "with") if k % 2 == 0 else ("with", "without")
        for run in order:
            only = None if run == "with" else [n for n in names if n != PAGE]
            row: dict[str, float | str] = {"repeat": k + 1, "run": run}
            row.update(_timed(params, only, args.jobs))
            rows.append(row)
            print(
                f"{k + 1} {run:>7}: {row['wall_s']:.1f} s wall, {row['cpu_s']:.1f} s CPU, "
                f"{PAGE} {row['page_s']:.1f} s, load before {row['load_before']:.1f}",
                flush=True,
            )
    text = _report(rows, header)
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".md").write_text(text, encoding="utf-8")
    with out.with_suffix(".csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
