"""`make test` installs the system packages its tests need (scripts/system-packages.sh).

A fresh machine with only Python and make cannot be had here, so the script runs against
a PATH of stand-ins: `id` says who we are, `apt-get` and `sudo` record what they were
asked to do, and Chromium, Java and PostgreSQL are present or not as each case needs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import ROOT

SCRIPT = ROOT / "scripts" / "system-packages.sh"
TOOLS = ("dirname", "readlink", "ls", "env", "cat")


def _machine(
    tmp_path: Path,
    *,
    uid: int = 0,
    have: tuple[str, ...] = (),
    apt: bool = True,
    sudo: bool = False,
    postgres: bool = False,
) -> tuple[dict[str, str], Path]:
    """A PATH holding stand-ins; return the environment and the log of commands."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "log"
    log.touch()
    for tool in TOOLS:
        real = shutil.which(tool)
        assert real is not None
        (bin_dir / tool).symlink_to(real)

    def stub(name: str, body: str) -> None:
        path = bin_dir / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(0o755)

    stub("id", f"echo {uid}")
    for program in have:  # chromium, java
        stub(program, "exit 0")
    if apt:
        stub("apt-get", f'echo "apt-get $*" >> {log}')
    if sudo:
        stub("sudo", f'echo "sudo $1" >> {log}; "$@"')
    initdb = tmp_path / "pg" / "15" / "bin" / "initdb"
    if postgres:
        initdb.parent.mkdir(parents=True)
        initdb.touch()
    env = {
        "PATH": str(bin_dir),
        "PG_INITDB_GLOB": str(tmp_path / "pg" / "*" / "bin" / "initdb"),
        "HOME": str(tmp_path),
    }
    return env, log


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    sh = shutil.which("sh")
    assert sh is not None
    return subprocess.run(
        [sh, str(SCRIPT), *args], env=env, capture_output=True, text=True, check=False
    )


def test_nothing_is_installed_when_everything_is_there(tmp_path: Path) -> None:
    env, log = _machine(tmp_path, have=("chromium", "java"), postgres=True)
    done = _run(env)
    assert done.returncode == 0, done.stderr
    assert "are installed" in done.stdout
    assert log.read_text() == ""


def test_as_root_every_missing_package_is_installed_with_apt(tmp_path: Path) -> None:
    env, log = _machine(tmp_path, uid=0)
    done = _run(env)
    assert done.returncode == 0, done.stderr
    calls = log.read_text().splitlines()
    assert calls[0] == "apt-get update -qq"
    installed = calls[1].split()
    assert installed[:2] == ["apt-get", "install"]
    assert {"chromium", "fonts-dejavu-core", "postgresql", "default-jre-headless"} <= set(installed)


def test_only_what_is_missing_is_installed(tmp_path: Path) -> None:
    env, log = _machine(tmp_path, have=("chromium",), postgres=True)
    assert _run(env).returncode == 0
    install = log.read_text().splitlines()[-1].split()
    assert "default-jre-headless" in install
    assert "chromium" not in install and "postgresql" not in install


def test_a_user_with_sudo_installs_through_sudo(tmp_path: Path) -> None:
    env, log = _machine(tmp_path, uid=1000, sudo=True)
    done = _run(env)
    assert done.returncode == 0, done.stderr
    calls = log.read_text().splitlines()
    assert calls[0] == "sudo apt-get" and calls[1] == "apt-get update -qq"
    assert calls[2] == "sudo env" and calls[3].startswith("apt-get install")


def test_without_root_or_sudo_it_says_what_to_do_and_fails(tmp_path: Path) -> None:
    env, log = _machine(tmp_path, uid=1000, sudo=False)
    done = _run(env)
    assert done.returncode == 1
    assert "not root and has no sudo" in done.stderr
    assert "apt-get install -y chromium fonts-dejavu-core postgresql" in done.stderr
    assert "ATTRIBUTION_SKIP_BROWSER=1 ATTRIBUTION_SKIP_POSTGRES=1" in done.stderr
    assert log.read_text() == ""


def test_without_apt_get_it_names_the_packages(tmp_path: Path) -> None:
    env, _ = _machine(tmp_path, apt=False)
    done = _run(env)
    assert done.returncode == 1
    assert "no apt-get" in done.stderr and "default-jre-headless" in done.stderr


def test_a_dry_run_prints_the_commands_and_runs_none(tmp_path: Path) -> None:
    env, log = _machine(tmp_path, uid=1000, sudo=True)
    done = _run(env, "--dry-run")
    assert done.returncode == 0
    assert "+ sudo apt-get update -qq" in done.stdout
    assert re.search(r"\+ sudo env DEBIAN_FRONTEND=noninteractive apt-get install", done.stdout)
    assert log.read_text() == ""


@pytest.mark.skipif(shutil.which("java") is None, reason="no java on this machine")
def test_java_home_is_the_folder_above_javas_bin() -> None:
    done = subprocess.run(
        ["sh", str(SCRIPT), "--java-home"], capture_output=True, text=True, check=True
    )
    home = Path(done.stdout.strip())
    assert (home / "bin" / "java").exists()


def test_make_test_runs_the_script_first_and_ci_only_calls_make_test() -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^test:(.*)\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe is not None and "system" in recipe.group(1)
    assert "--java-home" in recipe.group(2)
    assert re.search(r"^system:.*## .*\n\t@sh \$\(SYSTEM\)", makefile, re.M)
    ci = [
        line
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "set ", "cd "))
    ]
    assert ci == ["exec make test"], "CI adds nothing the README's command lacks"
    assert os.access(SCRIPT, os.X_OK)
