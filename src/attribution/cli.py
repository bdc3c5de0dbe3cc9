"""The ``attribution`` command.

Exit codes: 0 success; 2 bad parameters or data (the message says what and where);
1 anything else (for ``run``: a notebook failed; the message names it, the cell, and where
its partial output is).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from attribution._folders import check_replaceable, destination
from attribution._time import DEFAULT_LOOKBACK_DAYS
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


def _print_all(title: str, frame: pl.DataFrame) -> None:
    print(f"\n{title}")
    with pl.Config(
        tbl_rows=-1,
        tbl_cols=20,
        tbl_hide_dataframe_shape=True,
        tbl_hide_column_data_types=True,
        fmt_str_lengths=40,
        tbl_width_chars=120,
        thousands_separator=",",
    ):
        print(frame)


def _cmd_validate(args: argparse.Namespace) -> int:
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
    _print_found(found)
    if found.problems:
        return 2
    print("\nNo problems found: every table meets the contract.")
    if found.dataset is not None:
        _print_readiness(found.dataset)
    return 0


def _cmd_init(args: argparse.Namespace) -> int:
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
    print(f"mapping: {_mapping_shown(args.mapping, found.mapping)}")
    print(f"time zone of naive timestamps: {found.time_zone} ({started.time_zone_from})")
    if found.problems:
        _print_found(found)
        fits = [] if args.mapping else suggest_mappings(args.source)
        if fits:
            print(
                f"\nThese files look like what the shipped mapping {fits[0]!r} reads:\n"
                f"  attribution init {args.source} --mapping {fits[0]}"
            )
        print("\nNothing was written.")
        return 2
    _print_start(started)
    return 0


def _mapping_shown(given: str | None, mapping: Any) -> str:
    """Name the mapping used: shipped by name, else by its file."""
    from attribution.data.mapping import presets

    if mapping is None:
        return "none (the files carry the contract's names)"
    if given in presets() and not Path(given).is_file():
        return f"{given} (shipped with attribution)"
    return str(mapping.origin)


def _print_start(started: Any) -> None:
    """Print what init found in the data, what it wrote, and the next command."""
    from attribution import health
    from attribution.report.overview import headline

    found, ds = started.found, started.found.dataset
    for note in found.notes:
        print(f"note: {note}")
    _print_all("Tables", health.source_summary(found.tables, time_zone=found.time_zone))
    channels = health.channel_summary(ds)
    for team in ("marketing", "sales"):
        names = channels.filter(pl.col("team") == team)["channel"].head(8).to_list()
        print(f"{team} channels: {', '.join(names) if names else 'none'}")
    j = __import__("attribution").journeys(ds)
    h = headline(j)
    print(f"deals: {h.won_deals:,} won, {h.lost_deals:,} lost, {h.open_deals:,} open")
    counts = health.linked_touches(ds)
    print(f"touches logged on a deal: {counts['linked']:,} of {counts['touches']:,}")
    money = "none: the reports count won deals" if ds.count_only else started.currency
    print(f"amounts: {money}" + ("" if ds.count_only else f" ({started.currency_from})"))
    missing = started.readiness.table.filter(~pl.col("supported"))
    if missing.height:
        print("\nReport sections this data cannot show yet (each page says why):")
        for row in missing.iter_rows(named=True):
            why = re.split(r" \(|; ", row["needs"], maxsplit=1)[0]
            print(f"  {row['section']}: needs {why}")
    print("\nWrote:")
    what = {
        "params.yaml": "the run's parameters, every key explained",
        "definitions.yaml": "DRAFT lead agreement (MQL, SQL, SLA) from your channels",
        "targets.yaml": "DRAFT shared targets from your data's own periods",
    }
    for path in started.written:
        print(f"  {path}  {what[path.name]}")
    for left in started.drafts.left_out:
        print(f"  (not drafted: {left})")
    print(
        "\nThe drafts are not used until both teams agree them and params.yaml names them.\n"
        f"Next: attribution run {started.written[0]}"
    )


def _print_found(found: Any) -> None:
    """Print the tables read, their empty values, how files were read, and every problem."""
    from attribution import health

    for note in found.notes:
        print(f"note: {note}")
    if found.tables:
        _print_all("Tables", health.source_summary(found.tables, time_zone=found.time_zone))
        shown = health.column_nulls(found.tables).select(
            "table",
            "column",
            "required",
            "nulls",
            (pl.col("null_share") * 100).round(1).alias("nulls_%"),
        )
        _print_all("Empty values per column", shown)
    if found.problems:
        n = len(found.problems)
        print(f"\n{n} problem{'s' if n != 1 else ''} found:")
        for i, problem in enumerate(found.problems, 1):
            text = problem.render() if hasattr(problem, "render") else str(problem)
            print(f"  {i}. {text}")


def _print_readiness(dataset: Any) -> None:
    """Print which report sections the data supports, and what the others need."""
    from attribution.report.readiness import readiness

    rows = readiness(dataset, agreed=False).table.to_dicts()
    print("\nReport sections this data supports (each page says the same where it is):")
    print(f"  {'page':<14}{'section':<37}{'shown':<8}why")
    for row in rows:
        shown = "yes" if row["supported"] else "no"
        why = re.split(r" \(|; ", row["needs"], maxsplit=1)[0] if row["needs"] else ""
        why = f"{'lacks' if row['supported'] else 'needs'} {why}" if why else ""
        page = re.sub(r"^\d+_", "", row["page"])
        print(f"  {page:<14}{row['section']:<37}{shown:<8}{why}")
    hows = {row["section"]: row["how"] for row in rows if row["how"]}
    if hows:
        print("\nTo show more:")
        seen: set[str] = set()
        for section, how in hows.items():
            if how not in seen:
                seen.add(how)
                print(f"  - {section}: {how}")


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of the ``attribution`` command."""
    parser = argparse.ArgumentParser(
        prog="attribution",
        description="Where closed revenue came from: marketing and sales attribution.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (_add_init, _add_demo, _add_summary, _add_run, _add_validate):
        add(sub)
    return parser


def _add_init(sub: Any) -> None:
    """Add the ``init`` command: a params file and draft agreements for a source."""
    p = sub.add_parser(
        "init",
        help="inspect a source; write params.yaml and draft agreements for it",
        description="Read and validate a source (with a mapping where its layout needs one), "
        "then write DIR/params.yaml (every key explained), and DIR/definitions.yaml and "
        "DIR/targets.yaml: DRAFT agreements built from the data's own channels and periods. "
        "Prints what it found and the command that runs the reports.",
    )
    p.add_argument("source", help="folder of exports, or a database URL")
    p.add_argument(
        "--mapping", help="mapping file, or a shipped name (salesforce, hubspot, maven...)"
    )
    p.add_argument(
        "--out", type=Path, default=None, help="folder to write (default: <source>-report)"
    )
    p.add_argument("--time-zone", help="zone of timestamps without offset (default: guessed)")
    p.add_argument("--currency", help="symbol of the amounts' currency (default: guessed)")
    p.add_argument("--force", action="store_true", help="replace files init wrote before")
    p.set_defaults(func=_cmd_init)


def _add_demo(sub: Any) -> None:
    """Add the ``demo`` command: write the demo data as a source folder."""
    p = sub.add_parser("demo", help="write the built-in demo data as a source folder")
    p.add_argument("dir", type=Path, help="folder to write: new or empty (see --force)")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an existing file or non-empty folder at DIR (never the current folder)",
    )
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


def _add_summary(sub: Any) -> None:
    """Add the ``summary`` command: load a source and summarise it."""
    p = sub.add_parser(
        "summary", help="load and validate a source, build journeys, print a summary"
    )
    p.add_argument("source", help="folder of <table>.parquet/.csv files, or a database URL")
    p.add_argument("--lookback-days", type=float, default=DEFAULT_LOOKBACK_DAYS)
    p.add_argument("--time-zone", default="UTC", help="zone of timestamps without offset")
    p.add_argument("--top-paths", type=int, default=10)
    p.add_argument("--lazy", action="store_true", help="keep tables as lazy scans")
    p.set_defaults(func=_cmd_summary)


def _add_run(sub: Any) -> None:
    """Add the ``run`` command: run the report notebooks of a params file."""
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
        help="the run folder is DIR/<run_name>/ (default: <output_dir>/<run_name>/, "
        "output_dir of the params file, relative to it)",
    )
    p.set_defaults(func=_cmd_run)


def _add_validate(sub: Any) -> None:
    """Add the ``validate`` command: load a source and list every problem."""
    p = sub.add_parser(
        "validate",
        help="load and validate a source; print every table's summary and every problem",
        description="Load and validate a source without running anything else. Prints each "
        "table's rows, date range and empty values per column, then every problem found; "
        "exits 2 when there are problems.",
    )
    p.add_argument(
        "source",
        nargs="?",
        default=None,
        help="folder of <table>.parquet/.csv files or a database URL "
        "(default: the URL in ATTRIBUTION_DB_URL)",
    )
    p.add_argument("--mapping", help="mapping file, or a preset name (salesforce, hubspot)")
    p.add_argument("--schema", help="database schema holding the tables")
    p.add_argument(
        "--time-zone", help="zone of timestamps without offset (default: the mapping's, else UTC)"
    )
    p.add_argument("--start", help="only opportunities from this date (inclusive)")
    p.add_argument("--end", help="only opportunities before this date (exclusive)")
    p.add_argument(
        "--lookback-days",
        type=float,
        default=DEFAULT_LOOKBACK_DAYS,
        help="journey lookback, with --start/--end",
    )
    p.add_argument(
        "--opportunities-by",
        choices=("closed_at", "created_at"),
        default="closed_at",
        help="which opportunity date --start/--end select on",
    )
    p.set_defaults(func=_cmd_validate)


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
