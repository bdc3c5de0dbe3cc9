"""The counterfactual engine behind :func:`attribution.contributions`.

Given fitted win and deal-size models, it computes v(S), the expected revenue of every
closed deal summed, when only the *players* in S (the two teams, or channel groups) keep
their touches, for any set of coefficient vectors at once (point estimates, simulated
draws or bootstrap replicates). Everything is vectorised numpy: per subset, the design with
the exposure columns replaced, and one matrix product per model for all draws at once.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import polars as pl

from attribution.data.schema import MARKETING, SALES

__all__ = [
    "EXPOSURE_TERMS",
    "Game",
    "Linear",
    "Split",
    "bootstrap_draws",
    "shapley",
    "simulate_draws",
]

LM, LS, INTER, SPEED, NO_MQL = (
    "log_marketing",
    "log_sales",
    "log_marketing:log_sales",
    "speed_to_lead",
    "no_mql",
)
EXPOSURE_TERMS: tuple[str, ...] = (LM, LS, INTER, SPEED, NO_MQL)
"""Model terms that depend on the teams' touches (channel-group terms are added)."""

_CELLS = 4_000_000  # predictions held in memory at once (deals x draws)


@dataclass(frozen=True)
class Game:
    """The players (teams or channel groups) and how their touches become model terms.

    ``counts`` holds each player's touches per closed deal; ``speed`` is
    ``[s > 0] * log1p(hours / 24)`` (0 when undefined) and ``no_mql`` is
    ``[s > 0] * [no MQL before the deal]``, both switched off when no sales player keeps
    its touches; ``group_terms`` maps players to their own log1p count term (channel-group
    mode only).
    """

    players: tuple[str, ...]
    team: dict[str, str]
    counts: dict[str, np.ndarray]
    speed: np.ndarray
    no_mql: np.ndarray
    group_terms: dict[str, str]

    def terms(self, kept: frozenset[str]) -> dict[str, np.ndarray]:
        """Exposure terms when only the players in ``kept`` keep their touches."""
        zero = np.zeros_like(self.speed)
        m = sum((self.counts[p] for p in kept if self.team[p] == MARKETING), zero)
        s = sum((self.counts[p] for p in kept if self.team[p] == SALES), zero)
        lm, ls = np.log1p(m), np.log1p(s)
        has_sales = (s > 0).astype(float)
        out = {
            LM: lm,
            LS: ls,
            INTER: lm * ls,
            SPEED: self.speed * has_sales,
            NO_MQL: self.no_mql * has_sales,
        }
        for player, term in self.group_terms.items():
            out[term] = np.log1p(self.counts[player]) if player in kept else zero
        return out

    def team_players(self, team: str) -> frozenset[str]:
        """Return the players of one team."""
        return frozenset(p for p in self.players if self.team[p] == team)


@dataclass(frozen=True)
class Linear:
    """A model's design over all closed deals, with the columns that hold exposure terms."""

    exog: np.ndarray  # deals x coefficients, as observed
    index: dict[str, int]  # exposure term -> column
    names: tuple[str, ...]

    @classmethod
    def of(cls, exog: np.ndarray, names: Sequence[str], terms: Sequence[str]) -> Linear:
        """Wrap ``exog`` (columns ``names``), noting where the exposure ``terms`` sit."""
        names = list(names)
        index = {t: names.index(t) for t in terms if t in names}
        return cls(np.asarray(exog, dtype=float), index, tuple(names))

    def design(self, terms: Mapping[str, np.ndarray]) -> np.ndarray:
        """Return the design with the exposure columns replaced by ``terms``."""
        out = self.exog.copy()
        for term, col in self.index.items():
            out[:, col] = terms[term]
        return out


def _expit(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


@dataclass(frozen=True)
class Split:
    """Expected revenue of the closed deals under any subset of players."""

    game: Game
    win: Linear
    amount: Linear
    smear: float = 1.0  # Duan's smearing factor for a log-OLS deal-size model

    @property
    def team_subsets(self) -> tuple[frozenset[str], ...]:
        """none, marketing, sales, both: as subsets of players."""
        m, s = self.game.team_players(MARKETING), self.game.team_players(SALES)
        return (frozenset(), m, s, m | s)

    def subsets(self) -> list[frozenset[str]]:
        """Every subset needed: the four team subsets, and all subsets for channel groups."""
        out = list(self.team_subsets)
        if self.game.group_terms:
            players = self.game.players
            out += [frozenset(c) for k in range(len(players) + 1) for c in combinations(players, k)]
        return list(dict.fromkeys(out))

    def per_deal(
        self, kept: frozenset[str], b_win: np.ndarray, b_amount: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Win probability and expected amount per deal for one coefficient vector each."""
        terms = self.game.terms(kept)
        p = _expit(self.win.design(terms) @ b_win)
        mu = np.exp(self.amount.design(terms) @ b_amount) * self.smear
        return p, mu

    def values(
        self,
        subsets: Sequence[frozenset[str]],
        b_win: np.ndarray,
        b_amount: np.ndarray,
        *,
        dtype: type[np.floating] = np.float64,
    ) -> np.ndarray:
        """v(S) for each subset and each row of coefficients: array (subsets x draws).

        Per subset, one matrix product per model gives every deal's linear predictor under
        every draw; ``P(win) * E[amount] = exp(eta_amount) / (1 + exp(-eta_win))`` is then
        formed in place, a block of draws at a time to bound memory, and summed in float64.
        ``dtype=np.float32`` halves the work for interval draws (relative error ~1e-9 on
        the sums, far below the draws' own Monte Carlo error).
        """
        n = self.win.exog.shape[0]
        draws = b_win.shape[0]
        out = np.zeros((len(subsets), draws))
        step = max(1, _CELLS // max(n, 1))
        bw, ba = b_win.astype(dtype), b_amount.astype(dtype)
        # many draws: blocks of deals with every draw, so each block of the design is read
        # once; deals whose design rows are equal under the subset are evaluated once
        by_deals = draws > step
        for k, kept in enumerate(subsets):
            terms = self.game.terms(kept)
            x_win, x_amount = self.win.design(terms), self.amount.design(terms)
            distinct = self._distinct_rows(terms) if by_deals else None
            if distinct is not None:
                x_win, x_amount = x_win[distinct[0]], x_amount[distinct[0]]
            # transposed designs: each draw's predictions are one contiguous row to sum
            x_win = np.ascontiguousarray(x_win.T, dtype=dtype)
            x_amount = np.ascontiguousarray(x_amount.T, dtype=dtype)
            if by_deals:
                width = max(1, _CELLS // max(draws, 1))
                for lo in range(0, x_win.shape[1], width):
                    hi = lo + width
                    eta = self._revenue(bw @ x_win[:, lo:hi], ba @ x_amount[:, lo:hi])
                    if distinct is None:
                        out[k] += eta.sum(axis=1, dtype=np.float64)
                    else:
                        out[k] += eta.astype(np.float64) @ distinct[1][lo:hi]
                out[k] *= self.smear
                continue
            for lo in range(0, draws, step):
                eta = self._revenue(bw[lo : lo + step] @ x_win, ba[lo : lo + step] @ x_amount)
                out[k, lo : lo + step] = eta.sum(axis=1, dtype=np.float64) * self.smear
        return out

    def _distinct_rows(
        self, terms: Mapping[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Rows with distinct designs under ``terms`` (a representative each) and their counts.

        Deals differ in the columns that are no exposure term (controls: a few distinct
        combinations) and in the exposure terms; without sales touches those are a few
        integer counts, so most deals share their row with many others. None when most
        rows are distinct (grouping would not pay).
        """
        n = self.win.exog.shape[0]
        columns = [
            np.delete(linear.exog, list(linear.index.values()), axis=1)
            for linear in (self.win, self.amount)
        ]
        used = sorted({*self.win.index, *self.amount.index})
        varying = np.column_stack([*columns, *(terms[t] for t in used)])
        probe = varying @ np.random.default_rng(0).uniform(1.0, 2.0, varying.shape[1])
        if len(np.unique(probe)) > n // 4:  # equal rows give equal probes
            return None
        frame = pl.from_numpy(varying)
        groups = (
            frame.with_row_index("_row")
            .group_by(frame.columns)
            .agg(pl.col("_row").first(), pl.len().alias("_count"))
            .sort("_row")
        )
        return groups["_row"].to_numpy(), groups["_count"].to_numpy().astype(np.float64)

    @staticmethod
    def _revenue(eta_w: np.ndarray, eta_a: np.ndarray) -> np.ndarray:
        """``exp(eta_a) / (1 + exp(-eta_w))``, in place (in ``eta_a``)."""
        np.negative(eta_w, out=eta_w)
        np.exp(eta_w, out=eta_w)
        eta_w += 1.0
        np.exp(eta_a, out=eta_a)
        eta_a /= eta_w
        return eta_a


def shapley(
    players: Sequence[str], value: Mapping[frozenset[str], np.ndarray]
) -> dict[str, np.ndarray]:
    """Exact Shapley values from v over every subset of ``players`` (arrays over draws).

    Examples
    --------
    >>> v = {frozenset(): np.array([0.0]), frozenset("a"): np.array([1.0]),
    ...      frozenset("b"): np.array([2.0]), frozenset("ab"): np.array([5.0])}
    >>> {k: float(x[0]) for k, x in shapley(["a", "b"], v).items()}
    {'a': 2.0, 'b': 3.0}
    """
    k = len(players)
    out = {}
    for p in players:
        others = [q for q in players if q != p]
        total = np.zeros_like(value[frozenset()])
        for size in range(k):
            weight = math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)
            for combo in combinations(others, size):
                s = frozenset(combo)
                total = total + weight * (value[s | {p}] - value[s])
        out[p] = total
    return out


def simulate_draws(
    results: Sequence[Any], draws: int, rng: np.random.Generator
) -> list[np.ndarray] | None:
    """Coefficient draws from each model's estimated sampling distribution N(b, V).

    ``None`` when a covariance matrix is not finite.
    """
    out = []
    for res in results:
        mean = np.asarray(res.params, dtype=float)
        cov = np.asarray(res.cov_params(), dtype=float)
        if not np.all(np.isfinite(cov)):
            return None
        out.append(rng.multivariate_normal(mean, cov, size=draws, method="eigh"))
    return out


def bootstrap_draws(
    win_res: Any,
    amount_res: Any,
    *,
    amount_model: str,
    account_codes: np.ndarray,
    amount_rows: np.ndarray,
    draws: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Refit both models on account-level resamples; return the coefficient replicates.

    Accounts are drawn with replacement; an account drawn k times enters the refit with
    frequency weight k (equivalent to repeating its rows). The win model is refitted as a
    binomial GLM (the same likelihood as the Logit), starting from the estimates.
    Replicates that fail (e.g. separation in the resample) are skipped and counted.
    """
    import statsmodels.api as sm

    y, x = np.asarray(win_res.model.endog), np.asarray(win_res.model.exog)
    ya, xa = np.asarray(amount_res.model.endog), np.asarray(amount_res.model.exog)
    amount_codes = account_codes[amount_rows]
    n_accounts = int(account_codes.max()) + 1
    start_w, start_a = np.asarray(win_res.params), np.asarray(amount_res.params)
    bw, ba, failed = [], [], 0
    for _ in range(draws):
        times = np.bincount(rng.integers(0, n_accounts, n_accounts), minlength=n_accounts)
        w, wa = times[account_codes].astype(float), times[amount_codes].astype(float)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                rw = sm.GLM(y, x, family=sm.families.Binomial(), freq_weights=w).fit(
                    start_params=start_w
                )
                if amount_model == "gamma":
                    family = sm.families.Gamma(sm.families.links.Log())
                    ra = sm.GLM(ya, xa, family=family, freq_weights=wa).fit(start_params=start_a)
                else:
                    ra = sm.WLS(ya, xa, weights=wa).fit()
        except (Warning, np.linalg.LinAlgError, ValueError):
            failed += 1
            continue
        if not (np.all(np.isfinite(rw.params)) and np.all(np.isfinite(ra.params))):
            failed += 1
            continue
        bw.append(np.asarray(rw.params))
        ba.append(np.asarray(ra.params))
    if not bw:
        return np.empty((0, start_w.size)), np.empty((0, start_a.size)), failed
    return np.array(bw), np.array(ba), failed
