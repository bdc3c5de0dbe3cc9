"""Data without amounts: every deal counts as one, and the reports say deals, not money."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import polars as pl
import pytest
from helpers import make_opportunities, make_touches

import attribution as at
from attribution._format import money
from attribution._text import DEALS
from attribution.data.snapshot import read_snapshot, write_snapshot
from attribution.report.overview import headline

TOUCHES = make_touches(
    [
        ("t1", "a1", "2024-01-02", "marketing", "webinar"),
        ("t2", "a1", "2024-01-05", "sales", "call"),
        ("t3", "a2", "2024-01-03", "marketing", "email"),
        ("t4", "a3", "2024-01-04", "sales", "call"),
    ]
)
OPPS = make_opportunities(
    [
        ("o1", "a1", "2024-01-10", True, 0, "2024-02-01"),
        ("o2", "a2", "2024-01-10", False, 0, "2024-02-01"),
        ("o3", "a3", "2024-01-10", True, 0, "2024-02-03"),
    ]
).drop("amount")


def test_without_an_amount_column_every_deal_counts_as_one() -> None:
    ds = at.validate({"touches": TOUCHES, "opportunities": OPPS})
    assert ds.count_only and ds.opportunities["amount"].to_list() == [1.0, 1.0, 1.0]
    priced = OPPS.with_columns(pl.lit(10.0).alias("amount"))
    assert not at.validate({"touches": TOUCHES, "opportunities": priced}).count_only


def test_an_amount_column_still_needs_a_value_in_every_row() -> None:
    gaps = OPPS.with_columns(pl.Series("amount", [5.0, None, 3.0]))
    with pytest.raises(at.DataError, match=r"opportunities\.amount: required value is empty"):
        at.validate({"touches": TOUCHES, "opportunities": gaps})


def test_the_flag_survives_a_folder_and_a_snapshot(tmp_path: Path) -> None:
    TOUCHES.write_csv(tmp_path / "touches.csv")
    OPPS.write_csv(tmp_path / "opportunities.csv")
    ds = at.load(tmp_path)
    assert ds.count_only
    folder = tempfile.mkdtemp()
    write_snapshot(ds, folder)
    assert read_snapshot(folder).count_only


def test_credits_add_up_to_won_deals() -> None:
    ds = at.validate({"touches": TOUCHES, "opportunities": OPPS})
    j = at.journeys(ds)
    cmp = at.compare(j, ["first_touch", "linear", "markov"], by="team", level=None)
    for model in ("first_touch", "linear", "markov"):
        assert cmp.table[model].sum() == pytest.approx(2.0)  # two won deals


def test_the_pages_write_deals_not_money() -> None:
    ds = at.validate({"touches": TOUCHES, "opportunities": OPPS})
    text = headline(at.journeys(ds)).markdown(currency=DEALS)
    assert text.startswith("**2 won deals** between")
    assert "$" not in text and "revenue" not in text
    assert money(227, DEALS) == "227 deals" and money(1, DEALS) == "1 deal"
    assert money(1054.0, "$") == "$1,054"


def test_the_team_split_models_expected_won_deals() -> None:
    ds = at.demo.generate(n_accounts=3000, seed=1)
    counted = at.validate({"touches": ds.touches, "opportunities": ds.opportunities.drop("amount")})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", at.EstimateWarning)
        split = at.contributions(counted, draws=40)
    assert split.supported
    won = counted.opportunities.filter(pl.col("is_won") & pl.col("closed_at").is_not_null())
    assert split.reconciliation["value"][1] == pytest.approx(won.height)  # booked = won deals
