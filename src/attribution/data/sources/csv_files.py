"""Reading one CSV export as text: encoding checked, separator found, header cleaned.

Every column is read as text; validation converts it later and reports what it cannot
read. What can go wrong with a file is said about the file, by its path: an empty file,
bytes its encoding cannot decode (never replaced silently), a header that is not there.
When no separator is given and the header line holds ``;``, a tab or ``|`` rather than
commas, that separator is used and :func:`scan_csv` says so in its notes.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from attribution.data.sources.options import CsvOptions
from attribution.errors import SourceError

__all__ = ["SEPARATORS", "detect_separator", "scan_csv", "with_dates"]

SEPARATORS = (",", ";", "\t", "|")
"""Field separators a header line is tried with, in order of preference."""
_BLOCK = 1 << 22  # bytes decoded at a time when checking an encoding
_NAMES = {",": "','", ";": "';'", "\t": "a tab", "|": "'|'"}


def detect_separator(header: str) -> str:
    r"""Return the separator a header line most likely uses (``,`` when in doubt).

    Quoted parts are ignored, so a comma inside ``"Amount, in EUR"`` does not count.

    Examples
    --------
    >>> detect_separator("opportunity_id;sales_agent;close_value")
    ';'
    >>> detect_separator('"Id","Amount, EUR"'), detect_separator("a\tb")
    (',', '\t')
    """
    outside = "".join(part for i, part in enumerate(header.split('"')) if i % 2 == 0)
    counts = {s: outside.count(s) for s in SEPARATORS}
    best = max(SEPARATORS, key=lambda s: (counts[s], s == ","))
    return best if counts[best] > 0 else ","


_CHECKED: set[tuple[str, int, int, str]] = set()
"""Files already checked (path, size, modification time, encoding): checked once each."""


def _check_encoding(path: Path, encoding: str) -> None:
    """Decode the whole file strictly, block by block; raise where a byte does not decode."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, encoding)
    if key in _CHECKED:
        return
    _decode_all(path, encoding)
    _CHECKED.add(key)


def _decode_all(path: Path, encoding: str) -> None:
    """Decode the file strictly, block by block; raise where a byte does not decode."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    done, lines = 0, 1
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                at = done + exc.start
                line = lines + block[: exc.start].count(b"\n")
                bad = block[exc.start : exc.start + 1].hex()
                hint = (
                    "latin-1 or cp1252" if encoding.lower().replace("-", "") == "utf8" else "utf-8"
                )
                raise SourceError(
                    f"{path}: not {encoding} text: byte 0x{bad} at line {line} (byte {at:,}) "
                    f"cannot be decoded; give the file's encoding in the mapping, e.g. "
                    f"csv: {{encoding: {hint.split()[0]}}} ({hint} are common for exports "
                    "from Excel)"
                ) from None
            done += len(block)
            lines += block.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise SourceError(
                f"{path}: not {encoding} text: it ends in the middle of a character; give "
                "the file's encoding in the mapping, e.g. csv: {encoding: latin-1}"
            ) from None


def _header(path: Path, options: CsvOptions) -> str:
    """Return the header line (after ``skip_rows``), decoded."""
    with path.open("r", encoding=options.encoding, errors="strict", newline="") as handle:
        for _ in range(options.skip_rows):
            handle.readline()
        return handle.readline().lstrip("\ufeff").rstrip("\r\n")


def _clean_header(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Strip a byte-order mark and spaces from names; drop an unnamed trailing column.

    Exports whose every line ends with a separator get one more, empty, column without a
    name; it holds nothing and is dropped.
    """
    names = frame.collect_schema().names()
    clean = {n: n.lstrip("\ufeff").strip() for n in names}
    unnamed = [n for n, c in clean.items() if c == ""]
    if unnamed:
        frame = frame.drop(unnamed)
    renames = {k: v for k, v in clean.items() if k != v and v}
    return frame.rename(renames) if renames else frame


def scan_csv(path: Path, options: CsvOptions | None = None) -> tuple[pl.LazyFrame, list[str]]:
    r"""Scan a CSV file with every column as text; return it and notes on how it was read.

    ``""`` (quoted, as Salesforce's Data Loader writes it) and the ``null_values`` are
    missing values.

    Raises
    ------
    SourceError
        The file is empty, or its bytes are not in its encoding, or it has no header.

    Examples
    --------
    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "deals.csv"
    >>> _ = f.write_text("id;amount\n1;5\n")
    >>> frame, notes = scan_csv(f)
    >>> frame.collect().columns, notes
    (['id', 'amount'], ["deals.csv: read with separator ';' (found in its header)"])
    """
    options = options or CsvOptions()
    if path.stat().st_size == 0:
        raise SourceError(f"{path}: the file is empty (0 bytes); export it again, or remove it")
    _check_encoding(path, options.encoding)
    header = _header(path, options)
    if not header.strip():
        raise SourceError(f"{path}: the first line (after skip_rows) is empty: no header")
    notes: list[str] = []
    separator = options.separator
    if separator is None:
        separator = detect_separator(header)
        if separator != ",":
            notes.append(
                f"{path.name}: read with separator {_NAMES[separator]} (found in its header)"
            )
    nulls = ["", *options.null_values]
    kwargs = dict(
        separator=separator, infer_schema=False, skip_rows=options.skip_rows, null_values=nulls
    )
    if codecs.lookup(options.encoding).name == "utf-8":
        frame = pl.scan_csv(path, encoding="utf8", **kwargs)  # type: ignore[arg-type]
    else:  # polars reads UTF-8 only: decode (checked above) and read the text
        text = path.read_bytes().decode(options.encoding)
        frame = pl.read_csv(io.BytesIO(text.encode("utf-8")), **kwargs).lazy()  # type: ignore[arg-type]
    frame = _clean_header(frame)
    return frame.with_columns(pl.all().replace("", None)), notes


def with_dates(frame: pl.LazyFrame, dates: Mapping[str, str]) -> pl.LazyFrame:
    """Parse the text columns named in ``dates`` with their formats (others unchanged).

    A value that does not match its format becomes empty here; the mapping reports such
    values with examples (:func:`attribution.data.mapping.reading.date_problems`).

    Examples
    --------
    >>> f = pl.LazyFrame({"Closed": ["03/31/2024"], "Id": ["1"]})
    >>> with_dates(f, {"Closed": "%m/%d/%Y", "Other": "%Y"}).collect()["Closed"].dt.month()[0]
    3
    """
    schema = frame.collect_schema()
    parsed = [
        pl.col(c).str.strip_chars().str.to_datetime(fmt, strict=False).alias(c)
        for c, fmt in dates.items()
        if schema.get(c) == pl.String()
    ]
    return frame.with_columns(parsed) if parsed else frame
