"""How a source's files are read: CSV options and date formats, given once in a mapping.

A mapping may give ``csv:`` options at its top (for every file) and per source rule (for
the file it reads), and ``dates:`` formats of source columns, which are parsed as soon as a
table is read, before any ``sql``, ``where`` or ``expr`` of the mapping sees them::

    csv: {separator: ";", encoding: cp1252, decimal_comma: true, thousands: ".",
          null_values: ["", "NA", "-"], skip_rows: 2}
    dates: {CloseDate: "%d.%m.%Y"}

:class:`ReadOptions` holds both; :meth:`CsvOptions.parse` checks the keys and values and
returns every problem instead of stopping at the first.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from attribution._text import did_you_mean

__all__ = ["CSV_KEYS", "CsvOptions", "ReadOptions", "parse_dates"]

CSV_KEYS = ("separator", "encoding", "decimal_comma", "thousands", "null_values", "skip_rows")
"""The keys of a ``csv:`` block."""


@dataclass(frozen=True)
class CsvOptions:
    """How CSV files are read.

    Attributes
    ----------
    separator
        Between fields; ``None`` detects it from the header line (``,`` unless the header
        holds ``;``, a tab or ``|`` instead, which is noted).
    encoding
        Of the file's bytes (``utf-8`` by default; ``latin-1``, ``cp1252``, ``utf-16``...).
        A byte the encoding cannot decode is an error, never silently replaced.
    decimal_comma
        Numbers are written ``1.234,5`` (comma before the decimals).
    thousands
        Separator of thousands in numbers (``,`` in ``$1,054``; ``.`` or a space in
        European exports); removed before numbers are read.
    null_values
        Texts that mean "no value" (``""`` always does).
    skip_rows
        Lines above the header to skip (report titles, export notes).
    """

    separator: str | None = None
    encoding: str = "utf-8"
    decimal_comma: bool = False
    thousands: str | None = None
    null_values: tuple[str, ...] = ()
    skip_rows: int = 0

    @classmethod
    def parse(
        cls, spec: object, where: str, base: CsvOptions | None = None
    ) -> tuple[CsvOptions, list[str]]:
        """Read a ``csv:`` block on top of ``base``; return the options and every problem.

        Examples
        --------
        >>> CsvOptions.parse({"separator": ";", "decimal_comma": True}, "csv")[0].separator
        ';'
        >>> for problem in CsvOptions.parse({"seperator": ";", "skip_rows": -1}, "csv")[1]:
        ...     print(problem)
        csv: unknown key 'seperator'; did you mean 'separator'?
        csv.skip_rows: expected a whole number >= 0, got -1
        """
        base = base or cls()
        if spec is None:
            return base, []
        if not isinstance(spec, Mapping):
            return base, [f"{where}: expected options such as {{separator: ';'}}, got {spec!r}"]
        problems: list[str] = []
        values: dict[str, Any] = {}
        for key, value in spec.items():
            if key not in CSV_KEYS:
                hint = did_you_mean(key, CSV_KEYS, otherwise="keys: " + ", ".join(CSV_KEYS))
                problems.append(f"{where}: unknown key {key!r}; {hint}")
                continue
            checked = _check(str(key), value)
            if isinstance(checked, _Problem):
                problems.append(f"{where}.{key}: {checked.text}")
            else:
                values[str(key)] = checked
        return replace(base, **values), problems


@dataclass(frozen=True)
class _Problem:
    text: str


def _text(value: object, what: str, *, length: int | None = None) -> str | _Problem:
    if not isinstance(value, str) or (length is not None and len(value) != length):
        return _Problem(f"expected {what}, got {value!r}")
    return value


def _check(key: str, value: object) -> object:
    """Return the checked value of one ``csv:`` key, or a :class:`_Problem`."""
    if key == "separator":
        return _text(value, "one character, e.g. ';' or '\\t'", length=1)
    if key == "thousands":
        return _text(value, "one character, e.g. ',' or '.'", length=1)
    if key == "decimal_comma":
        return (
            value if isinstance(value, bool) else _Problem(f"expected true or false, got {value!r}")
        )
    if key == "skip_rows":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return _Problem(f"expected a whole number >= 0, got {value!r}")
        return value
    if key == "null_values":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
            return _Problem(f"expected a list of texts, e.g. ['NA', '-'], got {value!r}")
        return tuple(items)
    text = _text(value, "an encoding name, e.g. utf-8, latin-1, cp1252")
    if isinstance(text, str):
        try:
            codecs.lookup(text)
        except LookupError:
            return _Problem(f"unknown encoding {text!r}; e.g. utf-8, latin-1, cp1252, utf-16")
    return text


def parse_dates(spec: object, where: str) -> tuple[dict[str, str], list[str]]:
    """Read a ``dates:`` block (``{source column: strftime format}``); return it and problems.

    Examples
    --------
    >>> parse_dates({"CloseDate": "%m/%d/%Y"}, "dates")
    ({'CloseDate': '%m/%d/%Y'}, [])
    >>> parse_dates({"CloseDate": 5}, "dates")[1]
    ["dates.CloseDate: expected a format such as '%m/%d/%Y', got 5"]
    """
    if spec is None:
        return {}, []
    if not isinstance(spec, Mapping):
        return {}, [f"{where}: expected {{source column: format}}, got {spec!r}"]
    dates, problems = {}, []
    for column, fmt in spec.items():
        if isinstance(fmt, str) and "%" in fmt:
            dates[str(column)] = fmt
        else:
            problems.append(f"{where}.{column}: expected a format such as '%m/%d/%Y', got {fmt!r}")
    return dates, problems


@dataclass(frozen=True)
class ReadOptions:
    """CSV options and date formats of the source columns a read returns.

    Examples
    --------
    >>> ReadOptions().with_dates({"Created": "%Y"}).dates
    {'Created': '%Y'}
    """

    csv: CsvOptions = field(default_factory=CsvOptions)
    dates: Mapping[str, str] = field(default_factory=dict)

    def with_dates(self, more: Mapping[str, str]) -> ReadOptions:
        """Return these options with more (or overriding) date formats."""
        return replace(self, dates={**self.dates, **more}) if more else self
