"""Path tables in, integer-encoded paths out: the common input of Markov and Shapley.

A path table (see DESIGN.md) has one row per path with ``path`` (a list of channel strings,
or one string joined by ``" > "``), ``conversions``, ``value`` and ``nulls``.
ChannelAttribution's names (``total_conversions``, ``total_conversion_value``,
``total_null``) are accepted too. Rows may repeat a path; their counts add up.

Encoding turns channels into integer codes (channels sorted by name, so the result does
not depend on row order) and paths into offsets into one flat code array; everything after
that is numpy. Large tables are encoded in chunks so memory stays bounded.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from attribution.data.sources.csv_files import detect_separator
from attribution.errors import DataError, DataWarning, ParameterError, SchemaError, emit
from attribution.journey.columns import CONVERSIONS, NULLS, PATH, PATH_COLUMNS, VALUE
from attribution.journey.paths import paths as journeys_to_paths

__all__ = [
    "ALIASES",
    "DEFAULT_SEPARATOR",
    "EncodedPaths",
    "as_path_table",
    "encode",
    "path_separator",
    "path_table",
    "read_path_table",
]

DEFAULT_SEPARATOR = " > "
"""What joins the channels of a string path unless the paths show another separator."""
_OTHER_SEPARATORS = (">", "\u2192", "|", ",", ";")
"""Separators a path table may use instead (``a>b``, ``a → b``, ``a|b``, ``a,b``, ``a;b``)."""
_SAMPLE = 10_000

ALIASES: dict[str, str] = {
    "total_conversions": CONVERSIONS,
    "total_conversion_value": VALUE,
    "total_null": NULLS,
}
"""ChannelAttribution's path-table column names and ours."""

_CHUNK_ROWS = 250_000  # rows tokenised at once: bounds the memory of the split
_MERGE_MIN_ROWS = 200_000
_MERGE_SAMPLE = 10_000
_MAX_EXAMPLES = 3


@dataclass(frozen=True)
class EncodedPaths:
    """Paths as integer codes.

    Attributes
    ----------
    channels : tuple of str
        Channel names, sorted; code ``i`` is ``channels[i]``.
    codes : numpy.ndarray
        Channel codes of every step of every path, concatenated (int32).
    offsets : numpy.ndarray
        ``offsets[p]:offsets[p + 1]`` are path ``p``'s steps (int64, length rows + 1).
    conversions, nulls, value : numpy.ndarray
        Per path (float64).
    """

    channels: tuple[str, ...]
    codes: np.ndarray
    offsets: np.ndarray
    conversions: np.ndarray
    nulls: np.ndarray
    value: np.ndarray

    @property
    def n_paths(self) -> int:
        """Number of paths (rows)."""
        return len(self.offsets) - 1

    @property
    def lengths(self) -> np.ndarray:
        """Number of steps of each path."""
        return np.diff(self.offsets)

    def with_counts(
        self, conversions: np.ndarray, nulls: np.ndarray, value: np.ndarray
    ) -> EncodedPaths:
        """Return the same paths with other counts (used by the bootstrap)."""
        return EncodedPaths(self.channels, self.codes, self.offsets, conversions, nulls, value)


def _problem(column: str, message: str, rows: pl.DataFrame) -> str:
    examples = ", ".join(str(r) for r in rows.head(_MAX_EXAMPLES).to_dicts())
    return f"path table.{column}: {message} ({rows.height:,} rows), e.g. {examples}"


def check_table(table: pl.DataFrame, separator: str) -> pl.DataFrame:
    """Our column names, float counts, checked; ``path`` left as given (str or list)."""
    if not isinstance(table, pl.DataFrame):
        raise ParameterError(f"a path table must be a polars DataFrame, got {type(table)}")
    if not isinstance(separator, str) or not separator.strip():
        raise ParameterError(f"separator must contain a non-space character, got {separator!r}")
    renames = {a: ours for a, ours in ALIASES.items() if a in table.columns}
    clash = [ours for ours in renames.values() if ours in table.columns]
    if clash:
        raise SchemaError(f"path table has both our and ChannelAttribution's names for {clash}")
    t = table.rename(renames)
    missing = [c for c in (PATH, CONVERSIONS) if c not in t.columns]
    if missing:
        raise SchemaError(
            f"path table: missing column(s) {missing}; expected {list(PATH_COLUMNS)} "
            f"(or {list(ALIASES)}), got {t.columns}"
        )
    dtype = t.schema[PATH]
    if dtype == pl.String:
        path = pl.col(PATH)
    elif dtype in (pl.List(pl.String), pl.List(pl.Categorical)):
        path = pl.col(PATH).cast(pl.List(pl.String))
    else:
        raise SchemaError(f"path table.path must be list[str] or str, got {dtype}")
    problems: list[str] = []
    counts = []
    for name in (CONVERSIONS, VALUE, NULLS):
        if name not in t.columns:
            counts.append(pl.lit(0.0).alias(name))
            continue
        if not t.schema[name].is_numeric():
            raise SchemaError(f"path table.{name} must be numeric, got {t.schema[name]}")
        value = pl.col(name).cast(pl.Float64)
        bad = t.filter(value.is_null() | ~value.is_finite() | (value < 0))
        if bad.height:
            problems.append(_problem(name, "must be a finite number >= 0", bad))
        counts.append(value)
    if t[PATH].null_count():
        problems.append(_problem(PATH, "must not be missing", t.filter(pl.col(PATH).is_null())))
    if problems:
        raise DataError(
            f"{len(problems)} problem(s) in the path table:\n  " + "\n  ".join(problems),
            problems,
        )
    return t.select(path.alias(PATH), *counts)


def _split(paths: pl.Series, separator: str) -> pl.Series:
    return paths.str.split(separator) if paths.dtype == pl.String else paths


def path_table(table: pl.DataFrame, *, separator: str | None = None) -> pl.DataFrame:
    """Check a path table and return it with our column names and ``path`` as list[str].

    Parameters
    ----------
    table
        ``path`` plus ``conversions`` (required), ``value`` and ``nulls`` (optional, default
        0), or ChannelAttribution's names for them.
    separator
        What joins channels when ``path`` is a string (default: ``" > "``, or the one the
        paths use, with a warning; see :func:`path_separator`); spaces around channel names
        are trimmed (as ChannelAttribution does).

    Returns
    -------
    polars.DataFrame
        Columns ``path`` (list[str]), ``conversions``, ``value``, ``nulls`` (Float64).

    Raises
    ------
    SchemaError
        A required column is missing or has the wrong type.
    DataError
        Counts or values are negative, missing or not finite, or a path is missing.

    Examples
    --------
    >>> import polars as pl
    >>> t = pl.DataFrame({"path": ["a > b", "b"], "total_conversions": [1, 0],
    ...     "total_null": [2, 3]})
    >>> path_table(t).to_dicts()[0]
    {'path': ['a', 'b'], 'conversions': 1.0, 'value': 0.0, 'nulls': 2.0}
    """
    separator = path_separator(table, separator)
    t = check_table(table, separator)
    steps = _split(t[PATH], separator).list.eval(pl.element().str.strip_chars())
    return t.with_columns(steps.alias(PATH))


def _chunk_codes(
    paths: pl.Series, lookup: dict[str, int], separator: str
) -> tuple[np.ndarray, np.ndarray]:
    """Codes (growing ``lookup`` with new channels) and lengths of one chunk of paths.

    Steps are categorised in one lazy polars pass; names are then looked up through the
    distinct categories only, so trimming spaces and checking for empty steps cost one
    pass over the distinct tokens, not over all steps.
    """
    split = pl.col(PATH).str.split(separator) if paths.dtype == pl.String else pl.col(PATH)
    out = (
        paths.to_frame(PATH)
        .lazy()
        .select(split.alias("_steps"))
        .select(
            pl.col("_steps").list.len().implode().alias("_lengths"),
            pl.col("_steps")
            .explode(empty_as_null=False)
            .drop_nulls()
            .cast(pl.Categorical)
            .implode()
            .alias("_flat"),
        )
        .collect()
    )
    lengths = out["_lengths"][0].to_numpy()
    flat = out["_flat"][0]
    if flat.is_empty():
        return np.zeros(0, dtype=np.int32), lengths.astype(np.int64)
    physical = flat.to_physical().to_numpy()
    categories = flat.unique()
    present = categories.to_physical().to_numpy()
    names = categories.cast(pl.String).str.strip_chars().to_list()
    if "" in names:
        blank = split.list.eval(pl.element().str.strip_chars() == "").list.any()
        rows = paths.to_frame(PATH).filter(blank)
        raise DataError(_problem(PATH, f"has an empty step (separator {separator!r})", rows))
    for name in names:
        if name not in lookup:
            lookup[name] = len(lookup)
    table = np.zeros(int(present.max()) + 1, dtype=np.int32)
    table[present] = [lookup[n] for n in names]
    return table[physical], lengths.astype(np.int64)


def read_path_table(path: str | os.PathLike[str]) -> pl.DataFrame:
    """Read a path table from a CSV or Parquet file.

    A CSV's field separator is found in its header line (ChannelAttribution's example
    ``Data.csv`` uses ``;``); when it is not ``,`` a :class:`~attribution.DataWarning` says
    so.

    Raises
    ------
    ParameterError
        The file does not exist, or is neither CSV nor Parquet.
    """
    file = Path(path)
    if not file.is_file():
        raise ParameterError(f"path table file {file} does not exist")
    if file.suffix.lower() == ".parquet":
        return pl.read_parquet(file)
    if file.suffix.lower() not in (".csv", ".txt", ".tsv"):
        raise ParameterError(f"path table file {file}: expected a .csv or .parquet file")
    with file.open(encoding="utf-8-sig", errors="replace") as handle:
        header = handle.readline()
    separator = detect_separator(header.rstrip("\r\n"))
    if separator != ",":
        emit(
            [f"{file.name}: fields are separated by {separator!r} (found in its header)"],
            DataWarning,
        )
    return pl.read_csv(file, separator=separator)


def path_separator(table: pl.DataFrame, separator: str | None) -> str:
    """Return the separator of a table's string paths: as given, ``" > "``, or detected.

    With ``separator=None``, paths joined with ``" > "`` use it; paths joined otherwise
    (``a>b``, ``a|b``, ``a,b``...) get that separator, with a
    :class:`~attribution.DataWarning` naming it (pass ``separator=`` to say it yourself).

    Examples
    --------
    >>> import warnings
    >>> t = pl.DataFrame({"path": ["email>search", "search"], "conversions": [1, 0]})
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     path_separator(t, None)
    '>'
    >>> path_separator(t, " > ")
    ' > '
    """
    if separator is not None:
        return separator
    if PATH not in table.columns or table.schema[PATH] != pl.String:
        return DEFAULT_SEPARATOR
    sample = table[PATH].drop_nulls().head(_SAMPLE)
    if sample.is_empty() or sample.str.contains(DEFAULT_SEPARATOR, literal=True).any():
        return DEFAULT_SEPARATOR
    for other in _OTHER_SEPARATORS:
        if sample.str.contains(other, literal=True).any():
            emit(
                [
                    f"path table: channels are joined with {other!r}, not "
                    f"{DEFAULT_SEPARATOR!r} (found in its paths); pass separator={other!r} to "
                    "say so"
                ],
                DataWarning,
            )
            return other
    return DEFAULT_SEPARATOR


def as_path_table(frame: Any) -> pl.DataFrame:
    """Return ``frame`` if it is a path table, the path table of a journeys frame, or a file's.

    A frame with journeys' ``status`` and ``n_touches`` columns is aggregated with
    :func:`attribution.paths` (won deals convert, lost ones do not, open ones are left out);
    a file path is read with :func:`read_path_table`.

    Raises
    ------
    ParameterError
        ``frame`` is neither a polars frame nor a file path.
    """
    if isinstance(frame, str | os.PathLike):
        return read_path_table(frame)
    if not isinstance(frame, pl.DataFrame | pl.LazyFrame):
        raise ParameterError(
            "a path table must be a polars DataFrame (path, conversions, value, nulls), "
            f"a journeys frame or a CSV/Parquet file path; got {type(frame).__name__}"
        )
    schema = frame.collect_schema() if isinstance(frame, pl.LazyFrame) else frame.schema
    if "status" in schema and "n_touches" in schema and PATH not in schema:
        return journeys_to_paths(frame)
    if isinstance(frame, pl.LazyFrame):
        return frame.collect()
    return frame


def _merge_repeats(t: pl.DataFrame) -> pl.DataFrame:
    """Add up rows that repeat a path, when a sample shows that many do.

    Encoding costs grow with the number of steps, so a table that repeats its paths (like
    ChannelAttribution's example, or one built by sampling journeys) is first reduced to
    its distinct paths. A sample of rows decides, so a table of distinct paths pays almost
    nothing for the check. The merged rows are sorted by path.
    """
    if t.height < _MERGE_MIN_ROWS:
        return t
    sample = t[PATH].sample(_MERGE_SAMPLE, seed=0)
    if sample.n_unique() > _MERGE_SAMPLE // 2:
        return t
    sums = [pl.col(c).cum_sum().last() for c in (CONVERSIONS, VALUE, NULLS)]  # same bits
    return t.group_by(PATH).agg(*sums).sort(PATH)


def encode(
    table: pl.DataFrame, *, separator: str | None = None, merge_repeats: bool = False
) -> EncodedPaths:
    """Check a path table (see :func:`path_table`) and encode it as integers.

    With ``merge_repeats``, rows that repeat a path may be added up first (the result then
    has one row per distinct path, sorted, instead of one per input row).

    Examples
    --------
    >>> import polars as pl
    >>> e = encode(pl.DataFrame({"path": [["b", "a"], ["a"]], "conversions": [1, 0]}))
    >>> e.channels, e.codes.tolist(), e.offsets.tolist()
    (('a', 'b'), [1, 0, 0], [0, 2, 3])
    """
    separator = path_separator(table, separator)
    t = check_table(table, separator)
    if merge_repeats:
        t = _merge_repeats(t)
    lookup: dict[str, int] = {}
    code_parts, length_parts = [], []
    for start in range(0, max(t.height, 1), _CHUNK_ROWS):
        chunk = t[PATH].slice(start, _CHUNK_ROWS)
        codes, lengths = _chunk_codes(chunk, lookup, separator)
        code_parts.append(codes)
        length_parts.append(lengths)
    first_seen = np.array(list(lookup), dtype=object)
    order = np.argsort(first_seen.astype(str), kind="stable")
    remap = np.empty(len(order), dtype=np.int32)
    remap[order] = np.arange(len(order), dtype=np.int32)
    codes = remap[np.concatenate(code_parts)] if lookup else np.zeros(0, dtype=np.int32)
    offsets = np.zeros(t.height + 1, dtype=np.int64)
    np.cumsum(np.concatenate(length_parts), out=offsets[1:])
    return EncodedPaths(
        channels=tuple(str(c) for c in first_seen[order]),
        codes=codes,
        offsets=offsets,
        conversions=t[CONVERSIONS].to_numpy().astype(np.float64),
        nulls=t[NULLS].to_numpy().astype(np.float64),
        value=t[VALUE].to_numpy().astype(np.float64),
    )
