"""Without agreement files, data other than the demo's gets no demo agreement."""

from __future__ import annotations

import pytest

import attribution as at
from attribution.alignment.not_agreed import not_agreed
from attribution.report.params import parse_params


def test_the_unagreed_scorecard_has_the_real_ones_columns(demo_small: at.Dataset) -> None:
    real = at.scorecard(demo_small)  # the demo takes the shipped example
    empty = not_agreed(["definitions", "targets"], real.as_of)
    for name in ("table", "history", "sla", "reps", "campaigns"):
        assert getattr(empty, name).schema == getattr(real, name).schema, name
    assert empty.display().columns == real.display().columns
    assert empty.sla_long().columns == real.sla_long().columns
    assert empty.ranking("reps").columns == real.ranking("reps").columns
    assert empty.kpi_table().columns == real.kpi_table().columns
    assert "attribution init" in empty.summary().markdown
    assert empty.agreements_markdown() == empty.unagreed
    assert "nothing to compare" in empty.drift_markdown()
    assert "agreed response time" not in empty.rankings_markdown()


def test_only_the_demo_falls_back_to_the_shipped_example(demo_small: at.Dataset) -> None:
    own = at.Dataset(touches=demo_small.touches, opportunities=demo_small.opportunities)
    with pytest.raises(at.ParameterError, match="describes the built-in demo data only"):
        at.scorecard(own)
    with pytest.raises(at.ParameterError, match="attribution init` drafts one"):
        at.apply_definitions(own)


def test_a_run_on_other_data_names_no_agreement_and_keeps_an_sla() -> None:
    demo = parse_params({})
    assert demo.scorecard.definitions and demo.scorecard.definitions.endswith("definitions.yaml")
    own = parse_params({"source": {"path": "exports/"}})
    assert own.scorecard.definitions is None and own.scorecard.targets is None
    assert own.goals.sla_hours == 24.0
    assert parse_params({"source": {"path": "x"}, "goals": {"sla_hours": 8}}).goals.sla_hours == 8
