"""contributions on a demo source: ``python contrib.py SOURCE [--interval I] [--draws N]``.

Prints one JSON line per stage: ``load + validate`` (tables in memory), then
:func:`attribution.contributions` with the given interval method (features included).
"""

from __future__ import annotations

import argparse
import warnings

from child import measure, report, vm_hwm_kb


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("source")
    parser.add_argument("--interval", default="simulation")
    parser.add_argument("--draws", type=int, default=500)
    args = parser.parse_args()

    import statsmodels.api  # noqa: F401  (imported here: imports are not timed)

    import attribution as at

    warnings.simplefilter("ignore")
    ds, wall = measure(lambda: at.load(args.source))
    report(stage="load + validate", wall=wall, rss_kb=vm_hwm_kb())
    result, wall = measure(lambda: at.contributions(ds, interval=args.interval, draws=args.draws))
    report(
        stage=f"contributions ({args.interval}, {args.draws} draws)",
        wall=wall,
        rss_kb=vm_hwm_kb(),
        opportunities=ds.opportunities.height,
        closed=result.diagnostics.n,
    )


if __name__ == "__main__":
    main()
