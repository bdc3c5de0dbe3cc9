"""Benchmark inputs, generated once and cached under ``benchmarks/data/`` (git-ignored).

* Event-level demo sources (``demo-<accounts>-s<seed>/``): folders of Parquet parts written
  chunk by chunk by :func:`attribution.data.demo.write_large`, sized in touches (the default demo
  has about 11 touches per account, 23% of accounts open an opportunity).
* Path tables over 12 channels (``paths-<kind>-<rows>.parquet``): ``journeys`` has one
  customer journey per row (random paths: geometric lengths with mean 4, 20% convert), so
  nearly every row is a different path; ``example`` draws rows with replacement from
  ChannelAttribution's example table (read from ``../shared``; about 8.8 journeys per row,
  5,408 distinct paths), the table its authors benchmark on.
* The same path tables in marketing-attribution-models' "grouped journeys" form
  (``...-mam.parquet``): one row per path and outcome with an occurrence count.

Run as a script to build one input in a fresh process (the harness does this, so that the
generator's memory is never counted in a measurement).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "benchmarks" / "data"
EXAMPLE = ROOT.parent / "shared" / "data" / "real" / "channelattribution_pathdata" / "Data.csv"

TOUCHES_PER_ACCOUNT = 11.04  # default demo, measured on 40,000 accounts (441,652 touches)
OPPORTUNITIES_PER_ACCOUNT = 0.2273  # same sample (9,091 opportunities)
MAX_ACCOUNTS = 9_999_999  # attribution.demo's limit
CHANNELS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota",
            "kappa", "lambda", "mi"]  # fmt: skip
PATH_KINDS = ("journeys", "example")


def accounts_for_touches(touches: int) -> int:
    return min(MAX_ACCOUNTS, max(1, round(touches / TOUCHES_PER_ACCOUNT)))


def accounts_for_opportunities(opportunities: int) -> int:
    return min(MAX_ACCOUNTS, max(1, round(opportunities / OPPORTUNITIES_PER_ACCOUNT)))


def demo_folder(accounts: int, seed: int = 0) -> Path:
    return DATA / f"demo-{accounts}-s{seed}"


def path_file(kind: str, rows: int, *, mam: bool = False, seed: int = 0) -> Path:
    return DATA / f"paths-{kind}-{rows}-s{seed}{'-mam' if mam else ''}.parquet"


def example_available() -> bool:
    return EXAMPLE.is_file()


def _build(args: list[str]) -> None:
    """Build one input in a child process (its memory is not the harness's)."""
    subprocess.run([sys.executable, __file__, *args], check=True)


def ensure_demo(accounts: int, seed: int = 0) -> Path:
    folder = demo_folder(accounts, seed)
    if not (folder / "touches").is_dir():
        _build(["demo", str(accounts), str(seed)])
    return folder


def ensure_paths(kind: str, rows: int, seed: int = 0) -> tuple[Path, Path]:
    ours, mam = path_file(kind, rows, seed=seed), path_file(kind, rows, mam=True, seed=seed)
    if not (ours.is_file() and mam.is_file()):
        _build(["paths", kind, str(rows), str(seed)])
    return ours, mam


def _random_table(rows: int, seed: int) -> Any:  # a polars DataFrame (imported lazily)
    import numpy as np
    import polars as pl

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


def _write_paths(kind: str, rows: int, seed: int) -> None:
    import polars as pl

    if kind == "journeys":
        table = _random_table(rows, seed)
    elif kind == "example":
        table = pl.read_csv(EXAMPLE, separator=";").sample(rows, with_replacement=True, seed=seed)
    else:
        raise ValueError(f"unknown path table kind {kind!r}; use one of {PATH_KINDS}")
    DATA.mkdir(parents=True, exist_ok=True)
    ours = path_file(kind, rows, seed=seed)
    table.write_parquet(ours.with_suffix(".tmp"))
    # marketing-attribution-models takes one row per (path, outcome) with a count
    converted = table.filter(pl.col("total_conversions") > 0).select(
        "path",
        pl.col("total_conversions").alias("occurrences"),
        pl.lit(True).alias("has_conversion"),
        pl.col("total_conversion_value").alias("value"),
    )
    lost = table.filter(pl.col("total_null") > 0).select(
        "path",
        pl.col("total_null").alias("occurrences"),
        pl.lit(False).alias("has_conversion"),
        pl.lit(0.0).alias("value"),
    )
    mam = path_file(kind, rows, mam=True, seed=seed)
    pl.concat([converted, lost]).write_parquet(mam.with_suffix(".tmp"))
    ours.with_suffix(".tmp").rename(ours)
    mam.with_suffix(".tmp").rename(mam)


def _write_demo(accounts: int, seed: int) -> None:
    import attribution as at

    at.demo.write_large(demo_folder(accounts, seed), n_accounts=accounts, seed=seed)


def main() -> None:
    parser = argparse.ArgumentParser(description="build one benchmark input")
    sub = parser.add_subparsers(dest="what", required=True)
    demo = sub.add_parser("demo")
    demo.add_argument("accounts", type=int)
    demo.add_argument("seed", type=int)
    paths = sub.add_parser("paths")
    paths.add_argument("kind", choices=PATH_KINDS)
    paths.add_argument("rows", type=int)
    paths.add_argument("seed", type=int)
    args = parser.parse_args()
    if args.what == "demo":
        _write_demo(args.accounts, args.seed)
    else:
        _write_paths(args.kind, args.rows, args.seed)


if __name__ == "__main__":
    main()
