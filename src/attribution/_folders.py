"""Folders written whole or not at all, that never replace what the package did not write.

A writer builds its output in a temporary folder beside the destination
(:func:`claimed`) and swaps it into place at the end (:func:`swap_into_place`):

* **whole or nothing**: readers see the old folder or the new one, never a mix; on Linux
  the two are exchanged in one step (``renameat2(RENAME_EXCHANGE)``), elsewhere the old
  one is renamed aside first;
* **only what it wrote**: an existing destination is replaced only when the caller's
  ``replaceable`` test says the package wrote it (a run folder holds the manifest of an
  earlier run); anything else is an error naming the folder, and nothing is touched;
* **concurrent writers**: a lock per destination (``.<name>.lock`` beside it while held,
  an ``flock``) serialises the swaps of several processes writing the same folder;
* **killed writers**: each temporary folder is held by a lock of its own for as long as
  its writer lives. A writer killed with ``kill -9`` releases it, and the next writer of
  the same name removes what it left (:func:`clean_leftovers`); a live writer's
  temporary folder is never touched.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from attribution.errors import ParameterError

try:  # POSIX; elsewhere writers are not serialised
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "check_replaceable",
    "claimed",
    "clean_leftovers",
    "destination",
    "folder_lock",
    "remove",
    "swap_into_place",
]

_TMP = ".tmp-"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _libc_renameat2() -> Any:
    try:
        return ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):  # pragma: no cover - not glibc
        return None


_RENAMEAT2 = _libc_renameat2()


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one step; False where the system cannot."""
    if _RENAMEAT2 is None:  # pragma: no cover - not Linux
        return False
    done = _RENAMEAT2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # pragma: no cover - file systems without the exchange
    raise OSError(code, os.strerror(code), str(b))


def destination(folder: str | os.PathLike[str]) -> Path:
    """Return ``folder`` as an absolute path a writer may replace: never the current folder.

    Raises
    ------
    ParameterError
        ``folder`` is the current folder, or one that holds it (``.``, ``..``, ``/``): a
        writer would swap the folder it works in.

    Examples
    --------
    >>> destination(".")
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: ... is the current folder (or holds it); give a new folder to write into
    """  # noqa: E501
    path = Path(os.path.abspath(folder))
    here = Path.cwd()
    if path == here or path in here.parents:
        raise ParameterError(
            f"{path} is the current folder (or holds it); give a new folder to write into"
        )
    return path


def remove(path: Path) -> None:
    """Remove a file or a folder (with what it holds); nothing if it does not exist."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _lock(handle: IO[bytes], *, wait: bool) -> bool:
    if fcntl is None:  # pragma: no cover - Windows
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def folder_lock(dest: Path) -> Iterator[None]:
    """Hold the lock of destination ``dest`` (``.<name>.lock`` beside it) while inside.

    The lock file is removed on exit; a writer that was waiting for it notices that the
    file it locked is gone and locks the new one, so two writers never hold the lock.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> with folder_lock(root / "report"):
    ...     sorted(p.name for p in root.iterdir())
    ['.report.lock']
    >>> sorted(p.name for p in root.iterdir())
    []
    """
    path = dest.parent / f".{dest.name}.lock"
    while True:
        handle = open(path, "ab")  # noqa: SIM115 - closed below, after the unlink
        _lock(handle, wait=True)
        if fcntl is None or _held(handle, path):
            break
        handle.close()  # locked a file the previous holder had removed: try again
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
        handle.close()


def _held(handle: IO[bytes], path: Path) -> bool:
    """Tell whether the locked ``handle`` is still the file at ``path``."""
    try:
        return os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False


def check_replaceable(
    dest: Path, replaceable: Callable[[Path], bool] | None, *, hint: str = ""
) -> None:
    """Raise unless ``dest`` is free: missing, an empty folder, or ``replaceable``.

    Writers call it before they start, so that nothing is computed for a destination
    they may not replace; :func:`swap_into_place` checks again under the lock.
    """
    if not (dest.exists() or dest.is_symlink()):
        return
    if dest.is_dir() and not dest.is_symlink() and not any(dest.iterdir()):
        return  # an empty folder holds nothing to lose
    if replaceable is not None and replaceable(dest):
        return
    kind = "folder" if dest.is_dir() else "file"
    raise ParameterError(
        f"{dest} exists and was not written by attribution (a {kind} it would replace); "
        f"move it away or choose another destination{hint}"
    )


def swap_into_place(
    tmp: Path, dest: Path, *, replaceable: Callable[[Path], bool] | None = None
) -> Path:
    """Replace ``dest`` by the finished folder ``tmp``; return ``dest``.

    ``tmp`` must be on the same file system as ``dest`` (build it beside ``dest``, e.g.
    with :func:`claimed`). An existing ``dest`` is replaced only if it is an empty folder or
    ``replaceable(dest)`` is true; it is removed once the new one is in place. Swaps of one
    destination by several processes take turns.

    Raises
    ------
    ParameterError
        ``dest`` exists, holds something, and ``replaceable`` does not accept it.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "out").mkdir(); _ = (root / "out" / "old.txt").write_text("old")
    >>> (root / ".out.new").mkdir(); _ = (root / ".out.new" / "new.txt").write_text("new")
    >>> new = swap_into_place(root / ".out.new", root / "out", replaceable=lambda p: True)
    >>> [p.name for p in new.iterdir()], sorted(p.name for p in root.iterdir())
    (['new.txt'], ['out'])
    >>> _ = (root / "mine.txt").write_text("not the package's")
    >>> (root / ".mine.new").mkdir()
    >>> swap_into_place(root / ".mine.new", root / "mine.txt")
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: ... exists and was not written by attribution (a file it would replace); move it away or choose another destination
    """  # noqa: E501
    with folder_lock(dest):
        check_replaceable(dest, replaceable)
        if not (dest.exists() or dest.is_symlink()):
            tmp.rename(dest)
            return dest
        if not _exchange(tmp, dest):  # pragma: no cover - file systems without it
            aside = tmp.with_name(tmp.name + ".old")
            dest.rename(aside)
            tmp.rename(dest)
            aside.rename(tmp)
    remove(tmp)  # the old content, now under the temporary name
    return dest


def _stems(parent: Path, name: str) -> Iterator[Path]:
    prefix = f".{name}{_TMP}"
    for lock in parent.glob(f"{_glob_escape(prefix)}*.lock"):
        yield lock.with_suffix("")


def _glob_escape(text: str) -> str:
    """Escape ``*``, ``?`` and ``[`` for :meth:`pathlib.Path.glob`.

    Examples
    --------
    >>> _glob_escape("a[1]*")
    'a[[]1][*]'
    """
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def clean_leftovers(parent: Path, name: str) -> list[Path]:
    """Remove the temporary folders that killed writers of ``name`` left in ``parent``.

    Only folders whose lock file says the package made them, and whose writer is gone
    (the lock is free), are removed. Returns what was removed.
    """
    removed = []
    for stem in _stems(parent, name):
        lock = stem.with_name(stem.name + ".lock")
        try:
            handle = open(lock, "rb+")  # noqa: SIM115 - held across the removal below
        except OSError:
            continue
        with handle:
            if not _lock(handle, wait=False):
                continue  # a live writer
            for path in (stem, stem.with_name(stem.name + ".old")):
                if path.exists():
                    remove(path)
                    removed.append(path)
            lock.unlink(missing_ok=True)
    return removed


@contextlib.contextmanager
def claimed(parent: Path, name: str) -> Iterator[Path]:
    """Yield a new temporary folder ``.<name>.tmp-XXXX`` in ``parent``, held while inside.

    Leftovers of killed writers of the same name are removed first. On exit whatever is
    still at the temporary name (nothing once it was swapped into place) is removed.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> with claimed(root, "demo") as tmp:
    ...     tmp.name.startswith(".demo.tmp-"), tmp.is_dir()
    (True, True)
    >>> sorted(p.name for p in root.iterdir())
    []
    """
    parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(parent, name)
    while True:
        stem = parent / f".{name}{_TMP}{secrets.token_hex(4)}"
        try:
            handle = open(stem.with_name(stem.name + ".lock"), "xb")  # noqa: SIM115
        except FileExistsError:  # pragma: no cover - 32 random bits collided
            continue
        break
    with handle:
        _lock(handle, wait=True)
        try:
            stem.mkdir(mode=0o777)  # permissions from the umask: reviewers read the output
            yield stem
        finally:
            remove(stem)
            remove(stem.with_name(stem.name + ".old"))
            stem.with_name(stem.name + ".lock").unlink(missing_ok=True)
