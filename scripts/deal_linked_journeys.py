"""Journey length per deal on Maven's CRM data, with touches linked to their deal and without.

Maven's 85 accounts hold 7,212 deals, many open at once. The example mapping
(params/examples/maven.yaml) logs each deal's engagement and close on the deal
(touches.opportunity_id); without that link a deal's journey takes every touch of its
account in its window, including other deals'. This prints both side by side:

    python scripts/deal_linked_journeys.py [path/to/maven_crm_sales_opportunities]
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import polars as pl

import attribution as at

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "real" / "maven_crm_sales_opportunities"


def per_deal(ds: at.Dataset, owner: pl.DataFrame) -> pl.DataFrame:
    """Touches per deal's journey, and how many of them were logged on another deal."""
    j = at.journeys(ds).join(owner, on="touch_id", how="left")
    other = pl.col("logged_on").is_not_null() & (pl.col("logged_on") != pl.col("opportunity_id"))
    return j.group_by("opportunity_id").agg(
        pl.col("n_touches").first().alias("touches"),
        other.sum().alias("touches_of_other_deals"),
        pl.col("logged_on").filter(other).n_unique().alias("other_deals"),
    )


def main(folder: Path) -> None:
    linked = at.load(folder, mapping="maven")
    owner = linked.touches.select("touch_id", pl.col("opportunity_id").alias("logged_on"))
    unlinked = dataclasses.replace(
        linked,
        touches=linked.touches.with_columns(pl.lit(None, dtype=pl.String).alias("opportunity_id")),
    )
    rows = []
    for name, ds in (("account window (no link)", unlinked), ("linked to the deal", linked)):
        deals = per_deal(ds, owner)
        rows.append(
            {
                "journeys": name,
                "deals": deals.height,
                "median touches": deals["touches"].median(),
                "p90 touches": deals["touches"].quantile(0.9),
                "max touches": deals["touches"].max(),
                "median touches of other deals": deals["touches_of_other_deals"].median(),
                "median other deals": deals["other_deals"].median(),
            }
        )
    with pl.Config(tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True, tbl_cols=-1,
                   tbl_width_chars=200, tbl_formatting="ASCII_MARKDOWN"):  # fmt: skip
        print(pl.DataFrame(rows))
    shared = at.health.shared_touches(at.journeys(unlinked), top=3)
    print("\nData health without the link names the accounts, e.g.:")
    with pl.Config(tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True,
                   tbl_formatting="ASCII_MARKDOWN"):  # fmt: skip
        print(shared)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
