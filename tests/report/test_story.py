"""The summary's story: the estimate and the models answer different questions, apart."""

from __future__ import annotations

import dataclasses
import warnings

import polars as pl
import pytest

import attribution as at
from attribution.estimates.contributions import ContributionResult
from attribution.models.compare.comparison import Comparison
from attribution.report.story import model_team_shares, team_story, team_table


@pytest.fixture(scope="module")
def split(demo_medium: at.Dataset) -> ContributionResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", at.EstimateWarning)
        return at.contributions(demo_medium, draws=40)


def _shares(result: ContributionResult, m: tuple, s: tuple) -> ContributionResult:
    rows = {"baseline": (0.2, 0.1, 0.3), "marketing": m, "sales": s}
    table = result.shapley.with_columns(
        pl.col("component").replace_strict({k: v[0] for k, v in rows.items()}).alias("share"),
        pl.col("component").replace_strict({k: v[1] for k, v in rows.items()}).alias("ci_low"),
        pl.col("component").replace_strict({k: v[2] for k, v in rows.items()}).alias("ci_high"),
    )
    return dataclasses.replace(result, shapley=table)


def _credited(markov: tuple[float, float]) -> Comparison:
    table = pl.DataFrame(
        {"team": ["marketing", "sales"], "linear": [40.0, 60.0], "markov": list(markov)}
    )
    return Comparison(table=table)


def test_both_marketing_numbers_stand_side_by_side_with_their_definitions(
    split: ContributionResult,
) -> None:
    table = team_table(split)
    assert table["measure"].to_list() == ["own part", "share (own part + half the joint work)"]
    assert "scorecard" in table["definition"][0] and "100%" in table["definition"][1]


def test_the_story_names_which_number_answers_which_question(split: ContributionResult) -> None:
    clear = _shares(split, (0.3, 0.25, 0.35), (0.5, 0.4, 0.6))
    text = team_story(clear, _credited((54.0, 46.0)))
    assert text.index("How much does each team add?") < text.index("Who touched")
    assert "Markov 54% / 46%" in text and "not what a team caused" in text
    assert "They disagree here" in text and "Markov credit marketing more" in text
    agreeing = team_story(clear, _credited((40.0, 60.0)))
    assert "disagree" not in agreeing


def test_no_disagreement_is_claimed_when_the_estimate_cannot_rank_the_teams(
    split: ContributionResult,
) -> None:
    overlapping = _shares(split, (0.35, 0.2, 0.5), (0.45, 0.3, 0.6))
    assert "disagree" not in team_story(overlapping, _credited((60.0, 40.0)))


def test_an_unsupported_estimate_says_why_and_still_reports_the_models(
    split: ContributionResult,
) -> None:
    unsupported = dataclasses.replace(
        split,
        supported=False,
        diagnostics=dataclasses.replace(split.diagnostics, warnings=("too few deals",)),
    )
    text = team_story(unsupported, _credited((50.0, 50.0)))
    assert "Not estimated" in text and "Who touched" in text
    assert "too few deals" not in text  # the estimate's own cautions, shown just above, say it
    assert model_team_shares(_credited((30.0, 10.0)))["markov"] == (0.75, 0.25)


def test_the_funnel_and_the_headline_reconcile(demo_medium: at.Dataset) -> None:
    from attribution.report.reconcile import (
        funnel_reconciliation,
        funnel_reconciliation_markdown,
    )

    j = at.journeys(demo_medium)
    table = funnel_reconciliation(demo_medium, j)
    won = j.filter(pl.col("status") == "won").unique("opportunity_id")
    total = table.row(table.height - 1, named=True)
    assert total["won_deals"] == won.height
    assert total["won_revenue"] == pytest.approx(won["amount"].sum())
    funnel_won = at.funnel(demo_medium).filter(pl.col("stage") == "won").row(0, named=True)
    inside = table.row(0, named=True)
    assert inside["accounts"] == funnel_won["accounts"]
    assert inside["won_revenue"] == pytest.approx(funnel_won["revenue"])
    text = funnel_reconciliation_markdown(table, currency="€")
    assert "accounts with no lead" in text and "€" in text
