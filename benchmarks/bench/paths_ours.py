"""Our models on a path table, one stage per process: ``python paths_ours.py STAGE FILE``."""

from __future__ import annotations

import sys

from child import measure, report, vm_hwm_kb

RULES = ["first_touch", "last_touch", "linear", "time_decay", "u_shaped", "w_shaped",
         "full_path", "j_shaped", "inverse_j", "custom"]  # fmt: skip
CUSTOM = {"weights": {"first": 1.0, "lead_creation": 1.0, "close": 1.0, "rest": 1.0}}


def main() -> None:
    stage, path = sys.argv[1], sys.argv[2]
    import polars as pl

    from attribution.models import compare_paths
    from attribution.models.markov import markov
    from attribution.models.shapley import shapley

    table = pl.read_parquet(path)
    if stage == "rules":  # all ten rule models, side by side
        models = {m: (CUSTOM if m == "custom" else {}) for m in RULES}
        out, wall = measure(lambda: compare_paths(table, models, measure="value"))
        check = dict(out.select("channel", "first_touch").rows())
    elif stage in ("markov1", "markov3"):
        order = int(stage[-1])
        out, wall = measure(lambda: markov(table, order=order, transition_matrix=False))
        check = dict(out.table.select("channel", "conversions").rows())
    elif stage == "shapley":
        out, wall = measure(lambda: shapley(table))
        check = dict(out.table.select("channel", "conversions").rows())
    else:
        raise SystemExit(f"unknown stage {stage}")
    report(wall=wall, rss_kb=vm_hwm_kb(), check=check)


if __name__ == "__main__":
    main()
