"""ChannelAttribution on a path table, default settings: ``python paths_ca.py STAGE FILE``.

Runs with the interpreter of the ChannelAttribution environment (see peers.py).
"""

from __future__ import annotations

import contextlib
import io
import sys

from child import fail, measure, report, vm_hwm_kb


def main() -> None:
    stage, path = sys.argv[1], sys.argv[2]
    import pandas as pd

    with contextlib.redirect_stdout(io.StringIO()):  # its import prints a banner
        import ChannelAttribution as ca  # noqa: N813

    table = pd.read_parquet(path)
    columns = ("path", "total_conversions")
    if stage == "rules":  # its three heuristics: first, last and linear touch
        out, wall = measure(
            lambda: ca.heuristic_models(
                table, *columns, var_value="total_conversion_value", flg_pro=False
            )
        )
        check = dict(zip(out["channel_name"], out["first_touch_value"], strict=True))
    elif stage in ("markov1", "markov3"):
        order = int(stage[-1])
        out, wall = measure(
            lambda: ca.markov_model(
                table,
                *columns,
                var_value="total_conversion_value",
                var_null="total_null",
                order=order,
                verbose=False,
                flg_pro=False,
            )
        )
        check = dict(zip(out["channel_name"], out["total_conversions"], strict=True))
    else:
        fail(f"ChannelAttribution has no {stage} model (Shapley is in its paid version)")
        return
    report(wall=wall, rss_kb=vm_hwm_kb(), check={k: float(v) for k, v in check.items()})


if __name__ == "__main__":
    main()
