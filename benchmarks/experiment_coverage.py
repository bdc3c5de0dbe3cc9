"""Coverage of the lift intervals of simulated holdout experiments, over seeds.

    python benchmarks/experiment_coverage.py --seeds 200 --accounts 2000

Each seed generates the demo with a holdout of ``--channel`` (half the accounts held out),
estimates the lift with :func:`attribution.lift` at ``--level``, and checks whether each
outcome's interval holds the true lift of that simulation. Prints the coverage per outcome
and the mean interval width; nothing is asserted.
"""

from __future__ import annotations

import argparse
import time

import polars as pl

import attribution as at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--accounts", type=int, default=2_000)
    parser.add_argument("--channel", default="webinar")
    parser.add_argument("--level", type=float, default=0.9)
    args = parser.parse_args()
    t = time.perf_counter()
    parts = []
    for seed in range(args.seeds):
        ds = at.demo.generate(n_accounts=args.accounts, seed=seed, experiments=[args.channel])
        got = at.lift(ds, level=args.level).table
        parts.append(
            got.join(ds.truth.experiments, on=["experiment", "outcome"]).select(
                "outcome",
                (
                    (pl.col("ci_low") <= pl.col("true_lift"))
                    & (pl.col("true_lift") <= pl.col("ci_high"))
                ).alias("covered"),
                (pl.col("ci_high") - pl.col("ci_low")).alias("width"),
                "true_lift",
            )
        )
    summary = (
        pl.concat(parts)
        .group_by("outcome", maintain_order=True)
        .agg(
            pl.col("covered").mean().alias("coverage"),
            pl.col("width").mean().alias("mean_width"),
            pl.col("true_lift").mean().alias("mean_true_lift"),
        )
    )
    print(
        f"{args.seeds} seeds x {args.accounts:,} accounts, holdout of {args.channel}, "
        f"{args.level:.0%} intervals ({time.perf_counter() - t:.0f} s)"
    )
    print(summary)


if __name__ == "__main__":
    main()
