"""Shared-goal contributions: what marketing, sales and their joint work add to revenue.

Two statsmodels models are fitted on the closed (won and lost) opportunities, one row each:

* **winning**: a Logit (formula API) of ``won`` on ``log_marketing = log1p(m)`` and
  ``log_sales = log1p(s)`` (each team's touches in the journey window), their product,
  ``speed_to_lead = [s > 0] * log1p(hours / 24)`` (hours from the account's first MQL to
  the first sales touch after it; 0 when undefined), ``no_mql = [s > 0] * [no MQL before
  the deal]``, and categorical controls (``segment``, ``period``, ``size_band``);
* **deal size** among won deals: a Gamma GLM with log link (or an OLS of log amount with
  Duan's smearing) on ``log_marketing``, ``log_sales``, ``segment`` and ``period``.

Let v(S) be the fitted expected revenue of all closed deals, the sum of
``P(win) * E[amount]``, when only the teams in S keep their touches (the other team's
exposure set to none). Then baseline = v(none), marketing = v(M) - v(none),
sales = v(S) - v(none) and joint = v(M,S) - v(M) - v(S) + v(none), the interaction
dividend; the four add up to v(M,S), which is reconciled with booked revenue. Each team's
Shapley share is its own term plus half the joint one. With ``channel_groups`` the same
game is played between channel groups (exact Shapley values over all subsets).

**Identification.** These are associations in observational data: the split says how
expected revenue differs with and without each team's touches under the fitted model,
holding the controls fixed. It is a causal effect only if exposure was randomised, or if no
unmeasured factor drives both the touches and the outcome (sales works harder on deals
that look winnable; marketing reaches buyers who were already engaged). Baseline, v(none),
extrapolates to deals with no touch of either team, which are rare in most data: read it
with its interval.

**Intervals.** By default, simulation from the coefficients' sampling distribution: draw
both models' coefficients from N(b, V) (estimates and their covariance) and recompute the
split per draw (percentile interval). The two models' estimators are asymptotically
independent (their likelihoods factorise into win and amount-given-win parts), one fit is
needed and every draw is a vectorised prediction, so 100k deals take seconds; this is why
it is the default. ``interval="bootstrap"`` resamples accounts with replacement and refits
both models per replicate: robust to misspecified variances and to several deals per
account, but one refit per replicate. Either way the interval describes the uncertainty of
the split of *these* deals (covariates held at their observed values), the quantity the
demo's truth reports. With repeated accounts, covariances are clustered by account.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import numpy as np
import polars as pl

from attribution._intervals import DEFAULT_DRAWS, DEFAULT_LEVEL, check_draws, check_level
from attribution._time import DEFAULT_LOOKBACK_DAYS
from attribution.data.dataset import Dataset, Frame
from attribution.data.schema import ACCOUNT_ID, AMOUNT, IS_WON, MARKETING, SALES, SEGMENT, TEAMS
from attribution.errors import ParameterError, emit
from attribution.estimates.counterfactual import (
    EXPOSURE_TERMS,
    INTER,
    LM,
    LS,
    NO_MQL,
    SPEED,
    Game,
    Linear,
    Split,
    bootstrap_draws,
    shapley,
    simulate_draws,
)
from attribution.estimates.diagnostics import Diagnostics, auc, calibration_table
from attribution.estimates.modeling import (
    OTHER,
    bin_by_edges,
    collapse_levels,
    fit_quietly,
    reference_first,
    single_threaded_blas,
    to_enum,
)
from attribution.estimates.result import Estimate
from attribution.journey.build import STATUS
from attribution.journey.features import (
    MARKETING_TOUCHES,
    PERIOD,
    SALES_TOUCHES,
    SPEED_TO_LEAD_HOURS,
    Period,
    channel_group_columns,
    opportunity_features,
    resolve_channel_groups,
)

__all__ = [
    "COMPONENTS",
    "AmountModel",
    "ContributionResult",
    "Control",
    "Interval",
    "contributions",
]

Interval = Literal["simulation", "bootstrap"]
AmountModel = Literal["gamma", "log_ols"]
Control = Literal["segment", "period", "size_band"]
COMPONENTS: tuple[str, ...] = ("baseline", MARKETING, SALES, "joint")
SIZE_BAND = "size_band"
_CONTROLS: tuple[str, ...] = (SEGMENT, PERIOD, SIZE_BAND)
_INTERVALS: tuple[str, ...] = ("simulation", "bootstrap")
_AMOUNT_MODELS: tuple[str, ...] = ("gamma", "log_ols")
_MIN_EVENTS = 20  # won and lost deals each, below which no split is attempted
_MIN_LEVEL = 20  # closed deals a control level needs to keep its own coefficient
_MIN_LEVEL_WINS = 10  # won deals a level needs in the deal-size model
_MAX_GROUPS = 8  # exact Shapley over 2^k subsets of channel groups
_V_NAMES = ("v_none", "v_marketing", "v_sales", "v_both")
_RECONCILIATION = ("expected revenue, v(both)", "booked revenue", "gap", "gap share")

NOTE = (
    "Associations from observational data, not proven causes: the split compares the fitted "
    "expected revenue of the closed deals with and without each team's touches, holding "
    "segment, period and deal size fixed. It is a causal effect only if touches were "
    "assigned at random (an experiment) or nothing unmeasured drives both the touches and "
    "winning; sales works harder on deals that look winnable and marketing reaches buyers "
    "who were already engaged, which can inflate both teams' figures. The baseline "
    "extrapolates to deals with no touch at all, which are rare: read it with its interval."
)
_INTERVAL_NOTE = {
    "simulation": (
        "{level:.0%} intervals: {draws} draws of both models' coefficients from their "
        "estimated sampling distribution, the split recomputed per draw; they reflect "
        "estimation uncertainty for these deals, assuming the models' form is right."
    ),
    "bootstrap": (
        "{level:.0%} intervals: {draws} bootstrap replicates resampling accounts with "
        "replacement and refitting both models; they reflect estimation uncertainty for "
        "these deals and are robust to misspecified variances."
    ),
}
_TABLE_SCHEMA = {
    "component": pl.String,
    "revenue": pl.Float64,
    "revenue_ci_low": pl.Float64,
    "revenue_ci_high": pl.Float64,
    "share": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
}


@dataclass(frozen=True, kw_only=True, repr=False)
class ContributionResult(Estimate):
    """Baseline, marketing, sales and joint revenue, with intervals and diagnostics.

    Attributes
    ----------
    table
        One row per component (``baseline``, ``marketing``, ``sales``, ``joint``):
        ``revenue`` (fitted expected revenue of the closed deals) with its interval
        ``revenue_ci_low``/``revenue_ci_high``, and ``share`` of v(both) with its interval
        ``ci_low``/``ci_high``. Empty numbers when the data cannot support the estimate.
    shapley
        ``baseline``, ``marketing`` and ``sales``, each team with half the joint term
        (same columns as ``table``).
    groups
        With ``channel_groups``: one row per group (``group``, ``team``) with its exact
        Shapley value among the groups (same columns); otherwise ``None``.
    model
        The statsmodels results of the win model (``None`` when not fitted).
    amount_model
        The statsmodels results of the deal-size model (``None`` when not fitted).
    diagnostics
        Sample, fit, calibration and warnings (:class:`attribution.Diagnostics`).
    reconciliation
        ``metric``/``value``: fitted expected revenue v(both), booked revenue of the same
        deals, the gap, and the gap as a share of booked revenue.
    opportunities
        Per closed deal: exposures and controls, fitted ``p_win`` and
        ``expected_amount``, and ``v_none``, ``v_marketing``, ``v_sales``, ``v_both``.
    supported
        False when the data cannot support the estimate (the warnings say why); the
        numbers are then empty rather than misleading.
    note
        The interpretation caveat and how the intervals were made, for reports.
    interval, level, draws
        How the intervals were made: method, coverage, draws actually used.
    formula, amount_formula
        The two models' formulas.
    controls
        Controls actually used in the win model (a control with one level is dropped).
    """

    shapley: pl.DataFrame
    groups: pl.DataFrame | None
    amount_model: Any
    reconciliation: pl.DataFrame
    opportunities: pl.DataFrame
    interval: str
    formula: str = ""
    amount_formula: str = ""
    controls: tuple[str, ...] = ()
    _split: Split | None = field(default=None, repr=False, compare=False)

    @property
    def shares(self) -> dict[str, float | None]:
        """Estimated share of expected revenue per component."""
        return dict(zip(self.table["component"], self.table["share"], strict=True))

    @property
    def shapley_shares(self) -> dict[str, float | None]:
        """Each team's Shapley share (own share plus half the joint share)."""
        rows = self.shapley.filter(pl.col("component").is_in(TEAMS))
        return dict(zip(rows["component"], rows["share"], strict=True))

    @property
    def assumptions(self) -> str:
        """The identification assumption, in one paragraph, for reports."""
        return NOTE

    def split_at(
        self, win_params: Mapping[str, float], amount_params: Mapping[str, float]
    ) -> pl.DataFrame:
        """Recompute the split of these deals for given coefficients (what-if, checks).

        Parameters
        ----------
        win_params, amount_params
            Coefficients by the models' term names (``model.params.index``); terms not
            given are 0.

        Returns
        -------
        polars.DataFrame
            ``component``, ``revenue``, ``share``.
        """
        if self._split is None:
            raise ParameterError("split_at needs a fitted result; this one is not supported")
        vectors = []
        for given, names, label in (
            (win_params, self._split.win.names, "win_params"),
            (amount_params, self._split.amount.names, "amount_params"),
        ):
            unknown = sorted(set(given) - set(names))
            if unknown:
                raise ParameterError(
                    f"{label}: unknown term(s) {', '.join(unknown)}; the model's terms are "
                    + ", ".join(names)
                )
            vectors.append(np.array([[float(given.get(n, 0.0)) for n in names]]))
        v = self._split.values(list(self._split.team_subsets), vectors[0], vectors[1])[:, 0]
        comp = _components(v[:, None])[:, 0]
        return pl.DataFrame(
            {"component": list(COMPONENTS), "revenue": comp, "share": comp / comp.sum()}
        )

    def headline(self) -> str:
        """Return one line: supported or not, the estimated shares, the sample."""
        if not self.supported:
            return super().headline()
        shares = ", ".join(
            f"{k}={v:.1%}" if v is not None and math.isfinite(v) else f"{k}=n/a"
            for k, v in self.shares.items()
        )
        return f"{super().headline()}; shares {shares}"


# ---------------------------------------------------------------------------- checks
def _check_params(
    controls: Sequence[str], interval: str, amount_model: str, level: float, draws: int
) -> None:
    if isinstance(controls, str) or any(c not in _CONTROLS for c in controls):
        raise ParameterError(
            f"controls must be a list drawn from {', '.join(_CONTROLS)}; got {controls!r}"
        )
    if interval not in _INTERVALS:
        raise ParameterError(f"interval must be one of {', '.join(_INTERVALS)}; got {interval!r}")
    if amount_model not in _AMOUNT_MODELS:
        raise ParameterError(
            f"amount_model must be one of {', '.join(_AMOUNT_MODELS)}; got {amount_model!r}"
        )
    check_level(level)
    check_draws(draws)


def _support_problems(closed: pl.DataFrame) -> tuple[list[str], list[str]]:
    """Reasons the data cannot support a split (fatal), and softer warnings."""
    n = closed.height
    wins = int(closed[IS_WON].sum()) if n else 0
    if n == 0:
        return ["there are no closed (won or lost) opportunities to learn from"], []
    if wins in (0, n):
        state = "lost" if wins == 0 else "won"
        return [f"all {n:,} closed opportunities were {state}; a win model needs both"], []
    fatal: list[str] = []
    soft: list[str] = []
    if min(wins, n - wins) < _MIN_EVENTS:
        fatal.append(
            f"only {n:,} closed opportunities ({wins:,} won, {n - wins:,} lost): too few for a "
            f"split, which needs at least {_MIN_EVENTS} of each"
        )
    for team, col in ((MARKETING, MARKETING_TOUCHES), (SALES, SALES_TOUCHES)):
        mode, mode_count = closed[col].value_counts(sort=True).row(0)
        if mode_count >= 0.99 * n:
            fatal.append(
                f"{'every' if mode_count == n else 'nearly every'} closed opportunity "
                f"({mode_count:,} of {n:,}) has exactly {mode} {team} touch(es) in its window "
                f"(e.g. one recorded touch per lead), so what {team} adds cannot be told apart "
                "from the baseline"
            )
            continue
        one_sided = []
        for touched in (True, False):
            part = closed.filter((pl.col(col) > 0) == touched)
            if part.height and part[IS_WON].n_unique() == 1:
                state = "won" if part[IS_WON][0] else "lost"
                label = f"with {team} touches" if touched else f"without {team} touches"
                one_sided.append(f"every deal {label} was {state} ({part.height:,} deals)")
        if one_sided:
            recorded = closed.filter(pl.col(col) > 0)[IS_WON].all()
            hint = f"; {team} activity seems to be recorded only for won deals" if recorded else ""
            fatal.append(
                f"{team} exposure separates wins from losses perfectly ({'; '.join(one_sided)})"
                f"{hint}, so the data cannot say what {team} adds"
            )
    won = closed.filter(pl.col(IS_WON))
    zero = int((won[AMOUNT].fill_null(0.0) <= 0).sum())
    if zero * 2 > won.height or won.height - zero < 10:
        fatal.append(
            f"{zero:,} of {won.height:,} won deals have no amount (0 or empty), so expected "
            "revenue cannot be modelled; a revenue split would describe only the few deals "
            "with a recorded value"
        )
    elif zero:
        soft.append(
            f"{zero:,} of {won.height:,} won deals have no amount (0 or empty); they are left "
            "out of the deal-size model but counted in booked revenue"
        )
    return fatal, soft


def _vif(exog: np.ndarray, names: Sequence[str], terms: Sequence[str]) -> dict[str, float]:
    """Variance inflation of exposure terms (interaction left out) against the rest."""
    keep = [i for i, nm in enumerate(names) if nm not in ("Intercept", INTER)]
    x = exog[:, keep]
    varies = x.std(axis=0) > 0
    kept = [names[i] for i, ok in zip(keep, varies, strict=True) if ok]
    if len(kept) < 2:
        return {}
    corr = np.corrcoef(x[:, varies], rowvar=False)
    try:
        inv = np.linalg.inv(corr)
    except np.linalg.LinAlgError:
        return {t: math.inf for t in terms if t in kept}
    return {t: float(inv[kept.index(t), kept.index(t)]) for t in terms if t in kept}


# ---------------------------------------------------------------------------- tables
def _components(v: np.ndarray) -> np.ndarray:
    """Rows v(none), v(M), v(S), v(both) -> baseline, marketing, sales, joint."""
    v0, vm, vs, vb = v
    return np.array([v0, vm - v0, vs - v0, vb - vm - vs + v0])


def _summary(
    names: Sequence[str],
    point: np.ndarray,
    draws: np.ndarray,
    total_point: float,
    total_draws: np.ndarray,
    level: float,
) -> pl.DataFrame:
    """Point estimates with percentile intervals of revenue and share over the draws."""
    lo_q, hi_q = (1 - level) / 2, (1 + level) / 2
    rows = []
    for i, name in enumerate(names):
        rev = draws[i][np.isfinite(draws[i])] if draws.size else np.empty(0)
        share = (draws[i] / total_draws)[np.isfinite(total_draws)] if draws.size else np.empty(0)
        rows.append(
            (
                name,
                float(point[i]),
                float(np.quantile(rev, lo_q)) if rev.size else None,
                float(np.quantile(rev, hi_q)) if rev.size else None,
                float(point[i] / total_point) if total_point else None,
                float(np.quantile(share, lo_q)) if share.size else None,
                float(np.quantile(share, hi_q)) if share.size else None,
            )
        )
    return pl.DataFrame(rows, schema=_TABLE_SCHEMA, orient="row")


def _empty_table(names: Sequence[str]) -> pl.DataFrame:
    return pl.DataFrame(
        [(n, *([None] * (len(_TABLE_SCHEMA) - 1))) for n in names],
        schema=_TABLE_SCHEMA,
        orient="row",
    )


def _group_table(table: pl.DataFrame, team: Mapping[str, str]) -> pl.DataFrame:
    out = table.rename({"component": "group"})
    return out.insert_column(1, pl.Series("team", [team[g] for g in out["group"]]))


def _reconciliation(expected: float | None, booked: float) -> pl.DataFrame:
    gap = None if expected is None else expected - booked
    share = None if gap is None or not booked else gap / booked
    return pl.DataFrame(
        {"metric": list(_RECONCILIATION), "value": [expected, booked, gap, share]},
        schema={"metric": pl.String, "value": pl.Float64},
    )


# ---------------------------------------------------------------------------- frames
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


def _win_controls(
    closed: pl.DataFrame, controls: Sequence[str]
) -> tuple[dict[str, pl.Series], list[str]]:
    """Categorical controls of the win model, rare levels merged, separated ones dropped."""
    y = closed[IS_WON].cast(pl.Float64)
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
    out: dict[str, pl.Series] = {}
    messages: list[str] = []
    for name, values in raw.items():
        prepared, _notes, warns = collapse_levels(values, y, min_count=_MIN_LEVEL, name=name)
        messages += warns
        if prepared.n_unique() > 1:
            out[name] = to_enum(prepared)
    return out, messages


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

    Returns
    -------
    ContributionResult
        ``.table`` (component, revenue, share and intervals), ``.shapley``, ``.groups``,
        ``.model`` (statsmodels results), ``.diagnostics``, ``.reconciliation``, ``.note``.
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
    _check_params(controls, interval, amount_model, level, draws)
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
    note = NOTE + " " + _INTERVAL_NOTE[interval].format(level=level, draws=draws)
    booked = float(closed.filter(pl.col(IS_WON))[AMOUNT].fill_null(0.0).sum())
    team = {g: t for g, (t, _) in groups.items()} or {MARKETING: MARKETING, SALES: SALES}

    def unsupported(messages: list[str], win_res: Any = None, amt_res: Any = None) -> Any:
        head = "the data cannot support a revenue split between the teams"
        messages = [f"{head}: {m}" if i == 0 else m for i, m in enumerate(messages)]
        emit(messages)
        return ContributionResult(
            table=_empty_table(COMPONENTS),
            shapley=_empty_table(("baseline", MARKETING, SALES)),
            groups=_group_table(_empty_table(list(groups)), team) if groups else None,
            model=win_res,
            amount_model=amt_res,
            diagnostics=Diagnostics(
                n=closed.height,
                events=int(closed[IS_WON].sum()),
                warnings=tuple(messages),
            ),
            reconciliation=_reconciliation(None, booked),
            opportunities=closed,
            supported=False,
            note=note,
            interval=interval,
            level=float(level),
            draws=0,
        )

    fatal, messages = _support_problems(closed)
    if fatal:
        return unsupported(fatal + messages)

    # ------------------------------------------------------------------ the two models
    group_cols = channel_group_columns(groups) if groups else {}
    group_terms = {g: f"log_g{i}" for i, g in enumerate(groups)}
    frame = _model_frame(closed, group_terms, group_cols)
    win_controls, control_messages = _win_controls(closed, controls)
    messages += control_messages
    main_terms = [t for t in group_terms.values() if frame[t].n_unique() > 1] or [LM, LS]
    exposure = [*main_terms, INTER]
    if frame[SPEED].max() > 0:  # type: ignore[operator]
        exposure.append(SPEED)
        if frame[NO_MQL].n_unique() > 1:
            exposure.append(NO_MQL)
    formula = "won ~ " + " + ".join([*exposure, *win_controls])
    amount_rows = (frame["won"] == 1) & (frame[AMOUNT].fill_null(0.0) > 0)
    amount_controls = _amount_controls(win_controls, amount_rows)
    amount_rhs = " + ".join([LM, LS, *amount_controls])
    amount_formula = (
        f"amount ~ {amount_rhs}" if amount_model == "gamma" else f"np.log(amount) ~ {amount_rhs}"
    )

    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    accounts = frame[ACCOUNT_ID]
    codes = accounts.cast(pl.Categorical).to_physical().cast(pl.Int64).to_numpy()
    codes = np.unique(codes, return_inverse=True)[1]
    clustered = accounts.n_unique() < accounts.len()
    win_pdf = frame.with_columns(*win_controls.values()).to_pandas()
    win_kw: dict[str, Any] = {"disp": 0, "method": "newton", "maxiter": 100}
    if clustered:
        win_kw |= {"cov_type": "cluster", "cov_kwds": {"groups": codes}}
    win_res, fit_messages, win_ok = fit_quietly(
        lambda: smf.logit(formula, win_pdf).fit(**win_kw), "win model"
    )
    messages += fit_messages

    amount_frame = frame.select(AMOUNT, LM, LS).with_columns(*amount_controls.values())
    fit_pdf = amount_frame.filter(amount_rows).to_pandas()
    amount_kw: dict[str, Any] = {}
    if clustered:
        amount_kw = {"cov_type": "cluster", "cov_kwds": {"groups": codes[amount_rows.to_numpy()]}}
    family = sm.families.Gamma(sm.families.links.Log())

    def amount_fit(data: Any) -> Any:
        if amount_model == "gamma":
            return smf.glm(amount_formula, data, family=family)
        return smf.ols(amount_formula, data)

    amt_res, fit_messages, amt_ok = fit_quietly(
        lambda: amount_fit(fit_pdf).fit(**amount_kw), "deal-size model"
    )
    messages += fit_messages
    if not (win_ok and amt_ok):
        return unsupported(messages, win_res, amt_res)

    # ------------------------------------------------------------------ counterfactuals
    win_names = list(win_res.model.exog_names)
    win_exog = np.asarray(win_res.model.exog, dtype=float)
    all_amounts = amount_frame.with_columns(pl.col(AMOUNT).fill_null(1.0).clip(lower_bound=1.0))
    # the same right-hand side over every closed deal (same Enum levels -> same columns)
    amount_design = smf.ols(amount_formula, all_amounts.to_pandas())
    if list(amount_design.exog_names) != list(amt_res.model.exog_names):  # pragma: no cover
        raise RuntimeError("the deal-size design differs between fitting and prediction")
    terms = [*EXPOSURE_TERMS, *group_terms.values()]
    if groups:
        counts = {g: closed[group_cols[g]].to_numpy().astype(float) for g in groups}
    else:
        counts = {
            MARKETING: closed[MARKETING_TOUCHES].to_numpy().astype(float),
            SALES: closed[SALES_TOUCHES].to_numpy().astype(float),
        }
    split = Split(
        game=Game(
            players=tuple(team),
            team=team,
            counts=counts,
            speed=frame[SPEED].to_numpy(),
            no_mql=frame[NO_MQL].to_numpy(),
            group_terms=group_terms,
        ),
        win=Linear.of(win_exog, win_names, terms),
        amount=Linear.of(
            np.asarray(amount_design.exog, dtype=float), amount_design.exog_names, terms
        ),
        smear=float(np.mean(np.exp(amt_res.resid))) if amount_model == "log_ols" else 1.0,
    )

    rng = np.random.default_rng(seed)
    if interval == "simulation":
        sims = simulate_draws([win_res, amt_res], draws, rng)
        if sims is None:
            messages.append("a coefficient covariance is not finite, so there is no interval")
            sims = [np.empty((0, len(win_names))), np.empty((0, len(amt_res.params)))]
        b_win, b_amt = sims
    else:
        b_win, b_amt, failed = bootstrap_draws(
            win_res,
            amt_res,
            amount_model=amount_model,
            account_codes=codes,
            amount_rows=amount_rows.to_numpy(),
            draws=draws,
            rng=rng,
        )
        if failed > draws * 0.05:
            messages.append(
                f"{failed} of {draws} bootstrap replicates could not be refitted (separation "
                "or no convergence in the resample); the interval rests on the others"
            )
    subsets = split.subsets()
    at = {s: i for i, s in enumerate(subsets)}
    b_hat = np.asarray(win_res.params, dtype=float)[None, :]
    a_hat = np.asarray(amt_res.params, dtype=float)[None, :]
    point = split.values(subsets, b_hat, a_hat)
    sim = (
        split.values(subsets, b_win, b_amt, dtype=np.float32)
        if b_win.shape[0]
        else np.empty((len(subsets), 0))
    )
    team_rows = [at[s] for s in split.team_subsets]
    comp_point = _components(point[team_rows])[:, 0]
    comp_draws = _components(sim[team_rows])
    total_point, total_draws = float(point[team_rows[3], 0]), sim[team_rows[3]]
    table = _summary(COMPONENTS, comp_point, comp_draws, total_point, total_draws, level)
    half = np.array([[1, 0, 0, 0], [0, 1, 0, 0.5], [0, 0, 1, 0.5]])  # Shapley: half the joint
    shap = _summary(
        ("baseline", MARKETING, SALES),
        half @ comp_point,
        half @ comp_draws if comp_draws.size else comp_draws[:3],
        total_point,
        total_draws,
        level,
    )
    group_table = None
    if groups:
        players = split.game.players
        phi_point = shapley(players, {s: point[at[s]] for s in subsets})
        phi_draws = shapley(players, {s: sim[at[s]] for s in subsets})
        group_table = _group_table(
            _summary(
                players,
                np.array([phi_point[p][0] for p in players]),
                np.array([phi_draws[p] for p in players]),
                total_point,
                total_draws,
                level,
            ),
            team,
        )

    # ------------------------------------------------------------------ per deal, diagnostics
    per_deal: dict[str, np.ndarray] = {}
    for name, kept in zip(_V_NAMES, split.team_subsets, strict=True):
        p, mu = split.per_deal(kept, b_hat[0], a_hat[0])
        per_deal[name] = p * mu
    per_deal["p_win"], per_deal["expected_amount"] = split.per_deal(
        split.team_subsets[3], b_hat[0], a_hat[0]
    )
    opportunities = closed.with_columns(
        [pl.Series(k, per_deal[k]) for k in ("p_win", "expected_amount", *_V_NAMES)]
    )
    expected = float(comp_point.sum())
    if booked and abs(expected - booked) > 0.1 * booked:
        messages.append(
            f"fitted expected revenue ({expected:,.0f}) differs from booked revenue "
            f"({booked:,.0f}) by {(expected - booked) / booked:+.0%}: the deal-size model "
            "fits poorly"
        )
    messages += _fit_warnings(win_res, win_exog, win_names, exposure, closed.height)
    y = frame["won"].to_numpy()
    p_fit = np.asarray(win_res.predict(), dtype=float)
    amount_fit_stat = (
        1 - amt_res.deviance / amt_res.null_deviance
        if amount_model == "gamma"
        else float(amt_res.rsquared)
    )
    diagnostics = Diagnostics(
        n=closed.height,
        events=int(y.sum()),
        parameters=len(win_names),
        pseudo_r2=float(win_res.prsquared),
        auc=auc(y, p_fit),
        calibration=calibration_table(y, p_fit),
        warnings=tuple(dict.fromkeys(messages)),
        extra={
            "deal-size model n": int(amount_rows.sum()),
            "deal-size model deviance explained"
            if amount_model == "gamma"
            else "deal-size model R²": float(amount_fit_stat),
            "expected revenue": expected,
            "booked revenue": booked,
            "gap share": (expected - booked) / booked if booked else math.nan,
            "draws used": int(b_win.shape[0]),
        },
    )
    emit(diagnostics.warnings)
    return ContributionResult(
        table=table,
        shapley=shap,
        groups=group_table,
        model=win_res,
        amount_model=amt_res,
        diagnostics=diagnostics,
        reconciliation=_reconciliation(expected, booked),
        opportunities=opportunities,
        supported=True,
        note=note,
        interval=interval,
        level=float(level),
        draws=int(b_win.shape[0]),
        formula=formula,
        amount_formula=amount_formula,
        controls=tuple(win_controls),
        _split=split,
    )


def _fit_warnings(
    res: Any, exog: np.ndarray, names: Sequence[str], exposure: Sequence[str], n: int
) -> list[str]:
    """Warnings about the win model: events per parameter, sample, collinearity, separation."""
    out: list[str] = []
    y = np.asarray(res.model.endog)
    rarer = int(min(y.sum(), y.size - y.sum()))
    epv = rarer / len(names)
    if epv < 10:
        out.append(
            f"only {epv:.1f} events per parameter ({rarer:,} of the rarer outcome for "
            f"{len(names)} coefficients; at least 10 is advised): estimates may be unstable"
        )
    if n < 200:
        out.append(f"a small sample ({n:,} closed deals): intervals are wide and may undercover")
    vif = _vif(exog, names, [t for t in exposure if t != INTER])
    collinear = {t: v for t, v in vif.items() if v > 10}
    if collinear:
        listed = ", ".join(f"{t} (VIF {v:.0f})" for t, v in collinear.items())
        out.append(
            f"collinear exposures: {listed}; the teams' separate terms are poorly determined"
        )
    params, bse = np.asarray(res.params, dtype=float), np.asarray(res.bse, dtype=float)
    big = [t for t in exposure if abs(params[names.index(t)]) > 10 or bse[names.index(t)] > 5]
    if big:
        out.append(
            f"very large coefficients or standard errors for {', '.join(big)}: a sign of "
            "quasi-separation; treat the split as unreliable"
        )
    return out
