"""What calibrating the incremental model by an experiment costs, and what it does to a channel.

    python benchmarks/calibration_cost.py --accounts 50000 --draws 50 --repeat 3

On the demo with a holdout of ``--channel`` (the default report's data at 50,000
accounts), times the weighing of the experiment against the model
(:func:`attribution.models.incremental.calibrate.combine`: the model's implied lift and its
delta-method standard error) against the whole fit, and the model's bootstrap
(``compare``, ``--draws`` resamples) with and without calibration (best of ``--repeat``),
and what calibration adds to one resample (``calibrate.factors``).
Prints the channel's credit (point and interval) uncalibrated and calibrated, the weight
the experiment got and the factor; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from typing import Any

import polars as pl

import attribution as at
from attribution.models.incremental import fit_incremental
from attribution.models.incremental.calibrate import (
    Calibration,
    calibration_table,
    combine,
    factors,
)


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Return the best wall time of ``repeat`` calls and the last result."""
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--draws", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--channel", default="webinar")
    parser.add_argument("--level", type=float, default=0.9)
    args = parser.parse_args()
    ds = at.demo.generate(n_accounts=args.accounts, seed=0, experiments=[args.channel])
    j = at.journeys(ds)
    measured = at.lift(ds, level=args.level)
    print(f"accounts {args.accounts:,}, draws {args.draws}, load {os.getloadavg()[0]:.1f}")
    fit_s, model = best(lambda: fit_incremental(j, controls=ds), args.repeat)
    table, _ = calibration_table(measured, model.design)
    cal = Calibration(table, model.design)
    combine_s, combined = best(lambda: combine(model.design, model.fit, cal), args.repeat)
    print(f"fit (no calibration) {fit_s:.2f} s; weighing the experiment {combine_s:.3f} s")
    print(combined.table(cal))
    per_resample, _ = best(
        lambda: factors(model.design, model.fit, cal, combined, cal.lift), args.repeat * 10
    )
    print(f"a resample's factor (its model's lift, the weighed draw): {per_resample * 1e3:.1f} ms")
    rows = []
    for label, options in (("model", {}), ("calibrated", {"calibrate": measured})):
        spec = {"incremental": {"controls": ds, **options}}
        seconds, cmp = best(
            lambda spec=spec: at.compare(j, spec, level=args.level, draws=args.draws),
            args.repeat,
        )
        row = cmp.intervals.filter(pl.col("channel") == args.channel).row(0, named=True)
        rows.append(
            {"credit": label, "seconds": round(seconds, 2)}
            | {k: round(row[k]) for k in ("revenue", "ci_low", "ci_high")}
        )
        print(f"compare, {label}: {seconds:.2f} s (load {os.getloadavg()[0]:.1f})")
    print(pl.DataFrame(rows))


if __name__ == "__main__":
    main()
