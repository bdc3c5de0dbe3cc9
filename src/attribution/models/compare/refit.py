"""Markov and Shapley re-fitted on every bootstrap resample, from reweighted path counts.

Every count they need (transitions, starts, ends; coalition conversions) is linear in the
account weights, so the counts of all resamples come from one sparse matrix product
(:func:`~attribution.models.compare.resample.path_counts`). Shapley values then follow for
all resamples at once, and each Markov resample is one exact solve that starts from the
full sample's solution.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from attribution.models import markov as markov_model
from attribution.models import shapley as shapley_model
from attribution.models.compare.onepass import PlannedModel
from attribution.models.compare.resample import Resamples, path_counts
from attribution.models.pathtable import EncodedPaths

__all__ = ["markov_weights", "shapley_weights"]


def _fitted_paths(model: PlannedModel) -> tuple[EncodedPaths, int]:
    """Return the paths ``model`` was fitted on and how many are deals' (the first ones)."""
    encoded = model.encoded
    assert encoded is not None and model.paths is not None
    return encoded, model.paths.encoded.n_paths


def _chain_items(
    chain: markov_model.Chain, encoded: EncodedPaths
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every count of the chain as (item, path, coefficient) entries, and the transitions.

    Items are the distinct transitions (``pairs``, as ``from * n + to``), then the
    ``n`` starts, conversions and nulls of every state.
    """
    n = chain.n_states
    lengths = np.diff(chain.offsets)
    has = lengths > 0
    paths = np.flatnonzero(has)
    path_of_step = np.repeat(np.arange(encoded.n_paths), lengths)
    weight = encoded.conversions + encoded.nulls
    within = np.ones(max(len(chain.steps) - 1, 0), dtype=bool)
    within[chain.offsets[1:][has][:-1] - 1] = False  # a path's last step leads nowhere
    key = chain.steps[:-1][within].astype(np.int64) * n + chain.steps[1:][within]
    pairs, pair_of = np.unique(key, return_inverse=True)
    n_pairs = len(pairs)
    first = chain.steps[chain.offsets[:-1][has]]
    last = chain.steps[chain.offsets[1:][has] - 1]
    step_path = path_of_step[:-1][within]
    item = np.concatenate([pair_of, n_pairs + first, n_pairs + n + last, n_pairs + 2 * n + last])
    path = np.concatenate([step_path, paths, paths, paths])
    coefficient = np.concatenate(
        [weight[step_path], weight[paths], encoded.conversions[paths], encoded.nulls[paths]]
    )
    return item, path, coefficient, pairs


def markov_weights(
    model: PlannedModel, order: int, deal_account: np.ndarray, frame: Resamples
) -> np.ndarray:
    """Refit the chain on every resample: removal effects (resamples × channels)."""
    encoded, n_deals = _fitted_paths(model)
    chain = markov_model.prepare(encoded, order=order)
    full = markov_model.solve(
        chain,
        markov_model.count(chain, encoded.conversions, encoded.nulls, encoded.value),
        value=False,
    )
    n = chain.n_states
    item, path, coefficient, pairs = _chain_items(chain, encoded)
    n_pairs = len(pairs)
    counts = path_counts(n_deals, deal_account, item, path, coefficient, n_pairs + 3 * n, frame)
    src, dst = pairs // n, (pairs % n).astype(np.int32)
    indptr = np.searchsorted(src, np.arange(n + 1))
    out = np.zeros((frame.weights.shape[0], len(encoded.channels)))
    zeros = np.zeros(n)
    for b in range(len(out)):
        resample = markov_model.Counts(
            transitions=sp.csr_matrix((counts[:n_pairs, b], dst, indptr), shape=(n, n)),
            start=counts[n_pairs : n_pairs + n, b],
            conversion=counts[n_pairs + n : n_pairs + 2 * n, b],
            null=counts[n_pairs + 2 * n :, b],
            value=zeros,
            total_conversions=0.0,
            total_value=0.0,
        )
        solution = markov_model.solve(chain, resample, value=False, guesses=full.systems)
        out[b] = solution.removal_effect
    return out


def shapley_weights(
    model: PlannedModel, value: str, deal_account: np.ndarray, frame: Resamples
) -> np.ndarray:
    """Shapley values (resamples × channels) of every resample at once."""
    encoded, n_deals = _fitted_paths(model)
    co = shapley_model.coalitions(encoded)
    m = len(co.members)
    paths = np.arange(encoded.n_paths)
    counts = path_counts(
        n_deals,
        deal_account,
        np.concatenate([co.index, m + co.index]),
        np.concatenate([paths, paths]),
        np.concatenate([encoded.conversions, encoded.nulls]),
        2 * m,
        frame,
    )
    conversions, nulls = counts[:m], counts[m:]
    if value == "conversions":
        dividend = conversions
    else:
        journeys = conversions + nulls
        dividend = np.divide(conversions, journeys, out=np.zeros_like(journeys), where=journeys > 0)
    size = co.members.sum(axis=1)[:, None]
    share = np.divide(dividend, size, out=np.zeros_like(dividend), where=size > 0)
    return np.asarray(co.members.T.astype(np.float64) @ share).T
