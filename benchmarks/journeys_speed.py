"""Speed of journeys and per-deal features with touches linked to their deal, and without.

Deal-linked touches (``touches.opportunity_id``) join their deal by id; the others join
every deal of their account in its window. For each size, demo data is written (in a
child process), loaded into memory and timed three ways: as generated (its sales touches
made while a deal is open are logged on the deal), with every link removed (the column
empty: both joins run, one on nothing), and without the column (the account join alone,
as before links existed). Journeys are identical in all three on the demo (one deal per
account); the time is the cost of the rule. Prints one table.

    .venv/bin/python benchmarks/journeys_speed.py --accounts 50000 200000
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

import polars as pl

import attribution as at

sys.path.insert(0, str(Path(__file__).resolve().parent / "bench"))
from ondemo import peak_mb, run_sizes, timed


def measure(folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    ds = at.load(folder)
    empty = ds.touches.with_columns(pl.lit(None, dtype=pl.String).alias("opportunity_id"))
    variants = {
        "linked": ds,
        "links empty": dataclasses.replace(ds, touches=empty),
        "no column": dataclasses.replace(ds, touches=ds.touches.drop("opportunity_id")),
    }
    row: dict[str, Any] = {
        "linked touches": int(ds.touches["opportunity_id"].is_not_null().sum()),
        "deals": ds.opportunities.height,
    }
    reference = None
    for name, variant in variants.items():
        best_j = best_f = float("inf")
        for _ in range(args.repeat):
            j, t_j = timed(lambda v=variant: at.journeys(v))
            _, t_f = timed(lambda v=variant: at.opportunity_features(v))
            best_j, best_f = min(best_j, t_j), min(best_f, t_f)
        rows = j.select("opportunity_id", "touch_id").sort("opportunity_id", "touch_id")
        if reference is None:
            reference = rows
        assert rows.equals(reference), "one deal per account: the same journeys"
        row[f"journeys {name} s"] = best_j
        row[f"features {name} s"] = best_f
    row["journey rows"] = reference.height if reference is not None else 0
    row["peak RSS MB"] = peak_mb()
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, nargs="+", default=[50_000, 200_000])
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.eager = True
    run_sizes(args.accounts, args, measure, float_precision=2)


if __name__ == "__main__":
    main()
