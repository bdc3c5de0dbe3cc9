"""Run parameters: the schema, every kind of mistake, paths, and the shipped params files."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from attribution import ParameterError
from attribution.config import ParamProblem
from attribution.report.params import load_params, parse_params
from attribution.report.sections import (
    DemoSource,
    ReportOptions,
    RunParams,
    ScorecardFiles,
    Source,
    Window,
)


def _problems(data: object, **kwargs: object) -> list[str]:
    with pytest.raises(ParameterError) as info:
        parse_params(data, **kwargs)  # type: ignore[arg-type]
    problems = info.value.problems
    assert all(isinstance(p, ParamProblem) for p in problems)
    assert str(info.value).startswith(f"{len(problems)} problem")
    return [p.render() for p in problems]


def test_defaults_are_the_demo_data() -> None:
    p = parse_params(None)
    assert p.source == Source(demo=DemoSource())
    assert p.window == Window() and p.report == ReportOptions()
    assert parse_params({}) == p


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"window": {"lookbak_days": 90}},
            "window.lookbak_days: unknown key; did you mean 'lookback_days'?",
        ),
        ({"sorce": {}}, "sorce: unknown key; did you mean 'source'?"),
        (
            {"source": {"demo": {"acounts": 5}}},
            "source.demo.acounts: unknown key; did you mean 'accounts'?",
        ),
        ({"lookback_days": 90}, "lookback_days: unknown key; did you mean 'window.lookback_days'?"),
        ({"report": {"curency": "€"}}, "report.curency: unknown key; did you mean 'currency'?"),
        ({"window": {"zzz": 1}}, "window.zzz: unknown key; valid keys here: lookback_days, as_of"),
    ],
)
def test_unknown_keys_name_the_path_and_the_closest_valid_key(data: dict, expected: str) -> None:
    assert _problems(data) == [expected]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"source": {"demo": {"accounts": "many"}}},
            "source.demo.accounts: expected an integer, got 'many' (text)",
        ),
        (
            {"source": {"demo": {"accounts": 2.5}}},
            "source.demo.accounts: expected an integer, got 2.5 (a number)",
        ),
        (
            {"source": {"demo": {"seed": True}}},
            "source.demo.seed: expected an integer, got True (a boolean)",
        ),
        (
            {"window": {"lookback_days": "long"}},
            "window.lookback_days: expected a number, got 'long' (text)",
        ),
        (
            {"window": {"as_of": "yesterday"}},
            "window.as_of: expected a timestamp such as 2026-03-31",
        ),
        ({"title": 3}, "title: expected text, got 3 (an integer)"),
        (
            {"notebooks": "00_summary"},
            "notebooks: expected a list of text, got '00_summary' (text)",
        ),
        ({"notebooks": ["00_summary", 1]}, "notebooks[1]: expected text, got 1 (an integer)"),
        (
            {"window": [1, 2]},
            "window: expected a section (mapping) with keys: lookback_days, as_of",
        ),
        (
            {"source": {"path": "x", "lazy": "yes"}},
            "source.lazy: expected a boolean, got 'yes' (text)",
        ),
        (
            {"source": {"path": "x", "columns": {"touches": ["a"]}}},
            "source.columns.touches: expected a mapping of text to text",
        ),
    ],
)
def test_wrong_types_say_what_was_expected_and_what_was_given(data: dict, expected: str) -> None:
    (found,) = _problems(data)
    assert found.startswith(expected)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"window": {"lookback_days": -1}}, "window.lookback_days: must be at least 0, got -1.0"),
        ({"source": {"demo": {"accounts": 0}}}, "source.demo.accounts: must be at least 1, got 0"),
        ({"report": {"top_paths": 500}}, "report.top_paths: must be at most 50, got 500"),
        ({"report": {"currency": ""}}, "report.currency: must not be empty"),
        ({"run_name": "q3/../../etc"}, "run_name: must be a name of letters, digits"),
        (
            {"source": {"path": "x", "time_zone": "Mars/Olympus"}},
            "source.time_zone: time_zone='Mars/Olympus' is not an IANA",
        ),
        (
            {"source": {"path": "x", "tables": {"touchs": "a"}}},
            "source.tables.touchs: unknown table; did you mean 'touches'?",
        ),
    ],
)
def test_values_out_of_range_are_refused(data: dict, expected: str) -> None:
    (found,) = _problems(data)
    assert found.startswith(expected)


def test_every_problem_is_listed_at_once() -> None:
    found = _problems(
        {
            "sorce": 1,
            "window": {"lookback_days": "x", "as_of": 5},
            "report": {"top_paths": 0},
            "source": {"demo": {"accounts": -1}},
        },
        where="q3.yaml",
    )
    assert [f.split(":")[0] for f in found] == [
        "sorce",
        "source.demo.accounts",
        "window.lookback_days",
        "window.as_of",
        "report.top_paths",
    ]
    with pytest.raises(ParameterError, match=r"^5 problems in q3.yaml; nothing was run:\n  1\. "):
        parse_params(
            {
                "sorce": 1,
                "window": {"lookback_days": "x", "as_of": 5},
                "report": {"top_paths": 0},
                "source": {"demo": {"accounts": -1}},
            },
            where="q3.yaml",
        )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ({"demo": {}, "path": "x"}, "source: give one of demo, path or url_env, not demo and path"),
        ({"path": "x", "url_env": "DB"}, "source: give one of demo, path or url_env"),
        ({"url_env": "DB URL"}, "source.url_env: must be the name of an environment variable"),
        (
            {"demo": {}, "time_zone": "Europe/Berlin"},
            "source.time_zone: applies to a path source only",
        ),
        (
            {"demo": {}, "columns": {"touches": {"a": "b"}}},
            "source.columns: applies to a path source only",
        ),
    ],
)
def test_the_source_names_one_kind_of_data(source: dict, expected: str) -> None:
    (found,) = _problems({"source": source})
    assert found.startswith(expected)


def test_a_source_naming_no_data_reads_the_url_from_the_environment() -> None:
    assert parse_params({"source": {}}).source.url_env == "ATTRIBUTION_DB_URL"
    assert parse_params({"source": {"url_env": "CRM_DB"}}).source.url_env == "CRM_DB"
    assert parse_params({}).source.url_env is None  # no source section: the demo data


def test_a_top_level_that_is_not_a_mapping_is_refused() -> None:
    assert _problems([1, 2]) == [
        "(top level): expected a mapping of keys to values, got [1, 2] (a list)"
    ]


def test_timestamps_are_read_as_utc() -> None:
    for given_value, expected in [
        ("2026-03-31", datetime(2026, 3, 31, tzinfo=UTC)),
        ("2026-03-31T18:00:00Z", datetime(2026, 3, 31, 18, tzinfo=UTC)),
        ("2026-03-31T20:00:00+02:00", datetime(2026, 3, 31, 18, tzinfo=UTC)),
        (datetime(2026, 3, 31).date(), datetime(2026, 3, 31, tzinfo=UTC)),
    ]:
        assert parse_params({"window": {"as_of": given_value}}).window.as_of == expected


def test_relative_paths_resolve_against_the_params_folder(tmp_path: Path) -> None:
    p = parse_params(
        {"source": {"path": "../data/crm", "mapping": "maps/hubspot.yaml"}},
        base_dir=tmp_path / "params",
    )
    assert p.source.path == str(tmp_path / "data" / "crm")
    assert p.source.mapping == str(tmp_path / "params" / "maps" / "hubspot.yaml")
    assert p.notebooks_dir is None  # the pages shipped with the package
    assert p.output_dir == str(tmp_path / "outputs")
    for url, expected in [
        ("sqlite:///crm.db", f"sqlite:///{tmp_path / 'params' / 'crm.db'}"),
        ("duckdb:///../crm.duckdb", f"duckdb:///{tmp_path / 'crm.duckdb'}"),
        ("sqlite:////abs/crm.db", "sqlite:////abs/crm.db"),
        ("postgresql://ann:pw@db/crm", "postgresql://ann:pw@db/crm"),
        ("/abs/folder", "/abs/folder"),
    ]:
        assert (
            parse_params({"source": {"path": url}}, base_dir=tmp_path / "params").source.path
            == expected
        )


def test_yaml_mistakes_are_parameter_errors(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="does not exist"):
        load_params(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("window:\n  lookback_days: [1,\n")
    with pytest.raises(ParameterError, match="is not valid YAML"):
        load_params(bad)
    twice = tmp_path / "twice.yaml"
    twice.write_text("window:\n  lookback_days: 90\n  lookback_days: 30\n")
    with pytest.raises(
        ParameterError, match=r"key 'lookback_days' is given twice \(first on line 2\)"
    ):
        load_params(twice)


def test_the_run_name_defaults_to_the_file_stem(tmp_path: Path) -> None:
    f = tmp_path / "weekly-q3.yaml"
    f.write_text("source: {demo: {accounts: 50}}\n")
    assert load_params(f).run_name == "weekly-q3"


@pytest.mark.parametrize("name", ["default", "ci", "example_own_data"])
def test_the_shipped_params_files_are_valid(name: str) -> None:
    from attribution.report.notebooks import pages_dir

    p = load_params(ROOT / "params" / f"{name}.yaml")
    assert p.notebooks_dir is None  # the shipped pages, which notebooks/ links to
    assert pages_dir(p).resolve() == (ROOT / "notebooks").resolve()
    assert Path(p.output_dir) == ROOT / "outputs"


def test_the_shipped_files_cover_demo_ci_and_own_data() -> None:
    default = load_params(ROOT / "params" / "default.yaml")
    ci = load_params(ROOT / "params" / "ci.yaml")
    example = load_params(ROOT / "params" / "example_own_data.yaml")
    assert default.run_name == "demo" and default.source.demo is not None
    assert ci.source.demo is not None and ci.source.demo.accounts < default.source.demo.accounts
    assert example.source.path == str(ROOT / "data" / "crm_export_q3")
    assert example.source.columns and example.source.tables


def test_a_run_hands_its_params_to_the_notebooks_whole(tmp_path: Path) -> None:
    """data/run.json holds the checked params; a page reads back the same typed object."""
    from attribution._yaml import read_yaml
    from attribution.report.shared import PARAMS_FILE, write_params

    p = parse_params(
        {
            "window": {"lookback_days": 90, "as_of": "2026-01-31"},
            "report": {"currency": "€"},
            "source": {"path": "postgresql://ana:s3cret@db.internal/crm"},
        }
    )
    write_params(p, tmp_path)
    text = (tmp_path / PARAMS_FILE).read_text()
    assert "s3cret" not in text, "the password never reaches the run folder"
    back = parse_params(read_yaml(tmp_path / PARAMS_FILE, what="run parameters"), agree=False)
    assert back.window == p.window and back.report == p.report and back.models == p.models
    assert back.intervals == p.intervals and back.goals == p.goals


names = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,20}", fullmatch=True)
params_strategy = st.builds(
    RunParams,
    run_name=names,
    title=st.text(max_size=30),
    source=st.one_of(
        st.builds(
            Source,
            demo=st.builds(
                DemoSource,
                accounts=st.integers(1, 9_999_999),
                seed=st.integers(0, 2**31),
            ),
        ),
        st.builds(
            Source,
            path=st.just("/data/crm"),
            time_zone=st.sampled_from(["UTC", "Europe/Berlin"]),
            tables=st.one_of(st.none(), st.just({"touches": "activities"})),
            columns=st.one_of(st.none(), st.just({"touches": {"When": "occurred_at"}})),
            lazy=st.booleans(),
        ),
    ),
    window=st.builds(
        Window,
        lookback_days=st.floats(0, 3650, allow_nan=False),
        as_of=st.one_of(
            st.none(),
            st.datetimes(
                min_value=datetime(2000, 1, 1),
                max_value=datetime(2100, 1, 1),
                timezones=st.just(UTC),
            ),
        ),
    ),
    report=st.builds(
        ReportOptions,
        currency=st.sampled_from(["$", "€", "£", "CHF"]),
        top_paths=st.integers(1, 50),
    ),
    notebooks=st.one_of(st.none(), st.lists(names, max_size=3)),
    notebooks_dir=st.just("/nb"),
    output_dir=st.just("/out"),
)


@settings(max_examples=60, deadline=None)
@given(params_strategy)
def test_params_round_trip_through_plain_values(params: RunParams) -> None:
    # the SLA hours belong to the agreed definitions (the shipped ones say 24 hours); the
    # demo data takes the shipped example agreements
    from attribution.alignment.agreements import shipped_file

    params = dataclasses.replace(
        params,
        goals=dataclasses.replace(params.goals, sla_hours=24.0),
        scorecard=ScorecardFiles(
            definitions=str(shipped_file("definitions.yaml")),
            targets=str(shipped_file("targets.yaml")),
        ),
    )
    assert parse_params(params.to_dict()) == params


def test_a_mapping_preset_name_is_not_resolved_as_a_path(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("run_name: r\nsource: {path: exports, mapping: salesforce}\n")
    source = load_params(tmp_path / "p.yaml").source
    assert source.mapping == "salesforce"
    assert source.path == str(tmp_path / "exports")


def test_the_sla_hours_come_from_the_agreed_definitions(tmp_path: Path) -> None:
    (tmp_path / "definitions.yaml").write_text(
        "mql: {score: {points: {webinar: 10}, threshold: 20}}\nsla: {response_hours: 8}\n"
    )
    (tmp_path / "p.yaml").write_text(
        "run_name: r\nsource: {demo: {}}\nscorecard: {definitions: definitions.yaml}\n"
    )
    assert load_params(tmp_path / "p.yaml").goals.sla_hours == 8.0
    (tmp_path / "p.yaml").write_text(
        "run_name: r\nsource: {demo: {}}\nscorecard: {definitions: definitions.yaml}\n"
        "goals: {sla_hours: 12}\n"
    )
    with pytest.raises(
        ParameterError,
        match=r"goals\.sla_hours: is 12 hours, but the agreed "
        r"definitions .* say sla\.response_hours: 8",
    ):
        load_params(tmp_path / "p.yaml")
