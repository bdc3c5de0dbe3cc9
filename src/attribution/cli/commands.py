"""The ``attribution`` command's sub-commands: each reads its arguments and returns an exit code.

Heavy parts of the package load inside the command that needs them, so ``attribution
--help`` answers at once.
"""

from __future__ import annotations

import argparse
import sys
import time

import polars as pl

from attribution._folders import check_replaceable, destination
from attribution.cli.printing import (
    mapping_shown,
    print_found,
    print_readiness,
    print_start,
    print_table,
)
from attribution.errors import AttributionError

__all__ = ["demo_command", "init_command", "run_command", "summary_command", "validate_command"]


def demo_command(args: argparse.Namespace) -> int:
    """Run ``attribution demo``; return the exit code."""
    from attribution.data import demo

    start = time.perf_counter()
    dest = destination(args.dir)
    check_replaceable(dest, lambda _: args.force, hint=", or give --force to replace it")
    if args.accounts > args.chunk_accounts:
        if args.format != "parquet":
            raise AttributionError(
                "large demo data (more accounts than --chunk-accounts) is "
                "written as Parquet parts only; drop --format csv"
            )
        info = demo.write_large(
            dest,
            n_accounts=args.accounts,
            seed=args.seed,
            chunk_accounts=args.chunk_accounts,
            overwrite=args.force,
        )
        rows = info["rows"]
    else:
        ds = demo.generate(n_accounts=args.accounts, seed=args.seed)
        demo.write(ds, dest, fmt=args.format, overwrite=args.force)
        rows = ds.row_counts()
    took = time.perf_counter() - start
    listing = ", ".join(f"{k}={v:,}" for k, v in rows.items())
    print(f"wrote demo source to {args.dir} in {took:.1f}s: {listing}")
    return 0


def summary_command(args: argparse.Namespace) -> int:
    """Run ``attribution summary``; return the exit code."""
    import attribution as at
    from attribution import health

    start = time.perf_counter()
    ds = at.load(args.source, time_zone=args.time_zone, lazy=args.lazy)
    loaded = time.perf_counter()
    j = at.journeys(ds, lookback_days=args.lookback_days)
    built = time.perf_counter()
    print(
        f"source: {ds.source}  (loaded and validated in {loaded - start:.2f}s, "
        f"journeys built in {built - loaded:.2f}s)"
    )
    print_table("Tables", health.table_summary(ds))
    cov = health.coverage(j)
    shown = cov.select(
        "status",
        "opportunities",
        "with_touches",
        "with_marketing",
        "with_sales",
        pl.col("amount").round(0).cast(pl.Int64),
        (pl.col("value_coverage") * 100).round(1).alias("value_coverage_%"),
        pl.col("median_touches").alias("median_touches"),
    )
    print_table(f"Opportunities and their journeys ({args.lookback_days:g}-day lookback)", shown)
    top = at.paths(j).head(args.top_paths).with_columns(pl.col("path").list.join(" > "))
    print_table(f"Most frequent paths (top {args.top_paths})", top)
    won = cov.filter(pl.col("status") == "won")
    if won.height:
        share = won["value_coverage"].item()
        print(f"\n{share:.1%} of won revenue has at least one touch in its window.")
    return 0


def run_command(args: argparse.Namespace) -> int:
    """Run ``attribution run``; return the exit code."""
    from attribution.errors import NotebookError
    from attribution.report.runner import run

    try:
        result = run(args.params, only=args.only, jobs=args.jobs, out=args.out)
    except NotebookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    took = result.manifest["timings"]["total"]
    print(f"report written in {took:.1f}s: {result.run_dir}")
    print(f"open {result.index}")
    return 0


def validate_command(args: argparse.Namespace) -> int:
    """Run ``attribution validate``; return the exit code."""
    from attribution.data.inspection import inspect_source
    from attribution.data.mapping import load_mapping
    from attribution.data.sources.period import Window

    rules = load_mapping(args.mapping) if args.mapping is not None else None
    time_zone = args.time_zone or (rules.time_zone if rules is not None else None) or "UTC"
    window = Window.make(
        start=args.start,
        end=args.end,
        lookback_days=args.lookback_days,
        opportunities_by=args.opportunities_by,
        time_zone=time_zone,
    )
    schema = args.schema or (rules.schema if rules is not None else None)
    found = inspect_source(
        args.source, mapping=rules, time_zone=time_zone, schema=schema, window=window
    )
    print(f"source: {found.source}" + (f" (schema {schema})" if schema else ""))
    if rules is not None:
        print(f"mapping: {rules.origin}")
    print(f"time zone of naive timestamps: {time_zone}")
    if window is not None:
        print(f"window: {window.describe()}; touches up to {window.lookback_days:g} days before")
    print_found(found)
    if found.problems:
        return 2
    print("\nNo problems found: every table meets the contract.")
    if found.dataset is not None:
        print_readiness(found.dataset)
    return 0


def init_command(args: argparse.Namespace) -> int:
    """Run ``attribution init``; return the exit code."""
    from attribution.report.starter import init, suggest_mappings

    started = init(
        args.source,
        mapping=args.mapping,
        out=args.out,
        time_zone=args.time_zone,
        currency=args.currency,
        force=args.force,
    )
    found = started.found
    print(f"source: {found.source}")
    print(f"mapping: {mapping_shown(args.mapping, found.mapping)}")
    print(f"time zone of naive timestamps: {found.time_zone} ({started.time_zone_from})")
    if found.problems:
        print_found(found)
        fits = [] if args.mapping else suggest_mappings(args.source)
        if fits:
            print(
                f"\nThese files look like what the shipped mapping {fits[0]!r} reads:\n"
                f"  attribution init {args.source} --mapping {fits[0]}"
            )
        print("\nNothing was written.")
        return 2
    print_start(started)
    return 0
