"""The tables of a revenue split: components, Shapley shares, channel groups, per deal.

From v(S), the fitted expected revenue of the closed deals when only the players in S keep
their touches (at the point estimates and per coefficient draw), the components are
baseline = v(none), marketing = v(M) - v(none), sales = v(S) - v(none) and joint =
v(M,S) - v(M) - v(S) + v(none); each gets its share of v(both) and percentile intervals
over the draws.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from attribution._intervals import quantiles
from attribution.data.schema import MARKETING, SALES
from attribution.estimates.counterfactual import Split, shapley

__all__ = [
    "COMPONENTS",
    "SHAPLEY",
    "SplitTables",
    "components",
    "empty_table",
    "group_table",
    "per_deal",
    "reconciliation",
    "split_tables",
    "summary",
]

COMPONENTS: tuple[str, ...] = ("baseline", MARKETING, SALES, "joint")
SHAPLEY: tuple[str, ...] = ("baseline", MARKETING, SALES)
"""Rows of the Shapley table: each team with half the joint term."""
_HALF_JOINT = np.array([[1, 0, 0, 0], [0, 1, 0, 0.5], [0, 0, 1, 0.5]])  # Shapley per team
_V_NAMES = ("v_none", "v_marketing", "v_sales", "v_both")
_RECONCILIATION = ("expected revenue, v(both)", "booked revenue", "gap", "gap share")
_TABLE_SCHEMA = {
    "component": pl.String,
    "revenue": pl.Float64,
    "revenue_ci_low": pl.Float64,
    "revenue_ci_high": pl.Float64,
    "share": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
}


def components(v: np.ndarray) -> np.ndarray:
    """Rows v(none), v(M), v(S), v(both) -> baseline, marketing, sales, joint.

    Examples
    --------
    >>> components(np.array([[1.0], [3.0], [4.0], [10.0]]))[:, 0].tolist()
    [1.0, 2.0, 3.0, 4.0]
    """
    v0, vm, vs, vb = v
    return np.array([v0, vm - v0, vs - v0, vb - vm - vs + v0])


def summary(
    names: Sequence[str],
    point: np.ndarray,
    draws: np.ndarray,
    total_point: float,
    total_draws: np.ndarray,
    level: float,
) -> pl.DataFrame:
    """Point estimates with percentile intervals of revenue and share over the draws."""
    lo_q, hi_q = quantiles(level)
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


def empty_table(names: Sequence[str]) -> pl.DataFrame:
    """Return the table's rows ``names`` with every number empty.

    Examples
    --------
    >>> empty_table(["baseline"]).row(0)
    ('baseline', None, None, None, None, None, None)
    """
    return pl.DataFrame(
        [(n, *([None] * (len(_TABLE_SCHEMA) - 1))) for n in names],
        schema=_TABLE_SCHEMA,
        orient="row",
    )


def group_table(table: pl.DataFrame, team: Mapping[str, str]) -> pl.DataFrame:
    """Name a table's rows ``group`` and add the ``team`` of each group."""
    out = table.rename({"component": "group"})
    return out.insert_column(1, pl.Series("team", [team[g] for g in out["group"]]))


def reconciliation(expected: float | None, booked: float) -> pl.DataFrame:
    """Return fitted expected revenue, booked revenue, the gap and its share of booked.

    Examples
    --------
    >>> reconciliation(90.0, 100.0)["value"].to_list()
    [90.0, 100.0, -10.0, -0.1]
    """
    gap = None if expected is None else expected - booked
    share = None if gap is None or not booked else gap / booked
    return pl.DataFrame(
        {"metric": list(_RECONCILIATION), "value": [expected, booked, gap, share]},
        schema={"metric": pl.String, "value": pl.Float64},
    )


@dataclass(frozen=True)
class SplitTables:
    """The split's tables and the fitted expected revenue v(both) they divide."""

    table: pl.DataFrame
    shapley: pl.DataFrame
    groups: pl.DataFrame | None
    expected: float


def split_tables(
    split: Split,
    point: tuple[np.ndarray, np.ndarray],
    draws: tuple[np.ndarray, np.ndarray],
    level: float,
) -> SplitTables:
    """Compute the components, the teams' Shapley shares and the groups' Shapley values.

    ``point`` holds the two models' estimated coefficients, ``draws`` their draws (one row
    each; none for no intervals).
    """
    subsets = split.subsets()
    at = {s: i for i, s in enumerate(subsets)}
    v_point = split.values(subsets, point[0][None, :], point[1][None, :])
    v_draws = (
        split.values(subsets, draws[0], draws[1], dtype=np.float32)
        if draws[0].shape[0]
        else np.empty((len(subsets), 0))
    )
    team_rows = [at[s] for s in split.team_subsets]
    comp_point = components(v_point[team_rows])[:, 0]
    comp_draws = components(v_draws[team_rows])
    total = (float(v_point[team_rows[3], 0]), v_draws[team_rows[3]])
    table = summary(COMPONENTS, comp_point, comp_draws, *total, level)
    shap = summary(
        SHAPLEY,
        _HALF_JOINT @ comp_point,
        _HALF_JOINT @ comp_draws if comp_draws.size else comp_draws[:3],
        *total,
        level,
    )
    groups = None
    if split.game.group_terms:
        players = split.game.players
        phi_point = shapley(players, {s: v_point[at[s]] for s in subsets})
        phi_draws = shapley(players, {s: v_draws[at[s]] for s in subsets})
        groups = group_table(
            summary(
                players,
                np.array([phi_point[p][0] for p in players]),
                np.array([phi_draws[p] for p in players]),
                *total,
                level,
            ),
            split.game.team,
        )
    return SplitTables(table, shap, groups, float(comp_point.sum()))


def per_deal(
    closed: pl.DataFrame, split: Split, point: tuple[np.ndarray, np.ndarray]
) -> pl.DataFrame:
    """Add each deal's ``p_win``, ``expected_amount`` and v(none)...v(both) to the deals."""
    values: dict[str, np.ndarray] = {}
    for name, kept in zip(_V_NAMES, split.team_subsets, strict=True):
        p, mu = split.per_deal(kept, *point)
        values[name] = p * mu
    values["p_win"], values["expected_amount"] = split.per_deal(split.team_subsets[3], *point)
    return closed.with_columns(
        [pl.Series(k, values[k]) for k in ("p_win", "expected_amount", *_V_NAMES)]
    )
