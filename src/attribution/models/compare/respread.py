"""A resample's channel weights spread over the won deals' touches, for all resamples at once.

Spreading channel weights over a deal's touches only depends, per deal, on its set of
channels: the touches are summarised once per (channel set, channel, group), so each
resample costs a few array operations on those summaries.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import scipy.sparse as sp

from attribution.data.schema import AMOUNT
from attribution.models.compare.onepass import Pass
from attribution.models.compare.resample import Resamples, codes, sum_rows
from attribution.models.credits import DEAL

__all__ = ["Respread"]


class Respread:
    """The won deals' touches, summarised for re-spreading channel weights per resample.

    A deal's credit to group ``g`` is ``amount * sum over its channels c of w_c / S * n(c, g)
    / k(c)``, with ``S`` the sum of the weights of the deal's channels, ``k(c)`` its touches
    of channel c and ``n(c, g)`` those in group g (``amount * n(g) / n`` when ``S`` is 0).
    ``S`` only depends on the deal's channel set ``T``, so the touches are summed once per
    (T, c, g) and per (T, g), for every resample at once (they only depend on the account
    weights); each resample's channel weights then only meet those summaries.

    ``done.touches`` must hold each touch's account row ``_a`` and group code ``_g``.
    """

    def __init__(self, done: Pass, channels: tuple[str, ...], frame: Resamples, n_groups: int):
        n_channels = len(channels)  # code n_channels: a channel the fit did not see (weight 0)
        rows = done.touches.select(
            DEAL,
            "_a",
            "_g",
            pl.col(AMOUNT).cast(pl.Float64),
            codes(pl.col("_channel"), channels, n_channels).alias("_c"),
        )
        per_deal = rows.group_by(DEAL).agg(
            pl.len().alias("_n"),
            pl.col("_a").first(),
            pl.col(AMOUNT).first(),
            pl.col("_c").unique().sort().cast(pl.String).str.join(",").alias("_set"),
        )
        per_deal = per_deal.with_columns((pl.col("_set").rank("dense") - 1).alias("_T"))
        cells = (
            rows.group_by(DEAL, "_c", "_g")
            .agg(pl.len().alias("_ncg"))
            .join(rows.group_by(DEAL, "_c").agg(pl.len().alias("_k")), on=[DEAL, "_c"])
            .join(per_deal.select(DEAL, "_T", "_a", AMOUNT, "_n"), on=DEAL)
        )
        g_keys = cells.select("_T", "_c", "_g").unique().sort("_T", "_c", "_g")
        g_keys = g_keys.with_row_index("_row")
        g_cells = cells.join(g_keys, on=["_T", "_c", "_g"])
        share = g_cells[AMOUNT] * g_cells["_ncg"] / g_cells["_k"]
        self.g = self._weighed(g_cells["_row"], g_cells["_a"], share, len(g_keys), frame)
        self.g_set, self.g_channel, self.g_group = (
            g_keys[c].to_numpy() for c in ("_T", "_c", "_g")
        )
        h_cells = cells.group_by(DEAL, "_g").agg(
            pl.col("_ncg").sum(), pl.col("_T", "_a", AMOUNT, "_n").first()
        )
        h_keys = h_cells.select("_T", "_g").unique().sort("_T", "_g").with_row_index("_row")
        h_cells = h_cells.join(h_keys, on=["_T", "_g"])
        equal = h_cells[AMOUNT] * h_cells["_ncg"] / h_cells["_n"]
        self.h = self._weighed(h_cells["_row"], h_cells["_a"], equal, len(h_keys), frame)
        self.h_set, self.h_group = h_keys["_T"].to_numpy(), h_keys["_g"].to_numpy()
        n_sets = int(per_deal["_T"].max()) + 1 if per_deal.height else 0  # type: ignore[arg-type]
        self.members = np.zeros((n_sets, n_channels + 1))
        self.members[self.g_set, self.g_channel] = 1.0
        self.n_groups = n_groups

    @staticmethod
    def _weighed(
        row: pl.Series, account: pl.Series, value: pl.Series, n: int, frame: Resamples
    ) -> np.ndarray:
        matrix = sp.csr_matrix(
            (value.to_numpy(), (row.to_numpy(), account.to_numpy())),
            shape=(n, len(frame.accounts)),
        )
        return np.asarray(matrix @ frame.by_account)  # (n, resamples)

    def revenue(self, channel_weights: np.ndarray) -> np.ndarray:
        """Revenue per group for every resample's channel weights (resamples × channels)."""
        w = np.hstack([channel_weights, np.zeros((len(channel_weights), 1))]).T
        total = self.members @ w  # (sets, resamples)
        positive = total > 0
        safe = np.where(positive, total, 1.0)
        factor = np.where(positive[self.g_set], w[self.g_channel] / safe[self.g_set], 0.0)
        out = sum_rows(self.g_group, factor * self.g, self.n_groups)
        out += sum_rows(self.h_group, np.where(positive[self.h_set], 0.0, self.h), self.n_groups)
        return np.asarray(out.T)
