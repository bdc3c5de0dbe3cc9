"""The whole incremental model at scale: design, fit, exact Shapley split, credits per touch.

    python benchmarks/incremental_scale.py --deals 1000000

The demo would need about five million accounts for a million closed deals, so the
exposures are simulated directly: ``--deals`` closed deals (one per account, opened over
two years, three segments), twelve channels (eight marketing, four sales) whose touches
per deal are Poisson among the deals they reach, and a win drawn from a logistic model of
``log1p`` exposure (two channels without effect). Then, timed one after the other in this
process (the peak resident memory read after each):

* ``journeys to design``: the win model's data summed from one journey row per touch of
  every closed deal (:func:`~attribution.models.incremental.design.build_design`, what
  ``attribute(..., "incremental")`` starts from);
* ``design``: the same from the per-deal sums (what Spark hands over), the one used below;
* ``fit``: the exposure form chosen on held-out accounts, the ridge Logit with its
  empirical Bayes priors, and every won deal split by the exact Shapley value of its
  channels (:func:`attribution.models.incremental.fit_design`);
* ``channel table``: revenue, share and effect per channel (``summarise``);
* ``credits``: every won deal's shares spread to its touches (one row per touch, built
  here from the counts), as ``attribute(..., "incremental")`` returns them;
* ``one bootstrap resample``: what each of the page's resamples costs: the win model
  re-fitted with account weights (its priors re-estimated) and every won deal split again
  (:func:`~attribution.models.incremental.fit.refit`,
  :func:`~attribution.models.incremental.split.deal_shares`).

Prints one line per step and a markdown table; nothing is asserted.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

from attribution.models.incremental import fit_design, summarise
from attribution.models.incremental.design import build_design, design_of
from attribution.models.incremental.fit import refit
from attribution.models.incremental.split import deal_shares
from attribution.models.incremental.touches import spread_shares

CHANNELS = [f"m{i}" for i in range(8)] + [f"s{i}" for i in range(4)]
TEAMS = ["marketing"] * 8 + ["sales"] * 4
REACH = np.array([0.9, 0.5, 0.4, 0.35, 0.3, 0.25, 0.2, 0.15, 0.7, 0.5, 0.4, 0.3])
RATE = np.array([3.0, 2.0, 1.5, 1.2, 1.0, 1.0, 0.8, 0.6, 4.0, 3.0, 2.0, 1.5])
EFFECT = np.array([0.0, 0.3, 0.25, 0.0, 0.2, 0.15, 0.1, 0.3, 0.35, 0.3, 0.4, 0.5])


def peak_mb() -> float:
    """Peak resident memory of this process so far (MB)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    return float("nan")


def simulate(n: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Return closed deals, their touches per channel, and the accounts' segments."""
    rng = np.random.default_rng(seed)
    reached = rng.random((n, len(CHANNELS))) < REACH
    counts = np.where(reached, 1 + rng.poisson(RATE, (n, len(CHANNELS))), 0)
    segment = rng.integers(0, 3, n)
    logit = -2.0 + 0.3 * segment + np.log1p(counts) @ EFFECT
    won = rng.random(n) < 1.0 / (1.0 + np.exp(-logit))
    ids = pl.Series(np.arange(n)).cast(pl.String).str.zfill(8)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    created = pl.Series(start + timedelta(days=int(d)) for d in rng.integers(0, 730, 730))
    deals = pl.DataFrame(
        {
            "opportunity_id": ids,
            "account_id": ids,
            "won": won,
            "amount": np.round(rng.lognormal(9.5, 0.8, n), 2),
            "_created": created.gather(rng.integers(0, 730, n)).dt.cast_time_unit("us"),
        }
    )
    deal, channel = np.nonzero(counts)
    cells = pl.DataFrame(
        {
            "opportunity_id": ids.gather(deal),
            "channel": pl.Series(CHANNELS).gather(channel),
            "team": pl.Series(TEAMS).gather(channel),
            "len": counts[deal, channel],
        }
    )
    accounts = pl.DataFrame(
        {"account_id": ids, "segment": pl.Series(["a", "b", "c"]).gather(segment)}
    )
    return deals.sort("opportunity_id"), cells, accounts


def touches_of(deals: pl.DataFrame, cells: pl.DataFrame, *, won_only: bool = True) -> pl.DataFrame:
    """One journey row per touch of every won (or closed) deal."""
    chosen = deals.filter("won") if won_only else deals
    closed = chosen.select(
        "opportunity_id",
        "account_id",
        "amount",
        "_created",
        pl.when("won").then(pl.lit("won")).otherwise(pl.lit("lost")).alias("status"),
    )
    rows = cells.join(closed, on="opportunity_id").select(pl.all().repeat_by("len").explode())
    return rows.with_columns(
        pl.format("{}-{}", "opportunity_id", pl.int_range(pl.len()).over("opportunity_id")).alias(
            "touch_id"
        ),
        pl.int_range(pl.len()).over("opportunity_id").cast(pl.Int32).alias("position"),
        pl.lit(None, dtype=pl.String).alias("campaign"),
        (pl.col("_created") + timedelta(days=60)).alias("closed_at"),
        (pl.col("_created") + timedelta(days=30)).alias("occurred_at"),
    ).drop("len")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    t = time.perf_counter()
    deals, cells, accounts = simulate(args.deals, args.seed)
    rows = [("simulate", time.perf_counter() - t, peak_mb())]
    print(
        f"{deals.height:,} closed deals ({int(deals['won'].sum()):,} won), "
        f"{int(cells['len'].sum()):,} touches",
        flush=True,
    )

    def step(name: str, fn):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        out = fn()
        rows.append((name, time.perf_counter() - start, peak_mb()))
        print(f"{name}: {rows[-1][1]:.1f} s, peak {rows[-1][2]:,.0f} MB", flush=True)
        return out

    closed = touches_of(deals, cells, won_only=False).rename({"_created": "opportunity_created_at"})
    step("journeys to design", lambda: build_design(closed, controls=accounts))
    closed = pl.DataFrame()  # free the journeys before the fit
    design = step("design", lambda: design_of(deals, cells, controls=accounts))
    model = step("fit + Shapley split", lambda: fit_design(design))
    table = step("channel table", lambda: summarise(model))
    journeys = touches_of(deals, cells)
    ids = design.deals["opportunity_id"].gather(model.rows)
    credits = step(
        "credits per touch",
        lambda: spread_shares(
            journeys, ids, design.channels, model.shares, model.baseline, team=None
        ),
    )
    weights = np.random.default_rng(1).poisson(1.0, design.deals.height).astype(float)

    def resample() -> None:
        fit = refit(design, model.fit, weights)
        deal_shares(design, fit, model.rows, team=None)

    step("one bootstrap resample", resample)
    print(table.table.select("channel", "share", "effect", "evidence"))
    print(
        f"exposure {model.design.exposure}; {credits.height:,} credit rows; "
        f"baseline share {table.baseline_share:.3f}"
    )
    total = sum(
        r[1]
        for r in rows
        if r[0] in ("design", "fit + Shapley split", "channel table", "credits per touch")
    )
    print("\n| step | seconds | peak memory |\n|---|---:|---:|")
    for name, seconds, mb in rows:
        print(f"| {name} | {seconds:.1f} | {mb / 1024:.1f} GB |")
    print(f"| model total (design to credits) | {total:.1f} | |")


if __name__ == "__main__":
    main()
