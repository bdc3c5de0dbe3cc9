"""The whole revenue split, step by step: deals, support, fits, draws, tables, result.

See :mod:`attribution.estimates.contributions` for the method and its assumptions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from attribution._intervals import DEFAULT_DRAWS, DEFAULT_LEVEL
from attribution._time import DEFAULT_LOOKBACK_DAYS
from attribution.data.dataset import Dataset, Frame
from attribution.data.schema import AMOUNT, IS_WON, MARKETING, OPPORTUNITY_ID, SALES
from attribution.errors import ParameterError, emit
from attribution.estimates.contributions.checks import (
    check_params,
    fit_warnings,
    gap_warning,
    support_problems,
)
from attribution.estimates.contributions.design import Design, model_design
from attribution.estimates.contributions.fit import (
    Fits,
    build_split,
    coefficient_draws,
    fit_models,
)
from attribution.estimates.contributions.result import (
    AmountModel,
    ContributionResult,
    Control,
    Interval,
    note_for,
)
from attribution.estimates.contributions.tables import (
    COMPONENTS,
    SHAPLEY,
    empty_table,
    group_table,
    per_deal,
    reconciliation,
    split_tables,
)
from attribution.estimates.diagnostics import Diagnostics
from attribution.estimates.modeling import single_threaded_blas
from attribution.journey.columns import STATUS
from attribution.journey.controls import Period
from attribution.journey.features import opportunity_features
from attribution.journey.groups import resolve_channel_groups
from attribution.journey.slices import deals as deals_of

__all__ = ["contributions"]

_MAX_GROUPS = 8  # exact Shapley over 2^k subsets of channel groups
_UNSUPPORTED = "the data cannot support a revenue split between the teams"


@dataclass(frozen=True)
class _Deals:
    """The closed deals to split, their players (teams or channel groups), booked revenue."""

    closed: pl.DataFrame
    groups: dict[str, tuple[str, list[str]]]
    """Channel group -> (team, channels); empty when the players are the two teams."""
    team: dict[str, str]
    """Player -> its team."""
    booked: float


@dataclass(frozen=True)
class _Ask:
    """How the caller asked for the intervals and the deal-size model."""

    interval: Interval
    amount_model: AmountModel
    draws: int
    level: float
    seed: int

    @property
    def note(self) -> str:
        """Return the result's note: the caveat and how the intervals are made."""
        return note_for(self.interval, self.level, self.draws)


# ---------------------------------------------------------------------------- steps
def _closed_deals(
    dataset: Dataset,
    journeys: Frame | None,
    channel_groups: Mapping[str, Sequence[str]] | None,
    *,
    lookback_days: float,
    as_of: datetime | None,
    period: Period,
    where: pl.Expr | None = None,
) -> _Deals:
    """Return the closed (won or lost) deals with their exposures, and the players.

    With ``where``, only the deals it keeps (see :func:`attribution.journey.slices.deals`).
    """
    seen = journeys if journeys is not None else dataset.lazy("touches")
    groups = resolve_channel_groups(seen, channel_groups) if channel_groups else {}
    if len(groups) > _MAX_GROUPS:
        raise ParameterError(
            f"channel_groups: at most {_MAX_GROUPS} groups (counting 'other marketing' and "
            f"'other sales'); got {len(groups)}: {', '.join(groups)}; merge some"
        )
    features = opportunity_features(
        dataset,
        lookback_days=lookback_days,
        as_of=as_of,
        journeys=journeys,
        channel_groups=channel_groups or None,
        period=period,
    )
    closed = features.filter(pl.col(STATUS).is_in(["won", "lost"]))
    if where is not None:
        kept = deals_of(dataset, [], where, lookback_days=lookback_days, as_of=as_of)
        ids = kept.select(OPPORTUNITY_ID).collect().to_series()
        closed = closed.filter(pl.col(OPPORTUNITY_ID).is_in(ids.implode()))
    booked = float(closed.filter(pl.col(IS_WON))[AMOUNT].fill_null(0.0).sum())
    team = {g: t for g, (t, _) in groups.items()} or {MARKETING: MARKETING, SALES: SALES}
    return _Deals(closed, groups, team, booked)


def _unsupported(
    deals: _Deals, ask: _Ask, messages: list[str], fits: Fits | None = None
) -> ContributionResult:
    """Warn why the data cannot support the split; return it with empty numbers."""
    messages = [f"{_UNSUPPORTED}: {m}" if i == 0 else m for i, m in enumerate(messages)]
    closed = deals.closed
    return ContributionResult.not_supported(
        messages,
        n=closed.height,
        events=int(closed[IS_WON].sum()),
        table=empty_table(COMPONENTS),
        shapley=empty_table(SHAPLEY),
        groups=group_table(empty_table(list(deals.groups)), deals.team) if deals.groups else None,
        model=fits.win if fits is not None else None,
        amount_model=fits.amount if fits is not None else None,
        reconciliation=reconciliation(None, deals.booked),
        opportunities=closed,
        note=ask.note,
        interval=ask.interval,
        level=float(ask.level),
        draws=0,
    )


def _diagnostics(
    design: Design,
    fits: Fits,
    ask: _Ask,
    messages: list[str],
    *,
    expected: float,
    booked: float,
    used: int,
) -> Diagnostics:
    """Diagnose the win model; add the deal-size model's fit and the reconciliation."""
    amount = fits.amount
    gamma = ask.amount_model == "gamma"
    if gamma:
        amount_fit = 1 - amount.deviance / amount.null_deviance
    else:  # a constant amount (count-only data) leaves nothing to explain
        amount_fit = amount.rsquared if amount.centered_tss > 0 else math.nan
    extra = {
        "deal-size model n": int(design.amount_rows.sum()),
        "deal-size model deviance explained" if gamma else "deal-size model R²": float(amount_fit),
        "expected revenue": expected,
        "booked revenue": booked,
        "gap share": (expected - booked) / booked if booked else math.nan,
        "draws used": used,
    }
    warnings = list(dict.fromkeys(messages))
    return Diagnostics.of_fit(fits.win, design.frame["won"].to_numpy(), warnings, extra)


def _split(deals: _Deals, controls: Sequence[Control], ask: _Ask) -> ContributionResult:
    """Check the deals can carry the split, fit the models, split (or say why the data cannot)."""
    fatal, messages = support_problems(deals.closed)
    if fatal:
        return _unsupported(deals, ask, fatal + messages)
    design = model_design(deals.closed, deals.groups, controls, ask.amount_model)
    fits = fit_models(design, ask.amount_model)
    messages += design.messages + fits.messages
    if not fits.ok:
        return _unsupported(deals, ask, messages, fits)
    return _estimate(deals, design, fits, ask, messages)


def _estimate(
    deals: _Deals, design: Design, fits: Fits, ask: _Ask, messages: list[str]
) -> ContributionResult:
    """Split the fitted expected revenue, with intervals, per-deal values and diagnostics."""
    split = build_split(deals.closed, deals.team, design, fits, ask.amount_model)
    draws, draw_messages = coefficient_draws(
        fits,
        design,
        interval=ask.interval,
        amount_model=ask.amount_model,
        draws=ask.draws,
        seed=ask.seed,
    )
    tables = split_tables(split, fits.point, draws, ask.level)
    used = int(draws[0].shape[0])
    messages = messages + draw_messages + gap_warning(tables.expected, deals.booked)
    messages += fit_warnings(fits.win, design.exposure, deals.closed.height)
    diagnostics = _diagnostics(
        design, fits, ask, messages, expected=tables.expected, booked=deals.booked, used=used
    )
    emit(diagnostics.warnings)
    return ContributionResult(
        table=tables.table,
        shapley=tables.shapley,
        groups=tables.groups,
        model=fits.win,
        amount_model=fits.amount,
        diagnostics=diagnostics,
        reconciliation=reconciliation(tables.expected, deals.booked),
        opportunities=per_deal(deals.closed, split, fits.point),
        note=ask.note,
        interval=ask.interval,
        level=float(ask.level),
        draws=used,
        formula=design.formula,
        amount_formula=design.amount_formula,
        controls=tuple(design.win_controls),
        _split=split,
    )


# ---------------------------------------------------------------------------- main
@single_threaded_blas
def contributions(
    dataset: Dataset,
    *,
    lookback_days: float = DEFAULT_LOOKBACK_DAYS,
    as_of: datetime | None = None,
    journeys: Frame | None = None,
    channel_groups: Mapping[str, Sequence[str]] | None = None,
    controls: Sequence[Control] = ("segment", "period", "size_band"),
    period: Period = "quarter",
    amount_model: AmountModel = "gamma",
    interval: Interval = "simulation",
    draws: int = DEFAULT_DRAWS,
    level: float = DEFAULT_LEVEL,
    seed: int = 0,
    where: pl.Expr | None = None,
) -> ContributionResult:
    """Split closed deals' expected revenue into baseline, marketing, sales and joint.

    The win model is a statsmodels Logit of ``won`` on log1p marketing and sales touches in
    the journey window, their product, speed-to-lead and the controls; the deal-size model
    a Gamma GLM (log link) on won deals. The split compares v(S), the fitted expected
    revenue of all closed deals when only the teams in S keep their touches (see the module
    docstring). These are **associations from observational data**: they equal causal
    effects only if touches were randomised or nothing unmeasured drives both touches and
    winning.

    Parameters
    ----------
    dataset
        A validated dataset (``contacts`` with ``mql_at`` adds speed-to-lead; ``accounts``
        with ``segment`` the segment control).
    lookback_days, as_of
        The journey window and the moment the data is seen at (see
        :func:`attribution.journeys`); deals closed by ``as_of`` are used.
    journeys
        Journeys already built from ``dataset`` (saves building them again).
    channel_groups
        Optional ``{group: [channels]}`` of one team each: the win model then has one
        log1p count per group (channels in no group form ``other marketing`` / ``other
        sales``), and ``.groups`` holds each group's exact Shapley value. At most 8 groups.
    controls
        Categorical controls of the win model, from ``segment``, ``period`` (of creation)
        and ``size_band`` (tercile of the deal's amount). Levels with fewer than 20 deals
        are merged into ``other``. The deal-size model uses ``segment`` and ``period``.
    period
        Calendar period of the ``period`` control: ``month``, ``quarter`` or ``year``.
    amount_model
        ``"gamma"`` (GLM, Gamma family, log link) or ``"log_ols"`` (OLS of log amount,
        retransformed with Duan's smearing factor).
    interval
        ``"simulation"`` (default: coefficient draws from their estimated sampling
        distribution; one fit, fast) or ``"bootstrap"`` (resample accounts and refit;
        robust to misspecified variances, slower).
    draws
        Number of simulations or bootstrap replicates (at least 20).
    level
        Coverage of the intervals (e.g. 0.9 for 90%).
    seed
        Seed of the draws: the same inputs and seed give the same result.
    where
        Split only the deals where this polars expression is true, evaluated per deal on
        its window columns and its opportunity's and account's attributes (e.g.
        ``pl.col("segment") == "SMB"``; see :func:`attribution.journeys`). A control
        left with one level (``segment`` within one segment) drops out of the model.

    Returns
    -------
    ContributionResult
        ``.table`` (component, revenue, share and intervals), ``.shapley``, ``.groups``,
        ``.model`` (statsmodels results), ``.diagnostics``, ``.reconciliation``, ``.note``.
        Count-only data (no amounts) splits expected won deals: the deal-size model is
        then constant (``log_ols`` of 1) and ``size_band`` is no control.
        When the data cannot support the split (a team's touches never vary, sales touches
        recorded only on won deals, no amounts...), the numbers are empty,
        ``.supported`` is False and an :class:`attribution.EstimateWarning` says why.

    Warns
    -----
    EstimateWarning
        For every diagnostic warning: unsupported data, separation, few events per
        parameter, collinearity, a large gap between fitted and booked revenue.

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=4000, seed=2)
    >>> result = at.contributions(ds, draws=100)
    >>> result.table["component"].to_list()
    ['baseline', 'marketing', 'sales', 'joint']
    >>> v_both = result.reconciliation["value"][0]
    >>> round(result.table["revenue"].sum() / v_both, 9), round(result.table["share"].sum(), 9)
    (1.0, 1.0)
    """
    check_params(controls, interval, amount_model, level, draws)
    if dataset.count_only:  # every amount is 1: expected revenue is expected won deals
        amount_model, controls = "log_ols", tuple(c for c in controls if c != "size_band")
    ask = _Ask(interval, amount_model, draws, level, seed)
    deals = _closed_deals(
        dataset,
        journeys,
        channel_groups,
        lookback_days=lookback_days,
        as_of=as_of,
        period=period,
        where=where,
    )
    return _split(deals, controls, ask)
