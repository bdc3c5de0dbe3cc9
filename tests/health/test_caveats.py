"""Caveats: each gap is found per deal, and only where it is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

import attribution as at
from attribution.health.caveats import caveats

T0 = datetime(2026, 1, 5, tzinfo=UTC)


def _journeys(rows: list[tuple], *, end: datetime | None = None) -> pl.DataFrame:
    """Journeys from (deal, account, status, amount, closed day, [(touch, day, team, channel)])."""
    out = []
    for deal, account, status, amount, closed, touches in rows:
        closed_at = T0 + timedelta(days=closed) if closed is not None else None
        window_end = closed_at or end or T0 + timedelta(days=60)
        for i, (touch, day, team, channel) in enumerate(touches or [(None, None, None, None)]):
            out.append(
                {
                    "opportunity_id": deal,
                    "account_id": account,
                    "status": status,
                    "amount": amount,
                    "closed_at": closed_at,
                    "window_end": window_end,
                    "touch_id": touch,
                    "occurred_at": T0 + timedelta(days=day) if day is not None else None,
                    "team": team,
                    "channel": channel,
                    "n_touches": len(touches),
                    "position": i + 1 if touches else 0,
                }
            )
    return pl.DataFrame(out)


def _keys(j: pl.DataFrame) -> list[str]:
    return caveats(j).table["key"].to_list()


def test_clean_data_has_no_caveat_beside_the_headline() -> None:
    ds = at.demo.generate(n_accounts=3000, seed=5)
    found = caveats(at.journeys(ds))
    assert found.markdown("headline") == "" and found.markdown("win_rate") == ""


def test_missing_and_concentrated_amounts_are_named_with_counts() -> None:
    rows = [(f"w{i}", f"a{i}", "won", None if i < 3 else 10.0, 20, []) for i in range(10)]
    rows.append(("big", "a99", "won", 1000.0, 20, []))
    found = caveats(_journeys(rows))
    (item,) = found.about("headline")
    assert "3 of 11 won deals have no amount" in item.text
    assert "one deal holds 93% of the won revenue" in item.text
    assert "revenue_by_month" in item.affects and "attribution" in item.affects


def test_sales_recorded_only_on_won_deals_is_checked_per_deal() -> None:
    won = [(f"w{i}", f"a{i}", "won", 5.0, 30, [(f"t{i}", 1, "sales", "call")]) for i in range(5)]
    lost = [
        (f"l{i}", f"a{i}", "lost", 5.0, 30, [(f"u{i}", 1, "marketing", "ad")]) for i in range(5)
    ]
    assert "sales_only_on_won" in _keys(_journeys(won + lost))
    # every account has a win, but lost deals have sales touches too: no caveat (per deal)
    lost[0] = ("l0", "a0", "lost", 5.0, 30, [("u0", 1, "sales", "call")])
    assert "sales_only_on_won" not in _keys(_journeys(won + lost))


def test_lost_deals_closing_at_the_end_look_provisional() -> None:
    won = [(f"w{i}", f"a{i}", "won", 5.0, 10 + i, []) for i in range(5)]
    lost = [(f"l{i}", f"b{i}", "lost", 5.0, 90, []) for i in range(12)]
    found = caveats(_journeys(won + lost))
    (item,) = found.about("win_rate")
    assert item.key == "provisional_losses" and "12 of 12 lost deals" in item.text
    spread = [(f"l{i}", f"b{i}", "lost", 5.0, 40 + i, []) for i in range(12)]
    assert "provisional_losses" not in _keys(_journeys(won + spread))


def test_a_channel_in_every_journey_tells_nothing() -> None:
    rows = []
    for i in range(40):
        status = "won" if i % 4 == 0 else "lost"
        touches = [(f"s{i}", 1, "sales", "seller")]
        if status == "won":
            touches.append((f"d{i}", 2, "sales", "demo"))
        rows.append((f"o{i}", f"a{i}", status, 5.0, 30, touches))
    found = caveats(_journeys(rows))
    (item,) = found.about("attribution")
    assert "'seller' is in 100% of won and 100% of lost journeys" in item.text
    assert "'demo'" not in item.text, "a channel only in wins does tell them apart"


def test_a_partial_last_week_and_month_are_noted() -> None:
    rows = [("o1", "a1", "open", 5.0, None, [])]
    end = datetime(2026, 6, 29, tzinfo=UTC)  # a Monday, 29 of 30 days of June
    found = caveats(_journeys(rows, end=end))
    (item,) = found.about("activity")
    assert "last week holds 1 of 7 days" in item.text and not found.about("revenue_by_month")
    early = caveats(_journeys(rows, end=datetime(2026, 6, 3, tzinfo=UTC)))
    assert (
        early.about("revenue_by_month")
        and "June 2026 holds 3 of its 30 days" in early.table["text"][0]
    )


def test_touches_shared_between_deals_of_one_account() -> None:
    touches = [(f"t{k}", k, "marketing", "ad") for k in range(5)]
    rows = [("o1", "a1", "won", 5.0, 30, touches), ("o2", "a1", "lost", 5.0, 32, touches)]
    rows += [(f"x{i}", f"b{i}", "lost", 5.0, 30, [(f"y{i}", 1, "sales", "call")]) for i in range(3)]
    (item,) = caveats(_journeys(rows)).about("involvement")
    assert item.key == "shared_touches" and "(1 account)" in item.text
    assert "opportunity_id" in item.text


@pytest.mark.parametrize("section", ["headline", "attribution", "funnel"])
def test_markdown_is_empty_where_nothing_applies(section: str) -> None:
    assert caveats(_journeys([("o1", "a1", "open", 1.0, None, [])])).markdown(section) == ""


def test_a_hostile_channel_name_in_a_caveat_stays_text() -> None:
    from attribution.health.caveats import Caveat, Caveats

    hostile = "<img src=x onerror=alert(1)>**bold**"
    found = Caveats.of(
        [Caveat("x", "A gap", f"Channel {hostile} tells nothing.", ("attribution",))]
    )
    text = found.markdown("attribution")
    assert "<img" not in text and "&lt;img" in text and "\\*\\*bold\\*\\*" in text
