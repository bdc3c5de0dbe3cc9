"""A campaign cost export (Google Ads' campaign report) mapped onto the spend table."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import yaml

import attribution as at


def test_an_ad_platform_cost_export_maps_onto_spend(tmp_path: Path) -> None:
    ds = at.demo.generate(n_accounts=100, seed=0)
    touches = ["touch_id", "account_id", "occurred_at", "team", "channel"]
    opps = ["opportunity_id", "account_id", "created_at", "is_won", "amount", "closed_at"]
    ds.touches.select(touches).write_csv(tmp_path / "touches.csv")
    ds.opportunities.select(opps).write_csv(tmp_path / "opportunities.csv")
    pl.DataFrame(
        {
            "Campaign": ["Brand", "Competitor"],
            "Day": ["2025-03-01", "2025-03-02"],
            "Cost": ["$1,200.50", "80"],
        }
    ).write_csv(tmp_path / "google_ads.csv")
    mapping = {
        "name": "with-spend",
        "tables": {
            "touches": {"from": "touches", "columns": {c: c for c in touches}},
            "opportunities": {"from": "opportunities", "columns": {c: c for c in opps}},
            "spend": {
                "from": "google_ads",
                "csv": {"thousands": ","},
                "columns": {
                    "channel": {"value": "paid_search"},
                    "campaign": "Campaign",
                    "period_start": {"column": "Day", "format": "%Y-%m-%d"},
                    "period_end": {"expr": "Day + INTERVAL 1 DAY"},
                    "amount": "Cost",
                },
            },
        },
    }
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(mapping))
    spend = at.load(tmp_path, mapping=tmp_path / "m.yaml").spend
    assert isinstance(spend, pl.DataFrame)
    assert spend.sort("campaign").select("channel", "campaign", "amount").rows() == [
        ("paid_search", "Brand", 1200.5),
        ("paid_search", "Competitor", 80.0),
    ]
    assert (spend["period_end"] - spend["period_start"]).dt.total_days().to_list() == [1, 1]
