"""Speed and memory of `attribution.contributions` and the hand-off views on demo sources.

For each size, a demo source is written as Parquet parts in a child process (not timed, and
not counted in memory), loaded lazily, and each step is timed: the per-opportunity features,
the default split with simulated intervals (features included), optionally the account
bootstrap and the hand-off views. Prints one table. Peak memory is this process's maximum
resident set size (it only grows, so it is the peak of all steps so far). With ``--eager``
the validated tables are collected into memory once (counted in "load"); otherwise every
query re-reads and re-converts the Parquet parts.

    .venv/bin/python benchmarks/contributions_speed.py --opportunities 100000 1000000

About 23% of demo accounts open an opportunity, so 1M opportunities need ~4.3M accounts
(~48M touches, ~3 GB of Parquet in a temporary folder).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

import attribution as at

sys.path.insert(0, str(Path(__file__).resolve().parent / "bench"))
from ondemo import peak_mb, run_sizes, timed

OPPORTUNITIES_PER_ACCOUNT = 0.2325  # measured on the default demo (6,922 per 30,000)


def measure(folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    ds, t_load = timed(lambda: at.load(folder, lazy=True))
    if args.eager:  # hold the validated tables in memory instead of re-reading Parquet
        ds, t_collect = timed(ds.collect)
        t_load += t_collect
    features, t_features = timed(lambda: at.opportunity_features(ds))
    result, t_split = timed(lambda: at.contributions(ds, draws=args.draws))
    row: dict[str, Any] = {
        "opportunities": features.height,
        "closed": result.diagnostics.n,
        "load s": t_load,
        "features s": t_features,
        f"contributions, {args.draws} draws s": t_split,
    }
    if args.bootstrap_draws:
        _, t_boot = timed(
            lambda: at.contributions(ds, interval="bootstrap", draws=args.bootstrap_draws)
        )
        row[f"bootstrap, {args.bootstrap_draws} s"] = t_boot
    if args.handoff:
        row["funnel s"] = timed(lambda: at.funnel(ds, by="lead_source"))[1]
        row["speed_to_lead s"] = timed(lambda: at.speed_to_lead(ds, by="rep"))[1]
        row["lead_score_weights s"] = timed(lambda: at.lead_score_weights(ds))[1]
    row["peak RSS MB"] = peak_mb()
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opportunities", type=int, nargs="+", default=[100_000])
    parser.add_argument("--draws", type=int, default=500)
    parser.add_argument("--bootstrap-draws", type=int, default=0, help="0 skips the bootstrap")
    parser.add_argument("--handoff", action="store_true", help="also time the hand-off views")
    parser.add_argument("--eager", action="store_true", help="collect the tables after loading")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    accounts = [math.ceil(n / OPPORTUNITIES_PER_ACCOUNT) for n in args.opportunities]
    run_sizes(accounts, args, measure, float_precision=1)


if __name__ == "__main__":
    main()
