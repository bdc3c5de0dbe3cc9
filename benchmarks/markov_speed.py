"""Exact Markov vs ChannelAttribution's simulated one: wall time and peak memory.

    python benchmarks/markov_speed.py --rows 1000000 10000000 --orders 1 3 \
        --channelattribution /path/to/venv-with-ChannelAttribution/bin/python

Path tables are drawn (with replacement, seeded) from ChannelAttribution's example table
(12 channels) and, with ``--random``, made of random paths instead (12 channels, geometric
lengths, mean 4), so nearly every row is a different path. Each measurement runs in a fresh
process that reads the table from Parquet and fits once; it reports the fit's wall time
and the process's peak resident memory (VmHWM, which includes the table itself). The two tools
run back to back on the same file, so they share the machine's load. ChannelAttribution is
optional (GPL-3, never a dependency): without ``--channelattribution`` only ours runs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "real" / "channelattribution_pathdata" / "Data.csv"
CHANNELS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota",
            "kappa", "lambda", "mi"]  # fmt: skip

OURS = """
import json, sys, time
import polars as pl
from attribution.models.markov import markov
df = pl.read_parquet(sys.argv[1])
t = time.perf_counter()
markov(df, order=int(sys.argv[2]), transition_matrix=False)
wall = time.perf_counter() - t
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(json.dumps({"wall": wall, "rss": int(hwm)}))
"""

THEIRS = """
import json, sys, time
import pandas as pd
import ChannelAttribution as ca
df = pd.read_parquet(sys.argv[1])
t = time.perf_counter()
ca.markov_model(df, "path", "total_conversions", var_value="total_conversion_value",
                var_null="total_null", order=int(sys.argv[2]), verbose=False, flg_pro=False)
wall = time.perf_counter() - t
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(json.dumps({"wall": wall, "rss": int(hwm)}))
"""


def example_table(rows: int, seed: int) -> pl.DataFrame:
    return pl.read_csv(DATA, separator=";").sample(rows, with_replacement=True, seed=seed)


def random_table(rows: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    lengths = rng.geometric(0.25, rows).clip(1, 60)
    steps = pl.Series(np.array(CHANNELS)[rng.integers(0, 12, int(lengths.sum()))])
    path_id = np.repeat(np.arange(rows), lengths)
    paths = (
        pl.DataFrame({"id": path_id, "step": steps})
        .group_by("id", maintain_order=True)
        .agg(pl.col("step").str.join(" > ").alias("path"))
    )
    conv = rng.binomial(1, 0.2, rows)
    return pl.DataFrame(
        {
            "path": paths["path"],
            "total_conversions": conv,
            "total_conversion_value": conv * rng.gamma(2.0, 2.0, rows),
            "total_null": 1 - conv,
        }
    )


def run(python: str, code: str, table: Path, order: int) -> dict:
    out = subprocess.run(
        [python, "-c", code, str(table), str(order)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--orders", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--random", action="store_true", help="random distinct paths")
    parser.add_argument("--channelattribution", help="a python that has ChannelAttribution")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    print("| table | rows | order | ours s | ours MB | CA s | CA MB | time ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            table = random_table(rows, args.seed) if args.random else example_table(rows, args.seed)
            path = Path(tmp) / f"paths_{rows}.parquet"
            table.write_parquet(path)
            del table
            for order in args.orders:
                ours = run(sys.executable, OURS, path, order)
                line = f"| {'random' if args.random else 'example'} | {rows:,} | {order} "
                line += f"| {ours['wall']:.2f} | {ours['rss'] / 1024:.0f} "
                if args.channelattribution:
                    theirs = run(args.channelattribution, THEIRS, path, order)
                    ratio = theirs["wall"] / ours["wall"]
                    line += f"| {theirs['wall']:.2f} | {theirs['rss'] / 1024:.0f} | {ratio:.1f}x |"
                else:
                    line += "| | | |"
                print(line, flush=True)


if __name__ == "__main__":
    main()
