"""Coverage of the incremental model's channel-share intervals, per scenario, over seeds.

    python benchmarks/incremental_coverage.py --deals 10000 --draws 50 --seeds 3

For each demo scenario and the tests' independent simulator (the data of
``benchmarks/model_accuracy.py``), ``--seeds`` datasets of about ``--deals`` closed deals
are generated and the incremental model's account-bootstrap interval of every channel's
share (of the revenue credited to channels) is checked against the true share. Reports per
scenario: ``coverage`` (share of the channel x seed intervals that hold the truth),
``width`` (mean interval width, in share points), ``tv`` (mean total variation distance of
the point shares) and the seconds per dataset. Writes
``benchmarks/results/incremental_coverage.csv`` (or ``--out``); nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import polars as pl

from attribution.data.demo.scenarios import SCENARIOS

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from model_accuracy import _data, score  # noqa: E402  (the accuracy table's data and scoring)

OUT = ROOT / "benchmarks" / "results" / "incremental_coverage.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=10_000)
    parser.add_argument("--draws", type=int, default=50)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--level", type=float, default=0.9)
    parser.add_argument("--scenarios", nargs="*", default=[*SCENARIOS, "independent"])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    parts = []
    for scenario in args.scenarios:
        for seed in range(args.seeds):
            t = time.perf_counter()
            ds, truth = _data(scenario, args.deals, seed)
            scored = score(ds, truth, args.draws, args.level, models=["incremental"])
            parts.append(
                scored.with_columns(
                    pl.lit(scenario).alias("scenario"),
                    pl.lit(seed).alias("seed"),
                    pl.lit(truth.height).alias("channels"),
                    pl.lit(time.perf_counter() - t).alias("seconds"),
                )
            )
            print(parts[-1].row(0, named=True), flush=True)
    result = (
        pl.concat(parts)
        .group_by("scenario", maintain_order=True)
        .agg(pl.col("coverage", "width", "tv", "seconds").mean())
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    result.write_csv(args.out)
    with pl.Config(tbl_rows=20):
        print(
            f"{args.seeds} seeds x ~{args.deals:,} deals, {args.draws} resamples, {args.level:.0%}"
        )
        print(result)


if __name__ == "__main__":
    main()
