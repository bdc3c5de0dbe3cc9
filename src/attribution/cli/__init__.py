"""The ``attribution`` command.

Exit codes: 0 success; 2 bad parameters or data (the message says what and where);
1 anything else (for ``run``: a notebook failed; the message names it, the cell, and where
its partial output is).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from attribution._time import DEFAULT_LOOKBACK_DAYS
from attribution.cli.commands import (
    demo_command,
    init_command,
    run_command,
    summary_command,
    validate_command,
)
from attribution.errors import AttributionError

__all__ = ["build_parser", "main"]


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
    p.set_defaults(func=init_command)


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
    p.set_defaults(func=demo_command)


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
    p.set_defaults(func=summary_command)


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
    p.set_defaults(func=run_command)


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
    p.set_defaults(func=validate_command)


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
