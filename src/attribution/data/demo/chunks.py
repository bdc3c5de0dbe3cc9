"""Generate the demo chunk by chunk, or whole as a :class:`Dataset` in memory."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import polars as pl

from attribution.data.dataset import Dataset
from attribution.data.demo.interventions import Plan, check_experiments
from attribution.data.demo.params import DemoParams
from attribution.data.demo.scenarios import Scenario
from attribution.data.demo.scenarios import scenario as pick_scenario
from attribution.data.demo.simulate import simulate
from attribution.data.demo.spend import monthly_spend
from attribution.data.demo.truth import DemoTruth, contributions
from attribution.errors import ParameterError

__all__ = ["CHUNK_ACCOUNTS", "generate", "iter_chunks", "true_lifts"]

CHUNK_ACCOUNTS = 20_000
"""Accounts simulated at once by :func:`iter_chunks` unless told otherwise."""


def _check_size(n_accounts: int, chunk_accounts: int) -> None:
    if not isinstance(n_accounts, int | np.integer) or n_accounts < 1:
        raise ParameterError(f"n_accounts must be a positive integer, got {n_accounts!r}")
    if n_accounts > 9_999_999:
        raise ParameterError(f"n_accounts must be below 10,000,000, got {n_accounts:,}")
    if chunk_accounts < 1:
        raise ParameterError(f"chunk_accounts must be positive, got {chunk_accounts!r}")


def iter_chunks(
    *,
    n_accounts: int,
    seed: int = 0,
    params: DemoParams | None = None,
    chunk_accounts: int = CHUNK_ACCOUNTS,
    scenario: str | Scenario = "default",
    experiments: Sequence[str] = (),
    holdout_share: float = 0.5,
) -> Iterator[tuple[dict[str, pl.DataFrame], pl.DataFrame]]:
    """Yield the simulation chunk by chunk: ``(tables, per-deal truth)`` per chunk.

    Chunks are independent (accounts do not interact), each seeded from ``(seed, chunk)``,
    so the same ``seed``, ``n_accounts`` and ``chunk_accounts`` give the same data. A
    scenario or experiments draw from a second generator seeded from ``(seed, chunk, 1)``.

    Examples
    --------
    >>> chunks = list(iter_chunks(n_accounts=30, seed=2, chunk_accounts=20))
    >>> [tables["accounts"].height for tables, _ in chunks]
    [20, 10]
    """
    _check_size(n_accounts, chunk_accounts)
    p = params or DemoParams()
    chosen = pick_scenario(scenario)
    channels = check_experiments(experiments, holdout_share)
    for i, first in enumerate(range(0, n_accounts, chunk_accounts)):
        size = min(chunk_accounts, n_accounts - first)
        rng = np.random.default_rng([seed, i])
        plan = Plan(chosen, channels, holdout_share, np.random.default_rng([seed, i, 1]))
        yield simulate(first, size, rng, p, plan)


def generate(
    *,
    n_accounts: int = 2_000,
    seed: int = 0,
    params: DemoParams | None = None,
    scenario: str | Scenario = "default",
    experiments: Sequence[str] = (),
    holdout_share: float = 0.5,
) -> Dataset:
    """Generate the demo dataset in memory.

    Parameters
    ----------
    n_accounts
        Number of companies to simulate (about 35% open an opportunity; each account has
        about a dozen touches).
    seed
        Random seed: the same seed and size give identical data.
    params
        Simulation parameters (default :class:`DemoParams`).
    scenario
        A scenario that breaks naive models, by name (see
        :mod:`attribution.data.demo.scenarios`: ``ubiquitous``, ``useless_frequent``,
        ``demand_capture``, ``confounded``, ``segment_effects``); ``"default"`` is the
        built-in demo.
    experiments
        Marketing channels to run a holdout experiment on: a random ``holdout_share`` of
        the accounts loses its touches of the channel before deals close. Adds the
        ``experiments`` table and the true lifts (``truth.experiments``).
    holdout_share
        Share of the accounts held out of each experiment's channel.

    Returns
    -------
    Dataset
        All tables (with experiments when asked), with ``.truth`` a :class:`DemoTruth`;
        ``spend`` is the touches' costs by channel, campaign and month
        (:func:`monthly_spend`).

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=200, seed=7)
    >>> sorted(ds.tables())
    ['accounts', 'contacts', 'opportunities', 'spend', 'stage_history', 'touches']
    >>> round(sum(ds.truth.shares.values()), 6)
    1.0
    """
    p = params or DemoParams()
    chosen = pick_scenario(scenario)
    parts = list(
        iter_chunks(
            n_accounts=n_accounts,
            seed=seed,
            params=p,
            scenario=chosen,
            experiments=experiments,
            holdout_share=holdout_share,
        )
    )
    tables = {name: pl.concat([t[name] for t, _ in parts]) for name in parts[0][0]}
    truth_opps = pl.concat([t for _, t in parts])
    truth = DemoTruth(
        params=p,
        contributions=contributions(truth_opps),
        opportunities=truth_opps,
        scenario=chosen.name,
        experiments=true_lifts(truth_opps, experiments, n_accounts) if experiments else None,
    )
    source = f"demo(n_accounts={n_accounts}, seed={seed})"
    if not chosen.is_default:
        source = f"demo(n_accounts={n_accounts}, seed={seed}, scenario={chosen.name})"
    return Dataset(
        touches=tables["touches"],
        opportunities=tables["opportunities"],
        contacts=tables.get("contacts"),
        accounts=tables.get("accounts"),
        stage_history=tables.get("stage_history"),
        experiments=tables.get("experiments"),
        spend=monthly_spend(tables["touches"]),
        source=source,
        truth=truth,
    )


def true_lifts(truth: pl.DataFrame, experiments: Sequence[str], n_accounts: int) -> pl.DataFrame:
    """Return the true lift of every experiment per account: on opportunities, winning, revenue.

    Every account is in every experiment; a deal's win lift is ``win_lift_<channel>`` of
    the per-deal truth, its revenue lift that times its amount.
    """
    names = (experiments,) if isinstance(experiments, str) else tuple(experiments)
    rows = []
    for name in names:
        lift = pl.col(f"win_lift_{name}")
        win, revenue = truth.select(lift.sum(), (lift * pl.col("amount")).sum().alias("r")).row(0)
        for outcome, value in (("opportunity", 0.0), ("win", win), ("revenue", revenue)):
            rows.append((f"{name} holdout", name, outcome, value / n_accounts))
    return pl.DataFrame(
        rows, schema=["experiment", "channel", "outcome", "true_lift"], orient="row"
    )
