"""The win model's data: per closed deal, its touches of every channel and its controls.

From journeys, every closed deal (won or lost, in ``opportunity_id`` order) gets its count
of touches per channel in its window, and three kinds of controls: the period it was
opened (quarter), a band of its amount (its quartile among the closed deals, within its
segment or other first given control) and, when given, what the caller knows about the
deal or its account (e.g. the segment). Given the
dataset, each deal also gets its speed-to-lead (hours from the account's first MQL to the
first sales touch after it, :func:`attribution.opportunity_features`): how fast sales
answered is part of what sales did, so the win model weighs it with the sales touches. A channel's
effect can be estimated only when its presence varies among both won and lost deals: one
present in (almost) every deal, or only in won (or only in lost) deals, has its effect
mixed up with the baseline or with the outcome itself (a sales touch recorded only when a
deal is won). Such a channel is left out of the win model and reported as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl

from attribution.data.dataset import Dataset
from attribution.data.schema import (
    ACCOUNT_ID,
    AMOUNT,
    CHANNEL,
    MARKETING,
    OPPORTUNITY_ID,
    SALES,
    TEAM,
    TOUCH_ID,
)
from attribution.errors import ParameterError, SchemaError
from attribution.journey.columns import OPPORTUNITY_CREATED_AT, STATUS
from attribution.journey.features import SPEED_TO_LEAD_HOURS, opportunity_features
from attribution.models.incremental.controls import control_frame, controls_of, given_of

__all__ = [
    "EXPOSURES",
    "Design",
    "Exposure",
    "build_design",
    "design_of",
    "exposure_of",
]

Exposure = Literal["auto", "log", "count", "presence"]
EXPOSURES: tuple[str, ...] = ("auto", "log", "count", "presence")


@dataclass(frozen=True)
class Design:
    """Every closed deal's touches per channel and controls, and which channels vary."""

    deals: pl.DataFrame
    """One row per closed deal, in ``opportunity_id`` order: id, account, ``won``, amount."""
    channels: tuple[str, ...]
    """Every channel touched in a closed deal's window, sorted."""
    teams: tuple[str, ...]
    """The team of each channel (the team most of its touches belong to)."""
    counts: np.ndarray
    """Touches per (deal, channel): deals x channels."""
    estimable: np.ndarray
    """Whether each channel's presence varies enough among won and lost deals."""
    presence: pl.DataFrame
    """Per channel: ``channel, team, won_deals, lost_deals, present_won, present_lost,
    estimable, reason`` (deals holding it, shares of won and lost deals holding it)."""
    controls: pl.DataFrame
    """Per deal: the categorical controls kept (rare levels merged, constant ones left out)."""
    exposure: Exposure
    speed: np.ndarray | None = None
    """Per deal: ``log1p(speed-to-lead in days)`` where sales answered an MQL, else 0
    (``None`` without the dataset, or when it never varies)."""
    group: np.ndarray | None = None
    """Per deal: its level of the first given control (e.g. its segment), by which channel
    effects may differ (``None`` without given controls)."""
    groups: tuple[str, ...] = ()
    """The levels of ``group``."""

    @property
    def won(self) -> np.ndarray:
        """Whether each deal was won."""
        won: np.ndarray = self.deals["won"].to_numpy()
        return won

    def x(self) -> np.ndarray:
        """Exposure of every deal to every channel (see :func:`exposure_of`)."""
        return exposure_of(self.counts, self.exposure)

    def is_team(self, team: str) -> np.ndarray:
        """Whether each channel belongs to ``team``."""
        return np.array([t == team for t in self.teams], dtype=bool)

    @property
    def counted(self) -> bool:
        """Whether the team terms count touches rather than channels present.

        Touches: ``log1p`` of a team's touches; channels present with ``exposure="presence"``.
        """
        return self.exposure != "presence"

    def team_parts(self, counts: np.ndarray) -> np.ndarray:
        """Return what each channel adds to its team's total: touches, or 1 if present."""
        return counts if self.counted else (counts > 0).astype(float)

    def team_totals(self, total: np.ndarray) -> np.ndarray:
        """Return a team's exposure from its total of :meth:`team_parts`: ``log1p`` or as it is."""
        out: np.ndarray = np.log1p(total) if self.counted else total
        return out


def exposure_of(counts: np.ndarray, exposure: str) -> np.ndarray:
    """Touches to exposure: ``log1p(touches)``, touches, or whether there was any (0/1).

    Examples
    --------
    >>> exposure_of(np.array([[0.0, 3.0]]), "presence").tolist()
    [[0.0, 1.0]]
    """
    if exposure == "log":
        logs: np.ndarray = np.log1p(counts)
        return logs
    if exposure == "presence":
        return (counts > 0).astype(float)
    out: np.ndarray = counts.astype(float)
    return out


def _speed(
    journeys: pl.DataFrame | pl.LazyFrame, dataset: Dataset | None, ids: pl.Series
) -> np.ndarray | None:
    """``log1p(speed-to-lead / 24 h)`` of each deal (0 without an answered MQL), or None."""
    if dataset is None or dataset.contacts is None:
        return None
    features = opportunity_features(dataset, journeys=journeys)
    hours = pl.col(SPEED_TO_LEAD_HOURS)
    speed = (
        pl.DataFrame({OPPORTUNITY_ID: ids})
        .join(features.select(OPPORTUNITY_ID, hours), on=OPPORTUNITY_ID, how="left")
        .select((hours.clip(lower_bound=0.0) / 24.0).log1p().fill_null(0.0))
        .to_series()
        .to_numpy()
    )
    return speed if speed.max() > speed.min() else None


def _closed_rows(journeys: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    lf = journeys.lazy()
    schema = lf.collect_schema()
    needed = (OPPORTUNITY_ID, ACCOUNT_ID, STATUS, AMOUNT, TOUCH_ID, CHANNEL, TEAM)
    missing = [c for c in needed if c not in schema]
    if missing:
        raise SchemaError(
            f"journeys: missing column(s) {', '.join(missing)}; build journeys with "
            "attribution.journeys(dataset)"
        )
    created = (
        pl.col(OPPORTUNITY_CREATED_AT)
        if OPPORTUNITY_CREATED_AT in schema
        else pl.lit(None, dtype=pl.Datetime("us", "UTC"))
    )
    return (
        lf.filter(pl.col(STATUS).is_in(["won", "lost"]))
        .select(
            pl.col(OPPORTUNITY_ID).cast(pl.String),
            pl.col(ACCOUNT_ID).cast(pl.String),
            (pl.col(STATUS) == "won").alias("won"),
            pl.col(AMOUNT).cast(pl.Float64),
            created.alias("_created"),
            pl.col(TOUCH_ID).cast(pl.String),
            pl.col(CHANNEL).cast(pl.String),
            pl.col(TEAM).cast(pl.String),
        )
        .collect()
    )


def _presence(
    counts: np.ndarray, won: np.ndarray, channels: list[str], teams: list[str], min_deals: int
) -> pl.DataFrame:
    present = counts > 0
    n_won, n_lost = int(won.sum()), int((~won).sum())
    won_deals = present[won].sum(axis=0)
    lost_deals = present[~won].sum(axis=0)
    frame = pl.DataFrame(
        {
            CHANNEL: channels,
            TEAM: teams,
            "won_deals": won_deals.astype(np.int64),
            "lost_deals": lost_deals.astype(np.int64),
        },
        schema={CHANNEL: pl.String, TEAM: pl.String, "won_deals": pl.Int64, "lost_deals": pl.Int64},
    )
    m = min_deals
    reason = (
        pl.when(pl.col("won_deals") < m)
        .then(pl.format("in only {} won deal(s)", pl.col("won_deals")))
        .when(pl.col("lost_deals") < m)
        .then(pl.format("in only {} lost deal(s)", pl.col("lost_deals")))
        .when(pl.lit(n_won) - pl.col("won_deals") < m)
        .then(pl.lit("in (almost) every won deal"))
        .when(pl.lit(n_lost) - pl.col("lost_deals") < m)
        .then(pl.lit("in (almost) every lost deal"))
    )
    return frame.with_columns(
        (pl.col("won_deals") / max(n_won, 1)).alias("present_won"),
        (pl.col("lost_deals") / max(n_lost, 1)).alias("present_lost"),
        reason.is_null().alias("estimable"),
        reason.alias("reason"),
    )


def build_design(
    journeys: pl.DataFrame | pl.LazyFrame,
    *,
    controls: Dataset | pl.DataFrame | None = None,
    exposure: Exposure = "auto",
    min_deals: int = 10,
) -> Design:
    """Build the win model's data from journeys (see the module docstring).

    Examples
    --------
    >>> import attribution as at
    >>> d = build_design(at.journeys(at.demo.generate(n_accounts=600, seed=1)))
    >>> d.counts.shape[0] == d.deals.height, d.channels[:2]
    (True, ('content', 'demo'))
    """
    if exposure not in EXPOSURES:
        raise ParameterError(f"exposure must be one of {', '.join(EXPOSURES)}; got {exposure!r}")
    if isinstance(min_deals, bool) or not isinstance(min_deals, int) or min_deals < 1:
        raise ParameterError(f"min_deals must be a whole number of at least 1, got {min_deals!r}")
    dataset = controls if isinstance(controls, Dataset) else None
    rows = _closed_rows(journeys)
    deals = (
        rows.group_by(OPPORTUNITY_ID)
        .agg(pl.col(ACCOUNT_ID, "won", AMOUNT, "_created").first())
        .sort(OPPORTUNITY_ID)
    )
    cells = (
        rows.filter(pl.col(TOUCH_ID).is_not_null() & pl.col(CHANNEL).is_not_null())
        .group_by(OPPORTUNITY_ID, CHANNEL, TEAM)
        .len()
    )
    speed = _speed(journeys, dataset, deals[OPPORTUNITY_ID])
    return design_of(
        deals, cells, controls=controls, exposure=exposure, min_deals=min_deals, speed=speed
    )


def design_of(
    deals: pl.DataFrame,
    cells: pl.DataFrame,
    *,
    controls: Dataset | pl.DataFrame | None = None,
    exposure: Exposure = "auto",
    min_deals: int = 10,
    speed: np.ndarray | None = None,
) -> Design:
    """Build the win model's data from closed deals and their touch counts.

    ``deals``: one row per closed deal (``opportunity_id, account_id, won, amount,
    _created``), sorted by ``opportunity_id``; ``cells``: touches per deal, channel and
    team (``opportunity_id, channel, team, len``). :func:`build_design` sums them from
    journeys, the Spark engine in Spark; ``speed`` is each deal's speed-to-lead term.
    """
    extra = control_frame(controls)
    team_of = (
        cells.group_by(CHANNEL, TEAM)
        .agg(pl.col("len").sum())
        .sort([CHANNEL, "len", TEAM], descending=[False, True, False])
        .unique(CHANNEL, keep="first", maintain_order=True)
    )
    channels = team_of[CHANNEL].to_list()
    teams = [t if t in (MARKETING, SALES) else MARKETING for t in team_of[TEAM].to_list()]
    counts = np.zeros((deals.height, len(channels)))
    if channels:
        per_cell = cells.group_by(OPPORTUNITY_ID, CHANNEL).agg(pl.col("len").sum())
        deal_at = deals[OPPORTUNITY_ID].search_sorted(per_cell[OPPORTUNITY_ID]).to_numpy()
        channel_at = per_cell[CHANNEL].cast(pl.Enum(channels)).to_physical().to_numpy()
        counts[deal_at, channel_at.astype(np.int64)] = per_cell["len"].to_numpy()
    won = deals["won"].to_numpy()
    presence = _presence(counts, won, channels, teams, min_deals)
    given = given_of(deals, extra)
    group, groups = None, ()
    if given.width:
        levels = given.to_series(0)
        groups = tuple(sorted(levels.unique().to_list()))
        group = levels.cast(pl.Enum(groups)).to_physical().to_numpy().astype(np.int64)
    return Design(
        deals=deals.select(OPPORTUNITY_ID, ACCOUNT_ID, "won", AMOUNT),
        channels=tuple(channels),
        teams=tuple(teams),
        counts=counts,
        estimable=presence["estimable"].to_numpy(),
        presence=presence,
        controls=controls_of(deals, extra, deals["won"]),
        exposure="log" if exposure == "auto" else exposure,
        speed=speed,
        group=group if len(groups) > 1 else None,
        groups=groups if len(groups) > 1 else (),
    )
