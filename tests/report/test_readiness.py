"""Which sections the data supports: decided once in the package, shown where they are."""

from __future__ import annotations

import dataclasses
import warnings

import polars as pl
import pytest

import attribution as at
from attribution.report.readiness import SECTIONS, readiness
from attribution.report.sections import RunParams, ScorecardFiles
from attribution.report.shared import RunData


@pytest.fixture(scope="module")
def demo() -> at.Dataset:
    return at.demo.generate(n_accounts=600, seed=2)


def _supported(r: object) -> dict[str, bool]:
    table = r.table  # type: ignore[attr-defined]
    return dict(zip(table["key"], table["supported"], strict=True))


def test_the_demo_supports_every_section(demo: at.Dataset) -> None:
    r = readiness(demo, agreed=True)
    assert all(_supported(r).values())
    assert set(r.table["key"]) == {s[0] for s in SECTIONS}
    assert all(r.needs(k) == "" for k in r.table["key"])


def test_without_contacts_the_hand_off_sections_say_they_need_them(demo: at.Dataset) -> None:
    r = readiness(dataclasses.replace(demo, contacts=None), agreed=True)
    off = {k for k, ok in _supported(r).items() if not ok}
    hand_off = {"funnel", "speed_to_lead", "sla_cost", "lead_score", "sla_view", "drift"}
    assert off == hand_off | {"disqualified", "buying_group"}  # the sales-insight page's
    note = r.needs("funnel")
    assert note.startswith("> **Not shown: this needs the contacts table")
    assert "To add it: add contacts.csv" in note


def test_contacts_without_mql_dates_need_them_for_the_hand_off(demo: at.Dataset) -> None:
    contacts = demo.contacts.with_columns(pl.lit(None, dtype=at.schema.TIMESTAMP).alias("mql_at"))
    r = readiness(dataclasses.replace(demo, contacts=contacts), agreed=True)
    assert not r.supported("speed_to_lead") and not r.supported("sla_cost")
    assert r.supported("funnel")
    assert "contacts.mql_at" in r.needs("sla_cost")


def test_one_team_only_cannot_be_split(demo: at.Dataset) -> None:
    sales_only = demo.touches.filter(pl.col("team") == "sales")
    r = readiness(dataclasses.replace(demo, touches=sales_only), agreed=True)
    assert not r.supported("team_split") and not r.supported("contributions")
    assert "marketing touches" in r.needs("team_split")


def test_caveats_are_shown_as_notes_not_as_missing_sections(demo: at.Dataset) -> None:
    unlinked = demo.touches.with_columns(pl.lit(None, dtype=pl.String).alias("opportunity_id"))
    counted = dataclasses.replace(demo, touches=unlinked, count_only=True)
    r = readiness(counted, agreed=False)
    assert r.supported("amounts") and r.supported("journeys")
    assert r.needs("amounts").startswith("> **Note: this data lacks deal amounts")
    assert "touches.opportunity_id" in r.needs("journeys")
    assert not r.supported("targets") and "attribution init" in r.needs("targets")


def test_an_unknown_section_is_a_clear_error(demo: at.Dataset) -> None:
    with pytest.raises(at.ParameterError, match="did you mean 'funnel'"):
        readiness(demo, agreed=True).needs("funel")


def test_a_page_reads_empty_tables_and_unsupported_estimates_without_warnings(
    demo: at.Dataset,
) -> None:
    params = dataclasses.replace(RunParams(), scorecard=ScorecardFiles())
    params = dataclasses.replace(params, intervals=dataclasses.replace(params.intervals, draws=40))
    full = RunData(params, demo)
    run = RunData(params, dataclasses.replace(demo, contacts=None))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning: the section's note says why
        funnel = run.funnel()
        speed = run.speed_to_lead("rep")
        cost = run.sla_cost()
        score = run.lead_scores()
    assert funnel.is_empty() and funnel.columns == full.funnel().columns
    assert speed.is_empty() and speed.columns == full.speed_to_lead("rep").columns
    assert not cost.supported and cost.table.is_empty()
    assert not score.supported and score.table.is_empty()
    card = run.scorecard()
    assert card.unagreed and card.table.is_empty()
