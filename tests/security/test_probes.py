"""Bad and hostile inputs, tried as an attacker and a careless user would: each one gives a
clean exit-2 error naming what is wrong, never a traceback, and writes nothing."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import yaml
from helpers import ROOT

import attribution as at
from attribution._yaml import MAX_BYTES
from attribution.cli import main

NOTEBOOKS = ROOT / "notebooks"


def _alias_bomb(levels: int = 9) -> str:
    """About 540 bytes whose aliases expand to 9**9 values (the "billion laughs")."""
    lines = ["report:", "  top_paths: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        lines.append(f"  l{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    lines.append(f"  currency: *a{levels - 1}")
    return "\n".join(lines) + "\n"


PARAMS_PROBES = {
    "alias bomb": (_alias_bomb().encode(), "aliases (*name) expand to"),
    "alias to itself": (b"report: &x {top_paths: *x}\n", "an alias refers to itself"),
    "binary file": (bytes(range(256)) * 4, "is not a text file (UTF-8)"),
    "latin-1 text": ("title: Médiä\n".encode("latin-1"), "is not a text file (UTF-8)"),
    "5,000-deep flow nesting": (
        b"title: " + b"[" * 5000 + b"]" * 5000 + b"\n",
        "nests deeper than 40 levels",
    ),
    "deep block nesting": (
        "".join("  " * i + f"k{i}:\n" for i in range(200)).encode(),
        "nests deeper than 40 levels",
    ),
    "too large": (b"# " + b"x" * MAX_BYTES + b"\n", "a YAML file read here holds at most"),
    "run name with a newline": (
        b'run_name: "nl\\n"\n',
        "run_name: must be a name of letters, digits",
    ),
    "run name with a slash": (b"run_name: ../elsewhere\n", "run_name: must be a name"),
    "key given twice": (b"title: a\ntitle: b\n", "key 'title' is given twice"),
    "unset URL variable": (
        f"source: {{url_env: ATTRIBUTION_PROBE_UNSET}}\nnotebooks_dir: {NOTEBOOKS}\n".encode(),
        "the environment variable ATTRIBUTION_PROBE_UNSET is not set",
    ),
    "no source at all": (
        f"source: {{}}\nnotebooks_dir: {NOTEBOOKS}\n".encode(),
        "ATTRIBUTION_DB_URL is not set",
    ),
}


def _exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("error: "), captured.err
    assert "Traceback" not in captured.err and "Traceback" not in captured.out
    return captured.err


@pytest.mark.parametrize("probe", sorted(PARAMS_PROBES))
def test_a_bad_params_file_exits_2_with_a_clear_message(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    probe: str,
) -> None:
    monkeypatch.delenv("ATTRIBUTION_DB_URL", raising=False)
    content, expected = PARAMS_PROBES[probe]
    file = tmp_path / "p.yaml"
    file.write_bytes(content)
    err = _exit_2(["run", str(file), "--out", str(tmp_path / "out")], capsys)
    assert expected in err
    assert len(err) < 2_000, "the message stays short, whatever the file holds"
    assert not (tmp_path / "out").exists(), "nothing was written"


@pytest.mark.parametrize("kind", ["definitions", "targets"])
def test_a_hostile_agreement_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    (tmp_path / f"{kind}.yaml").write_text(_alias_bomb().replace("report:", "name:  x\nx:"))
    params = {"source": {"demo": {}}, "scorecard": {kind: f"{kind}.yaml"}}
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(params))
    err = _exit_2(["run", str(tmp_path / "p.yaml")], capsys)
    assert f"{kind} file" in err and "expand to" in err


def test_a_hostile_mapping_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "m.yaml").write_bytes(b"tables: " + b"{a: " * 100 + b"1" + b"}" * 100 + b"\n")
    err = _exit_2(["validate", str(tmp_path), "--mapping", str(tmp_path / "m.yaml")], capsys)
    assert "mapping file" in err and "nests deeper" in err


def _source(tmp_path: Path) -> Path:
    return at.demo.write(at.demo.generate(n_accounts=80, seed=4), tmp_path / "src", fmt="csv")


@pytest.mark.parametrize(
    ("table", "column", "value", "expected"),
    [
        ("touches", "occurred_at", "1900-01-01T00:00:00+00:00", "timestamps outside"),
        ("touches", "occurred_at", "2200-01-01T00:00:00+00:00", "timestamps outside"),
        ("opportunities", "amount", "1e300", "implausibly large amounts"),
    ],
)
def test_implausible_values_are_problems(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    table: str,
    column: str,
    value: str,
    expected: str,
) -> None:
    folder = _source(tmp_path)
    frame = pl.read_csv(folder / f"{table}.csv", infer_schema=False)
    first = pl.int_range(pl.len()) == 0
    frame = frame.with_columns(
        pl.when(first).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)
    )
    frame.write_csv(folder / f"{table}.csv")
    assert main(["validate", str(folder)]) == 2
    out = capsys.readouterr().out
    assert f"{table}.{column}: {expected}" in out and "(1 row)" in out


def test_a_latin1_export_is_a_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _source(tmp_path)
    text = (folder / "accounts.csv").read_text(encoding="utf-8").replace("Retail", "Médiä")
    (folder / "accounts.csv").write_bytes(text.encode("latin-1"))
    assert main(["validate", str(folder)]) == 2
    out = capsys.readouterr().out
    assert "accounts.csv: not utf-8 text: byte 0xe9" in out


def test_the_shipped_params_files_pass_the_limits() -> None:
    from attribution._yaml import read_yaml

    for file in sorted((ROOT / "params").rglob("*.yaml")):
        assert read_yaml(file) is not None, file
