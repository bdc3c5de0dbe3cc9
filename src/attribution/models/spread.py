"""Data-driven models on journeys: fit on one path per deal, spread channel weights to touches.

Markov and Shapley value channels, not touches. On journeys they are fitted on one path
per closed deal (won deals convert, lost ones do not; open ones count as non-converting
only when asked) and each won deal's credit is then spread over its touches: a channel
present in the deal gets a share proportional to its weight (removal effect or Shapley
value) among the channels present, split equally among that channel's touches in the
deal. Credits of every won deal still sum to exactly 1.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl

from attribution.data.schema import ACCOUNT_ID, AMOUNT, CHANNEL, OPPORTUNITY_ID, TEAM
from attribution.errors import ParameterError
from attribution.journey.columns import N_TOUCHES, POSITION, STATUS
from attribution.models.credits import DEAL, WeightFn, allocate, check_team, in_deal_order
from attribution.models.pathtable import EncodedPaths, encode

__all__ = ["JourneyPaths", "journey_paths", "spread", "spread_weight"]


class JourneyPaths:
    """One encoded path per closed deal, with the deal's account and outcome."""

    def __init__(
        self,
        journeys: pl.DataFrame | pl.LazyFrame,
        *,
        team: str | None = None,
        include_open: bool = False,
    ) -> None:
        check_team(team)
        if not isinstance(include_open, bool):
            raise ParameterError(f"include_open must be True or False, got {include_open!r}")
        statuses = ["won", "lost", "open"] if include_open else ["won", "lost"]
        lf = journeys.lazy().filter(pl.col(STATUS).is_in(statuses) & (pl.col(N_TOUCHES) > 0))
        if team is not None:
            lf = lf.filter(pl.col(TEAM) == team)
        rows = lf.select(
            OPPORTUNITY_ID,
            ACCOUNT_ID,
            pl.col(CHANNEL).cast(pl.String).fill_null("(none)"),
            STATUS,
            AMOUNT,
            POSITION,
        ).collect()
        self.deals: pl.DataFrame
        self.encoded: EncodedPaths
        fast = _encode_ordered(rows)
        if fast is not None:
            self.deals, self.encoded = fast
            return
        per_deal = (
            rows.lazy()
            .sort(OPPORTUNITY_ID, POSITION)
            .group_by(OPPORTUNITY_ID)
            .agg(
                pl.col(ACCOUNT_ID).first(),
                pl.col(CHANNEL).alias("path"),
                (pl.col(STATUS).first() == "won").cast(pl.Float64).alias("conversions"),
                (pl.col(STATUS).first() != "won").cast(pl.Float64).alias("nulls"),
                pl.when(pl.col(STATUS).first() == "won")
                .then(pl.col(AMOUNT).first())
                .otherwise(0.0)
                .cast(pl.Float64)
                .alias("value"),
            )
            .sort(OPPORTUNITY_ID)
            .collect()
        )
        self.deals = per_deal.select(OPPORTUNITY_ID, ACCOUNT_ID)
        self.encoded = encode(per_deal.select("path", "conversions", "value", "nulls"))

    def with_extra(self, extra: EncodedPaths | None) -> EncodedPaths:
        """Return the deals' paths followed by extra non-converting paths."""
        return self.encoded if extra is None else _concat(self.encoded, extra)


def _encode_ordered(rows: pl.DataFrame) -> tuple[pl.DataFrame, EncodedPaths] | None:
    """Encode one path per deal straight from rows already in deal and position order.

    Gives what :func:`~attribution.models.pathtable.encode` gives on the per-deal path
    table (same channel codes, offsets and counts) without building and splitting lists.
    Returns None when the rows are not in order (or ids are not strings) or a channel name
    needs the trimming and checks that ``encode`` applies; the caller then takes that route.
    """
    if rows.schema[OPPORTUNITY_ID] != pl.String or not rows.select(in_deal_order()).item():
        return None
    names = rows[CHANNEL].unique().sort()
    stripped = names.str.strip_chars()
    if not names.equals(stripped) or (names == "").any():
        return None
    first = rows.select(pl.col(OPPORTUNITY_ID).is_first_distinct()).to_series()
    deals = rows.filter(first)
    starts = np.flatnonzero(first.to_numpy())
    offsets = np.append(starts, rows.height).astype(np.int64)
    codes = rows[CHANNEL].cast(pl.Enum(names)).to_physical().to_numpy().astype(np.int32)
    won = (deals[STATUS] == "won").to_numpy()
    amount = deals[AMOUNT].cast(pl.Float64).to_numpy()
    encoded = EncodedPaths(
        channels=tuple(names.to_list()),
        codes=codes,
        offsets=offsets,
        conversions=won.astype(np.float64),
        nulls=(~won).astype(np.float64),
        value=np.where(won, amount, 0.0),
    )
    return deals.select(OPPORTUNITY_ID, ACCOUNT_ID), encoded


def _concat(a: EncodedPaths, b: EncodedPaths) -> EncodedPaths:
    channels = tuple(sorted(set(a.channels) | set(b.channels)))
    pos = {c: i for i, c in enumerate(channels)}
    remap_a = np.array([pos[c] for c in a.channels], dtype=np.int32)
    remap_b = np.array([pos[c] for c in b.channels], dtype=np.int32)
    codes = np.concatenate(
        [
            remap_a[a.codes] if len(a.codes) else a.codes,
            remap_b[b.codes] if len(b.codes) else b.codes,
        ]
    )
    offsets = np.concatenate([a.offsets, b.offsets[1:] + a.offsets[-1]])
    return EncodedPaths(
        channels=channels,
        codes=codes.astype(np.int32),
        offsets=offsets,
        conversions=np.concatenate([a.conversions, np.zeros(b.n_paths)]),
        nulls=np.concatenate([a.nulls, b.nulls + b.conversions]),
        value=np.concatenate([a.value, np.zeros(b.n_paths)]),
    )


def journey_paths(
    journeys: pl.DataFrame | pl.LazyFrame, *, team: str | None = None, include_open: bool = False
) -> JourneyPaths:
    """Encode one path per closed deal (see :class:`JourneyPaths`)."""
    return JourneyPaths(journeys, team=team, include_open=include_open)


def spread_weight(weights: Mapping[str, float]) -> WeightFn:
    """Weight function spreading channel weights over a deal's touches (module docstring)."""
    keys = pl.Series(list(weights), dtype=pl.String)
    values = pl.Series([float(v) for v in weights.values()], dtype=pl.Float64)

    def weight(_: pl.LazyFrame) -> pl.Expr:
        w = pl.col(CHANNEL).cast(pl.String).replace_strict(keys, values, default=0.0)
        return w / pl.len().over(DEAL, CHANNEL)

    return weight


def spread(
    journeys: pl.DataFrame | pl.LazyFrame,
    weights: Mapping[str, float],
    *,
    team: str | None = None,
) -> pl.DataFrame:
    """Credits from channel weights (see the module docstring)."""
    return allocate(journeys, spread_weight(weights), team=team)
