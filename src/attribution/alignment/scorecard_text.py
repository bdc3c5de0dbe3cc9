"""The scorecard in words: numbers written by their unit, summaries and markdown sections.

Every function here writes text for the reports from the scorecard's tables and
agreements; :class:`attribution.alignment.scorecard.Scorecard` calls them.
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import polars as pl

from attribution._markdown import Markdown, code, code_block, plain
from attribution._text import DEALS
from attribution.alignment.definitions import Definitions
from attribution.alignment.targets import Targets
from attribution.estimates.contributions import ContributionResult

__all__ = [
    "NOTE",
    "agreements_markdown",
    "estimates_markdown",
    "notes_markdown",
    "summary_text",
    "with_text",
]

NOTE = (
    "Each shared target against its KPI so far, counted by the agreed definitions: counts "
    "and amounts against the target pro-rated to today, rates directly. Contribution KPIs "
    "are estimates from observational data (associations, not proven causes) and carry "
    "intervals."
)
"""What a scorecard's table means (its ``note``)."""


# ------------------------------------------------------------------------------ numbers
def _pct(x: float | None) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.1%}"


def _fixed(x: pl.Expr, decimals: int) -> pl.Expr:
    """Write a number with a fixed number of decimals (and a thousands comma)."""
    scale = 10**decimals
    n = (x.abs() * scale).round(0).cast(pl.Int64)
    whole = n // scale
    grouped = (
        pl.when(whole >= 1000)
        .then(
            pl.format(
                "{},{}",
                (whole // 1000).cast(pl.String),
                (whole % 1000).cast(pl.String).str.zfill(3),
            )
        )
        .otherwise(whole.cast(pl.String))
    )
    sign = pl.when((x < 0) & (n > 0)).then(pl.lit("-")).otherwise(pl.lit(""))
    if not decimals:
        return pl.concat_str([sign, grouped])
    return pl.concat_str(
        [sign, grouped, pl.lit("."), (n % scale).cast(pl.String).str.zfill(decimals)]
    )


def _text_expr(column: str, unit: pl.Expr, currency: str) -> pl.Expr:
    """Write a KPI value as text by its unit: 127, $11.74M, $986k, 55.2%, 8.2 h."""
    x = pl.col(column)
    big = x.abs() >= 1e6
    number = (
        pl.when(big)
        .then(_fixed(x / 1e6, 2) + "M")
        .when(x.abs() >= 1e4)
        .then(_fixed(x / 1e3, 0) + "k")
        .otherwise(_fixed(x, 0))
    )
    # count-only data: an "amount" is a number of deals
    money = number + " deals" if currency == DEALS else pl.concat_str([pl.lit(currency), number])
    return (
        pl.when(x.is_null())
        .then(pl.lit("–"))
        .when(unit == "money")
        .then(money)
        .when(unit == "share")
        .then(_fixed(x * 100, 1) + "%")
        .when(unit == "hours")
        .then(_fixed(x, 1) + " h")
        .when(big)
        .then(_fixed(x / 1e6, 2) + "M")
        .otherwise(_fixed(x, 0))
    )


def with_text(table: pl.DataFrame, currency: str) -> pl.DataFrame:
    """Add the target, the actual (with its interval) and the expected value as text.

    Also ``progress_shown``, the progress capped at 1.5 for bars.

    Examples
    --------
    >>> t = pl.DataFrame({"unit": ["money", "share"], "target": [2e6, 0.3],
    ...                   "actual": [9.86e5, 0.31], "expected": [12_345.0, None],
    ...                   "ci_low": [None, 0.25], "ci_high": [None, 0.35], "progress": [2.0, 1.0]})
    >>> with_text(t, "€").select("target_text", "actual_text", "expected_text").rows()
    [('€2.00M', '€986k', '€12k'), ('30.0%', '31.0% (25.0% to 35.0%)', '–')]
    """
    unit = pl.col("unit")
    interval = pl.format(
        " ({} to {})",
        _text_expr("ci_low", unit, currency),
        _text_expr("ci_high", unit, currency),
    )
    return table.with_columns(
        _text_expr("target", unit, currency).alias("target_text"),
        (
            _text_expr("actual", unit, currency)
            + pl.when(pl.col("ci_low").is_not_null()).then(interval).otherwise(pl.lit(""))
        ).alias("actual_text"),
        _text_expr("expected", unit, currency).alias("expected_text"),
        pl.col("progress").clip(0.0, 1.5).alias("progress_shown"),
    )


# ------------------------------------------------------------------------------ sections
def summary_text(shown: pl.DataFrame, as_of: datetime, targets: str, definitions: str) -> Markdown:
    """Say how many targets are met or on track, and which are not.

    ``shown`` is :meth:`attribution.alignment.scorecard.Scorecard.display`; ``targets`` and
    ``definitions`` are the names of the agreements.
    """
    n = shown.height
    good = shown.filter(pl.col("status").is_in(["met", "on track"]))
    lines = [
        Markdown(
            "**{} of {}** shared target{} met or on track as of {:%Y-%m-%d} ({}; definitions: {})."
        ).format(good.height, n, "s" if n != 1 else "", as_of, targets, definitions)
    ]
    for label, statuses in (
        ("Behind or missed", ["behind", "missed"]),
        ("Unclear (the estimate's interval holds the target)", ["unclear"]),
        ("Not measurable", ["no data"]),
    ):
        rows = shown.filter(pl.col("status").is_in(statuses))
        if rows.height:
            items = Markdown("; ").join(
                Markdown("{} ({}, {}: {} vs {})").format(
                    r["label"], r["owner"], r["period"], r["actual"], r["target"]
                )
                for r in rows.iter_rows(named=True)
            )
            lines.append(Markdown("{}: {}.").format(Markdown(label), items))
    return Markdown("\n\n").join(lines)


def agreements_markdown(d: Definitions, t: Targets) -> Markdown:
    """Return the definitions in plain English, then both files verbatim (markdown)."""
    return Markdown("\n\n").join(
        [
            d.describe(),
            Markdown("{}, verbatim:").format(code(Path(d.origin).name)),
            code_block(d.text, "yaml"),
            Markdown("**{}**: {}, verbatim:").format(t.name, code(Path(t.origin).name)),
            code_block(t.text, "yaml"),
        ]
    )


def estimates_markdown(result: ContributionResult | None) -> Markdown:
    """Return what the contribution KPIs rest on: the estimate, intervals, caveats."""
    if result is None:
        return Markdown("_No contribution share is targeted, so none was estimated._")
    lines = []
    if result.supported:
        for row in result.table.iter_rows(named=True):
            if row["component"] == "baseline":
                continue
            lines.append(
                Markdown("- {}: **{}** of the expected revenue ({:.0%} interval {} to {})").format(
                    row["component"],
                    _pct(row["share"]),
                    result.level,
                    _pct(row["ci_low"]),
                    _pct(row["ci_high"]),
                )
            )
    else:
        lines.append(
            Markdown("- The data cannot support the split; the contribution KPIs have no data.")
        )
    warned = [Markdown("- warning: {}").format(w) for w in result.diagnostics.warnings]
    return Markdown("\n").join(
        [
            Markdown(
                "The contribution shares are **estimates**, not counts: {:,} closed deals, one "
                "model for all of them (`attribution.contributions`). A target counts as met "
                "only when the whole interval clears it, and as *unclear* while the interval "
                "holds it."
            ).format(result.diagnostics.n),
            Markdown(""),
            *lines,
            *warned,
            Markdown(""),
            plain(result.note),
        ]
    )


def notes_markdown(notes: tuple[str, ...]) -> Markdown:
    """Return the notes as a markdown list (what could not be measured, and why).

    Examples
    --------
    >>> print(notes_markdown(("no contacts", "no segments")))
    - no contacts
    - no segments
    """
    if not notes:
        return Markdown("_Nothing to note: every targeted KPI could be measured as agreed._")
    return Markdown("\n").join(Markdown("- {}").format(n) for n in notes)
