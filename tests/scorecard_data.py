"""Hand-made contacts, touches and opportunities for the scorecard's tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

import attribution as at

T0 = datetime(2025, 1, 1, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def dataset(
    contacts: list[tuple],
    touches: list[tuple],
    *,
    opportunities: list[tuple] | None = None,
    segments: dict[str, str] | None = None,
) -> at.Dataset:
    """Contacts (id, account, created, crm mql_at, crm sql_at[, score]); touches (id,
    contact, occurred_at, team, channel[, activity]); accounts take their id from contacts."""
    c = pl.DataFrame(
        [row + (None,) * (6 - len(row)) for row in contacts],
        schema=["contact_id", "account_id", "created_at", "mql_at", "sql_at", "score"],
        orient="row",
    )
    account_of = dict(zip(c["contact_id"], c["account_id"], strict=True))
    t = pl.DataFrame(
        [
            (tid, account_of.get(cid, cid), when, team, channel, cid, act)
            for tid, cid, when, team, channel, *rest in touches
            for act in [rest[0] if rest else None]
        ],
        schema=[
            "touch_id",
            "account_id",
            "occurred_at",
            "team",
            "channel",
            "contact_id",
            "activity",
        ],
        orient="row",
    )
    accounts = sorted(set(c["account_id"]))
    opps = opportunities or [("O-x", accounts[0], day(400), False, 100.0, day(401))]
    return at.validate(
        {
            "touches": t,
            "opportunities": pl.DataFrame(
                opps,
                schema=[
                    "opportunity_id",
                    "account_id",
                    "created_at",
                    "is_won",
                    "amount",
                    "closed_at",
                ],
                orient="row",
            ),
            "contacts": c,
            "accounts": pl.DataFrame(
                {
                    "account_id": accounts,
                    "segment": [(segments or {}).get(a) for a in accounts],
                }
            ),
        }
    )
