"""What the ``attribution`` command prints: tables, what a source holds, what a page needs.

Examples
--------
>>> import polars as pl
>>> print_table("Counts", pl.DataFrame({"table": ["touches"], "rows": [1200]}))
<BLANKLINE>
Counts
┌─────────┬───────┐
│ table   ┆ rows  │
╞═════════╪═══════╡
│ touches ┆ 1,200 │
└─────────┴───────┘
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polars as pl

__all__ = [
    "mapping_shown",
    "print_all",
    "print_found",
    "print_readiness",
    "print_start",
    "print_table",
]


def print_table(title: str, frame: pl.DataFrame) -> None:
    """Print a titled table, up to 50 rows."""
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


def print_all(title: str, frame: pl.DataFrame) -> None:
    """Print a titled table, every row."""
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


def mapping_shown(given: str | None, mapping: Any) -> str:
    """Name the mapping used: shipped by name, else by its file."""
    from attribution.data.mapping import presets

    if mapping is None:
        return "none (the files carry the contract's names)"
    if given in presets() and not Path(given).is_file():
        return f"{given} (shipped with attribution)"
    return str(mapping.origin)


def print_start(started: Any) -> None:
    """Print what init found in the data, what it wrote, and the next command."""
    from attribution import health
    from attribution.journey.build import journeys
    from attribution.report.overview import headline

    found, ds = started.found, started.found.dataset
    for note in found.notes:
        print(f"note: {note}")
    print_all("Tables", health.source_summary(found.tables, time_zone=found.time_zone))
    channels = health.channel_summary(ds)
    for team in ("marketing", "sales"):
        names = channels.filter(pl.col("team") == team)["channel"].head(8).to_list()
        print(f"{team} channels: {', '.join(names) if names else 'none'}")
    j = journeys(ds)
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


def print_found(found: Any) -> None:
    """Print the tables read, their empty values, how files were read, and every problem."""
    from attribution import health

    for note in found.notes:
        print(f"note: {note}")
    if found.tables:
        print_all("Tables", health.source_summary(found.tables, time_zone=found.time_zone))
        shown = health.column_nulls(found.tables).select(
            "table",
            "column",
            "required",
            "nulls",
            (pl.col("null_share") * 100).round(1).alias("nulls_%"),
        )
        print_all("Empty values per column", shown)
    if found.problems:
        n = len(found.problems)
        print(f"\n{n} problem{'s' if n != 1 else ''} found:")
        for i, problem in enumerate(found.problems, 1):
            text = problem.render() if hasattr(problem, "render") else str(problem)
            print(f"  {i}. {text}")


def print_readiness(dataset: Any) -> None:
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
