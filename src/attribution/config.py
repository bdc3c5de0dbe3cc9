"""The one YAML-to-typed-dataclass validator, for params, agreements and mapping files.

A schema is a tree of frozen dataclasses. :func:`check_schema` checks parsed YAML against it
and returns the typed value with **every** problem found: unknown keys with the closest
valid one (or the section where the key belongs), values of the wrong type (what was
expected, what was given), values out of the range a field's ``metadata`` sets (``min``,
``max``, ``min_length``, ``max_length``, ``pattern``); a key that a newer schema moved (a
class's ``moved_keys``) names its new place. Callers add their own checks and
raise one :class:`~attribution.errors.ParameterError` listing them all.

:func:`read_yaml` (from :mod:`attribution._yaml`) reads a file safely.
"""

from __future__ import annotations

import contextvars
import dataclasses
import reprlib
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

from attribution._text import closest, did_you_mean
from attribution.errors import ParameterError

__all__ = ["ParamProblem", "check_schema", "plain", "raise_problems"]

T = TypeVar("T")


@dataclass(frozen=True)
class ParamProblem:
    """One problem found in a params file: the key path and what is wrong."""

    key: str
    message: str

    def render(self) -> str:
        """Return ``key: message``."""
        return f"{self.key or '(top level)'}: {self.message}"


def plain(value: Any) -> Any:
    """Return ``value`` as plain YAML/JSON values: tuples as lists, timestamps as ISO text.

    Examples
    --------
    >>> plain({"a": (1, datetime(2026, 1, 1))})
    {'a': [1, '2026-01-01T00:00:00']}
    """
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


_YAML_TYPES = {
    str: "text",
    int: "an integer",
    float: "a number",
    bool: "a boolean",
    list: "a list",
    dict: "a mapping",
    type(None): "nothing (null)",
    datetime: "a timestamp",
    date: "a date",
}


_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 60
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = 4
_SHORT.maxlevel = 2


def _shown(value: Any) -> str:
    """Return a short repr, bounded in time and length whatever the value (an alias bomb too)."""
    text = _SHORT.repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _given(value: Any) -> str:
    text = _shown(value)
    kind = _YAML_TYPES.get(type(value), type(value).__name__)
    return f"{text} ({kind})" if value is not None else "nothing (null)"


def _expected(tp: Any) -> str:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        parts = [_expected(a) for a in get_args(tp) if a is not type(None)]
        return " or ".join(parts) + (" or null" if type(None) in get_args(tp) else "")
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in get_args(tp))
    if origin is list:
        return f"a list of {_plural(get_args(tp)[0])}"
    if origin is dict:
        return f"a mapping of text to {_plural(get_args(tp)[1])}"
    if is_dataclass(tp):
        return "a section (mapping) with keys: " + ", ".join(f.name for f in fields(tp))
    if tp is datetime:
        return "a timestamp such as 2026-03-31 or 2026-03-31T18:00:00+02:00"
    if tp is date:
        return "a date such as 2026-06-30"
    return _YAML_TYPES.get(tp, getattr(tp, "__name__", str(tp)))


def _plural(tp: Any) -> str:
    return {str: "text", int: "integers", float: "numbers", bool: "booleans"}.get(tp, _expected(tp))


def _all_keys(cls: type, prefix: str = "") -> list[str]:
    """Every key path of the schema, e.g. ``window.lookback_days``."""
    out = []
    hints = get_type_hints(cls)
    for f in fields(cls):
        path = f"{prefix}{f.name}"
        out.append(path)
        inner = _dataclass_in(hints[f.name])
        if inner is not None:
            out.extend(_all_keys(inner, f"{path}."))
    return out


def _dataclass_in(tp: Any) -> type | None:
    if is_dataclass(tp) and isinstance(tp, type):
        return tp
    for arg in get_args(tp):
        if is_dataclass(arg) and isinstance(arg, type):
            return arg
    return None


_ROOT: contextvars.ContextVar[type] = contextvars.ContextVar("schema_root")
"""The schema being checked (default :class:`RunParams`): where misplaced keys are looked up."""


def _suggest(key: str, valid: list[str], cls: type, path: str) -> str:
    hint = did_you_mean(key, valid)
    if hint:
        return hint
    # a key that belongs to another section (e.g. lookback_days at the top level)
    root = _ROOT.get()
    elsewhere = [k for k in _all_keys(root) if k.rsplit(".", 1)[-1] == key and k != f"{path}{key}"]
    if not elsewhere:
        leaves = {k.rsplit(".", 1)[-1]: k for k in _all_keys(root)}
        near = closest(key, leaves, cutoff=0.75)
        elsewhere = [leaves[near]] if near is not None else []
    if elsewhere:
        return f"did you mean {elsewhere[0]!r}?"
    return "valid keys here: " + ", ".join(valid)


_SCALARS: dict[type, tuple[Callable[[Any], bool], Callable[[Any], Any]]] = {
    bool: (lambda v: isinstance(v, bool), bool),
    int: (lambda v: isinstance(v, int) and not isinstance(v, bool), int),
    # a YAML float, or a whole number written without a point; never a boolean or NaN
    float: (lambda v: isinstance(v, int | float) and not isinstance(v, bool) and v == v, float),
    str: (lambda v: isinstance(v, str), str),
}
"""Scalar types of a schema: what YAML values each accepts, and how they are typed."""


class _Missing:
    pass


_MISSING = _Missing()


def _convert(value: Any, tp: Any, key: str, problems: list[ParamProblem]) -> Any:
    """Check ``value`` against the type ``tp``; record problems; return the typed value."""
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = get_args(tp)
        if value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        if len(options) == 1:
            if value is None:
                problems.append(ParamProblem(key, f"expected {_expected(tp)}, got nothing"))
                return _MISSING
            return _convert(value, options[0], key, problems)
        raise TypeError(f"unsupported union in the params schema: {tp}")  # pragma: no cover
    bad = ParamProblem(key, f"expected {_expected(tp)}, got {_given(value)}")
    if is_dataclass(tp) and isinstance(tp, type):
        if value is None:
            return tp()
        if not isinstance(value, Mapping):
            problems.append(bad)
            return _MISSING
        return _build(tp, value, f"{key}.", problems)
    if origin is Literal:
        if value not in get_args(tp):
            hint = did_you_mean(value, [str(a) for a in get_args(tp)])
            hint = f"; {hint}" if hint else ""
            problems.append(
                ParamProblem(key, f"expected {_expected(tp)}, got {_given(value)}{hint}")
            )
            return _MISSING
        return value
    if origin is list:
        if not isinstance(value, list):
            problems.append(bad)
            return _MISSING
        (item,) = get_args(tp)
        items = [_convert(v, item, f"{key}[{i}]", problems) for i, v in enumerate(value)]
        return items
    if origin is dict:
        if not isinstance(value, Mapping):
            problems.append(bad)
            return _MISSING
        _, item = get_args(tp)
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                problems.append(ParamProblem(f"{key}.{k}", f"keys must be text, got {_given(k)}"))
                continue
            out[k] = _convert(v, item, f"{key}.{k}", problems)
        return out
    if tp in _SCALARS:
        accepts, typed = _SCALARS[tp]
        if not accepts(value):
            problems.append(bad)
            return _MISSING
        return typed(value)
    if tp is datetime:
        return _timestamp(value, key, problems, bad)
    if tp is date:
        return _date(value, problems, bad)
    raise TypeError(f"unsupported type in the params schema: {tp}")  # pragma: no cover


def _timestamp(value: Any, key: str, problems: list[ParamProblem], bad: ParamProblem) -> Any:
    if isinstance(value, datetime):
        out = value
    elif isinstance(value, date):
        out = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            out = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            problems.append(bad)
            return _MISSING
    else:
        problems.append(bad)
        return _MISSING
    return out.replace(tzinfo=UTC) if out.tzinfo is None else out.astimezone(UTC)


def _date(value: Any, problems: list[ParamProblem], bad: ParamProblem) -> Any:
    if isinstance(value, datetime):  # a timestamp names the day it falls on (in UTC)
        return (value if value.tzinfo is None else value.astimezone(UTC)).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    problems.append(bad)
    return _MISSING


def _check_range(f: dataclasses.Field[Any], value: Any, key: str) -> ParamProblem | None:
    meta = f.metadata
    if value is None or value is _MISSING:
        return None
    shown = _shown(value)
    if "min" in meta and value < meta["min"]:
        return ParamProblem(key, f"must be at least {meta['min']}, got {shown}")
    if "max" in meta and value > meta["max"]:
        return ParamProblem(key, f"must be at most {meta['max']:,}, got {shown}")
    if "min_length" in meta and len(value) < meta["min_length"]:
        return ParamProblem(key, f"must not be empty, got {shown}")
    if "max_length" in meta and len(value) > meta["max_length"]:
        return ParamProblem(key, f"must be at most {meta['max_length']} characters, got {shown}")
    if "pattern" in meta and not meta["pattern"].fullmatch(value):
        wanted = meta.get(
            "pattern_text", "a name of letters, digits, '_', '.' or '-' (no spaces or slashes)"
        )
        return ParamProblem(key, f"must be {wanted}, got {shown}")
    return None


def _build(cls: type, data: Mapping[str, Any], prefix: str, problems: list[ParamProblem]) -> Any:
    hints = get_type_hints(cls)
    names = [f.name for f in fields(cls)]
    moved: dict[str, str] = getattr(cls, "moved_keys", {})
    for key in data:
        if key in moved:
            problems.append(ParamProblem(f"{prefix}{key}", f"has moved to {moved[key]!r}"))
        elif key not in names:
            hint = _suggest(str(key), names, cls, prefix)
            problems.append(ParamProblem(f"{prefix}{key}", f"unknown key; {hint}"))
    values: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        key = f"{prefix}{f.name}"
        value = _convert(data[f.name], hints[f.name], key, problems)
        if value is _MISSING:
            continue
        found = _check_range(f, value, key)
        if found:
            problems.append(found)
            continue
        values[f.name] = value
    try:
        return cls(**values)
    except TypeError:  # pragma: no cover - every field has a default
        return cls()


def check_schema(cls: type[T], data: Any, *, prefix: str = "") -> tuple[T, list[ParamProblem]]:
    """Check parsed YAML against any schema of frozen dataclasses, as params files are.

    Unknown keys name the closest valid one (or where the key belongs in ``cls``), values
    of the wrong type say what was expected and what was given, ranges come from the
    fields' ``metadata`` (``min``, ``max``, ``min_length``...). Nothing is raised: the
    caller adds its own checks and raises one error with every problem.

    Returns
    -------
    tuple
        The typed value (fields with problems keep their defaults) and the problems.

    Examples
    --------
    >>> from dataclasses import dataclass, field
    >>> @dataclass(frozen=True)
    ... class Report:
    ...     currency: str = "$"
    ...     top_paths: int = field(default=10, metadata={"min": 1})
    >>> value, problems = check_schema(Report, {"currency": "€", "top_pahts": 5})
    >>> value.currency, [p.render() for p in problems]
    ('€', ["top_pahts: unknown key; did you mean 'top_paths'?"])
    >>> [p.render() for p in check_schema(Report, {"top_paths": 0})[1]]
    ['top_paths: must be at least 1, got 0']
    """
    problems: list[ParamProblem] = []
    token = _ROOT.set(cls)
    try:
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            problems.append(
                ParamProblem(
                    prefix.rstrip("."), f"expected a mapping of keys to values, got {_given(data)}"
                )
            )
            return cls(), problems
        return _build(cls, data, prefix, problems), problems
    finally:
        _ROOT.reset(token)


def raise_problems(
    problems: list[ParamProblem], where: str, *, outcome: str = "nothing was run"
) -> None:
    """Raise one :class:`ParameterError` listing ``problems`` (numbered), if there are any.

    Examples
    --------
    >>> raise_problems([ParamProblem("a.b", "unknown key")], "x.yaml")
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: 1 problem in x.yaml; nothing was run:
      1. a.b: unknown key
    """
    if not problems:
        return
    n = len(problems)
    body = "\n".join(f"  {i}. {p.render()}" for i, p in enumerate(problems, 1))
    raise ParameterError(
        f"{n} problem{'s' if n != 1 else ''} in {where}; {outcome}:\n{body}", problems
    )
