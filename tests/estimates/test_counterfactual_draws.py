"""The counterfactual engine's fast path for many draws equals evaluating each draw alone."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest

from attribution.estimates import counterfactual as cf


def split(n: int, seed: int) -> cf.Split:
    rng = np.random.default_rng(seed)
    marketing = rng.poisson(3.0, n).astype(float)
    sales = rng.poisson(1.0, n).astype(float) * (rng.random(n) < 0.6)
    speed = np.where(rng.random(n) < 0.5, np.log1p(rng.exponential(30.0, n) / 24), 0.0)
    game = cf.Game(
        players=("marketing", "sales"),
        team={"marketing": "marketing", "sales": "sales"},
        counts={"marketing": marketing, "sales": sales},
        speed=speed,
        no_mql=(rng.random(n) < 0.2).astype(float),
        group_terms={},
    )
    segment = rng.integers(0, 3, n)
    controls = np.column_stack([np.ones(n), segment == 1, segment == 2]).astype(float)
    observed = game.terms(frozenset(game.players))
    win_terms = [cf.LM, cf.LS, cf.INTER, cf.SPEED, cf.NO_MQL]
    win = cf.Linear.of(
        np.column_stack([controls, *(observed[t] for t in win_terms)]),
        ["Intercept", "s1", "s2", *win_terms],
        win_terms,
    )
    amount = cf.Linear.of(
        np.column_stack([controls, observed[cf.LM], observed[cf.LS]]),
        ["Intercept", "s1", "s2", cf.LM, cf.LS],
        [cf.LM, cf.LS],
    )
    return cf.Split(game=game, win=win, amount=amount)


@pytest.mark.parametrize("seed", [0, 1])
def test_many_draws_equal_each_draw_alone(seed: int) -> None:
    s = split(3000, seed)
    rng = np.random.default_rng(seed + 10)
    b_win = rng.normal(0.0, 0.3, (40, 8))
    b_amount = rng.normal(0.0, 0.2, (40, 5))
    subsets = list(s.team_subsets)
    alone = np.column_stack(
        [s.values(subsets, b_win[i : i + 1], b_amount[i : i + 1])[:, 0] for i in range(40)]
    )
    with mock.patch.object(cf, "_CELLS", 1000):  # many draws: blocks of deals, equal rows once
        grouped = s.values(subsets, b_win, b_amount)
        assert s._distinct_rows(s.game.terms(frozenset())) is not None  # rows were grouped
    np.testing.assert_allclose(grouped, alone, rtol=1e-12)
