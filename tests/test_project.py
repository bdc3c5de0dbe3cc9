"""The project's own promises: one dependency list, a documented Makefile, a clean lint."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib

import pytest
import yaml
from helpers import ROOT

import attribution as at
from attribution._version import __version__


def test_environment_yml_installs_the_package_and_nothing_else() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    pythons = [d for d in deps if isinstance(d, str) and d.startswith("python")]
    assert pythons == ["python=3.11"]
    assert "pip" in deps
    pip_entries = [d["pip"] for d in deps if isinstance(d, dict)]
    assert pip_entries == [["-e .[dev]"]], "dependencies belong in pyproject.toml only"
    extras = pyproject["project"]["optional-dependencies"]
    assert "dev" in extras
    major_minor = pythons[0].split("=")[1]
    assert pyproject["project"]["requires-python"] == f">={major_minor}"
    other = [d for d in deps if isinstance(d, str) and d not in ("pip", pythons[0])]
    assert other == [], f"conda-only dependencies would drift from pyproject.toml: {other}"


def test_required_dependencies_are_declared() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {re.split(r"[<>=!\[ ]", d)[0].lower() for d in deps}
    assert {
        "polars",
        "statsmodels",
        "altair",
        "papermill",
        "nbval",
        "jupyterlab",
        "vl-convert-python",
        "pyarrow",
    } <= names
    assert "polars>=2,<3" in deps


def test_every_makefile_target_is_documented() -> None:
    text = (ROOT / "Makefile").read_text()
    phony = re.search(r"^\.PHONY:(.*)$", text, re.M)
    assert phony
    for target in phony.group(1).split():
        assert re.search(rf"^{target}:.*## \S", text, re.M), f"target {target} lacks ## help"


def test_readme_leads_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    first_code = readme.index("```")
    assert "make report" in readme[first_code : first_code + 200]
    assert "make test" in readme[first_code : first_code + 200]


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_public_api_is_exported() -> None:
    for name in (
        "load",
        "validate",
        "journeys",
        "paths",
        "demo",
        "Dataset",
        "SchemaError",
        "DataError",
        "ParameterError",
        "AttributionError",
    ):
        assert name in at.__all__ and hasattr(at, name)


def test_the_report_packages_lazy_names_all_resolve() -> None:
    for name in at.report._RUNNER:  # the runner's names, loaded on first use
        assert getattr(at.report, name).__name__ == name


@pytest.mark.skipif(
    shutil.which("ruff", path=str(ROOT / ".venv" / "bin")) is None,
    reason="ruff is installed by `make setup`",
)
def test_ruff_is_clean() -> None:
    ruff = str(ROOT / ".venv" / "bin" / "ruff")
    targets = [t for t in ("src", "tests", "benchmarks", "scripts") if (ROOT / t).exists()]
    result = subprocess.run(
        [ruff, "check", *targets], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_package_imports_without_optional_extras() -> None:
    code = "import sys, attribution; assert 'pyspark' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.skipif(
    shutil.which("lint-imports", path=str(ROOT / ".venv" / "bin")) is None,
    reason="import-linter is installed by `make setup`",
)
def test_the_layers_read_top_to_bottom() -> None:
    """No upward import, no circle, no core import of the Spark adapter (pyproject.toml)."""
    lint = str(ROOT / ".venv" / "bin" / "lint-imports")
    result = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:]


def _readme_tree_modules() -> set[str]:
    """Module paths (relative to src/attribution) that the README's folder tree names."""
    readme = (ROOT / "README.md").read_text()
    tree = readme.split("## Folder tree", 1)[1].split("```", 2)[1]
    lines = tree.splitlines()
    start = next(i for i, ln in enumerate(lines) if "src/attribution/" in ln)
    top = lines[start].index("src/attribution/")  # entries at or left of it close the package
    folders: dict[int, str] = {}  # column of an entry -> the folder it opens
    owner = ""  # the folder that bare comment lines continue
    found: set[str] = set()
    for line in lines[start + 1 :]:
        entry = re.search(r"[├└]── (\S+)", line)
        if entry is not None:
            col = entry.start()
            if col < top:
                break
            parent = next((folders[c] for c in sorted(folders, reverse=True) if c < col), "")
            folders = {c: f for c, f in folders.items() if c < col}
            name = entry.group(1)
            if name.endswith("/"):
                folders[col] = owner = f"{parent}{name}"
            else:
                owner = parent
        code = (
            line.split("#", 1)[0]
            if entry is not None and not entry.group(1).endswith("/")
            else line
        )
        found |= {f"{owner}{m}" for m in re.findall(r"\b(\w+\.py)\b", code)}
    return found


def test_the_readme_tree_names_every_module_and_no_other() -> None:
    package = ROOT / "src" / "attribution"
    files = {
        str(p.relative_to(package))
        for p in package.rglob("*.py")
        if p.name != "__init__.py" or p.parent == package
    }
    named = _readme_tree_modules()
    assert not files - named, f"modules missing from the README's tree: {sorted(files - named)}"
    assert not named - files, (
        f"the README's tree names modules that do not exist: {sorted(named - files)}"
    )


def test_the_version_is_written_once_for_the_package_and_its_metadata() -> None:
    """The wheel's version and the one a run records are the same."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["version"] == __version__
