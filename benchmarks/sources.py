"""Load time and rows fetched per source, whole and for one quarter (window pushdown).

Writes the same demo data to a Parquet folder, a DuckDB file, a SQLite file and a throwaway
PostgreSQL server (tests/pgserver.py), then times ``attribution.load`` on each: the whole
source, the deals closed in one quarter, and the deals created in another. Checks on the way
that each period's journeys equal those read from Parquet.

    .venv/bin/python benchmarks/sources.py [--accounts 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import dbload  # noqa: E402
import pgserver  # noqa: E402

import attribution as at  # noqa: E402
from attribution.data.sources.locate import open_source  # noqa: E402

READS: dict[str, dict[str, Any]] = {
    "whole": {},
    "closed in Q1 2026, 180-day lookback": {
        "start": "2026-01-01",
        "end": "2026-04-01",
        "lookback_days": 180,
    },
    "created in Q2 2026, 90-day lookback": {
        "start": "2026-04-01",
        "end": "2026-07-01",
        "lookback_days": 90,
        "opportunities_by": "created_at",
    },
}


T = TypeVar("T")


def best_of(repeat: int, fn: Callable[[], T]) -> tuple[float, T]:
    times, results = [], []
    for _ in range(repeat):
        began = time.perf_counter()
        results.append(fn())
        times.append(time.perf_counter() - began)
    return min(times), results[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    began = time.perf_counter()
    demo = at.demo.generate(n_accounts=args.accounts, seed=0)
    counts = demo.row_counts()
    print(
        f"demo: {args.accounts:,} accounts, {counts['touches']:,} touches, "
        f"{counts['opportunities']:,} opportunities ({time.perf_counter() - began:.1f}s)"
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp, pgserver.running() as server:
        folder = Path(tmp)
        sources: dict[str, tuple[str, dict[str, Any]]] = {
            "parquet": (str(at.demo.write(demo, folder / "parquet")), {}),
            "duckdb": (f"duckdb:///{dbload.to_duckdb(folder / 'b.duckdb', demo.tables())}", {}),
            "sqlite": (f"sqlite:///{dbload.to_sqlite(folder / 'b.db', demo.tables())}", {}),
        }
        dbload.to_postgres(server.url(), demo.tables(), schema="bench")
        sources["postgresql"] = (server.url(), {"schema": "bench"})

        reference: dict[str, pl.DataFrame] = {}
        for name, (url, options) in sources.items():
            for label, window in READS.items():

                def read(
                    url: str = url,
                    options: dict[str, Any] = options,
                    window: dict[str, Any] = window,
                ) -> tuple[at.Dataset, int]:
                    with open_source(url, **options) as src:
                        ds = at.load(src, **window)
                        sent = [f for f in src.log if "LIMIT 0" not in f.sql]
                        return ds, sum(f.rows for f in sent if '"touches"' in f.sql)

                seconds, (ds, fetched) = best_of(args.repeat, read)
                if window:  # the period's journeys equal those read from Parquet
                    journeys = at.journeys(
                        ds, lookback_days=window["lookback_days"], as_of=demo.as_of
                    )
                    assert journeys.equals(reference.setdefault(label, journeys)), (name, label)
                rows.append(
                    {
                        "source": name,
                        "read": label,
                        "opportunities": ds.row_counts()["opportunities"],
                        "touches kept": ds.row_counts()["touches"],
                        "touches fetched": fetched if name != "parquet" else None,
                        "seconds (best)": round(seconds, 3),
                    }
                )
    with pl.Config(
        tbl_rows=-1,
        tbl_hide_dataframe_shape=True,
        tbl_hide_column_data_types=True,
        thousands_separator=",",
        fmt_str_lengths=40,
        tbl_width_chars=160,
    ):
        print(pl.DataFrame(rows))
    print("touches fetched: rows the database returned (Parquet skips row groups instead)")


if __name__ == "__main__":
    main()
