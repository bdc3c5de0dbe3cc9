"""JupyterLab on the report notebooks: from this Python, on 127.0.0.1, behind a token.

``make lab`` runs ``python -m attribution.report.lab``, which

* copies the report notebooks into a working folder (``outputs/lab/`` by default; a copy
  already there is kept, with the analyst's edits), so the committed notebooks stay
  without outputs;
* starts JupyterLab with the interpreter running this module (its kernel is the same
  Python, so ``import attribution`` works), listening on 127.0.0.1 only, with a fresh token,
  and with ``--allow-root`` when it runs as root (JupyterLab refuses root without it);
* prints the address with its token.

JupyterLab's own settings here start the notebook's kernel without asking and never
fetch news or update notices (no request leaves the machine).
:func:`lab_command` is the command both ``make lab`` and the JupyterLab UI test run.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "SETTINGS",
    "SETTINGS_DIR",
    "free_port",
    "lab_command",
    "lab_url",
    "main",
    "workspace",
    "write_settings",
]

SETTINGS: dict[str, dict[str, object]] = {
    "@jupyterlab/notebook-extension:tracker": {"autoStartDefaultKernel": True},
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}
"""JupyterLab setting overrides: start the notebook's kernel, fetch no news or updates."""
SETTINGS_DIR = ".jupyterlab-settings"
"""Subfolder of the working folder holding :data:`SETTINGS` (hidden in JupyterLab)."""


def workspace(dest: str | os.PathLike[str], notebooks: str | os.PathLike[str]) -> list[Path]:
    """Copy every ``*.ipynb`` of ``notebooks`` into ``dest`` unless a copy is there already.

    Returns the copies made (an existing copy holds the analyst's work: it is kept).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> src, dest = (pathlib.Path(tempfile.mkdtemp()) for _ in range(2))
    >>> _ = (src / "00_summary.ipynb").write_text("{}")
    >>> [p.name for p in workspace(dest, src)], workspace(dest, src)
    (['00_summary.ipynb'], [])
    """
    target = Path(dest)
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for source in sorted(Path(notebooks).glob("*.ipynb")):
        copy = target / source.name
        if not copy.exists():
            shutil.copyfile(source, copy)
            copied.append(copy)
    return copied


def write_settings(folder: str | os.PathLike[str]) -> Path:
    """Write :data:`SETTINGS` as ``overrides.json`` into ``folder``; return the folder."""
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    (path / "overrides.json").write_text(json.dumps(SETTINGS, indent=1) + "\n", encoding="utf-8")
    return path


def free_port(preferred: int = 8888) -> int:
    """Return ``preferred`` if nothing listens there on 127.0.0.1, else a free port."""
    for port in (preferred, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            found: int = probe.getsockname()[1]
            return found
    raise OSError("no free port on 127.0.0.1")  # pragma: no cover - the OS always has one


def lab_command(
    root_dir: str | os.PathLike[str],
    *,
    port: int,
    token: str,
    settings_dir: str | os.PathLike[str],
    python: str | None = None,
) -> list[str]:
    """Return the command that starts JupyterLab on ``root_dir``, on 127.0.0.1 only.

    Parameters
    ----------
    root_dir
        The folder JupyterLab shows (and where notebooks run).
    port, token
        Where it listens and the token a browser must present.
    settings_dir
        A folder holding ``overrides.json`` (:func:`write_settings`).
    python
        The interpreter (default: this one, so the kernel sees this environment).

    Examples
    --------
    >>> cmd = lab_command("nb", port=8888, token="t", settings_dir="s", python="py")
    >>> cmd[:3], "--ip=127.0.0.1" in cmd, "--IdentityProvider.token=t" in cmd
    (['py', '-m', 'jupyterlab'], True, True)
    """
    command = [
        python or sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",  # the printed address must be the one in use
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={Path(root_dir).resolve()}",
        f"--LabApp.app_settings_dir={Path(settings_dir).resolve()}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # JupyterLab refuses to run as root without it
    return command


def lab_url(port: int, token: str, path: str = "") -> str:
    """Return the address of ``path`` (a notebook, or the file browser) with the token.

    Examples
    --------
    >>> lab_url(8888, "abc", "02_attribution.ipynb")
    'http://127.0.0.1:8888/lab/tree/02_attribution.ipynb?token=abc'
    >>> lab_url(8888, "abc")
    'http://127.0.0.1:8888/lab?token=abc'
    """
    where = f"/lab/tree/{path}" if path else "/lab"
    return f"http://127.0.0.1:{port}{where}?token={token}"


def main(argv: Sequence[str] | None = None) -> int:
    """Copy the notebooks into the working folder and run JupyterLab on it until Ctrl-C."""
    parser = argparse.ArgumentParser(
        prog="python -m attribution.report.lab",
        description="JupyterLab on the report notebooks (127.0.0.1, with a token).",
    )
    parser.add_argument("--notebooks", default="notebooks", help="the report notebooks")
    parser.add_argument(
        "--dir", default="outputs/lab", help="working folder that receives the copies"
    )
    parser.add_argument("--port", type=int, default=8888, help="port (another if taken)")
    args = parser.parse_args(argv)
    if not Path(args.notebooks).is_dir():
        print(f"no notebooks folder {args.notebooks!r}: run from the project root", file=sys.stderr)
        return 2
    copied = workspace(args.dir, args.notebooks)
    settings = write_settings(Path(args.dir) / SETTINGS_DIR)
    port, token = free_port(args.port), secrets.token_hex(24)
    command = lab_command(args.dir, port=port, token=token, settings_dir=settings)
    print(
        f"Notebooks: {Path(args.dir).resolve()} (working copies"
        + (f"; new: {', '.join(p.name for p in copied)}" if copied else "")
        + "; delete a copy to get a fresh one)\n"
        f"JupyterLab: {lab_url(port, token)}\n"
        "Stop it with Ctrl-C (twice).",
        flush=True,
    )
    os.execv(command[0], command)  # JupyterLab takes over this process (and Ctrl-C)


if __name__ == "__main__":  # pragma: no cover - `make lab`
    raise SystemExit(main())
