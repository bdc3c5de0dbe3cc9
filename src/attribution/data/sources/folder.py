"""A folder source: one file per table, or a folder of Parquet parts per table, read lazily.

A table is ``touches.parquet``, ``touches.csv`` or ``touches/part-00000.parquet``...
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from attribution.data.schema import Problem, raise_problems
from attribution.data.sources.base import Source, TimeRange
from attribution.errors import SourceError

__all__ = ["FILE_SUFFIXES", "FolderSource", "scan_file"]

FILE_SUFFIXES = (".parquet", ".csv")
"""The file types a folder source reads."""


def _clean_header(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Strip a UTF-8 byte-order mark and surrounding spaces from column names."""
    names = frame.collect_schema().names()
    clean = {n: n.lstrip("\ufeff").strip() for n in names}
    return (
        frame.rename({k: v for k, v in clean.items() if k != v})
        if clean != dict(zip(names, names, strict=True))
        else frame
    )


def scan_file(path: Path) -> pl.LazyFrame:
    """Scan a Parquet file, a folder of Parquet parts, or a CSV file (every column as text).

    CSV cannot tell an empty value from a missing one, so ``""`` (quoted, as Salesforce's
    Data Loader writes it) is missing too; validation converts the text and reports what it
    cannot read.
    """
    if path.is_dir():
        parts = sorted(path.glob("*.parquet"))
        if not parts:
            raise SourceError(f"folder {path} holds no .parquet files")
        return pl.scan_parquet(parts)
    if path.suffix == ".parquet":
        return pl.scan_parquet(path)
    frame = _clean_header(pl.scan_csv(path, infer_schema=False, encoding="utf8-lossy"))
    return frame.with_columns(pl.all().replace("", None))


class FolderSource(Source):
    """A folder of ``<name>.parquet`` / ``<name>.csv`` files or ``<name>/`` Parquet parts.

    :meth:`query` runs polars SQL with every file registered as a table named by its stem.
    """

    def __init__(self, folder: Path) -> None:
        super().__init__()
        if not folder.exists():
            raise SourceError(f"source folder {folder} does not exist")
        self.folder = folder
        self.description = str(folder)

    def _candidates(self, name: str) -> list[Path]:
        found = [self.folder / f"{name}{s}" for s in FILE_SUFFIXES]
        found = [c for c in found if c.is_file()]
        if (self.folder / name).is_dir():
            found.append(self.folder / name)
        return found

    def names(self) -> list[str]:
        """Names of the tables (or file stems) the source holds."""
        stems = {p.stem for p in self.folder.iterdir() if p.is_file() and p.suffix in FILE_SUFFIXES}
        stems |= {p.name for p in self.folder.iterdir() if p.is_dir() and any(p.glob("*.parquet"))}
        return sorted(stems)

    def table(self, name: str, *, where: TimeRange | None = None) -> pl.LazyFrame:
        """Scan one table lazily; a filter applied later is pushed into the scan by polars."""
        candidates = self._candidates(name)
        if len(candidates) > 1:
            found = ", ".join(c.name for c in candidates)
            message = f"more than one file for this table: {found}; keep one"
            raise_problems(
                [Problem(name, None, message, 0, kind="schema")], source=self.description
            )
        if not candidates:
            raise SourceError(f"{self.folder} has no file for table {name!r}")
        return scan_file(candidates[0])

    def query(self, sql: str, *, where: TimeRange | None = None) -> pl.LazyFrame:
        """Run polars SQL over the folder's files (each a table named by its stem)."""
        frames = {name: self.table(name) for name in self.names()}
        return pl.SQLContext(frames=frames, eager=False).execute(sql)
