"""Wall time of every registered model, and of compare() with intervals, on demo data.

    python benchmarks/models_speed.py --accounts 90000 --boot 200

Generates the demo dataset in memory, builds journeys once, then times each model through
the registry (one run each, after one warm-up run of `linear`) and `compare` with a 90%
account-bootstrap interval. Prints a markdown table; nothing is asserted.
"""

from __future__ import annotations

import argparse
import time

import polars as pl

import attribution as at

OPTIONS = {"custom": {"weights": {"first": 1, "lead_creation": 1, "rest": 1}}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=90_000)
    parser.add_argument("--boot", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    t = time.perf_counter()
    ds = at.demo.generate(n_accounts=args.accounts, seed=args.seed)
    j = at.journeys(ds)
    won = j.filter(pl.col("status") == "won")["opportunity_id"].n_unique()
    print(
        f"{args.accounts:,} accounts: {ds.touches.height:,} touches, {j.height:,} journey rows, "
        f"{won:,} won deals (setup {time.perf_counter() - t:.1f} s)\n"
    )
    at.attribute(j, "linear")
    print("| model | credits rows | seconds |")
    print("|---|---:|---:|")
    for name in at.MODELS:
        t = time.perf_counter()
        credits = at.attribute(j, name, **OPTIONS.get(name, {}))
        print(f"| {name} | {credits.height:,} | {time.perf_counter() - t:.2f} |", flush=True)
    for models in (["linear", "w_shaped", "time_decay"], ["markov"], ["shapley"]):
        t = time.perf_counter()
        at.compare(j, models, by="channel", level=0.9, draws=args.boot)
        label = ", ".join(models)
        print(
            f"| compare({label}, level=0.9, draws={args.boot}) | | {time.perf_counter() - t:.2f} |"
        )


if __name__ == "__main__":
    main()
