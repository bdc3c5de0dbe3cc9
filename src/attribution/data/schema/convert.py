"""Reading a user's values as the contract's types, where that loses nothing.

CSV text becomes datetimes, numbers and booleans; integers become floats; ``"yes"``/``"no"``
becomes true/false; naive timestamps are read in a time zone and stored in UTC. A value that
cannot be read becomes null, which validation reports beside the raw value.
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from attribution.data.schema.contract import TABLES, TIMESTAMP
from attribution.errors import ParameterError

__all__ = ["HAS_TIME_TZ", "check_time_zone", "convert", "converted", "expected", "has_offset"]

_TZ_SUFFIX = r"(?:Z|[+-]\d{2}:?\d{2})$"
HAS_TIME_TZ = r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*" + _TZ_SUFFIX
"""A timestamp's time of day followed by a UTC offset (``Z``, ``+02:00``, ``-0500``)."""
_NAIVE_FORMATS = ("%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%d")
_AWARE_FORMATS = ("%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%d %H:%M%#z")
_TRUE = ("true", "t", "yes", "y", "1", "won", "closed won", "closed/won")
_FALSE = ("false", "f", "no", "n", "0", "lost", "open", "closed lost", "closed/lost")

_EXPECTED = {
    "String": "text (or whole numbers)",
    "Float64": "a number",
    "Int64": "a whole number",
    "Boolean": "true/false (also yes/no, 1/0, won/lost)",
    "Datetime": "an ISO 8601 timestamp such as 2024-03-01 14:30:00 or 2024-03-01T14:30:00+02:00",
}


def check_time_zone(time_zone: str) -> str:
    """Return ``time_zone`` if it is a valid IANA zone name, else raise ParameterError.

    Examples
    --------
    >>> check_time_zone("Europe/Berlin")
    'Europe/Berlin'
    """
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ParameterError(
            f"time_zone={time_zone!r} is not an IANA time zone name "
            "(e.g. 'UTC', 'Europe/Berlin', 'America/New_York')"
        ) from None
    return time_zone


def expected(dtype: pl.DataType) -> str:
    """Describe in words what a value of contract type ``dtype`` looks like.

    Examples
    --------
    >>> expected(pl.Float64())
    'a number'
    """
    return _EXPECTED.get(type(dtype).__name__, str(dtype))


def has_offset(column: str) -> pl.Expr:
    """Tell where text timestamps in ``column`` carry a UTC offset (``Z``, ``+02:00``).

    Examples
    --------
    >>> import polars as pl
    >>> frame = pl.DataFrame({"t": ["2024-01-05T10:00:00Z", "2024-01-05"]})
    >>> frame.select(has_offset("t"))["t"].to_list()
    [True, False]
    """
    return pl.col(column).str.strip_chars().str.contains(HAS_TIME_TZ)


def _parse_timestamp_text(col: str, time_zone: str) -> pl.Expr:
    text = pl.col(col).str.strip_chars()
    text = text.str.replace(r"^(\d{4}-\d{2}-\d{2})[T ]", "${1} ").str.replace(r"\s*Z$", "+00:00")
    aware = pl.coalesce(
        [
            text.str.to_datetime(f, time_unit="us", time_zone="UTC", strict=False, exact=True)
            for f in _AWARE_FORMATS
        ]
    )
    naive = pl.coalesce(
        [text.str.to_datetime(f, time_unit="us", strict=False, exact=True) for f in _NAIVE_FORMATS]
    ).dt.replace_time_zone(time_zone, ambiguous="earliest", non_existent="null")
    return (
        pl.when(has_offset(col))
        .then(aware)
        .otherwise(naive.dt.convert_time_zone("UTC"))
        .cast(TIMESTAMP)
    )


def _to_string(c: pl.Expr, source: pl.DataType) -> pl.Expr | None:
    if source.is_integer() or source == pl.String() or isinstance(source, pl.Categorical | pl.Enum):
        return c.cast(pl.String)
    if source.is_float():  # ids exported as floats: lossless only when integral
        return pl.when(c == c.round(0)).then(c.cast(pl.Int64, strict=False).cast(pl.String))
    return None


def _to_float(c: pl.Expr, source: pl.DataType) -> pl.Expr | None:
    if source.is_numeric():
        return c.cast(pl.Float64)
    if source == pl.String():
        return c.str.strip_chars().cast(pl.Float64, strict=False)
    return None


def _to_int(c: pl.Expr, source: pl.DataType) -> pl.Expr | None:
    if source.is_integer():
        return c.cast(pl.Int64)
    if source.is_float():
        return pl.when(c == c.round(0)).then(c.cast(pl.Int64, strict=False))
    if source == pl.String():
        return c.str.strip_chars().cast(pl.Int64, strict=False)
    return None


def _to_bool(c: pl.Expr, source: pl.DataType) -> pl.Expr | None:
    if source.is_integer():
        return pl.when(c == 1).then(True).when(c == 0).then(False)
    if source == pl.String():
        low = c.str.strip_chars().str.to_lowercase()
        return pl.when(low.is_in(_TRUE)).then(True).when(low.is_in(_FALSE)).then(False)
    return None


def _to_timestamp(col: str, source: pl.DataType, time_zone: str) -> pl.Expr | None:
    c = pl.col(col)
    if isinstance(source, pl.Datetime):
        if source.time_zone is None:
            local = c.dt.replace_time_zone(time_zone, ambiguous="earliest", non_existent="null")
            return local.dt.convert_time_zone("UTC").cast(TIMESTAMP)
        return c.dt.convert_time_zone("UTC").cast(TIMESTAMP)
    if source == pl.Date():
        local = c.cast(pl.Datetime("us")).dt.replace_time_zone(time_zone)
        return local.dt.convert_time_zone("UTC").cast(TIMESTAMP)
    if source == pl.String():
        return _parse_timestamp_text(col, time_zone)
    return None


_BY_TARGET: dict[str, Callable[[pl.Expr, pl.DataType], pl.Expr | None]] = {
    "String": _to_string,
    "Float64": _to_float,
    "Int64": _to_int,
    "Boolean": _to_bool,
}


def convert(col: str, source: pl.DataType, target: pl.DataType, time_zone: str) -> pl.Expr | None:
    """Return the expression reading ``col`` from ``source`` as ``target``; None if it cannot.

    Examples
    --------
    >>> raw = pl.DataFrame({"won": ["Yes", "no", "maybe"]})
    >>> raw.select(convert("won", pl.String(), pl.Boolean(), "UTC")).to_series().to_list()
    [True, False, None]
    """
    if source == target:
        return pl.col(col)
    if source == pl.Null():
        return pl.col(col).cast(target)
    if isinstance(target, pl.Datetime):
        return _to_timestamp(col, source, time_zone)
    by_target = _BY_TARGET.get(type(target).__name__)
    return by_target(pl.col(col), source) if by_target is not None else None


def converted(
    table: str, column: str, source: pl.DataType, *, time_zone: str = "UTC"
) -> pl.Expr | None:
    """Return the expression :func:`validate` uses to read ``table.column`` from ``source``.

    Null where a value cannot be read; None when the type cannot be read at all. Lets a
    reader filter raw rows on contract values (e.g. a date window) before validation.

    Examples
    --------
    >>> import polars as pl
    >>> raw = pl.DataFrame({"created_at": ["2024-01-05 10:00", "soon"]})
    >>> expr = converted("opportunities", "created_at", pl.String(), time_zone="UTC")
    >>> raw.select(expr.is_null())["created_at"].to_list()
    [False, True]
    """
    return convert(column, source, TABLES[table].column(column).dtype, time_zone)
