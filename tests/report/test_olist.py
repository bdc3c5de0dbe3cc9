"""The Olist marketing funnel, mapped onto the contract, through the hand-off views.

Reads the real files in ../shared (never copied); see params/mappings/olist.yaml for what the
mapping decides and ../shared/data/real/olist_marketing_funnel/SOURCE.md for the data.
"""

from __future__ import annotations

import warnings

import polars as pl
import pytest
from helpers import REAL_DATA, ROOT

import attribution as at

OLIST = REAL_DATA / "olist_marketing_funnel"
MAPPING = ROOT / "params" / "mappings" / "olist.yaml"

pytestmark = pytest.mark.skipif(not OLIST.is_dir(), reason="needs ../shared/data/real")


@pytest.fixture(scope="module")
def olist() -> at.Dataset:
    return at.load(OLIST, mapping=MAPPING)


def messages(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    assert all(issubclass(w.category, at.EstimateWarning) for w in caught), caught
    return result, [str(w.message) for w in caught]


def test_the_mapping_builds_every_table(olist: at.Dataset) -> None:
    counts = olist.row_counts()
    assert counts == {
        "touches": 8_000 + 2 * 842,  # one origin per MQL; SDR and SR of each won deal
        "opportunities": 8_000,
        "contacts": 8_000,
        "accounts": 8_000,
    }
    opps = olist.opportunities
    assert opps["is_won"].sum() == 842 and opps["closed_at"].null_count() == 0
    assert (opps.filter(~pl.col("is_won"))["closed_at"] == opps["closed_at"].max()).all()
    assert (opps["amount"] == 0).sum() == 7_158 + 797
    assert olist.touches.filter(pl.col("team") == "sales")["rep"].null_count() == 0
    assert olist.contacts["lead_source"].null_count() == 0
    assert olist.contacts.filter(pl.col("lead_source") == "unknown").height == 1_099 + 60


def test_funnel_and_speed_to_close(olist: at.Dataset) -> None:
    f, said = messages(lambda: at.funnel(olist))
    assert f["stage"].to_list() == ["lead", "mql", "opportunity", "won"]
    assert any("no SQL dates" in m for m in said)
    assert any("no separate opportunity step" in m for m in said)
    won = f.filter(pl.col("stage") == "won").row(0, named=True)
    assert won["accounts"] == 842 and won["conversion_from_lead"] == pytest.approx(0.10525)
    # SOURCE.md: days from first contact to won, median 14
    assert 13.5 < won["median_days_from_lead"] < 15.5
    by_source, _ = messages(lambda: at.funnel(olist, by="lead_source"))
    organic = by_source.filter(
        (pl.col("lead_source") == "organic_search") & (pl.col("stage") == "won")
    )
    assert organic["accounts"][0] == 271
    t = at.sourced_influenced(olist)
    marketing = t.filter(pl.col("team") == "marketing")
    assert marketing["sourced_won"].sum() == 841  # one deal was won before its first contact


def test_estimates_the_data_cannot_support_warn_and_stay_empty(olist: at.Dataset) -> None:
    result, said = messages(lambda: at.contributions(olist))
    assert not result.supported and result.table["share"].null_count() == 4
    assert any("one recorded touch per lead" in m for m in said)
    assert any("recorded only for won deals" in m for m in said)
    assert any("797 of 842 won deals have no amount" in m for m in said)
    sla, said = messages(lambda: at.speed_to_lead(olist, by=None))
    assert sla["mqls"][0] == 8_000 and sla["share_within_sla"][0] is None
    assert any("recorded only for accounts that won" in m for m in said)
    effect, said = messages(lambda: at.speed_to_lead_effect(olist))
    assert not effect.supported and effect.model is None
    every, said = messages(lambda: at.lead_score_weights(olist))
    assert not every.supported and any("did not become opportunity" in m for m in said)


def test_origin_weights_for_winning_are_learned_relative_to_organic_search(
    olist: at.Dataset,
) -> None:
    s, said = messages(lambda: at.lead_score_weights(olist, outcome="won"))
    assert s.supported
    assert any("'organic_search' is the reference" in m for m in said)
    assert any("no current lead score" in m for m in said)
    weights = dict(s.table.select("behaviour", "weight").iter_rows())
    # raw conversion: email 15/493 and social 75/1350 sit far below organic search 271/2296
    assert weights["email"] < -1 and weights["social"] < -0.5
    assert s.auc["score"].to_list() == ["learned"] and s.auc["auc"][0] > 0.55
