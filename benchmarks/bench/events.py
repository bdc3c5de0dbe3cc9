"""Event-level pipeline, one process per size: Parquet touches to compared models.

``python events.py SOURCE [--n-boot N] [--streaming]`` prints one JSON line per stage:
its wall seconds and the process's peak resident memory so far (VmHWM), so the last line
holds the peak of the whole pipeline. Stages, as an analyst runs them:

1. ``load + validate``: :func:`attribution.load` (every contract check, tables in memory);
2. ``journeys``;
3. ``rule models (10)``: the credits table of every rule model, one call each;
4. ``markov o1``, ``markov o3``, ``shapley``: their credits tables;
5. ``compare``: all 13 side by side (the ten rules, Markov orders 1 and 3, Shapley) with
   90% bootstrap intervals.

With ``--streaming`` (for sources larger than memory) the tables stay lazy scans, journeys
are written by :func:`attribution.write_journeys` (polars' streaming engine, one bucket of
accounts at a time, ``--buckets``) and the models read that folder.
"""

from __future__ import annotations

import argparse
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from child import measure, report, vm_hwm_kb

RULES = ["first_touch", "last_touch", "linear", "time_decay", "u_shaped", "w_shaped",
         "full_path", "j_shaped", "inverse_j", "custom"]  # fmt: skip
CUSTOM = {"weights": {"first": 1.0, "lead_creation": 1.0, "close": 1.0, "rest": 1.0}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("source")
    parser.add_argument("--n-boot", type=int, default=200)
    parser.add_argument("--streaming", action="store_true")
    parser.add_argument("--buckets", type=int, default=8, help="account buckets (streaming)")
    args = parser.parse_args()

    import polars as pl

    import attribution as at

    warnings.simplefilter("ignore")

    def stage(name: str, fn: Callable[[], Any], **facts: Callable[[Any], Any]) -> Any:
        out, wall = measure(fn)
        report(stage=name, wall=wall, rss_kb=vm_hwm_kb(), **{k: f(out) for k, f in facts.items()})
        return out

    with tempfile.TemporaryDirectory(prefix="attribution-bench-") as tmp:
        ds = stage("load + validate", lambda: at.load(args.source, lazy=args.streaming))
        if args.streaming:
            folder = Path(tmp) / "journeys"

            def build() -> pl.LazyFrame:
                at.write_journeys(ds, folder, buckets=args.buckets)
                return pl.scan_parquet(folder)

            j = stage("journeys", build)
        else:
            j = stage("journeys", lambda: at.journeys(ds))

        def counts(frame: Any) -> dict[str, int]:
            lf = frame.lazy()
            return (
                lf.select(
                    pl.len().alias("rows"),
                    pl.col("opportunity_id").n_unique().alias("opportunities"),
                    pl.col("opportunity_id")
                    .filter(pl.col("status") == "won")
                    .n_unique()
                    .alias("won"),
                )
                .collect()
                .row(0, named=True)
            )

        report(
            stage="sizes",
            **counts(j),
            accounts=int(ds.lazy("accounts").select(pl.len()).collect().item()),
        )
        # each credits table is built in full and then dropped, as a run that writes each out
        stage("rule models (10)", lambda: [
            at.attribute(j, m, **(CUSTOM if m == "custom" else {})).height for m in RULES
        ])  # fmt: skip
        stage("markov o1", lambda: at.attribute(j, "markov"))
        stage("markov o3", lambda: at.attribute(j, "markov", order=3))
        stage("shapley", lambda: at.attribute(j, "shapley"))
        models: dict[str, dict[str, Any]] = {m: (CUSTOM if m == "custom" else {}) for m in RULES}
        models |= {"markov": {}, "markov_3": {"model": "markov", "order": 3}, "shapley": {}}
        stage(
            f"compare (13 models, {args.n_boot} resamples)",
            lambda: at.compare(j, models, level=0.9, draws=args.n_boot),
        )


if __name__ == "__main__":
    main()
