"""Write a folder whole or not at all: build it under a temporary name, then swap it in."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

__all__ = ["swap_into_place"]


def swap_into_place(tmp: Path, dest: Path) -> Path:
    """Replace ``dest`` by the finished folder ``tmp`` with renames; return ``dest``.

    ``tmp`` must be on the same file system as ``dest`` (build it beside ``dest``). An older
    ``dest`` is renamed aside first and removed afterwards, so readers see either the old
    folder or the new one, never a mix.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "out").mkdir(); _ = (root / "out" / "old.txt").write_text("old")
    >>> (root / ".out.tmp").mkdir(); _ = (root / ".out.tmp" / "new.txt").write_text("new")
    >>> [p.name for p in swap_into_place(root / ".out.tmp", root / "out").iterdir()]
    ['new.txt']
    >>> [p.name for p in root.iterdir()]
    ['out']
    """
    if dest.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old.", dir=dest.parent))
        old.rmdir()
        dest.rename(old)
        tmp.rename(dest)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(dest)
    return dest
