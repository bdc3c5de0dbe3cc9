"""The segments side by side: they add up to the whole, and a small case worked by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import attribution as at
from attribution.money.segments import segment_summary


def test_values_add_up_to_the_whole_run() -> None:
    ds = at.demo.generate(n_accounts=800, seed=2)
    s = segment_summary(ds, "region", model="w_shaped", level=0.9)
    credits = at.attribute(at.journeys(ds), "w_shaped")
    assert s.table["revenue"].sum() == pytest.approx(credits["revenue"].sum())
    assert s.table["won"].sum() == credits["opportunity_id"].n_unique()
    assert s.table["accounts"].sum() == ds.accounts.height
    assert s.channels["revenue"].sum() == pytest.approx(credits["revenue"].sum())
    shares = s.table.select(pl.sum_horizontal("marketing_share", "sales_share", "no_touch_share"))
    assert np.allclose(shares.to_series().drop_nulls().to_numpy(), 1.0)
    ok = s.table.drop_nulls("win_rate")
    assert (ok["win_rate_low"] <= ok["win_rate"]).all() and (
        ok["win_rate"] <= ok["win_rate_high"]
    ).all()


def _case() -> at.Dataset:
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    day = timedelta(days=1)
    touches = pl.DataFrame(
        {
            "touch_id": ["t1", "t2", "t3", "t4"],
            "account_id": ["a", "a", "b", "c"],
            "occurred_at": [t0, t0 + day, t0, t0],
            "team": ["marketing", "sales", "marketing", "sales"],
            "channel": ["webinar", "sales_call", "email", "sales_call"],
        }
    )
    opps = pl.DataFrame(
        {
            "opportunity_id": ["oa", "ob", "oc"],
            "account_id": ["a", "b", "c"],
            "created_at": [t0 + 2 * day] * 3,
            "is_won": [True, False, True],
            "amount": [100.0, 50.0, 40.0],
            "closed_at": [t0 + 10 * day] * 3,
        }
    )
    accounts = pl.DataFrame({"account_id": ["a", "b", "c"], "segment": ["SMB", "SMB", "Ent"]})
    return at.validate({"touches": touches, "opportunities": opps, "accounts": accounts})


def test_a_small_case_by_hand() -> None:
    s = segment_summary(_case(), "segment", model="linear", level=0.95)
    rows = {r["value"]: r for r in s.table.iter_rows(named=True)}
    smb, ent = rows["SMB"], rows["Ent"]
    # SMB: two deals closed, one won (100), its two touches share it half and half
    assert (smb["accounts"], smb["opportunities"], smb["won"], smb["closed"]) == (2, 2, 1, 2)
    assert smb["revenue"] == 100.0 and smb["win_rate"] == 0.5
    assert smb["marketing_share"] == pytest.approx(0.5) and smb["sales_share"] == pytest.approx(0.5)
    # Wilson 95% for 1 won of 2 closed: centre (1 + z²/2) / (2 + z²),
    # half-width z / (2 + z²) * sqrt(2 * 0.5 * 0.5 + z² / 4)
    z = 1.959963984540054
    centre = (1 + z**2 / 2) / (2 + z**2)
    half = z / (2 + z**2) * np.sqrt(2 * 0.5 * 0.5 + z**2 / 4)
    assert smb["win_rate_low"] == pytest.approx(centre - half)
    assert smb["win_rate_high"] == pytest.approx(centre + half)
    assert (ent["won"], ent["revenue"], ent["sales_share"], ent["top_channel"]) == (
        1,
        40.0,
        1.0,
        "sales_call",
    )
    assert rows["SMB"]["top_channel"] in {"webinar", "sales_call"}


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), model=st.sampled_from(["first_touch", "linear", "u_shaped"]))
def test_every_model_conserves_revenue_across_segments(seed: int, model: str) -> None:
    ds = at.demo.generate(n_accounts=120, seed=seed)
    s = segment_summary(ds, "segment", model=model)
    whole = at.attribute(at.journeys(ds), model)["revenue"].sum()
    assert s.table["revenue"].sum() == pytest.approx(whole)
    assert s.channels["revenue"].sum() == pytest.approx(whole)
