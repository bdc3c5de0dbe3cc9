"""A dataset cut to one segment: the deals with one value of an account or opportunity column.

:func:`subset` keeps one value of an attribute (a name :func:`attribution.journey.slices.
attributes` resolves: ``segment``, ``region``, ``owner``, ``opportunities.source``...) and
returns a :class:`~attribution.data.dataset.Dataset` on which every call of the package runs
as on the whole data:

* an **account** column keeps the accounts with that value and everything hanging off
  them: their touches, opportunities, contacts, experiment assignments and their
  opportunities' stage changes;
* an **opportunity** column keeps the opportunities with that value, their accounts, those
  accounts' touches and contacts (a touch logged on another opportunity of the account is
  left out: it belongs to that deal's journey only) and the kept deals' stage changes.

Spend is per channel and period, not per account, so it cannot be split: a subset has no
``spend`` table (its pages say spend is missing, rather than set the whole spend against
one segment's revenue). An empty value is its own segment, :data:`NO_VALUE`.

:func:`segment_values` lists the values with their numbers of accounts and opportunities.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import polars as pl

from attribution.data.dataset import Dataset, Frame
from attribution.data.schema import ACCOUNT_ID, IS_WON, OPPORTUNITY_ID
from attribution.errors import ParameterError
from attribution.journey.slices import Attribute, attributes

__all__ = ["NO_VALUE", "segment_attribute", "segment_keys", "segment_values", "subset"]

NO_VALUE = "(none)"
"""The segment of the rows whose column is empty."""


def segment_attribute(dataset: Dataset, by: str) -> Attribute:
    """Resolve ``by`` to one account or opportunity column of ``dataset``.

    Raises
    ------
    ParameterError
        No such column (with the closest name), or a name both tables have.

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=50, seed=0)
    >>> segment_attribute(ds, "segment").table
    'accounts'
    >>> segment_attribute(ds, "segmnet")
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: by: no attribute 'segmnet'; did you mean 'segment'?
    """
    try:
        (found,) = attributes(dataset, [by])
    except ParameterError as exc:
        raise ParameterError("by: " + str(exc).removeprefix("include: ")) from None
    return found


def _label(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String).fill_null(NO_VALUE).alias("value")


def segment_keys(dataset: Dataset, by: str) -> pl.LazyFrame:
    """Return the key of each row of the column's table with its value as text: ``<key>, value``.

    The key is ``account_id`` for an account column, ``opportunity_id`` (with its
    ``account_id``) for an opportunity column; an empty value reads :data:`NO_VALUE`.

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=50, seed=0)
    >>> segment_keys(ds, "segment").collect_schema().names()
    ['account_id', 'value']
    """
    found = segment_attribute(dataset, by)
    if found.table == "accounts":
        return dataset.lazy("accounts").select(ACCOUNT_ID, _label(found.column))
    return dataset.lazy("opportunities").select(OPPORTUNITY_ID, ACCOUNT_ID, _label(found.column))


def segment_values(dataset: Dataset, by: str) -> pl.DataFrame:
    """Return every value of ``by`` with its accounts, opportunities and won deals, largest first.

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=200, seed=0)
    >>> t = segment_values(ds, "segment")
    >>> t.columns, t["accounts"].sum() == ds.accounts.height
    (['value', 'accounts', 'opportunities', 'won'], True)
    """
    keys = segment_keys(dataset, by)
    won = pl.col(IS_WON).fill_null(False).cast(pl.Int64)
    if OPPORTUNITY_ID not in keys.collect_schema().names():
        opps = (
            dataset.lazy("opportunities")
            .group_by(ACCOUNT_ID)
            .agg(pl.len().alias("_n"), won.sum().alias("_won"))
        )
        counted = (
            keys.join(opps, on=ACCOUNT_ID, how="left")
            .group_by("value")
            .agg(
                pl.len().alias("accounts"),
                pl.col("_n").fill_null(0).sum().alias("opportunities"),
                pl.col("_won").fill_null(0).sum().alias("won"),
            )
        )
    else:
        counted = (
            keys.join(
                dataset.lazy("opportunities").select(OPPORTUNITY_ID, IS_WON), on=OPPORTUNITY_ID
            )
            .group_by("value")
            .agg(
                pl.col(ACCOUNT_ID).n_unique().alias("accounts"),
                pl.len().alias("opportunities"),
                won.sum().alias("won"),
            )
        )
    counts = ("accounts", "opportunities", "won")
    return (
        counted.select("value", *(pl.col(c).cast(pl.Int64) for c in counts))
        .sort(["opportunities", "accounts", "value"], descending=[True, True, False])
        .collect()
    )


def _keep(frame: Frame | None, column: str, keys: pl.Series) -> Any:
    """Return the rows of ``frame`` whose ``column`` is among ``keys`` (eager stays eager)."""
    if frame is None:
        return None
    kept = frame.lazy().filter(pl.col(column).is_in(keys.implode()))
    return kept.collect() if isinstance(frame, pl.DataFrame) else kept


def subset(dataset: Dataset, by: str, value: str) -> Dataset:
    """Return the part of ``dataset`` whose ``by`` column is ``value`` (see the module note).

    Parameters
    ----------
    dataset
        The whole data.
    by
        An account or opportunity column (as :func:`attribution.journey.slices.attributes`
        names it).
    value
        The value kept, as text (:data:`NO_VALUE` keeps the rows where it is empty).

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=200, seed=0)
    >>> smb = subset(ds, "segment", "SMB")
    >>> smb.accounts["segment"].unique().to_list(), smb.spend is None
    (['SMB'], True)
    >>> parts = [subset(ds, "segment", v).opportunities.height
    ...          for v in segment_values(ds, "segment")["value"]]
    >>> sum(parts) == ds.opportunities.height
    True
    """
    found = segment_attribute(dataset, by)
    keys = segment_keys(dataset, by).filter(pl.col("value") == value)
    accounts = keys.select(ACCOUNT_ID).unique().collect().to_series()
    if found.table == "opportunities":
        deal_ids = keys.select(OPPORTUNITY_ID).collect().to_series()
        opps = _keep(dataset.opportunities, OPPORTUNITY_ID, deal_ids)
        touches = _keep_touches(dataset.touches, accounts, deal_ids)
    else:
        opps = _keep(dataset.opportunities, ACCOUNT_ID, accounts)
        touches = _keep(dataset.touches, ACCOUNT_ID, accounts)
        deal_ids = (
            dataset.lazy("opportunities")
            .filter(pl.col(ACCOUNT_ID).is_in(accounts.implode()))
            .select(OPPORTUNITY_ID)
            .collect()
            .to_series()
        )
    return dataclasses.replace(
        dataset,
        touches=touches,
        opportunities=opps,
        contacts=_keep(dataset.contacts, ACCOUNT_ID, accounts),
        accounts=_keep(dataset.accounts, ACCOUNT_ID, accounts),
        stage_history=_keep(dataset.stage_history, OPPORTUNITY_ID, deal_ids),
        experiments=_keep(dataset.experiments, ACCOUNT_ID, accounts),
        spend=None,
        source=f"{dataset.source} ({by} = {value})",
        truth=None,
    )


def _keep_touches(touches: Frame, accounts: pl.Series, deals: pl.Series) -> Any:
    """Return the accounts' touches, without those logged on a deal that is not kept."""
    names = touches.lazy().collect_schema().names()
    logged = (
        pl.col(OPPORTUNITY_ID).is_null() | pl.col(OPPORTUNITY_ID).is_in(deals.implode())
        if OPPORTUNITY_ID in names
        else pl.lit(True)
    )
    kept = touches.lazy().filter(pl.col(ACCOUNT_ID).is_in(accounts.implode()) & logged)
    return kept.collect() if isinstance(touches, pl.DataFrame) else kept
