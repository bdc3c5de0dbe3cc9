"""The published packages we compare with, each installed into its own virtual environment.

They are never dependencies of this project (ChannelAttribution is GPL-3): the harness
creates ``benchmarks/.peers/<name>/`` (git-ignored) on first use with ``pip`` and records the
outcome. A peer whose installation fails is reported as missing, with the last lines of its
log; it never stops the benchmark.
"""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PEERS_DIR = ROOT / "benchmarks" / ".peers"


@dataclass(frozen=True)
class PeerSpec:
    name: str
    label: str
    requirements: tuple[str, ...]
    module: str
    distribution: str


SPECS: dict[str, PeerSpec] = {
    "channelattribution": PeerSpec(
        name="channelattribution",
        label="ChannelAttribution",
        # builds its C++ core from source; imports matplotlib; pandas reads Parquet via pyarrow
        requirements=("ChannelAttribution==2.2.5", "matplotlib", "pandas", "pyarrow"),
        module="ChannelAttribution",
        distribution="ChannelAttribution",
    ),
    "mam": PeerSpec(
        name="mam",
        label="marketing-attribution-models",
        requirements=("marketing_attribution_models==2.1.1", "pyarrow"),
        module="mam",
        distribution="marketing_attribution_models",
    ),
}


@dataclass(frozen=True)
class Peer:
    spec: PeerSpec
    python: Path | None
    version: str | None
    problem: str | None  # why it is missing

    @property
    def available(self) -> bool:
        return self.python is not None


def _python(folder: Path) -> Path:
    return folder / "bin" / "python"


def _version(python: Path, spec: PeerSpec) -> str:
    code = f"import importlib.metadata as m, {spec.module}; print(m.version({spec.distribution!r}))"
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]  # ChannelAttribution prints a banner first


def ensure(name: str, *, install: bool = True) -> Peer:
    """Return the peer ready to run, installing it first if needed (and allowed)."""
    spec = SPECS[name]
    folder = PEERS_DIR / name
    stamp = folder / "installed.json"
    log = PEERS_DIR / f"{name}.log"
    if stamp.is_file():
        info = json.loads(stamp.read_text())
        if info.get("requirements") == list(spec.requirements):
            return Peer(spec, _python(folder), info["version"], None)
    if not install:
        return Peer(spec, None, None, "not installed (run without --no-install)")
    PEERS_DIR.mkdir(parents=True, exist_ok=True)
    print(f"installing {spec.label} into {folder} (log: {log}) ...", file=sys.stderr, flush=True)
    try:
        venv.create(folder, with_pip=True, clear=True)
        python = _python(folder)
        with log.open("w") as out:
            for args in (["--upgrade", "pip"], list(spec.requirements)):
                subprocess.run(
                    [str(python), "-m", "pip", "install", "--disable-pip-version-check", *args],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    check=True,
                )
        version = _version(python, spec)
    except (subprocess.CalledProcessError, OSError) as exc:
        tail = log.read_text().strip().splitlines()[-3:] if log.is_file() else []
        reason = f"installation failed ({exc.__class__.__name__}): " + " | ".join(tail)
        return Peer(spec, None, None, reason[:300])
    stamp.write_text(json.dumps({"version": version, "requirements": list(spec.requirements)}))
    return Peer(spec, python, version, None)


if __name__ == "__main__":
    for peer_name in sys.argv[1:] or list(SPECS):
        peer = ensure(peer_name)
        print(peer.spec.label, peer.version or f"missing: {peer.problem}")
