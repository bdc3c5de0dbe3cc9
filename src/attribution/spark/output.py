"""Writing credits back: Parquet partitioned by closing month, renamed into place."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from attribution._folders import swap_into_place
from attribution.data.schema import CLOSED_AT
from attribution.errors import ParameterError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["CLOSED_MONTH", "write_credits"]

CLOSED_MONTH = "closed_month"
"""Partition column of written credits: the deal's closing month, ``YYYY-MM`` (UTC)."""


def write_credits(credits: DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a Spark credits table as Parquet partitioned by ``closed_month=YYYY-MM``.

    Spark writes into a temporary folder beside ``path``, which is then renamed into place
    (a folder already at ``path`` is replaced only once the new one is complete, and only
    if Spark wrote it: it holds ``_SUCCESS``), so
    readers never see a half-written table. ``path`` is a local (or mounted) folder.

    Returns
    -------
    pathlib.Path
        The folder written.
    """
    from pyspark.sql import functions as sf

    if CLOSED_AT not in credits.columns:
        raise ParameterError(
            f"credits: no {CLOSED_AT} column to partition by (columns: {credits.columns})"
        )
    dest = Path(path).absolute()
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp-{uuid.uuid4().hex[:8]}")
    month = sf.date_format(sf.col(CLOSED_AT), "yyyy-MM").alias(CLOSED_MONTH)
    try:
        (
            credits.select(*credits.columns, month)
            .write.partitionBy(CLOSED_MONTH)
            .mode("errorifexists")
            .parquet(tmp.as_uri())
        )
        swap_into_place(tmp, dest, replaceable=_spark_output)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def _spark_output(folder: Path) -> bool:
    """Tell whether ``folder`` is a table Spark wrote (it marks one with ``_SUCCESS``)."""
    return (folder / "_SUCCESS").is_file()
