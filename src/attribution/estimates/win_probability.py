"""Each deal's chance of being won, from what was known when it was opened.

A statsmodels Logit of ``is_won`` on the closed deals, with what every deal had at its
creation: the log1p counts of marketing and of sales touches in its journey up to then,
the log1p amount (not for count-only data) and the account's segment (when known, with
enough closed deals in each). Open deals are scored by the same model, and simulation
draws of the coefficients (multivariate normal around the estimates) give each open deal's
probability an interval; the calibration table (predicted against observed win rate by
decile) says whether the probabilities can be taken at face value.

**What it cannot show.** Probabilities are associations learned from closed deals, not
effects; a deal's age and stage are left out (closed deals of recent cohorts are the quick
ones, so they would bias an age term). Without enough won and lost deals (10 of each), the
historical win rate is used for every open deal, with a binomial interval.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from attribution._intervals import (
    DEFAULT_DRAWS,
    DEFAULT_LEVEL,
    check_draws,
    check_level,
    quantiles,
)
from attribution.data.dataset import Dataset
from attribution.data.schema import (
    ACCOUNT_ID,
    AMOUNT,
    MARKETING,
    OCCURRED_AT,
    OPPORTUNITY_ID,
    SALES,
    SEGMENT,
    TEAM,
)
from attribution.errors import emit
from attribution.estimates.diagnostics import Diagnostics
from attribution.estimates.modeling import fit_logit, single_threaded_blas
from attribution.estimates.result import Estimate
from attribution.journey.columns import OPPORTUNITY_CREATED_AT, STATUS

__all__ = ["WinProbability", "win_probability"]

MIN_OUTCOMES = 10
"""Won and lost deals each needed to fit the model (else the historical win rate is used)."""
_MIN_SEGMENT = 20  # closed deals a segment needs to be a level of its own

NOTE = (
    "Win probability of each deal from what was known when it was opened (touches of each "
    "team until then, amount, segment), learned from closed deals: an association, not an "
    "effect. Intervals come from draws of the model's coefficients; the calibration table "
    "compares predicted and observed win rates of closed deals."
)


@dataclass(frozen=True, kw_only=True, repr=False)
class WinProbability(Estimate):
    """Each deal's win probability (see the module docstring).

    ``table``: ``opportunity_id, status, amount, p_win, p_low, p_high, expected,
    expected_low, expected_high``: one row per deal (closed deals in-sample), in
    ``opportunity_id`` order; ``expected`` is ``amount * p_win``.
    """

    p_draws: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    """Simulated probabilities of the open deals (rows in table order), one column a draw."""

    @property
    def open(self) -> pl.DataFrame:
        """The open deals' rows of ``table``, in the order of :attr:`p_draws`."""
        return self.table.filter(pl.col(STATUS) == "open")


def _at_creation(dataset: Dataset, journeys: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """One row per deal: outcome, amount, segment, touches of each team until creation."""
    counts = (
        journeys.lazy()
        .filter(pl.col(OCCURRED_AT) <= pl.col(OPPORTUNITY_CREATED_AT))
        .group_by(OPPORTUNITY_ID)
        .agg(
            (pl.col(TEAM) == MARKETING).sum().alias("marketing"),
            (pl.col(TEAM) == SALES).sum().alias("sales"),
        )
    )
    deals = (
        journeys.lazy()
        .group_by(OPPORTUNITY_ID)
        .agg(pl.col(ACCOUNT_ID).first(), pl.col(STATUS).first(), pl.col(AMOUNT).first())
    )
    frame = deals.join(counts, on=OPPORTUNITY_ID, how="left").with_columns(
        pl.col("marketing", "sales").fill_null(0)
    )
    if dataset.accounts is not None and SEGMENT in dataset.lazy("accounts").collect_schema():
        seg = dataset.lazy("accounts").select(ACCOUNT_ID, pl.col(SEGMENT).cast(pl.String))
        frame = frame.join(seg, on=ACCOUNT_ID, how="left")
    else:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(SEGMENT))
    return frame.sort(OPPORTUNITY_ID).collect()


def _formula(data: pl.DataFrame, closed: pl.DataFrame, count_only: bool) -> str:
    terms = ["np.log1p(marketing)", "np.log1p(sales)"]
    if not count_only:
        terms.append("np.log1p(amount)")
    seg = closed[SEGMENT].value_counts()
    every = set(data[SEGMENT].unique().to_list()) <= set(seg[SEGMENT].to_list())
    if every and seg.height > 1 and seg["count"].min() >= _MIN_SEGMENT:  # type: ignore[operator]
        terms.append("C(segment)")
    return "won ~ " + " + ".join(terms)


@single_threaded_blas
def _fit(
    frame: pl.DataFrame, count_only: bool, draws: int, seed: int
) -> tuple[Any, np.ndarray, np.ndarray]:
    """Fit the Logit on closed deals; return the results, every deal's p and its draws."""
    data = frame.with_columns(
        (pl.col(STATUS) == "won").cast(pl.Int64).alias("won"),
        pl.col(SEGMENT).fill_null("(unknown)"),
    )
    closed = data.filter(pl.col(STATUS) != "open")
    formula = _formula(data, closed, count_only)
    res, _, ok = fit_logit(formula, closed.to_pandas(), "win_probability")
    if res is None or not ok:
        return None, np.zeros(0), np.zeros((0, 0))
    design = _exog(res, data)
    centre = 1.0 / (1.0 + np.exp(-(design @ np.asarray(res.params))))
    rng = np.random.default_rng(seed)
    beta = rng.multivariate_normal(
        np.asarray(res.params), np.asarray(res.cov_params()), size=draws, method="cholesky"
    )
    return res, centre, 1.0 / (1.0 + np.exp(-(design @ beta.T)))


def _rate_draws(won: int, n: int, deals: int, draws: int, seed: int) -> np.ndarray:
    """Draws of the historical win rate (Beta posterior, uniform prior) for every deal."""
    rng = np.random.default_rng(seed)
    rate = rng.beta(won + 1, n - won + 1, size=draws)
    return np.broadcast_to(rate, (deals, draws)).copy()


def win_probability(
    dataset: Dataset,
    journeys: pl.DataFrame | pl.LazyFrame,
    *,
    level: float = DEFAULT_LEVEL,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
) -> WinProbability:
    """Estimate each deal's win probability and the open deals' expected value.

    Parameters
    ----------
    dataset
        The validated dataset (its accounts' ``segment`` is a control when known).
    journeys
        Its journeys (:func:`attribution.journeys`).
    level, draws, seed
        Coverage of the intervals, coefficient draws behind them, random seed.

    Returns
    -------
    WinProbability
        One row per deal; ``supported`` is False when the historical win rate stood in
        for the model (too few won or lost deals, or a fit that failed).

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=600, seed=1)
    >>> w = win_probability(ds, at.journeys(ds), draws=50)
    >>> bool(w.open["p_win"].is_between(0, 1).all()), w.p_draws.shape[1]
    (True, 50)
    """
    level, draws = check_level(level), check_draws(draws)
    frame = _at_creation(dataset, journeys)
    is_closed = frame[STATUS] != "open"
    n, won = int(is_closed.sum()), int((frame[STATUS] == "won").sum())
    res: Any = None
    warnings: list[str] = []
    if min(won, n - won) >= MIN_OUTCOMES:
        res, centre, p = _fit(frame, dataset.count_only, draws, seed)
        if res is None:
            warnings.append("the win model could not be fitted; the historical win rate is used")
    else:
        warnings.append(
            f"only {won} won and {n - won} lost deals (needs {MIN_OUTCOMES} of each); "
            "the historical win rate is used"
        )
    if res is None:
        emit([f"win_probability: {w}" for w in warnings])
        centre = np.full(frame.height, (won + 1) / (n + 2))
        p = _rate_draws(won, n, frame.height, draws, seed)
    if res is not None:
        y = frame.filter(is_closed)[STATUS].eq("won").cast(pl.Int64).to_numpy()
        diagnostics = Diagnostics.of_fit(res, y, warnings)
    else:
        diagnostics = Diagnostics(n=n, events=won, warnings=tuple(warnings))
    return WinProbability(
        table=_table(frame, centre, p, level),
        p_draws=p[(frame[STATUS] == "open").to_numpy()],
        model=res,
        diagnostics=diagnostics,
        supported=res is not None,
        note=NOTE,
        level=level,
        draws=draws,
    )


def _table(frame: pl.DataFrame, centre: np.ndarray, p: np.ndarray, level: float) -> pl.DataFrame:
    """Each deal's probability, its interval from the draws, and the expected amounts."""
    q_low, q_high = quantiles(level)
    expected = (("p_win", "expected"), ("p_low", "expected_low"), ("p_high", "expected_high"))
    return (
        frame.select(OPPORTUNITY_ID, STATUS, AMOUNT)
        .with_columns(
            pl.Series("p_win", centre),
            pl.Series("p_low", np.quantile(p, q_low, axis=1)),
            pl.Series("p_high", np.quantile(p, q_high, axis=1)),
        )
        .with_columns((pl.col(AMOUNT) * pl.col(c)).alias(name) for c, name in expected)
    )


def _exog(res: Any, frame: pl.DataFrame) -> np.ndarray:
    """Return the fitted formula's design matrix of every deal (closed and open)."""
    import statsmodels.formula.api as smf

    data = frame.with_columns(
        (pl.col(STATUS) == "won").cast(pl.Int64).alias("won"),
        pl.col(SEGMENT).fill_null("(unknown)"),
    )
    model = smf.logit(res.model.formula, data.to_pandas())
    if list(model.exog_names) != list(res.model.exog_names):  # pragma: no cover - levels checked
        raise ValueError("the win model's design changed between closed and open deals")
    return np.asarray(model.exog)
