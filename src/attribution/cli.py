"""The ``attribution`` command.

Exit codes: 0 success; 2 bad parameters or data (the message says what and where);
1 anything else (for ``run``: a notebook failed; the message names it, the cell, and where
its partial output is).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from attribution.errors import AttributionError

__all__ = ["main"]


def _print_table(title: str, frame: pl.DataFrame) -> None:
    print(f"\n{title}")
    with pl.Config(
        tbl_rows=50,
        tbl_cols=20,
        tbl_hide_dataframe_shape=True,
        tbl_hide_column_data_types=True,
        fmt_str_lengths=40,
        tbl_width_chars=120,
        thousands_separator=",",
        float_precision=2,
    ):
        print(frame)


def _cmd_demo(args: argparse.Namespace) -> int:
    from attribution import demo

    start = time.perf_counter()
    if args.accounts > args.chunk_accounts:
        if args.format != "parquet":
            raise AttributionError(
                "large demo data (more accounts than --chunk-accounts) is "
                "written as Parquet parts only; drop --format csv"
            )
        info = demo.write_large(
            args.dir, n_accounts=args.accounts, seed=args.seed, chunk_accounts=args.chunk_accounts
        )
        rows = info["rows"]
    else:
        ds = demo.generate(n_accounts=args.accounts, seed=args.seed)
        demo.write(ds, args.dir, fmt=args.format)
        rows = ds.row_counts()
    took = time.perf_counter() - start
    listing = ", ".join(f"{k}={v:,}" for k, v in rows.items())
    print(f"wrote demo source to {args.dir} in {took:.1f}s: {listing}")
    return 0


def _cmd_summary(args: argparse.Namespace) -> int:
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
    _print_table("Tables", health.table_summary(ds))
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
    _print_table(f"Opportunities and their journeys ({args.lookback_days:g}-day lookback)", shown)
    top = at.paths(j).head(args.top_paths).with_columns(pl.col("path").list.join(" > "))
    _print_table(f"Most frequent paths (top {args.top_paths})", top)
    won = cov.filter(pl.col("status") == "won")
    if won.height:
        share = won["value_coverage"].item()
        print(f"\n{share:.1%} of won revenue has at least one touch in its window.")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from attribution.report import NotebookError, run

    try:
        result = run(args.params, only=args.only, jobs=args.jobs, out=args.out)
    except NotebookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    took = result.manifest["timings"]["total"]
    print(f"report written in {took:.1f}s: {result.run_dir}")
    print(f"open {result.index}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of the ``attribution`` command."""
    parser = argparse.ArgumentParser(
        prog="attribution",
        description="Where closed revenue came from: marketing and sales attribution.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="write the built-in demo data as a source folder")
    p.add_argument("dir", type=Path, help="folder to write (replaced if it exists)")
    p.add_argument("--accounts", type=int, default=2_000, help="accounts to simulate")
    p.add_argument("--seed", type=int, default=0, help="random seed")
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    p.add_argument(
        "--chunk-accounts",
        type=int,
        default=50_000,
        help="above this many accounts, write Parquet parts chunk by chunk",
    )
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser(
        "summary", help="load and validate a source, build journeys, print a summary"
    )
    p.add_argument("source", help="folder of <table>.parquet/.csv files, or a database URL")
    p.add_argument("--lookback-days", type=float, default=180)
    p.add_argument("--time-zone", default="UTC", help="zone of timestamps without offset")
    p.add_argument("--top-paths", type=int, default=10)
    p.add_argument("--lazy", action="store_true", help="keep tables as lazy scans")
    p.set_defaults(func=_cmd_summary)

    p = sub.add_parser(
        "run",
        help="run the report notebooks of a params file into <output_dir>/<run_name>/",
        description="Check the params file, load and validate the data once, execute the "
        "report notebooks with papermill, render offline HTML, and write the run folder "
        "atomically (a failed run leaves the previous report untouched).",
    )
    p.add_argument("params", type=Path, help="params YAML file, e.g. params/default.yaml")
    p.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="run only this notebook (name without .ipynb; repeat for more)",
    )
    p.add_argument("--jobs", type=int, default=1, help="notebooks executed at the same time")
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder receiving <run_name>/ (default: output_dir of the params file)",
    )
    p.set_defaults(func=_cmd_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except AttributionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
