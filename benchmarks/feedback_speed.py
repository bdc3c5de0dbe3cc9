"""Speed and memory of the sales-insight views (``at.feedback``) on demo data of growing size.

For each size, demo data is generated in a child process and written as Parquet parts (not
timed, not counted in memory), loaded into memory (the default) or kept as lazy scans
(``--lazy``), and each view is timed: loss reasons by channel, rejection rates by
campaign, the ideal customer profile (model included), buying groups, and the
decision-maker estimate (its adjusted win rates from ``--draws`` coefficient draws).
Prints one table. Peak memory is this process's maximum resident set size (it only grows).

    .venv/bin/python benchmarks/feedback_speed.py --accounts 5000 50000 200000
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Any

import attribution as at

sys.path.insert(0, str(Path(__file__).resolve().parent / "bench"))
from ondemo import peak_mb, run_sizes, timed


def measure(folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    ds, t_load = timed(lambda: at.load(folder, lazy=True))
    if args.eager:
        ds, t_collect = timed(ds.collect)
        t_load += t_collect
    fb = at.feedback
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, t_loss = timed(lambda: fb.loss_reasons(ds, by="channel"))
        _, t_reject = timed(lambda: fb.rejection_rates(ds, by="campaign"))
        _, t_icp = timed(lambda: fb.ideal_customer_profile(ds))
        groups, t_groups = timed(lambda: fb.buying_groups(ds))
        effect, t_dm = timed(lambda: fb.decision_maker_effect(ds, draws=args.draws))
    return {
        "deals": groups.height,
        "load s": t_load,
        "loss_reasons s": t_loss,
        "rejection_rates s": t_reject,
        "ideal_customer_profile s": t_icp,
        "buying_groups s": t_groups,
        "decision_maker_effect s": t_dm,
        "DM odds ratio": effect.table["odds_ratio"].item() if effect.supported else None,
        "peak RSS MB": peak_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, nargs="+", default=[5_000, 50_000])
    parser.add_argument("--draws", type=int, default=500, help="coefficient draws")
    parser.add_argument("--lazy", dest="eager", action="store_false", help="keep lazy scans")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    run_sizes(args.accounts, args, measure, float_precision=2)


if __name__ == "__main__":
    main()
