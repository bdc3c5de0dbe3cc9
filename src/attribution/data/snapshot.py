"""Snapshots: a validated dataset written once as Parquet, for notebooks to read back.

The report runner validates the source once and writes the converted tables into the run
folder (``data/<table>.parquet`` plus ``data/dataset.json``); every notebook then reads that
snapshot with :func:`read_snapshot` instead of loading and validating the source again.
Demo data keeps its known truth (``data/truth/``).

Content hashes (SHA-256 of the bytes) of the snapshot files and of the source files are
recorded, so a run's manifest says exactly which data it saw.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from attribution.data.dataset import Dataset
from attribution.data.demo import DemoParams, DemoTruth
from attribution.data.schema import TABLES
from attribution.data.sources.locate import db_kind, is_url
from attribution.errors import SourceError

__all__ = ["file_sha256", "read_snapshot", "source_files", "write_snapshot"]

_META = "dataset.json"
_TRUTH = "truth"


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Return the SHA-256 of a file's bytes, read in blocks (bounded memory).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> _ = f.write_bytes(b"abc")
    >>> file_sha256(f)[:16]
    'ba7816bf8f01cfea'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_snapshot(dataset: Dataset, folder: str | os.PathLike[str]) -> dict[str, Any]:
    """Write every table of a validated dataset as ``<folder>/<table>.parquet``.

    Lazy tables are streamed to disk (``sink_parquet``), so a source larger than memory
    stays out of memory. Demo truth, when present, goes to ``<folder>/truth/``.

    Returns
    -------
    dict
        ``{"source": ..., "tables": {name: {"rows", "file", "bytes", "sha256"}}, "truth": bool}``,
        also written as ``<folder>/dataset.json``.

    Examples
    --------
    >>> import tempfile, attribution as at
    >>> ds = at.demo.generate(n_accounts=40, seed=1)
    >>> info = write_snapshot(ds, tempfile.mkdtemp())
    >>> sorted(info["tables"]) == sorted(ds.row_counts()), info["truth"]
    (True, True)
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    tables: dict[str, Any] = {}
    for name, frame in dataset.tables().items():
        file = out / f"{name}.parquet"
        if isinstance(frame, pl.LazyFrame):
            frame.sink_parquet(file)
            rows = int(pl.scan_parquet(file).select(pl.len()).collect().item())
        else:
            frame.write_parquet(file)
            rows = frame.height
        tables[name] = {
            "rows": rows,
            "file": file.name,
            "bytes": file.stat().st_size,
            "sha256": file_sha256(file),
        }
    truth = dataset.truth
    has_truth = truth is not None and hasattr(truth, "contributions")
    if has_truth:
        (out / _TRUTH).mkdir(exist_ok=True)
        truth.contributions.write_parquet(out / _TRUTH / "contributions.parquet")
        truth.opportunities.write_parquet(out / _TRUTH / "opportunities.parquet")
        (out / _TRUTH / "params.json").write_text(json.dumps(truth.params.to_dict(), indent=1))
    info = {
        "source": dataset.source,
        "tables": tables,
        "truth": has_truth,
        "count_only": dataset.count_only,
    }
    (out / _META).write_text(json.dumps(info, indent=2))
    return info


def _demo_truth(folder: Path) -> DemoTruth:
    raw = json.loads((folder / "params.json").read_text())
    kinds = {f.name: f.type for f in dataclasses.fields(DemoParams)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in kinds:
            continue
        if key in ("start", "end"):
            value = datetime.fromisoformat(value)
        elif isinstance(value, list):
            value = tuple(value)
        values[key] = value
    return DemoTruth(
        params=DemoParams(**values),
        contributions=pl.read_parquet(folder / "contributions.parquet"),
        opportunities=pl.read_parquet(folder / "opportunities.parquet"),
    )


def read_snapshot(folder: str | os.PathLike[str], *, lazy: bool = False) -> Dataset:
    """Read a snapshot written by :func:`write_snapshot` (no validation: it was validated).

    Parameters
    ----------
    folder
        The snapshot folder.
    lazy
        Return lazy Parquet scans instead of in-memory tables.

    Raises
    ------
    SourceError
        The folder holds no snapshot.

    Examples
    --------
    >>> import tempfile, attribution as at
    >>> ds = at.demo.generate(n_accounts=40, seed=1)
    >>> folder = tempfile.mkdtemp()
    >>> _ = write_snapshot(ds, folder)
    >>> back = read_snapshot(folder)
    >>> back.touches.equals(ds.touches), back.truth.shares == ds.truth.shares
    (True, True)
    """
    base = Path(folder)
    meta = base / _META
    if not meta.is_file():
        raise SourceError(
            f"{base} holds no data snapshot ({_META} is missing); the report runner writes "
            "one into each run folder"
        )
    info = json.loads(meta.read_text())
    frames: dict[str, Any] = {}
    for name, entry in info["tables"].items():
        scan = pl.scan_parquet(base / entry["file"])
        frames[name] = scan if lazy else scan.collect()
    truth = _demo_truth(base / _TRUTH) if info.get("truth") else None
    return Dataset(
        **frames,
        source=info["source"],
        truth=truth,
        count_only=bool(info.get("count_only", False)),
    )


def source_files(source: str, *, tables: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """List the files a source is read from, with their sizes and SHA-256 hashes.

    For a folder: the ``<table>.parquet``/``.csv`` files and ``<table>/`` part folders of
    the contract's tables (renamed by ``tables``); for a ``sqlite:///``/``duckdb:///`` URL
    or a database file: that file. Other URLs give an empty list.
    """
    paths: list[Path] = []
    if is_url(source):
        try:
            _, location = db_kind(source)
        except SourceError:
            return []
        paths = [Path(location)]
    elif Path(source).is_file():
        paths = [Path(source)]
    elif Path(source).is_dir():
        root = Path(source)
        for table in TABLES:
            stem = (tables or {}).get(table, table)
            paths += [root / f"{stem}{suffix}" for suffix in (".parquet", ".csv")]
            if (root / stem).is_dir():
                paths += sorted((root / stem).glob("*.parquet"))
    return [
        {"path": str(p), "bytes": p.stat().st_size, "sha256": file_sha256(p)}
        for p in paths
        if p.is_file()
    ]
