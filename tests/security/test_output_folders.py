"""A run never deletes what it did not write, and never leaves a half-written folder.

Unsafe destinations (a folder that is not an earlier run's, a file, the current folder)
are refused before anything runs; a killed run's temporary folder is removed by the next
run of the same name and a live one's never; concurrent swaps of one folder all succeed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from helpers import ROOT, plant_previous_run

from attribution._folders import claimed, clean_leftovers, swap_into_place
from attribution.cli import main
from attribution.report.records import is_run_folder

PARAMS = "run_name: r\nsource: {demo: {accounts: 60}}\nnotebooks: [01_data_health]\n"


def _params(tmp_path: Path) -> Path:
    file = tmp_path / "p.yaml"
    file.write_text(PARAMS + f"notebooks_dir: {ROOT / 'notebooks'}\n")
    return file


def _refused(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    return err


@pytest.mark.parametrize("which", ["r", "r.failed"])
def test_a_run_refuses_a_folder_it_did_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], which: str
) -> None:
    mine = tmp_path / "out" / which
    mine.mkdir(parents=True)
    (mine / "important.txt").write_text("not the package's\n")
    err = _refused(["run", str(_params(tmp_path)), "--out", str(tmp_path / "out")], capsys)
    assert f"{mine} exists and was not written by attribution run" in err
    assert (mine / "important.txt").read_text() == "not the package's\n"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [which]


def test_out_pointing_at_a_file_is_refused_before_loading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")
    for out in (tmp_path / "notes.txt", tmp_path / "notes.txt" / "deeper"):
        err = _refused(["run", str(_params(tmp_path)), "--out", str(out)], capsys)
        assert "is a file; give a folder" in err
    assert (tmp_path / "notes.txt").read_text() == "mine\n"


@pytest.mark.slow
def test_a_run_replaces_only_its_own_earlier_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    plant_previous_run(out / "r", {"stale.txt": "an older run's\n"})
    (out / "unrelated").mkdir()
    (out / "unrelated" / "keep.txt").write_text("keep\n")
    assert main(["run", str(_params(tmp_path)), "--out", str(out)]) == 0
    assert is_run_folder(out / "r") and not (out / "r" / "stale.txt").exists()
    assert (out / "unrelated" / "keep.txt").read_text() == "keep\n"
    assert sorted(p.name for p in out.iterdir()) == ["r", "unrelated"], "nothing left behind"


@pytest.mark.parametrize("where", [".", "..", "notes.txt", "full"])
def test_demo_refuses_what_it_would_destroy(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("mine\n")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "data.csv").write_text("a\n1\n")
    err = _refused(["demo", where, "--accounts", "30"], capsys)
    assert ("current folder" in err) if where in (".", "..") else ("--force" in err)
    assert (tmp_path / "notes.txt").read_text() == "mine\n"
    assert (tmp_path / "full" / "data.csv").read_text() == "a\n1\n"


def test_demo_replaces_with_force_but_never_the_current_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "data.csv").write_text("a\n1\n")
    assert main(["demo", "full", "--accounts", "30", "--force"]) == 0
    assert sorted(p.name for p in (tmp_path / "full").iterdir())[0] == "accounts.parquet"
    _refused(["demo", ".", "--accounts", "30", "--force"], capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full"], "no temporary folder left"


_HOLD = """
import sys, time, pathlib
sys.path.insert(0, sys.argv[1])
from attribution._folders import claimed
with claimed(pathlib.Path(sys.argv[2]), "r") as tmp:
    (tmp / "half-written.txt").write_text("x")
    print(tmp, flush=True)
    time.sleep(120)
"""


def test_a_killed_runs_leftovers_are_removed_by_the_next_and_a_live_ones_never(
    tmp_path: Path,
) -> None:
    src = str(ROOT / "src")
    with subprocess.Popen(
        [sys.executable, "-c", _HOLD, src, str(tmp_path)], stdout=subprocess.PIPE, text=True
    ) as writer:
        try:
            assert writer.stdout is not None
            held = Path(writer.stdout.readline().strip())
            assert held.is_dir()
            assert clean_leftovers(tmp_path, "r") == [] and held.is_dir(), "a live one stays"
            os.kill(writer.pid, signal.SIGKILL)
            writer.wait(timeout=30)
        finally:
            if writer.poll() is None:  # pragma: no cover - only if an assertion failed first
                writer.kill()
    assert held.is_dir(), "kill -9 leaves the temporary folder"
    with claimed(tmp_path, "r"):  # the next writer of the same name
        assert not held.exists()
    with claimed(tmp_path, "other"):
        pass
    assert list(tmp_path.iterdir()) == []


_SWAP = """
import json, sys, pathlib
sys.path.insert(0, sys.argv[1])
from attribution._folders import claimed, swap_into_place
root, worker, failures = pathlib.Path(sys.argv[2]), sys.argv[3], 0
for i in range(int(sys.argv[4])):
    try:
        with claimed(root, "r") as tmp:
            (tmp / "manifest.json").write_text(json.dumps({"worker": worker, "i": i}))
            swap_into_place(tmp, root / "r", replaceable=lambda p: True)
    except Exception as exc:
        failures += 1
        print(type(exc).__name__, exc, file=sys.stderr)
print(failures)
"""


@pytest.mark.slow
def test_concurrent_runs_of_one_name_take_turns(tmp_path: Path) -> None:
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _SWAP, str(ROOT / "src"), str(tmp_path), str(w), "150"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for w in range(3)
    ]
    failures = [int(w.communicate(timeout=300)[0].strip()) for w in workers]
    assert failures == [0, 0, 0]
    assert [p.name for p in tmp_path.iterdir()] == ["r"], "no lock or temporary folder left"
    assert json.loads((tmp_path / "r" / "manifest.json").read_text())["i"] == 149


def test_a_reader_never_finds_the_folder_missing_during_swaps(tmp_path: Path) -> None:
    dest = tmp_path / "r"
    dest.mkdir()
    (dest / "manifest.json").write_text("{}")
    done = threading.Event()
    missing: list[int] = []

    def read() -> None:
        while not done.is_set():
            if not (dest / "manifest.json").exists():
                missing.append(1)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(200):
            with claimed(tmp_path, "r") as tmp:
                (tmp / "manifest.json").write_text("{}")
                swap_into_place(tmp, dest, replaceable=lambda p: True)
    finally:
        done.set()
        reader.join()
    assert missing == [], "the old and the new folder are exchanged in one step"
