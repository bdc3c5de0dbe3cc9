"""Coverage of `attribution.contributions` on demo data whose true split is known.

For every (size, seed) the demo is generated, the split is estimated, and each component's
interval is checked against the true share from `DemoTruth`. Prints one row per size and
component: the true share (mean over seeds), the mean estimate, the mean and largest absolute
error, the mean interval width, and the share of seeds whose interval covers the truth, next
to the nominal level.

    .venv/bin/python scripts/contribution_coverage.py --sizes 5000 20000 60000 --seeds 40
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import polars as pl

import attribution as at


def run(size: int, seed: int, level: float, draws: int, interval: str) -> list[dict]:
    ds = at.demo.generate(n_accounts=size, seed=seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", at.EstimateWarning)
        result = at.contributions(
            ds,
            level=level,
            draws=draws,
            interval=interval,
            seed=seed,  # type: ignore[arg-type]
        )
    truth = ds.truth.shares | {f"shapley {k}": v for k, v in ds.truth.shapley_shares.items()}
    rows = []
    tables = (
        result.table,
        result.shapley.filter(pl.col("component") != "baseline").with_columns(
            ("shapley " + pl.col("component")).alias("component")
        ),
    )
    for table in tables:
        for rec in table.iter_rows(named=True):
            true = truth[rec["component"]]
            rows.append(
                {
                    "accounts": size,
                    "seed": seed,
                    "closed": result.diagnostics.n,
                    "component": rec["component"],
                    "true": true,
                    "estimate": rec["share"],
                    "ci_low": rec["ci_low"],
                    "ci_high": rec["ci_high"],
                    "covered": rec["ci_low"] <= true <= rec["ci_high"],
                    "warnings": len(caught),
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 20_000, 60_000])
    parser.add_argument("--seeds", type=int, default=40)
    parser.add_argument("--first-seed", type=int, default=100)
    parser.add_argument("--level", type=float, default=0.9)
    parser.add_argument("--draws", type=int, default=400)
    parser.add_argument("--interval", choices=["simulation", "bootstrap"], default="simulation")
    parser.add_argument("--csv", help="also write every (size, seed, component) row here")
    args = parser.parse_args()

    rows: list[dict] = []
    start = time.perf_counter()
    for size in args.sizes:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            rows += run(size, seed, args.level, args.draws, args.interval)
    frame = pl.DataFrame(rows)
    if args.csv:
        frame.write_csv(args.csv)
    order = {c: i for i, c in enumerate(frame["component"].unique(maintain_order=True))}
    summary = (
        frame.with_columns((pl.col("estimate") - pl.col("true")).alias("error"))
        .group_by("accounts", "component")
        .agg(
            pl.len().alias("seeds"),
            pl.col("closed").mean().round(0).cast(pl.Int64).alias("closed deals"),
            pl.col("true").mean().alias("true share"),
            pl.col("estimate").mean().alias("mean estimate"),
            pl.col("error").abs().mean().alias("mean |error|"),
            pl.col("error").abs().max().alias("max |error|"),
            (pl.col("ci_high") - pl.col("ci_low")).mean().alias("mean width"),
            pl.col("covered").mean().alias("coverage"),
        )
        .with_columns(pl.lit(args.level).alias("nominal"))
        .sort(pl.col("accounts"), pl.col("component").replace_strict(order))
    )
    overall = (
        frame.group_by("accounts")
        .agg(pl.col("covered").mean().alias("coverage, all components"), pl.len().alias("n"))
        .sort("accounts")
    )
    with pl.Config(tbl_rows=100, tbl_cols=20, float_precision=3, tbl_width_chars=200):
        print(
            f"contributions: {args.interval} intervals, {args.draws} draws, "
            f"nominal {args.level:.0%}, seeds {args.first_seed}..{args.first_seed + args.seeds - 1}"
        )
        print(summary)
        print(overall)
    binom_se = np.sqrt(args.level * (1 - args.level) / args.seeds)
    print(
        f"(with {args.seeds} seeds a component's coverage has a sampling s.e. of about "
        f"{binom_se:.3f}; {time.perf_counter() - start:.0f} s)"
    )


if __name__ == "__main__":
    main()
