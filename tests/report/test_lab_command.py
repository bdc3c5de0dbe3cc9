"""`make lab`: working copies of the notebooks, JupyterLab on 127.0.0.1, the token printed."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
from helpers import ROOT

from attribution.report import lab


def test_the_command_listens_on_this_machine_only_and_runs_this_python(tmp_path: Path) -> None:
    command = lab.lab_command(tmp_path, port=8899, token="tok", settings_dir=tmp_path / "s")
    assert command[1:3] == ["-m", "jupyterlab"] and Path(command[0]).name.startswith("python")
    assert "--ip=127.0.0.1" in command and "--port=8899" in command
    assert "--IdentityProvider.token=tok" in command and "--no-browser" in command
    assert "--ServerApp.port_retries=0" in command
    assert f"--ServerApp.root_dir={tmp_path.resolve()}" in command
    assert ("--allow-root" in command) == (os.geteuid() == 0)


def test_the_settings_start_the_kernel_and_fetch_no_news(tmp_path: Path) -> None:
    folder = lab.write_settings(tmp_path / "settings")
    settings = json.loads((folder / "overrides.json").read_text())
    assert settings["@jupyterlab/notebook-extension:tracker"]["autoStartDefaultKernel"] is True
    news = settings["@jupyterlab/apputils-extension:notification"]
    assert news == {"fetchNews": "false", "checkForUpdates": False}


def test_working_copies_keep_the_analysts_edits(tmp_path: Path) -> None:
    first = lab.workspace(tmp_path, ROOT / "notebooks")
    assert sorted(p.name for p in first) == sorted(
        p.name for p in (ROOT / "notebooks").glob("*.ipynb")
    )
    edited = first[0]
    edited.write_text("my edits")
    assert lab.workspace(tmp_path, ROOT / "notebooks") == []
    assert edited.read_text() == "my edits"


def test_a_taken_port_gives_another() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert lab.free_port(port) != port


def test_main_prints_the_address_with_its_token_then_hands_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    started: list[list[str]] = []
    monkeypatch.setattr(os, "execv", lambda path, args: started.append(list(args)))
    lab.main(["--notebooks", str(ROOT / "notebooks"), "--dir", str(tmp_path / "work")])
    (command,) = started
    token = next(a.split("=", 1)[1] for a in command if a.startswith("--IdentityProvider"))
    out = capsys.readouterr().out
    assert "http://127.0.0.1:" in out and f"?token={token}" in out and len(token) >= 32
    assert (tmp_path / "work" / "00_summary.ipynb").is_file()
    assert (tmp_path / "work" / lab.SETTINGS_DIR / "overrides.json").is_file()


def test_main_outside_the_project_says_where_to_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert lab.main(["--notebooks", str(tmp_path / "nowhere")]) == 2
    assert "run from the project root" in capsys.readouterr().err
