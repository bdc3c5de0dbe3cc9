"""A throwaway PostgreSQL server for tests: initdb into a temp dir, start on 127.0.0.1, stop.

The server binaries come from Debian's ``postgresql`` package (``.ci/run`` installs it). They
refuse to run as root, so as root they run as the ``postgres`` system user the package
creates, in a temporary folder it owns. Password authentication (SCRAM) is on, so tests can
log in with a wrong password; every statement is logged (``log_statement=all``), so tests
can read what the server received.

Set ``ATTRIBUTION_SKIP_POSTGRES=1`` to skip the PostgreSQL tests on a machine without the
server; without it, a missing server fails the tests (CI must run them).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

SKIP_ENV = "ATTRIBUTION_SKIP_POSTGRES"
ADMIN = "attribution_admin"
ADMIN_PASSWORD = "admin-pw"


def server_binaries() -> Path | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` holding ``initdb``, or None."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1].parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Server:
    """A running test server."""

    host: str
    port: int
    folder: Path

    def url(
        self, user: str = ADMIN, password: str | None = ADMIN_PASSWORD, database: str = "postgres"
    ) -> str:
        """A URL for ``user`` (password percent-encoded; None leaves it out)."""
        login = quote(user, safe="")
        if password is not None:
            login += ":" + quote(password, safe="")
        return f"postgresql://{login}@{self.host}:{self.port}/{database}"

    def statements(self) -> str:
        """Everything the server logged so far (one ``statement:`` line per query)."""
        return (self.folder / "server.log").read_text(errors="replace")


@contextlib.contextmanager
def running() -> Iterator[Server]:
    """Start a server in a temporary folder; stop it and delete the folder afterwards."""
    bindir = server_binaries()
    if bindir is None:
        raise RuntimeError(
            "PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/initdb); "
            f"install them with `apt-get install postgresql`, or set {SKIP_ENV}=1 to skip"
        )
    prefix: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="attribution-pg-"))
    if os.geteuid() == 0:  # initdb and postgres refuse to run as root
        shutil.chown(folder, user="postgres", group="postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    pwfile = folder / "pw"
    pwfile.write_text(ADMIN_PASSWORD + "\n")
    if prefix:
        shutil.chown(pwfile, user="postgres", group="postgres")
    data = folder / "data"
    port = _free_port()

    def run(*args: str) -> None:
        # cwd: the postgres user may not be allowed into the checkout (e.g. under /root)
        subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=60, cwd=folder)

    started = False
    try:
        run(
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            ADMIN,
            f"--pwfile={pwfile}",
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
            "--no-instructions",
        )
        options = " ".join(
            [
                "-h 127.0.0.1",
                f"-p {port}",
                f"-k {folder}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c log_statement=all",
                "-c log_min_messages=warning",
            ]
        )
        run(
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(folder / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "30",
            "start",
        )
        started = True
        yield Server("127.0.0.1", port, folder)
    finally:
        if started:
            with contextlib.suppress(subprocess.SubprocessError):
                run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)
