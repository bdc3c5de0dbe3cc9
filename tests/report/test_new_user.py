"""The README's "Bring your own data" path, as a new user takes it, on four public datasets.

A wheel is built from the sources (not an editable install) and installed into a fresh
virtual environment outside the checkout; its dependencies come from the project's
environment through a .pth file, so no network is needed. Then, from a folder that has
nothing to do with the repository, for Maven's CRM pipeline, Salvirt's B2B deals, X
Education's leads and Olist's marketing funnel: ``attribution init DATA --mapping NAME``
and ``attribution run DIR/params.yaml`` must exit 0, every page must render in headless
Chromium, and no text of the demo's example agreement may appear.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from helpers import REAL_DATA, ROOT
from pages import chromium, run_problems

pytestmark = pytest.mark.slow

DATASETS = {
    "maven": "maven_crm_sales_opportunities",
    "salvirt": "salvirt_b2b_sales",
    "x_education": "x_education_leads",
    "olist": "olist_marketing_funnel",
}
DEMO_TEXT = ("Demo lead agreement", "H1 2026 shared targets", "Head of Marketing, Head of Sales")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A venv outside the checkout with the package installed from a freshly built wheel.

    Returns the environment to run its ``attribution`` command with.
    """
    work = tmp_path_factory.mktemp("wheel")
    tree = work / "source"
    tree.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tree / name)
    shutil.copytree(
        ROOT / "src", tree / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(work / "dist"), str(tree)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    wheel = next((work / "dist").glob("attribution-*.whl"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # the dependencies (polars, papermill...) come from this environment, not the network
    (site / "project_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["JUPYTER_DATA_DIR"] = str(work / "jupyter")  # no kernel of another environment
    # nbconvert's templates are data files of its installation: in the venv's prefix, as a
    # plain `pip install` of the wheel (with dependencies) would put them
    shared = venv / "share" / "jupyter"
    shared.mkdir(parents=True)
    (shared / "nbconvert").symlink_to(Path(sys.prefix) / "share" / "jupyter" / "nbconvert")
    subprocess.run(
        [str(python), "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"],
        check=True,
        capture_output=True,
        env=env,
    )
    where = subprocess.run(
        [str(python), "-c", "import attribution; print(attribution.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
    ).stdout.strip()
    assert where.startswith(str(venv)) and not where.startswith(str(ROOT)), where
    return env


@pytest.fixture(scope="module")
def browser() -> object:
    with chromium() as b:
        yield b


@pytest.mark.parametrize("name", list(DATASETS))
def test_init_then_run_from_a_wheel_outside_the_checkout(
    installed: dict[str, str], browser: object, tmp_path: Path, name: str
) -> None:
    data = REAL_DATA / DATASETS[name]
    if not data.is_dir():
        pytest.skip(f"{data} is not here (the shared real data sits beside the repository)")
    user = tmp_path / "somewhere-else"
    user.mkdir()

    def attribution(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["attribution", *args],
            cwd=user,
            env=installed,
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )

    init = attribution("init", str(data), "--mapping", name, "--out", "my-report")
    assert init.returncode == 0, init.stdout + init.stderr
    assert "Next: attribution run my-report/params.yaml" in init.stdout
    run = attribution("run", "my-report/params.yaml", "--jobs", "2")
    assert run.returncode == 0, run.stdout + run.stderr
    run_dir = user / "my-report" / "reports" / DATASETS[name]
    assert "report written in" in run.stdout and str(run_dir) in run.stdout
    assert run_problems(browser, run_dir) == []
    pages = "".join(p.read_text(encoding="utf-8") for p in run_dir.glob("*.html"))
    assert not [t for t in DEMO_TEXT if t in pages], "the demo's agreement is the demo's only"
    assert "No shared targets or definitions are agreed for this data yet" in pages
    assert not list(user.glob("**/.*.tmp")), "nothing half-written is left"
