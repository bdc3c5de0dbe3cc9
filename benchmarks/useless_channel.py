"""The done-when figures of the incremental model over many seeds of the independent simulator.

    python benchmarks/useless_channel.py --deals 20000 --seeds 15

The tests' second simulator (``tests/models/truthgen.py``, shaped unlike the demo) has a
useless channel, ``ads``, in about 93% of journeys. For each seed the data are simulated,
journeys built once, and each point estimate (no bootstrap) is scored against the true
channel shares:

* ``ads``: the share of channel-credited revenue the incremental model gives ``ads`` (its
  truth is 0);
* ``tv``: the incremental model's total variation distance to the true shares;
* ``best path``: the smallest distance of the path and rule models, and which one.

A single dataset's estimate carries sampling noise: the rows say how often, at this size,
the useless channel lands above 4% and the distance above 0.15 or above half the best path
model's. Prints a markdown table and a summary; nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import polars as pl

import attribution as at

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from models import truthgen  # noqa: E402  (the tests' second simulator)

PATH_MODELS = [m for m in at.MODELS if m not in ("incremental", "custom")]


def shares(credits: pl.DataFrame) -> pl.DataFrame:
    """Each channel's share of the revenue credited to channels (baseline rows left out)."""
    by = (
        credits.filter(~pl.col("channel").is_in(["(baseline)", "(no touch)"]))
        .group_by("channel")
        .agg(pl.col("revenue").sum())
    )
    return by.select("channel", (pl.col("revenue") / pl.col("revenue").sum()).alias("estimate"))


def tv(estimate: pl.DataFrame, truth: pl.DataFrame) -> float:
    """Total variation distance between estimated and true channel shares."""
    joined = truth.join(estimate, on="channel", how="full", coalesce=True).fill_null(0.0)
    return 0.5 * float((joined["share"] - joined["estimate"]).abs().sum())


def one_seed(deals: int, seed: int) -> dict[str, object]:
    """Score the incremental model and the best path model on one simulated dataset."""
    sim = truthgen.simulate(deals, seed=seed)
    truth = sim.truth.select("channel", "share")
    ds = at.validate(sim.tables)
    j = at.journeys(ds)
    ours = shares(at.attribute(j, "incremental", controls=ds))
    ads = ours.filter(pl.col("channel") == "ads")["estimate"]
    paths = {name: tv(shares(at.attribute(j, name)), truth) for name in PATH_MODELS}
    best = min(paths, key=lambda k: paths[k])
    return {
        "seed": seed,
        "ads": float(ads.item()) if ads.len() else 0.0,
        "tv": tv(ours, truth),
        "best_path": best,
        "best_path_tv": paths[best],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=20_000)
    parser.add_argument("--seeds", type=int, default=15)
    args = parser.parse_args()
    rows = []
    for seed in range(args.seeds):
        start = time.perf_counter()
        rows.append(one_seed(args.deals, seed))
        r = rows[-1]
        print(
            f"seed {seed}: ads {r['ads']:.3f}, tv {r['tv']:.3f}, best path {r['best_path']} "
            f"{r['best_path_tv']:.3f}; {time.perf_counter() - start:.0f} s",
            flush=True,
        )
    table = pl.DataFrame(rows)
    print(f"\n{args.deals:,} closed deals per seed\n")
    print("| seed | ads share | incremental TV | best path model (TV) |\n|---:|---:|---:|---|")
    for r in table.iter_rows(named=True):
        print(
            f"| {r['seed']} | {r['ads']:.1%} | {r['tv']:.3f} | {r['best_path']} "
            f"({r['best_path_tv']:.2f}) |"
        )
    over = int((table["ads"] >= 0.04).sum())
    half = int((table["tv"] <= table["best_path_tv"] / 2).sum())
    print(
        f"\nads under 4% in {len(rows) - over} of {len(rows)} seeds (largest "
        f"{table['ads'].max():.1%}); TV under 0.15 in {int((table['tv'] < 0.15).sum())}, "
        f"at most half the best path model's in {half} (TV {table['tv'].min():.3f}-"
        f"{table['tv'].max():.3f})"
    )


if __name__ == "__main__":
    main()
