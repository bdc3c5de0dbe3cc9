"""The example mappings shipped for public datasets read them as their comments say."""

from __future__ import annotations

import polars as pl
import pytest
from helpers import REAL_DATA

import attribution as at


def _load(folder: str, mapping: str) -> at.Dataset:
    path = REAL_DATA / folder
    if not path.is_dir():
        pytest.skip(f"{path} is not here")
    return at.load(path, mapping=mapping)


def test_maven_logs_every_touch_on_its_deal() -> None:
    ds = _load("maven_crm_sales_opportunities", "maven")
    assert ds.row_counts() == {"touches": 13_923, "opportunities": 7_212, "accounts": 85}
    assert ds.touches["opportunity_id"].null_count() == 0
    open_deals = ds.opportunities.filter(pl.col("closed_at").is_null())
    assert open_deals.height == 501 and open_deals["amount"].min() > 0  # at list price
    journeys = at.journeys(ds).filter(pl.col("n_touches") > 0)
    assert journeys.group_by("opportunity_id").len()["len"].max() == 2


def test_salvirt_and_x_education_count_deals() -> None:
    salvirt = _load("salvirt_b2b_sales", "salvirt")
    assert salvirt.count_only and salvirt.opportunities.height == 448
    assert salvirt.opportunities["is_won"].sum() == 227
    leads = _load("x_education_leads", "x_education")
    assert leads.count_only and leads.contacts is not None and leads.contacts.height == 9_240
    assert "" not in leads.touches.columns  # the trailing comma's empty column is dropped


def test_olist_names_its_currency() -> None:
    from attribution.data.mapping import load_mapping

    assert load_mapping("olist").currency == "R$"
    assert _load("olist_marketing_funnel", "olist").opportunities.height == 8_000
