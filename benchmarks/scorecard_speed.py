"""Speed and memory of the shared scorecard on demo data of growing size.

For each size, demo data is generated in a child process and written as Parquet parts (not
timed, not counted in memory), loaded into memory (``--eager``, the default) or kept as
lazy scans, and each step is timed: applying the shipped definitions
(``attribution.apply_definitions``), the scorecard without the contribution targets, and
the full shipped scorecard (one contribution estimate included). Prints one table. Peak
memory is this process's maximum resident set size (it only grows).

    .venv/bin/python benchmarks/scorecard_speed.py --accounts 5000 50000 200000

Demo data has about 11 touches and 1.6 contacts per account.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import attribution as at

sys.path.insert(0, str(Path(__file__).resolve().parent / "bench"))
from ondemo import peak_mb, run_sizes, timed

ROOT = Path(__file__).resolve().parents[1]


def measure(folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    definitions = at.load_definitions(ROOT / "params" / "definitions.yaml")
    targets = at.load_targets(ROOT / "params" / "targets.yaml")
    counted = {
        "targets": [
            {k: v for k, v in vars(t).items() if v is not None}
            for t in targets.targets
            if not at.targets.KPIS[str(t.kpi)].estimate
        ]
    }
    ds, t_load = timed(lambda: at.load(folder, lazy=True))
    if args.eager:
        ds, t_collect = timed(ds.collect)
        t_load += t_collect
    applied, t_apply = timed(lambda: at.apply_definitions(ds, definitions))
    _, t_counted = timed(lambda: at.scorecard(ds, counted, definitions))
    card, t_full = timed(lambda: at.scorecard(ds, targets, definitions, draws=args.draws))
    return {
        "contacts": applied.contacts.height,
        "agreed MQLs": applied.contacts["mql_at"].is_not_null().sum(),
        "load s": t_load,
        "apply_definitions s": t_apply,
        f"scorecard, {len(counted['targets'])} counted KPIs s": t_counted,
        f"scorecard, all {card.table.height} KPIs s": t_full,
        "peak RSS MB": peak_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, nargs="+", default=[5_000, 50_000])
    parser.add_argument("--draws", type=int, default=300, help="contribution interval draws")
    parser.add_argument("--lazy", dest="eager", action="store_false", help="keep lazy scans")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    run_sizes(args.accounts, args, measure, float_precision=2)


if __name__ == "__main__":
    main()
