"""marketing-attribution-models on a path table: ``python paths_mam.py STAGE FILE``.

Runs with the interpreter of its environment (see peers.py). Its input is the "grouped
journeys" form of the same table (one row per path and outcome, with a count); building
its internal table from it is part of every measurement, as our encoding is of ours.
"""

from __future__ import annotations

import sys

from child import fail, measure, report, vm_hwm_kb


def main() -> None:
    stage, path = sys.argv[1], sys.argv[2]
    import polars as pl
    from mam import MAM

    table = pl.read_parquet(path)

    def model() -> MAM:
        return MAM(
            table,
            format_type="grouped_journey",
            channels_colname="path",
            journey_with_conv_colname="has_conversion",
            occurrences_colname="occurrences",
            conversion_value_colname="value",
            path_separator=" > ",
        )

    if stage == "rules":  # its heuristics that need no timestamps

        def run() -> pl.DataFrame:
            m = model()
            first = m.run_first_click().to_polars()
            m.run_last_click(), m.run_linear(), m.run_position_based()
            return first

        out, wall = measure(run)
        check = dict(zip(out["channels"].cast(pl.String), out["attribution"], strict=True))
    elif stage == "markov1":
        out, wall = measure(lambda: model().run_markov().to_polars())
        check = None  # its credit is spread per journey: not comparable channel by channel
    elif stage == "shapley":
        out, wall = measure(lambda: model().run_shapley().to_polars())
        check = None  # its Shapley keeps the last 4 channels of a journey: another model
    else:
        fail(f"marketing-attribution-models has no {stage} model (first-order Markov only)")
        return
    report(wall=wall, rss_kb=vm_hwm_kb(), check=check)


if __name__ == "__main__":
    main()
