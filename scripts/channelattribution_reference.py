"""Regenerate channelattribution_markov.csv (ChannelAttribution's Markov model on its own
example path table, orders 1-3, default settings, 30 seeds) and
channelattribution_heuristics.csv (its first/last/linear touch models on the same table).

Not part of the test run (ChannelAttribution is GPL-3 and is never a dependency of this
project). Run it with a separate environment that has the published package:

    python -m venv /tmp/ca && /tmp/ca/bin/pip install ChannelAttribution pandas matplotlib
    /tmp/ca/bin/python scripts/channelattribution_reference.py \
        ../shared/data/real/channelattribution_pathdata/Data.csv tests/results/

Only the resulting numbers are committed (see README.md beside this file).
"""

import sys
from pathlib import Path

import ChannelAttribution as ca  # noqa: N813
import numpy as np
import pandas as pd

SEEDS = range(0, 30_000, 1_000)  # spaced: run r of seed s uses generator s + r (r < nfold)


def main(data_csv: str, out_dir: str) -> None:
    data = pd.read_csv(data_csv, sep=";")
    rows = []
    for order in (1, 2, 3):
        for seed in SEEDS:
            res = ca.markov_model(
                data,
                "path",
                "total_conversions",
                var_value="total_conversion_value",
                var_null="total_null",
                order=order,
                seed=seed,
                out_more=True,
                verbose=False,
                flg_pro=False,
            )
            result = res["result"].set_index("channel_name")
            effects = res["removal_effects"].set_index("channel_name")
            for channel in result.index:
                rows.append(
                    {
                        "order": order,
                        "seed": seed,
                        "channel": channel,
                        "conversions": result.loc[channel, "total_conversions"],
                        "value": result.loc[channel, "total_conversion_value"],
                        "removal_effect": effects.loc[channel, "removal_effects_conversion"],
                        "removal_effect_value": effects.loc[
                            channel, "removal_effects_conversion_value"
                        ],
                    }
                )
    runs = pd.DataFrame(rows)
    stats = runs.groupby(["order", "channel"]).agg(
        n_seeds=("seed", "nunique"),
        **{
            f"{col}_{fn}": (col, fn)
            for col in ("conversions", "value", "removal_effect", "removal_effect_value")
            for fn in ("mean", "std", "min", "max")
        },
    )
    heuristics = ca.heuristic_models(
        data, "path", "total_conversions", var_value="total_conversion_value", flg_pro=False
    )
    heuristics.round(9).to_csv(Path(out_dir) / "channelattribution_heuristics.csv", index=False)
    out = Path(out_dir) / "channelattribution_markov.csv"
    stats.reset_index().round(6).to_csv(out, index=False)
    print(f"wrote {out} ({len(stats)} rows)")
    print(
        "largest relative sd of conversions:",
        float(np.nanmax(stats.conversions_std / stats.conversions_mean)),
    )


if __name__ == "__main__":
    main(*sys.argv[1:3])
