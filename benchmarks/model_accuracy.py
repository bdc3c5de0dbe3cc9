"""Model accuracy: every registered model against the known truth, on every scenario.

    python benchmarks/model_accuracy.py --deals 20000 --draws 100

For each demo scenario (:mod:`attribution.data.demo.scenarios`) and for the independent
second simulator of the tests (``tests/models/truthgen.py``, shaped unlike the demo), the
data are generated with about ``--deals`` closed deals, journeys built once, and every
registered model is run through :func:`attribution.compare` with a 90% account-bootstrap
interval. Each model's channel shares (of the revenue it credits to channels; the
``(baseline)`` and ``(no touch)`` rows left out) are scored against the true incremental
shares:

* ``tv``: total variation distance, half the sum of absolute share differences (0 is
  perfect, 1 the worst);
* ``rank``: Spearman rank correlation of the shares;
* ``coverage``: share of channels whose 90% bootstrap interval of its share holds the
  true share.

Writes ``benchmarks/results/model_accuracy.csv`` and ``.md`` (the table in the README);
nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl
from scipy.stats import spearmanr

import attribution as at
from attribution.data.demo.scenarios import SCENARIOS
from attribution.models.compare.bootstrap import boot
from attribution.models.compare.onepass import credit_table, one_pass, plan
from attribution.models.compare.resample import Resamples
from attribution.models.compare.specs import label_specs
from attribution.models.credits import BASELINE, NO_TOUCH

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from models import truthgen  # noqa: E402  (the tests' second simulator)

OUT = ROOT / "benchmarks" / "results" / "model_accuracy"
DEALS_PER_ACCOUNT = 0.19
"""Closed deals per demo account (measured on the default demo), to size the demo."""


def _data(scenario: str, deals: int, seed: int) -> tuple[at.Dataset, pl.DataFrame]:
    if scenario == "independent":
        sim = truthgen.simulate(deals, seed=seed)
        return at.validate(sim.tables), sim.truth.select("channel", "share")
    ds = at.demo.generate(n_accounts=int(deals / DEALS_PER_ACCOUNT), seed=seed, scenario=scenario)
    return ds, ds.truth.channels.select("channel", "share")


def _specs(ds: at.Dataset, models: Sequence[str] | None) -> dict[str, dict[str, object]]:
    specs: dict[str, dict[str, object]] = {name: {} for name in models or at.MODELS}
    if "custom" in specs:
        specs["custom"] = {"weights": {"first": 1, "lead_creation": 1, "rest": 1}}
    if "incremental" in specs:
        specs["incremental"] = {"controls": ds}
    return specs


def score(
    ds: at.Dataset,
    truth: pl.DataFrame,
    draws: int,
    level: float,
    models: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Score every registered model (or ``models``) against the true channel shares of ``ds``."""
    j = at.journeys(ds)
    done = one_pass(j, plan(j, label_specs(_specs(ds, models)), None), None, "channel")
    table, credits_of = credit_table(j, done, None, "channel")
    groups = sorted({*table["channel"].to_list(), NO_TOUCH})
    boots = boot(done, credits_of, Resamples(j, "channel", draws, 0), groups)
    channels = sorted({*truth["channel"].to_list(), *(set(groups) - {NO_TOUCH, BASELINE})})
    true = truth.join(pl.DataFrame({"channel": channels}), on="channel", how="right")
    t = true.sort("channel")["share"].fill_null(0.0).to_numpy()
    at_group = [groups.index(c) if c in groups else -1 for c in channels]
    rows = []
    for label in table.columns[1:]:
        revenue = np.column_stack(
            [boots[label][:, g] if g >= 0 else np.zeros(draws) for g in at_group]
        )
        point = table.join(pl.DataFrame({"channel": channels}), on="channel", how="right")
        est = point.sort("channel")[label].fill_null(0.0).to_numpy()
        share = est / est.sum() if est.sum() > 0 else est
        draws_share = revenue / np.maximum(revenue.sum(axis=1, keepdims=True), 1e-12)
        lo, hi = np.quantile(draws_share, [(1 - level) / 2, (1 + level) / 2], axis=0)
        covered = (lo - 1e-9 <= t) & (t <= hi + 1e-9)
        rank = spearmanr(share, t).statistic
        rows.append(
            {
                "model": label,
                "tv": 0.5 * float(np.abs(share - t).sum()),
                "rank": float(rank),
                "coverage": float(covered.mean()),
                "width": float((hi - lo).mean()),
            }
        )
    return pl.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=20_000)
    parser.add_argument("--draws", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--level", type=float, default=0.9)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    parts = []
    for scenario in [*SCENARIOS, "independent"]:
        t = time.perf_counter()
        ds, truth = _data(scenario, args.deals, args.seed)
        scored = score(ds, truth, args.draws, args.level).with_columns(
            pl.lit(scenario).alias("scenario")
        )
        parts.append(scored)
        best = scored.sort("tv").row(0, named=True)
        print(
            f"{scenario}: best {best['model']} (tv {best['tv']:.3f}); "
            f"{time.perf_counter() - t:.0f} s",
            flush=True,
        )
    result = pl.concat(parts).select("scenario", "model", "tv", "rank", "coverage")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    result.write_csv(args.out.with_suffix(".csv"))
    args.out.with_suffix(".md").write_text(_markdown(result, args), encoding="utf-8")
    print(_markdown(result, args))


def _markdown(result: pl.DataFrame, args: argparse.Namespace) -> str:
    scenarios = list(dict.fromkeys(result["scenario"].to_list()))
    lines = [
        f"Total variation distance to the true channel shares (rank correlation; coverage of "
        f"{args.level:.0%} intervals), ~{args.deals:,} closed deals, seed {args.seed}, "
        f"{args.draws} bootstrap resamples.",
        "",
        "| model | " + " | ".join(scenarios) + " |",
        "|---|" + "---:|" * len(scenarios),
    ]
    for model in dict.fromkeys(result["model"].to_list()):
        cells = []
        for s in scenarios:
            r = result.filter((pl.col("model") == model) & (pl.col("scenario") == s)).row(
                0, named=True
            )
            best = result.filter(pl.col("scenario") == s)["tv"].min()
            tv = f"**{r['tv']:.2f}**" if r["tv"] == best else f"{r['tv']:.2f}"
            cells.append(f"{tv} ({r['rank']:.2f}; {r['coverage']:.0%})")
        lines.append(f"| {model} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
