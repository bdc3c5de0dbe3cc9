"""`attribution init`: a params file that runs, draft agreements, nothing half-written."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import yaml

import attribution as at
from attribution.alignment.definitions import load_definitions
from attribution.alignment.targets import load_targets
from attribution.cli import main
from attribution.report.params import load_params
from attribution.report.shared import open_run
from attribution.report.starter import FILES, init, suggest_mappings


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("exports") / "crm"
    at.demo.write(at.demo.generate(n_accounts=500, seed=4), folder, fmt="csv")
    return folder


def test_init_writes_a_params_file_that_runs_and_drafts_that_load(
    exports: Path, tmp_path: Path
) -> None:
    out = tmp_path / "mine"
    started = init(str(exports), out=out)
    assert [p.name for p in started.written] == list(FILES)
    params = load_params(out / "params.yaml")
    assert Path(params.source.path or "").resolve() == exports.resolve()
    assert params.scorecard.definitions is None, "drafts are not used until agreed"
    text = (out / "params.yaml").read_text()
    keys = ("run_name:", "source:", "time_zone:", "currency:", "lookback_days:", "models:")
    for key in (*keys, "level:", "output_dir:"):
        line = next(x for x in text.splitlines() if x.strip().startswith(key))
        assert "#" in line, f"{key} is explained on its line"
    assert "guessed" in text
    definitions = load_definitions(out / "definitions.yaml")
    targets = load_targets(out / "targets.yaml")
    assert definitions.agreed_on is None and "not agreed" in definitions.name
    assert (out / "definitions.yaml").read_text().startswith("# DRAFT")
    touched = set(at.load(exports).touches["channel"])
    assert set(definitions.mql.score.points or {}) <= touched, "the data's own channels"
    assert targets.targets and all(t.due is not None for t in targets.targets)


def test_the_drafts_run_as_a_scorecard_once_named(exports: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    init(str(exports), out=out)
    params = yaml.safe_load((out / "params.yaml").read_text())
    params["scorecard"] = {"definitions": "definitions.yaml", "targets": "targets.yaml"}
    del params["goals"]["sla_hours"]
    (out / "agreed.yaml").write_text(yaml.safe_dump(params))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", at.EstimateWarning)  # a small sample's caution
        card = open_run(None, out / "agreed.yaml").scorecard()
    drafted = load_targets(out / "targets.yaml").targets
    assert not card.unagreed and card.table.height == len(drafted)


def test_init_never_replaces_files_unless_forced(exports: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "targets.yaml").write_text("mine\n")
    with pytest.raises(at.ParameterError, match="already exists; choose another --out"):
        init(str(exports), out=out)
    assert (out / "targets.yaml").read_text() == "mine\n"
    assert not (out / "params.yaml").exists()
    init(str(exports), out=out, force=True)
    assert (out / "targets.yaml").read_text().startswith("# DRAFT")


def test_a_source_with_problems_writes_nothing_and_the_cli_says_which_mapping_fits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "maven"
    folder.mkdir()
    for name, header in {
        "sales_pipeline.csv": "opportunity_id,account\n",
        "products.csv": "product\n",
        "accounts.csv": "account\n",
    }.items():
        (folder / name).write_text(header + "x,y\n"[: len(header.split(",")) * 2])
    assert "maven" in suggest_mappings(folder)
    code = main(["init", str(folder), "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 2
    assert "touches: required table is missing" in out
    assert f"attribution init {folder} --mapping maven" in out
    assert "Nothing was written." in out and not (tmp_path / "out").exists()


def test_the_cli_prints_what_it_found_and_the_next_command(
    exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "mine"
    assert main(["init", str(exports), "--out", str(out), "--currency", "€"]) == 0
    printed = capsys.readouterr().out
    assert "marketing channels:" in printed and "deals:" in printed
    assert "DRAFT lead agreement" in printed
    assert printed.rstrip().endswith(f"Next: attribution run {out / 'params.yaml'}")
    assert 'currency: "€"' in (out / "params.yaml").read_text()


@pytest.mark.parametrize(
    "name", ['evil"\nrun_name: x', "space and: colon", "#hash"], ids=["quote", "colon", "hash"]
)
def test_hostile_folder_names_cannot_change_the_params(
    exports: Path, tmp_path: Path, name: str
) -> None:
    source = tmp_path / name
    source.symlink_to(exports, target_is_directory=True)
    out = tmp_path / "out"
    init(str(source), out=out)
    params = load_params(out / "params.yaml")
    assert params.run_name not in ("x",) and params.source.path is not None
    assert Path(params.source.path).resolve() == exports.resolve()


def test_a_database_password_is_never_written(tmp_path: Path) -> None:
    from attribution.report.starter import _relative

    url = "postgresql://ana:s3cret@db.internal:5432/crm"
    assert _relative(url, tmp_path) == "postgresql://ana@db.internal:5432/crm"
