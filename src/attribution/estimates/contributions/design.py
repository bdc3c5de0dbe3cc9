"""The two models' designs: per-deal exposure terms, controls and formulas.

The win model is a Logit of ``won`` on ``log_marketing = log1p(m)`` and ``log_sales =
log1p(s)`` (or one log1p count per channel group), their product, speed-to-lead and the
``no_mql`` flag (when they vary), and categorical controls; the deal-size model, fitted on
won deals with an amount, has ``log_marketing``, ``log_sales`` and the controls that are
not bands of the amount.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from attribution.data.schema import ACCOUNT_ID, AMOUNT, IS_WON, SEGMENT
from attribution.estimates.contributions.result import SIZE_BAND
from attribution.estimates.counterfactual import INTER, LM, LS, NO_MQL, SPEED
from attribution.estimates.modeling import (
    OTHER,
    bin_by_edges,
    prepare_controls,
    reference_first,
)
from attribution.journey.features import (
    MARKETING_TOUCHES,
    PERIOD,
    SALES_TOUCHES,
    SPEED_TO_LEAD_HOURS,
)
from attribution.journey.groups import channel_group_columns

__all__ = ["Design", "model_design"]

_MIN_LEVEL = 20  # closed deals a control level needs to keep its own coefficient
_MIN_LEVEL_WINS = 10  # won deals a level needs in the deal-size model


@dataclass(frozen=True)
class Design:
    """Everything the two fits need, built from the closed deals."""

    frame: pl.DataFrame
    """Per closed deal: account, ``won``, amount and the exposure terms."""
    group_terms: dict[str, str]
    """Channel group -> its log1p count term (empty without channel groups)."""
    group_columns: dict[str, str]
    """Channel group -> the feature column with its touch counts."""
    win_controls: dict[str, pl.Series]
    exposure: list[str]
    """Exposure terms of the win model."""
    formula: str
    amount_rows: pl.Series
    """Which deals the deal-size model is fitted on (won, with an amount)."""
    amount_controls: dict[str, pl.Series]
    amount_formula: str
    messages: list[str]
    """Warnings about the controls."""

    def amount_frame(self) -> pl.DataFrame:
        """Return the deal-size model's columns for every closed deal."""
        return self.frame.select(AMOUNT, LM, LS).with_columns(*self.amount_controls.values())


def model_design(
    closed: pl.DataFrame,
    groups: Mapping[str, object],
    controls: Sequence[str],
    amount_model: str,
) -> Design:
    """Build both models' designs for the closed deals (and channel ``groups``, if any)."""
    group_columns = channel_group_columns(groups) if groups else {}
    group_terms = {g: f"log_g{i}" for i, g in enumerate(groups)}
    frame = _model_frame(closed, group_terms, group_columns)
    win_controls, messages = _win_controls(closed, controls)
    exposure = _exposure(frame, group_terms)
    amount_rows = (frame["won"] == 1) & (frame[AMOUNT].fill_null(0.0) > 0)
    amount_controls = _amount_controls(win_controls, amount_rows)
    amount_rhs = " + ".join([LM, LS, *amount_controls])
    return Design(
        frame=frame,
        group_terms=group_terms,
        group_columns=group_columns,
        win_controls=win_controls,
        exposure=exposure,
        formula="won ~ " + " + ".join([*exposure, *win_controls]),
        amount_rows=amount_rows,
        amount_controls=amount_controls,
        amount_formula=(
            f"amount ~ {amount_rhs}"
            if amount_model == "gamma"
            else f"np.log(amount) ~ {amount_rhs}"
        ),
        messages=messages,
    )


def _model_frame(
    closed: pl.DataFrame, group_terms: Mapping[str, str], group_cols: Mapping[str, str]
) -> pl.DataFrame:
    """Compute the per-deal exposure terms of the models in polars."""
    has_sales = pl.col(SALES_TOUCHES) > 0
    hours = pl.col(SPEED_TO_LEAD_HOURS)
    lm, ls = pl.col(MARKETING_TOUCHES).log1p(), pl.col(SALES_TOUCHES).log1p()
    return closed.select(
        ACCOUNT_ID,
        pl.col(IS_WON).cast(pl.Float64).alias("won"),
        AMOUNT,
        lm.alias(LM),
        ls.alias(LS),
        (lm * ls).alias(INTER),
        pl.when(has_sales & hours.is_not_null())
        .then((hours.clip(lower_bound=0.0) / 24).log1p())
        .otherwise(0.0)
        .alias(SPEED),
        (has_sales & hours.is_null()).cast(pl.Float64).alias(NO_MQL),
        *[pl.col(group_cols[g]).log1p().alias(t) for g, t in group_terms.items()],
    )


def _exposure(frame: pl.DataFrame, group_terms: Mapping[str, str]) -> list[str]:
    """Return the win model's exposure terms: the counts that vary, then the rest."""
    main_terms = [t for t in group_terms.values() if frame[t].n_unique() > 1] or [LM, LS]
    exposure = [*main_terms, INTER]
    if frame[SPEED].max() > 0:  # type: ignore[operator]
        exposure.append(SPEED)
        if frame[NO_MQL].n_unique() > 1:
            exposure.append(NO_MQL)
    return exposure


def _win_controls(
    closed: pl.DataFrame, controls: Sequence[str]
) -> tuple[dict[str, pl.Series], list[str]]:
    """Categorical controls of the win model, rare levels merged, separated ones dropped."""
    raw: dict[str, pl.Series] = {}
    if SEGMENT in controls:
        raw[SEGMENT] = closed[SEGMENT]
    if PERIOD in controls:
        raw[PERIOD] = closed[PERIOD]
    if SIZE_BAND in controls:
        amount = pl.col(AMOUNT).fill_null(0.0)
        terciles = closed.select(amount.quantile(1 / 3), amount.quantile(2 / 3).alias("q")).row(0)
        raw[SIZE_BAND] = closed.select(
            bin_by_edges(amount, terciles, ("small", "medium", "large"), right_closed=True)
        ).to_series()
    return prepare_controls(raw, closed[IS_WON].cast(pl.Float64), min_count=_MIN_LEVEL)


def _amount_controls(
    win_controls: Mapping[str, pl.Series], amount_rows: pl.Series
) -> dict[str, pl.Series]:
    """Prepare the deal-size model's controls: levels need enough won deals of their own.

    Levels with too few won deals fall back to ``other`` (or to the most common level), so
    every closed deal can be predicted with the deal-size model's coefficients.
    """
    out: dict[str, pl.Series] = {}
    for name, values in win_controls.items():
        if name == SIZE_BAND:  # a band of the amount cannot explain the amount
            continue
        text = values.cast(pl.String)
        wins = text.filter(amount_rows).value_counts()
        keep = wins.filter(pl.col("count") >= _MIN_LEVEL_WINS)[name].to_list()
        rest = int(wins.filter(~pl.col(name).is_in(keep))["count"].sum())
        if not keep:
            continue
        fallback = (
            OTHER if rest >= _MIN_LEVEL_WINS else reference_first(text.filter(amount_rows))[0]
        )
        mapped = pl.select(
            pl.when(text.is_in(keep)).then(text).otherwise(pl.lit(fallback)).alias(name)
        ).to_series()
        if mapped.filter(amount_rows).n_unique() > 1:
            out[name] = mapped.cast(pl.Enum(reference_first(mapped.filter(amount_rows))))
    return out
