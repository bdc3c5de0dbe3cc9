"""The models and goals sections of a params file, and the notebooks that read them."""

from __future__ import annotations

from pathlib import Path

import papermill
import pytest
from helpers import REAL_DATA, ROOT

from attribution import ParameterError
from attribution.models.compare import DEFAULT_MODELS
from attribution.report.params import RUNNER_PARAMETERS, load_params, parse_params
from attribution.report.sections import RunParams


def _declared(name: str) -> set[str]:
    return set(papermill.inspect_notebook(str(ROOT / "notebooks" / f"{name}.ipynb")))


def test_defaults() -> None:
    p = RunParams()
    assert p.models.models == list(DEFAULT_MODELS) and p.intervals.level == 0.9
    assert p.intervals.draws == 500 and p.models.custom_weights == {}
    assert p.goals.sla_hours is None and p.goals.response_bins_hours == [1, 4, 24, 72]
    assert parse_params({}).goals.sla_hours == 24, "the agreed definitions own the SLA"
    assert p.goals.interval == "simulation" and p.goals.channel_groups == {}


def test_the_notebooks_read_their_settings_from_the_run() -> None:
    """A page takes only what the runner sets; every setting comes from the run's params."""
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        declared = _declared(path.stem)
        assert declared - {"params"} <= set(RUNNER_PARAMETERS), path.name
        assert {"data_dir", "params", "tables_dir"} <= declared, path.name


def test_values_are_typed() -> None:
    p = parse_params(
        {
            "models": {"models": ["linear", "markov"], "markov_order": 2, "half_life_days": 3},
            "goals": {"response_bins_hours": [2, 8], "channel_groups": {"paid": ["ads"]}},
        }
    )
    assert p.models.models == ["linear", "markov"] and p.models.half_life_days == 3.0
    assert p.goals.response_bins_hours == [2.0, 8.0]
    assert p.goals.channel_groups == {"paid": ["ads"]}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"models": {"models": ["markow"]}}, "models.models[0]: expected one of"),
        ({"models": {"models": ["markow"]}}, "did you mean 'markov'?"),
        ({"models": {"models": []}}, "models.models: must not be empty"),
        ({"models": {"models": ["linear", "linear"]}}, "lists linear twice"),
        ({"models": {"models": ["custom"]}}, "custom model needs milestone weights"),
        ({"models": {"custom_weights": {"frist": 1}}}, "did you mean 'first'?"),
        ({"models": {"custom_weights": {"close": -1}}}, "must be at least 0"),
        ({"intervals": {"draws": 5}}, "intervals.draws: must be at least 20"),
        ({"models": {"n_boot": 200}}, "models.n_boot: has moved to 'intervals.draws'"),
        ({"goals": {"level": 0.8}}, "goals.level: has moved to 'intervals.level'"),
        ({"models": {"markov_order": 9}}, "models.markov_order: must be at most 4"),
        ({"intervals": {"level": 1.5}}, "intervals.level: must be at most 0.99"),
        ({"goals": {"interval": "bootstrp"}}, "did you mean 'bootstrap'?"),
        ({"goals": {"sla_hours": 0}}, "goals.sla_hours: must be at least 0.1"),
        ({"goals": {"response_bins_hours": [4, 1]}}, "must be increasing positive hours"),
        ({"goals": {"channel_groups": {"a": ["x"], "b": ["x"]}}}, "already in group 'a'"),
        ({"goals": {"channel_groups": {"a": []}}}, "goals.channel_groups.a: lists no channel"),
        (
            {"goals": {"channel_groups": {str(i): [str(i)] for i in range(7)}}},
            "at most 6 groups",
        ),
        ({"goals": {"score_outcome": "revenue"}}, "expected one of 'opportunity', 'won'"),
        ({"goals": {"sla_hour": 4}}, "did you mean 'sla_hours'?"),
        ({"sla_hours": 4}, "did you mean 'goals.sla_hours'?"),
    ],
)
def test_mistakes_are_named(data: dict, expected: str) -> None:
    with pytest.raises(ParameterError) as err:
        parse_params(data)
    assert expected in str(err.value)


def test_every_shipped_params_file_loads() -> None:
    for name in ("default", "ci", "example_own_data", "olist"):
        p = load_params(ROOT / "params" / f"{name}.yaml")
        assert p.run_name in {"demo", "ci", "q3", "olist"}
    olist = load_params(ROOT / "params" / "olist.yaml")
    assert olist.source.path is not None
    assert Path(olist.source.path).resolve() == (REAL_DATA / "olist_marketing_funnel").resolve()
    assert olist.source.mapping == str(ROOT / "params" / "mappings" / "olist.yaml")
    assert olist.report.currency == "R$" and olist.goals.score_outcome == "won"
    example = load_params(ROOT / "params" / "example_own_data.yaml")
    assert "custom" in example.models.models and example.models.custom_weights
    ci = load_params(ROOT / "params" / "ci.yaml")
    assert ci.intervals.draws < RunParams().intervals.draws and ci.goals.channel_groups
