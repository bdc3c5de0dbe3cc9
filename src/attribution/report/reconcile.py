"""Totals that must agree across pages, set side by side with the reason they differ.

The headline counts won **deals**; the funnel follows **accounts** from their first lead. The
two totals differ by the won deals of accounts with no lead (worked by sales alone, or
bought without a contact) and by accounts that won more than one deal. A reviewer who sees
two revenue figures gets both and the difference explained, never two numbers that look
like they should match and do not.
"""

from __future__ import annotations

import polars as pl

from attribution._format import money
from attribution._markdown import Markdown
from attribution._text import plural
from attribution.data.dataset import Dataset, Frame
from attribution.data.schema import ACCOUNT_ID, AMOUNT, OPPORTUNITY_ID
from attribution.journey.columns import STATUS

__all__ = ["funnel_reconciliation", "funnel_reconciliation_markdown"]


def funnel_reconciliation(dataset: Dataset, journeys: Frame) -> pl.DataFrame:
    """Return the headline's won deals split into those the funnel counts and the rest.

    Returns
    -------
    polars.DataFrame
        One row per part (``in the funnel: accounts with a lead``, ``not in the funnel: no
        lead``, ``total``): ``won_deals``, ``accounts``, ``won_revenue``.

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=2000, seed=0)
    >>> t = funnel_reconciliation(ds, at.journeys(ds))
    >>> t["part"].to_list()[-1], t["won_deals"][-1] == t["won_deals"][:-1].sum()
    ('total', True)
    """
    won = (
        journeys.lazy()
        .filter(pl.col(STATUS) == "won")
        .group_by(OPPORTUNITY_ID)
        .agg(pl.col(ACCOUNT_ID).first(), pl.col(AMOUNT).first())
    )
    if dataset.contacts is None:
        leads = pl.LazyFrame(schema={ACCOUNT_ID: pl.String})
    else:
        leads = dataset.lazy("contacts").select(ACCOUNT_ID).unique()
    lead = pl.col(ACCOUNT_ID).is_in(leads.collect()[ACCOUNT_ID].implode())
    parts = (
        won.with_columns(
            pl.when(lead)
            .then(pl.lit("in the funnel: accounts with a lead"))
            .otherwise(pl.lit("not in the funnel: accounts with no lead"))
            .alias("part")
        )
        .group_by("part")
        .agg(
            pl.len().cast(pl.Int64).alias("won_deals"),
            pl.col(ACCOUNT_ID).n_unique().cast(pl.Int64).alias("accounts"),
            pl.col(AMOUNT).sum().alias("won_revenue"),
        )
        .sort("part")
        .collect()
    )
    total = parts.select(
        pl.lit("total").alias("part"),
        pl.col("won_deals").sum(),
        pl.col("accounts").sum(),
        pl.col("won_revenue").sum(),
    )
    return pl.concat([parts, total])


def funnel_reconciliation_markdown(table: pl.DataFrame, *, currency: str = "$") -> Markdown:
    r"""Say how the funnel's won accounts and revenue add up to the headline's.

    Examples
    --------
    >>> t = pl.DataFrame({"part": ["in the funnel: accounts with a lead",
    ...     "not in the funnel: accounts with no lead", "total"], "won_deals": [9, 1, 10],
    ...     "accounts": [8, 1, 9], "won_revenue": [90.0, 10.0, 100.0]})
    >>> print(funnel_reconciliation_markdown(t))
    The funnel follows accounts from their first lead: 8 accounts won 9 deals worth \$90. ...
    """
    rows = {r["part"].split(":")[0]: r for r in table.iter_rows(named=True)}
    inside = rows.get("in the funnel")
    total = rows["total"]
    if inside is None:
        return Markdown(
            "No won deal belongs to an account with a lead, so the funnel shows no win."
        )
    text = Markdown(
        "The funnel follows accounts from their first lead: {:,} accounts won {:,} deals worth {}."
    ).format(inside["accounts"], inside["won_deals"], money(inside["won_revenue"], currency))
    outside = rows.get("not in the funnel")
    if outside is not None:
        text += Markdown(
            " The headline's {} from {:,} won deals also counts {} ({}) of {} with no lead: "
            "deals sales found alone, or bought without a contact."
        ).format(
            money(total["won_revenue"], currency),
            total["won_deals"],
            plural(outside["won_deals"], "deal"),
            money(outside["won_revenue"], currency),
            plural(outside["accounts"], "account"),
        )
    if inside["won_deals"] > inside["accounts"]:
        text += Markdown(
            " The funnel's won stage counts an account once, however many deals it won."
        )
    return text
