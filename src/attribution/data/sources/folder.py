"""A folder source: one file per table, or a folder of Parquet parts per table, read lazily.

A table is ``touches.parquet``, ``touches.csv`` or ``touches/part-00000.parquet``...

CSV files must be UTF-8 text. A file saved in another encoding (Latin-1, Windows-1252:
``Médiä`` as bytes ``4d e9 64 69 e4``) is never decoded lossily (that would load
``M�di�`` without a word): it is a problem naming the table, the columns and the rows that
hold bytes UTF-8 cannot read.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import polars as pl

from attribution.data.schema import Problem, raise_problems
from attribution.data.schema.problems import MAX_EXAMPLES, ROW
from attribution.data.sources.base import Source, TimeRange
from attribution.errors import SourceError

__all__ = ["FILE_SUFFIXES", "FolderSource", "encoding_problems", "is_utf8", "scan_file"]

FILE_SUFFIXES = (".parquet", ".csv")
"""The file types a folder source reads."""
_REPLACEMENT = "\ufffd"


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
    frame = _clean_header(pl.scan_csv(path, infer_schema=False, encoding="utf8"))
    return frame.with_columns(pl.all().replace("", None))


def is_utf8(path: Path) -> bool:
    r"""Tell whether a file is UTF-8 text, reading it in blocks (bounded memory).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = f.write_bytes("name\nMédiä\n".encode("latin-1"))
    >>> is_utf8(f)
    False
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            for block in iter(lambda: handle.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def encoding_problems(path: Path, table: str) -> list[Problem]:
    """Return one problem per column of a CSV file holding bytes UTF-8 cannot read.

    The file is scanned once more, lossily, only to find where the bad bytes are: each
    problem counts the rows and shows up to five of them (the bad bytes as ``�``).
    """
    message = (
        f"text that is not UTF-8 in {path.name} (saved as Latin-1 or Windows-1252?); "
        "save the file as UTF-8"
    )
    lossy = _clean_header(pl.scan_csv(path, infer_schema=False, encoding="utf8-lossy"))
    names = lossy.collect_schema().names()
    bad_names = [n for n in names if _REPLACEMENT in n]
    found = [Problem(table, n, f"column name holds {message}", 0) for n in bad_names]
    marks = {n: pl.col(n).str.contains(_REPLACEMENT, literal=True).fill_null(False) for n in names}
    counts = lossy.select(m.sum().alias(n) for n, m in marks.items()).collect().row(0)
    lossy = lossy.with_row_index(ROW)
    for name, count in zip(names, counts, strict=True):
        if count:
            examples = lossy.filter(marks[name]).head(MAX_EXAMPLES).select(ROW, name).collect()
            found.append(Problem(table, name, message, int(count), examples))
    return found or [Problem(table, None, message, 0)]


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
        self._checked: dict[tuple[Path, int, int], bool] = {}

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
        path = candidates[0]
        if path.suffix == ".csv" and not self._utf8(path):
            raise_problems(encoding_problems(path, name), source=self.description)
        return scan_file(path)

    def _utf8(self, path: Path) -> bool:
        """Whether ``path`` is UTF-8 (checked once per file and version)."""
        stat = path.stat()
        key = (path, stat.st_mtime_ns, stat.st_size)
        if key not in self._checked:
            self._checked[key] = is_utf8(path)
        return self._checked[key]

    def query(self, sql: str, *, where: TimeRange | None = None) -> pl.LazyFrame:
        """Run polars SQL over the folder's files (each a table named by its stem)."""
        frames = {name: self.table(name) for name in self.names()}
        return pl.SQLContext(frames=frames, eager=False).execute(sql)
