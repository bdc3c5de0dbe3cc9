"""Return on spend per channel or campaign, for the credits of any model.

Over a window ``[start, end)`` (by default the span of the spend table), each channel's
(or campaign's) spend (:mod:`attribution.money.spend` says how it is matched to the window)
is set against what the model credits to its touches that happened in the window:

* ``roas``: credited revenue / spend (return on ad spend; what is often called "ROI");
* ``roi``: (credited revenue - spend) / spend, the net return per unit spent;
* ``cost_per_opportunity``: spend / opportunities credited to it (the created-pipeline
  credits of the same model, :func:`attribution.money.pipeline.pipeline_credits`);
* ``cost_per_won_deal``: spend / won deals credited to it (the sum of its credit shares);
* ``cac``: spend / new customers credited to it (a new customer is an account's first won
  deal in the data; later wins are expansion);
* ``payback_months``: months of a new customer's revenue that pay back its acquisition
  spend, when ``revenue_months`` says over how many months a deal's amount is earned.

Intervals come from an account bootstrap of the credited side (which deals happened to be
won); spend is taken as known and the model as fixed, so they do not show how the model
itself would change. Credit is association: a channel's return says what the revenue its
touches preceded was worth per dollar, not what another dollar would bring.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import polars as pl

from attribution._intervals import DEFAULT_DRAWS, DEFAULT_LEVEL, check_draws, check_level
from attribution._time import utc
from attribution.data.schema import (
    ACCOUNT_ID,
    CHANNEL,
    CLOSED_AT,
    OCCURRED_AT,
    OPPORTUNITY_ID,
    TOUCH_ID,
)
from attribution.errors import ParameterError
from attribution.money.bootstrap import account_draws, interval
from attribution.money.spend import SPEND, spend_in_window, spend_window
from attribution.results import Result

__all__ = ["ReturnOnSpend", "returns"]

_VALUES = ("revenue", "won_deals", "new_customers", "new_revenue")
_ALL = "(all spend)"
_OUT = (
    SPEND,
    "revenue",
    "roas",
    "roas_low",
    "roas_high",
    "roi",
    "roi_low",
    "roi_high",
    "opportunities",
    "cost_per_opportunity",
    "won_deals",
    "cost_per_won_deal",
    "new_customers",
    "cac",
    "cac_low",
    "cac_high",
    "payback_months",
)


@dataclass(frozen=True, kw_only=True, repr=False)
class ReturnOnSpend(Result):
    """Spend against credited revenue per channel or campaign (see the module docstring).

    ``table``: ``<by>, spend, revenue, roas, roas_low, roas_high, roi, roi_low, roi_high,
    opportunities, cost_per_opportunity, won_deals, cost_per_won_deal, new_customers, cac,
    cac_low, cac_high, payback_months``, largest spend first. ``overall``: the same for
    all spend together (one row, ``<by>`` = ``"(all spend)"``).
    """

    overall: pl.DataFrame
    """The same measures for all the spend in the window together."""
    start: datetime
    """First moment of the window."""
    end: datetime
    """End of the window (exclusive)."""
    unmatched_revenue: float = 0.0
    """Credited revenue of touches in the window whose channel or campaign has no spend."""


def _credited(
    credits: pl.DataFrame,
    touches: pl.DataFrame | pl.LazyFrame,
    by: str,
    start: datetime,
    end: datetime,
) -> pl.DataFrame:
    """Credits of touches that happened in the window, with new-customer flags."""
    first_win = (
        credits.lazy()
        .group_by(ACCOUNT_ID)
        .agg(pl.col(OPPORTUNITY_ID).sort_by(CLOSED_AT, OPPORTUNITY_ID).first().alias("_first"))
    )
    when = touches.lazy().select(TOUCH_ID, OCCURRED_AT)
    new = pl.col(OPPORTUNITY_ID) == pl.col("_first")
    return (
        credits.lazy()
        .filter(pl.col(TOUCH_ID).is_not_null())
        .join(when, on=TOUCH_ID, how="left")
        .filter(pl.col(OCCURRED_AT).is_between(pl.lit(start), pl.lit(end), closed="left"))
        .join(first_win, on=ACCOUNT_ID, how="left")
        .select(
            ACCOUNT_ID,
            pl.col(by).cast(pl.String),
            pl.col("revenue"),
            pl.col("credit").alias("won_deals"),
            pl.when(new).then(pl.col("credit")).otherwise(0.0).alias("new_customers"),
            pl.when(new).then(pl.col("revenue")).otherwise(0.0).alias("new_revenue"),
        )
        .collect()
    )


def _opportunities(
    pipeline: pl.DataFrame | None,
    touches: pl.DataFrame | pl.LazyFrame,
    by: str,
    start: datetime,
    end: datetime,
) -> pl.DataFrame:
    """Opportunities credited to each group by touches in the window (created pipeline)."""
    if pipeline is None:
        return pl.DataFrame(schema={by: pl.String, "opportunities": pl.Float64})
    when = touches.lazy().select(TOUCH_ID, OCCURRED_AT)
    return (
        pipeline.lazy()
        .filter(pl.col(TOUCH_ID).is_not_null())
        .join(when, on=TOUCH_ID, how="left")
        .filter(pl.col(OCCURRED_AT).is_between(pl.lit(start), pl.lit(end), closed="left"))
        .group_by(pl.col(by).cast(pl.String))
        .agg(pl.col("credit").sum().alias("opportunities"))
        .collect()
    )


def _ratio(top: pl.Expr, bottom: pl.Expr) -> pl.Expr:
    return pl.when(bottom > 0).then(top / bottom).otherwise(None)


def _measures(frame: pl.LazyFrame, revenue_months: float | None) -> pl.LazyFrame:
    spend = pl.col(SPEND)
    payback = (
        _ratio(spend * revenue_months, pl.col("new_revenue"))
        if revenue_months is not None
        else pl.lit(None, dtype=pl.Float64)
    )
    return frame.with_columns(
        _ratio(pl.col("revenue"), spend).alias("roas"),
        _ratio(pl.col("revenue") - spend, spend).alias("roi"),
        _ratio(spend, pl.col("opportunities")).alias("cost_per_opportunity"),
        _ratio(spend, pl.col("won_deals")).alias("cost_per_won_deal"),
        _ratio(spend, pl.col("new_customers")).alias("cac"),
        payback.alias("payback_months"),
    )


def _bounds(samples: np.ndarray, spend: np.ndarray, level: float) -> dict[str, np.ndarray]:
    """Intervals of roas, roi and cac from draws ``draws x groups x values``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        roas = samples[:, :, 0] / spend
        cac = np.where(samples[:, :, 2] > 0, spend / samples[:, :, 2], np.nan)
    out: dict[str, np.ndarray] = {}
    for name, draws in (("roas", roas), ("roi", roas - 1.0), ("cac", cac)):
        out[f"{name}_low"], out[f"{name}_high"] = interval(draws, level)
    return out


def _window(
    spend: pl.DataFrame, start: datetime | None, end: datetime | None
) -> tuple[datetime, datetime]:
    if start is None or end is None:
        first, last = spend_window(spend)
        start = first if start is None else start
        end = last if end is None else end
    start, end = utc(start), utc(end)
    if end <= start:
        raise ParameterError(f"the window must end after it starts; got {start} to {end}")
    return start, end


def returns(
    credits: pl.DataFrame,
    spend: pl.DataFrame,
    touches: pl.DataFrame | pl.LazyFrame,
    *,
    by: str = CHANNEL,
    pipeline: pl.DataFrame | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    revenue_months: float | None = None,
    level: float = DEFAULT_LEVEL,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
) -> ReturnOnSpend:
    """Spend, credited revenue, ROAS, ROI, cost per opportunity and won deal, CAC, payback.

    Parameters
    ----------
    credits
        A model's credits (:func:`attribution.attribute`).
    spend
        A spend table (:func:`attribution.money.spend.spend_table`).
    touches
        The touches (``touch_id``, ``occurred_at``): when each credited touch happened.
    by
        ``"channel"`` or ``"campaign"``.
    pipeline
        The same model's created-pipeline credits
        (:func:`attribution.money.pipeline.pipeline_credits`), for cost per opportunity;
        without it that column is empty.
    start, end
        The window; by default the span of the spend table.
    revenue_months
        Months over which a deal's amount is earned (12 for an annual contract): gives the
        payback months; without it that column is empty.
    level, draws, seed
        Coverage and account-bootstrap resamples of the ROAS, ROI and CAC intervals.

    Returns
    -------
    ReturnOnSpend
        One row per channel (or campaign) with spend in the window.

    Examples
    --------
    >>> import attribution as at
    >>> from attribution.money.spend import spend_table
    >>> ds = at.demo.generate(n_accounts=300, seed=1)
    >>> c = at.attribute(at.journeys(ds), "linear")
    >>> r = returns(c, spend_table(ds), ds.touches, draws=50)
    >>> bool((r.table["roas_low"] <= r.table["roas"]).all())
    True
    """
    level, draws = check_level(level), check_draws(draws)
    _check_months(revenue_months)
    start, end = _window(spend, start, end)
    spent = spend_in_window(spend, start, end, by=by)
    groups = spent[by].to_list()
    credited = _credited(credits, touches, by, start, end)
    matched = credited.filter(pl.col(by).is_in(groups))
    frame = pl.concat([matched, matched.with_columns(pl.lit(_ALL).alias(by))])
    opps = _opportunities(pipeline, touches, by, start, end)
    table = _point_table(spent, frame, opps if pipeline is not None else None, by, revenue_months)
    samples = account_draws(
        frame,
        account=ACCOUNT_ID,
        group=by,
        groups=table[by].to_list(),
        values=_VALUES,
        draws=draws,
        seed=seed,
    )
    bounds = _bounds(samples, table[SPEND].to_numpy(), level)
    table = table.with_columns(pl.Series(k, v) for k, v in bounds.items()).select(by, *_OUT)
    unmatched = float(credited.filter(~pl.col(by).is_in(groups))["revenue"].sum())
    return ReturnOnSpend(
        table=table.filter(pl.col(by) != _ALL),
        overall=table.filter(pl.col(by) == _ALL),
        start=start,
        end=end,
        unmatched_revenue=unmatched,
        note=_note(level, unmatched),
        level=level,
        draws=draws,
    )


def _check_months(revenue_months: object) -> None:
    ok = isinstance(revenue_months, int | float) and not isinstance(revenue_months, bool)
    if revenue_months is not None and not (ok and 0 < revenue_months <= 600):  # type: ignore[operator]
        raise ParameterError(
            f"revenue_months must be a number of months above 0, got {revenue_months!r}"
        )


def _point_table(
    spent: pl.DataFrame,
    frame: pl.DataFrame,
    opps: pl.DataFrame | None,
    by: str,
    revenue_months: float | None,
) -> pl.DataFrame:
    """Sum and measure each group with spend, then all the spend together."""
    groups = spent[by].to_list()
    sums = frame.group_by(by).agg(pl.col(v).sum() for v in _VALUES)
    total = pl.DataFrame({by: [_ALL], SPEND: [spent[SPEND].sum()]})
    lf = spent.vstack(total).lazy().join(sums.lazy(), on=by, how="left")
    if opps is not None:
        matched = opps.filter(pl.col(by).is_in(groups))
        everything = pl.DataFrame({by: [_ALL], "opportunities": [matched["opportunities"].sum()]})
        lf = lf.join(opps.vstack(everything).lazy(), on=by, how="left").with_columns(
            pl.col("opportunities").fill_null(0.0)
        )
    else:
        lf = lf.with_columns(pl.lit(None, dtype=pl.Float64).alias("opportunities"))
    table = _measures(lf.with_columns(pl.col(*_VALUES).fill_null(0.0)), revenue_months).collect()
    order = pl.DataFrame({by: [*groups, _ALL]})
    return order.join(table, on=by, how="left", maintain_order="left")


def _note(level: float, unmatched: float) -> str:
    text = (
        "Credited revenue of touches in the window against the spend of the periods it "
        "covers (pro-rated where a period is partly inside). ROAS is revenue per unit "
        f"spent, ROI the net return; {level:.0%} intervals resample accounts, with spend "
        "known and the model fixed. Credit is association, not the effect of another "
        "dollar."
    )
    if unmatched > 0:
        text += f" Credited revenue of touches without recorded spend: {unmatched:,.0f}."
    return text
