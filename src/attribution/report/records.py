"""What a run records: ``manifest.json`` (parameters, inputs, versions, timings) and the index.

The manifest makes a run reproducible and auditable: the parameters, the rows and SHA-256
hashes of the inputs, the package versions, the git commit of the code, the timings, and
what happened to each notebook.
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from attribution._secrets import redact
from attribution.report.html import index_html
from attribution.report.notebooks import NotebookRun
from attribution.report.sections import RunParams

__all__ = ["manifest", "now", "write_records"]

_VERSIONS = (
    "attribution",
    "polars",
    "pyarrow",
    "numpy",
    "scipy",
    "statsmodels",
    "pandas",
    "altair",
    "vl-convert-python",
    "papermill",
    "nbconvert",
    "nbformat",
    "ipykernel",
)


def _versions() -> dict[str, str | None]:
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str | None] = {"python": platform.python_version()}
    for dist in _VERSIONS:
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = None
    return out


def _git(folder: Path) -> dict[str, Any] | None:
    """Commit (and whether files differ from it) of the repository holding ``folder``."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(folder), *args],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return None
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status)}


def now() -> str:
    """Return the current UTC time as ISO text, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def manifest(
    p: RunParams,
    params_file: Path | None,
    snapshot: dict[str, Any],
    runs: list[NotebookRun],
    timings: dict[str, float],
    started: str,
    *,
    status: str,
) -> dict[str, Any]:
    """Return the run's ``manifest.json`` content: parameters, inputs, notebooks, versions.

    Every text in it passes the credential policy (:func:`attribution._secrets.redact`):
    a database URL is written with its password masked.
    """
    record = {
        "run_name": p.run_name,
        "title": p.title,
        "status": status,
        "started_at": started,
        "finished_at": now(),
        "params_file": str(params_file) if params_file else None,
        "params": p.to_dict(),
        "inputs": {
            "source": snapshot["source"],
            "tables": {
                name: {"rows": t["rows"], "snapshot": f"data/{t['file']}", "sha256": t["sha256"]}
                for name, t in snapshot["tables"].items()
            },
            "source_files": snapshot["source_files"],
            "demo_truth": snapshot["truth"],
        },
        "notebooks": [dataclasses.asdict(r) for r in runs],
        "timings": {k: round(v, 3) for k, v in timings.items()},
        "versions": _versions(),
        "git": _git(Path(__file__).parent),
        "platform": {"system": platform.platform(), "cpus": os.cpu_count()},
    }
    redacted: dict[str, Any] = redact(record)
    return redacted


def write_records(
    tmp: Path, p: RunParams, manifest: dict[str, Any], runs: list[NotebookRun]
) -> None:
    """Write ``manifest.json`` and ``index.html`` (the page linking every report) into ``tmp``."""
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
    inputs = manifest["inputs"]
    rows = ", ".join(f"{k} {v['rows']:,}" for k, v in inputs["tables"].items())
    git = manifest["git"]
    facts = {
        "Data": inputs["source"],
        "Rows": rows,
        "Journey window": f"{p.window.lookback_days:g} days before each opportunity",
        "Seen as of": p.window.as_of.isoformat()
        if p.window.as_of
        else "the latest timestamp in the data",
        "Started": manifest["started_at"],
        "Took": f"{manifest['timings']['total']:.1f} s",
        "Package": f"attribution {manifest['versions']['attribution']}",
        "Code": (f"git {git['commit'][:12]}" + (" (with local changes)" if git["dirty"] else ""))
        if git
        else "not in a git repository",
    }
    page = index_html(
        title=p.title,
        run_name=p.run_name,
        reports=[dataclasses.asdict(r) for r in runs],
        facts=facts,
    )
    (tmp / "index.html").write_text(page, encoding="utf-8")
