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
from attribution.errors import ParameterError
from attribution.report.html import index_html
from attribution.report.notebooks import NotebookRun
from attribution.report.sections import RunParams

__all__ = [
    "MANIFEST",
    "check_destination",
    "is_run_folder",
    "manifest",
    "now",
    "write_records",
]

MANIFEST = "manifest.json"
"""The record every run folder holds; also its marker: a run replaces only folders holding one."""

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


def is_run_folder(folder: Path) -> bool:
    """Tell whether ``folder`` was written by ``attribution run`` (it holds a run's manifest).

    A run replaces an existing folder only when this is true, so it never deletes what it
    did not write.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> is_run_folder(folder)
    False
    >>> _ = (folder / "manifest.json").write_text(json.dumps(
    ...     {"run_name": "q3", "versions": {"attribution": "0.1"}, "notebooks": []}))
    >>> is_run_folder(folder)
    True
    """
    try:
        record = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(record, dict)
        and isinstance(record.get("run_name"), str)
        and isinstance(record.get("notebooks"), list)
        and "attribution" in (record.get("versions") or {})
    )


def check_destination(out_root: Path, run_dir: Path) -> None:
    """Refuse, before anything is read, an output folder a run could not or must not use.

    ``out_root`` must be a folder (or not exist yet, under a folder); an existing
    ``run_dir`` (and its ``.failed`` sibling) must be empty or written by an earlier run.

    Raises
    ------
    ParameterError
        Naming the folder (or the file in the way) and what to do.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (root / "notes.txt").write_text("mine")
    >>> check_destination(root, root / "q3")
    >>> check_destination(root / "notes.txt", root / "notes.txt" / "q3")
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: the output folder ... cannot be made: ... is a file; give a folder (--out or output_dir)
    """  # noqa: E501
    existing = next(p for p in (out_root, *out_root.parents) if p.exists() or p == p.parent)
    if not existing.is_dir():
        raise ParameterError(
            f"the output folder {out_root} cannot be made: {existing} is a file; give a "
            "folder (--out or output_dir)"
        )
    for folder in (run_dir, run_dir.with_name(run_dir.name + ".failed")):
        if (folder.exists() or folder.is_symlink()) and not _replaceable(folder):
            kind = "folder" if folder.is_dir() else "file"
            raise ParameterError(
                f"{folder} exists and was not written by attribution run (a {kind} without "
                f"the {MANIFEST} of an earlier run); the run would replace it, so nothing "
                "was run: move it away, or choose another run_name or --out"
            )


def _replaceable(folder: Path) -> bool:
    """Tell whether a run may replace ``folder``: empty, or written by an earlier run."""
    if folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
        return True
    return folder.is_dir() and is_run_folder(folder)


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
    tmp: Path,
    p: RunParams,
    manifest: dict[str, Any],
    runs: list[NotebookRun],
    facts: dict[str, str] | None = None,
    segments: dict[str, Any] | None = None,
) -> None:
    """Write ``manifest.json`` and ``index.html`` (the page linking every report) into ``tmp``.

    ``segments`` is the menu of the run's segments (:func:`attribution.report.segments.
    segment_menu`), for a run with ``by``.
    """
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str) + "\n")
    inputs = manifest["inputs"]
    rows = ", ".join(f"{k} {v['rows']:,}" for k, v in inputs["tables"].items())
    git = manifest["git"]
    shown = {
        "Data": inputs["source"],
        "Rows": rows,
        **(facts or {}),
        "Journey window": f"{p.window.lookback_days:g} days before each opportunity",
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
        facts=shown,
        extras={k: v["file"] for k, v in manifest.get("exports", {}).items() if "file" in v},
        segments=segments,
    )
    (tmp / "index.html").write_text(page, encoding="utf-8")
