"""A folder source: one file per table, or a folder of Parquet parts per table, read lazily.

A table is ``touches.parquet``, ``touches.csv`` or ``touches/part-00000.parquet``... CSV
files are read as text (:func:`attribution.data.sources.csv_files.scan_csv`: encoding
checked, separator found), with the :class:`~attribution.data.sources.options.ReadOptions`
a mapping gives; columns named in its ``dates`` are parsed as soon as a file is read.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from attribution.data.schema import Problem, raise_problems
from attribution.data.sources.base import Source, TimeRange
from attribution.data.sources.csv_files import scan_csv, with_dates
from attribution.data.sources.options import CsvOptions, ReadOptions
from attribution.errors import SourceError

__all__ = ["FILE_SUFFIXES", "FolderSource", "scan_file"]

FILE_SUFFIXES = (".parquet", ".csv")
"""The file types a folder source reads."""


def scan_file(
    path: Path, options: CsvOptions | None = None, notes: list[str] | None = None
) -> pl.LazyFrame:
    """Scan a Parquet file, a folder of Parquet parts, or a CSV file (every column as text).

    CSV cannot tell an empty value from a missing one, so ``""`` (quoted, as Salesforce's
    Data Loader writes it) is missing too; validation converts the text and reports what it
    cannot read. How a CSV was read, where that is not plain, is added to ``notes``.
    """
    if path.is_dir():
        parts = sorted(path.glob("*.parquet"))
        if not parts:
            raise SourceError(f"folder {path} holds no .parquet files")
        return pl.scan_parquet(parts)
    if path.suffix == ".parquet":
        if path.stat().st_size == 0:
            raise SourceError(f"{path}: the file is empty (0 bytes); export it again, or remove it")
        return pl.scan_parquet(path)
    frame, found = scan_csv(path, options)
    if notes is not None:
        notes.extend(n for n in found if n not in notes)
    return frame


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

    def label(self, name: str) -> str:
        """Name table ``name`` by its file (``Deals.csv``), as a user knows it."""
        found = self._candidates(name)
        return found[0].name if len(found) == 1 else name

    def file(self, name: str) -> Path:
        """Return the file (or folder of parts) holding table ``name``.

        Raises
        ------
        SchemaError
            More than one file holds it (``touches.csv`` and ``touches.parquet``).
        SourceError
            None does.
        """
        candidates = self._candidates(name)
        if len(candidates) > 1:
            found = ", ".join(c.name for c in candidates)
            message = f"more than one file for this table: {found}; keep one"
            raise_problems(
                [Problem(name, None, message, 0, kind="schema")], source=self.description
            )
        if not candidates:
            raise SourceError(f"{self.folder} has no file for table {name!r}")
        return candidates[0]

    def table(
        self, name: str, *, where: TimeRange | None = None, options: ReadOptions | None = None
    ) -> pl.LazyFrame:
        """Scan one table lazily; a filter applied later is pushed into the scan by polars."""
        options = options or ReadOptions()
        frame = scan_file(self.file(name), options.csv, self.notes)
        return with_dates(frame, options.dates)

    def query(
        self, sql: str, *, where: TimeRange | None = None, options: ReadOptions | None = None
    ) -> pl.LazyFrame:
        """Run polars SQL over the folder's files (each a table named by its stem).

        ``options`` apply to every file before the query sees it: dates are already
        timestamps inside the SQL.
        """
        frames = {name: self.table(name, options=options) for name in self.names()}
        return pl.SQLContext(frames=frames, eager=False).execute(sql)
