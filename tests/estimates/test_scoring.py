"""Lead-score weights: recovery of the demo's true weights and the comparison with the score."""

from __future__ import annotations

import polars as pl
import pytest
from scipy.stats import spearmanr

import attribution as at


@pytest.fixture(scope="module")
def scored() -> tuple[at.Dataset, at.LeadScoreResult]:
    ds = at.demo.generate(n_accounts=20_000, seed=21)
    return ds, at.lead_score_weights(ds)


def test_learned_weights_recover_the_order_of_the_true_ones(scored) -> None:
    ds, s = scored
    truth = ds.truth.params.opportunity_weights
    assert set(s.table["behaviour"]) == set(truth)
    rho = spearmanr([truth[b] for b in s.table["behaviour"]], s.table["weight"]).statistic
    assert rho > 0.8
    top = s.table.row(0, named=True)
    assert top["behaviour"] in ("event", "webinar") and top["points"] == 20
    assert s.table["points"].max() == 20 and s.table["points"].min() >= -20
    assert (s.table["ci_low"] <= s.table["weight"]).all()


def test_the_learned_score_beats_the_current_score_on_held_out_leads(scored) -> None:
    _, s = scored
    auc = dict(s.auc.select("score", "auc").iter_rows())
    assert auc["learned"] > auc["current"] + 0.03
    assert s.auc["n"][0] == s.auc["n"][1] > 1_000
    deciles = s.deciles.filter(pl.col("score") == "learned")
    assert deciles.height == 10 and deciles["leads"].sum() == s.auc["n"][0]
    assert deciles["rate"][-1] > deciles["rate"][0]
    assert s.diagnostics.n > 5_000 and "Predictive" in s.note


def test_won_outcome_and_followed_up_population(scored) -> None:
    ds, s = scored
    followed = at.lead_score_weights(ds, population="followed_up", outcome="won")
    assert followed.supported and followed.diagnostics.n < s.diagnostics.n
    by_activity = at.lead_score_weights(ds, by="activity")
    assert "webinar attended" in by_activity.table["behaviour"].to_list()


def test_unsupported_outcomes_warn_instead_of_scoring(demo_medium: at.Dataset) -> None:
    # keep only leads whose account opened an opportunity after their MQL: all convert
    first_opp = demo_medium.opportunities.group_by("account_id").agg(
        pl.col("created_at").min().alias("opened")
    )
    contacts = (
        demo_medium.contacts.join(first_opp, on="account_id")
        .filter(pl.col("mql_at") <= pl.col("opened"))
        .drop("opened")
    )
    ds = at.Dataset(
        touches=demo_medium.touches,
        opportunities=demo_medium.opportunities,
        contacts=contacts,
        accounts=demo_medium.accounts,
    )
    with pytest.warns(at.EstimateWarning, match="every MQL converted"):
        s = at.lead_score_weights(ds)
    assert not s.supported and s.table.height == 0 and s.model is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"outcome": "mql"}, "outcome"),
        ({"by": "campaign"}, "by must be"),
        ({"population": "all"}, "population"),
        ({"holdout": 0.95}, "holdout"),
        ({"holdout": "0.3"}, "holdout"),
        ({"max_points": 0}, "max_points"),
    ],
)
def test_bad_parameters_are_parameter_errors(demo_small: at.Dataset, kwargs, message) -> None:
    with pytest.raises(at.ParameterError, match=message):
        at.lead_score_weights(demo_small, **kwargs)
