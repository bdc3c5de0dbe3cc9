"""Journeys written to Parquet in buckets of accounts, for sources larger than memory.

:func:`journeys` with ``lazy=True`` already runs on polars' streaming engine, but ordering
every opportunity's touches needs all journey rows at once: at 100M touches (39M journey
rows) that is about 16 GB. Journeys never cross accounts, so :func:`write_journeys` builds
them for one bucket of accounts at a time (a stable hash of ``account_id``) and writes one
Parquet part per bucket: peak memory falls with the number of buckets, at the price of
reading the source once per bucket. The models read the folder back with
``pl.scan_parquet(folder)``.
"""

from __future__ import annotations

import dataclasses
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from attribution._folders import check_replaceable, claimed, destination, swap_into_place
from attribution._time import DEFAULT_LOOKBACK_DAYS
from attribution.data.dataset import Dataset
from attribution.data.schema import ACCOUNT_ID
from attribution.errors import ParameterError
from attribution.journey.build import journeys

__all__ = ["write_journeys"]

_PER_ACCOUNT = ("touches", "opportunities", "contacts")  # the tables journeys read


def write_journeys(
    dataset: Dataset,
    path: str | os.PathLike[str],
    *,
    lookback_days: float = DEFAULT_LOOKBACK_DAYS,
    as_of: datetime | None = None,
    buckets: int = 8,
) -> Path:
    """Write every opportunity's journey as Parquet parts, one bucket of accounts at a time.

    Parameters
    ----------
    dataset
        A validated dataset, usually lazy (``attribution.load(source, lazy=True)``).
    path
        Folder to write (``part-0000.parquet``, ...). It is built beside ``path`` under a
        temporary name and swapped into place, replacing an older folder of journey parts
        whole (anything else at ``path`` is an error); on an error nothing is left behind.
    lookback_days, as_of
        As for :func:`attribution.journeys`; ``as_of`` defaults to the dataset's, computed
        once for all buckets.
    buckets
        Number of account buckets (and parts). Peak memory is about that of
        :func:`attribution.journeys` on ``1 / buckets`` of the accounts.

    Returns
    -------
    pathlib.Path
        The folder. Its rows equal ``journeys(dataset, ...)``; each part is sorted by
        ``opportunity_id`` and ``position``, the folder as a whole is not.

    Examples
    --------
    >>> import tempfile, pathlib, attribution as at, polars as pl
    >>> ds = at.demo.generate(n_accounts=200, seed=1)
    >>> folder = at.write_journeys(ds, pathlib.Path(tempfile.mkdtemp()) / "j", buckets=3)
    >>> sorted(p.name for p in folder.iterdir())
    ['part-0000.parquet', 'part-0001.parquet', 'part-0002.parquet']
    >>> pl.scan_parquet(folder).select(pl.len()).collect().item() == at.journeys(ds).height
    True
    """
    if isinstance(buckets, bool) or not isinstance(buckets, int) or buckets < 1:
        raise ParameterError(f"buckets must be a whole number >= 1, got {buckets!r}")
    if as_of is None:  # once for all buckets: each bucket's latest timestamp differs
        as_of = dataset.as_of
    target = destination(path)
    check_replaceable(target, _journey_parts)
    with claimed(target.parent, target.name) as tmp:
        for i in range(buckets):
            bucket = pl.col(ACCOUNT_ID).hash(seed=0) % buckets == i
            per_bucket: dict[str, Any] = {
                name: frame.lazy().filter(bucket) if name in _PER_ACCOUNT else frame
                for name, frame in dataset.tables().items()
            }
            part = dataclasses.replace(dataset, **per_bucket)
            frame = journeys(part, lookback_days=lookback_days, as_of=as_of, lazy=True)
            frame.sink_parquet(tmp / f"part-{i:04d}.parquet", engine="streaming")
        swap_into_place(tmp, target, replaceable=_journey_parts)
    return target


def _journey_parts(folder: Path) -> bool:
    """Tell whether ``folder`` holds journey parts only (what this module writes)."""
    return folder.is_dir() and all(
        re.fullmatch(r"part-\d{4,}\.parquet", p.name) for p in folder.iterdir()
    )
