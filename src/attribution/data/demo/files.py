"""Write demo data as a source folder: whole (:func:`write`) or in chunks (:func:`write_large`)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import polars as pl

from attribution._folders import check_replaceable, claimed, destination, swap_into_place
from attribution.data.dataset import Dataset
from attribution.data.demo.chunks import iter_chunks
from attribution.data.demo.params import DemoParams
from attribution.data.demo.truth import VALUES, contributions
from attribution.data.load import write_tables

__all__ = ["write", "write_large"]


def write(
    dataset: Dataset,
    folder: str | os.PathLike[str],
    *,
    fmt: str = "parquet",
    overwrite: bool = False,
) -> Path:
    """Write a dataset as a source folder (``<table>.parquet`` or ``.csv``), atomically.

    ``folder`` must be new or empty unless ``overwrite`` (see
    :func:`attribution.data.load.write_tables`).

    Examples
    --------
    >>> import tempfile, attribution as at
    >>> folder = write(at.demo.generate(n_accounts=20, seed=1), tempfile.mkdtemp() + "/demo")
    >>> sorted(p.name for p in folder.iterdir())[:2]
    ['accounts.parquet', 'contacts.parquet']
    """
    return write_tables(dataset, folder, fmt=fmt, overwrite=overwrite)


def write_large(
    folder: str | os.PathLike[str],
    *,
    n_accounts: int,
    seed: int = 0,
    params: DemoParams | None = None,
    chunk_accounts: int = 50_000,
    overwrite: bool = False,
) -> dict[str, Any]:
    """Generate a large demo source chunk by chunk, straight to Parquet parts.

    Memory stays bounded by one chunk, so 10M+ touches can be written on a laptop. Each
    table becomes a folder of parts (``touches/part-00000.parquet``...), which
    :func:`attribution.load` reads as one table. The write is atomic: a temporary folder is
    swapped into place at the end. ``folder`` must be new or empty unless ``overwrite``.

    Returns
    -------
    dict
        Row counts per table, the true contributions (as a list of dicts) and the elapsed
        seconds.

    Examples
    --------
    >>> import tempfile
    >>> info = write_large(tempfile.mkdtemp() + "/big", n_accounts=60, chunk_accounts=25)
    >>> info["rows"]["accounts"], [row["component"] for row in info["truth"]][:2]
    (60, ['baseline', 'marketing'])
    """
    t_start = time.perf_counter()
    dest = destination(folder)
    check_replaceable(dest, lambda _: overwrite)
    with claimed(dest.parent, dest.name) as tmp:
        counts, truths = _write_parts(tmp, n_accounts, seed, params or DemoParams(), chunk_accounts)
        swap_into_place(tmp, dest, replaceable=lambda _: overwrite)
    return {
        "rows": counts,
        "truth": contributions(pl.concat(truths)).to_dicts(),
        "seconds": time.perf_counter() - t_start,
    }


def _write_parts(
    tmp: Path, n_accounts: int, seed: int, p: DemoParams, chunk_accounts: int
) -> tuple[dict[str, int], list[pl.DataFrame]]:
    """Write every chunk's tables as parts; return row counts and per-chunk value sums."""
    counts: dict[str, int] = {}
    truths = []
    chunks = iter_chunks(n_accounts=n_accounts, seed=seed, params=p, chunk_accounts=chunk_accounts)
    for i, (tables, truth) in enumerate(chunks):
        for name, frame in tables.items():
            (tmp / name).mkdir(exist_ok=True)
            frame.write_parquet(tmp / name / f"part-{i:05d}.parquet")
            counts[name] = counts.get(name, 0) + frame.height
        truths.append(truth.select(*VALUES).sum())
    return counts, truths
