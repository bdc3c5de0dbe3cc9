"""YAML files read safely: plain values only, within limits, and no key given twice.

Params files, agreements and mappings are YAML written by people (or by a careless
tool). :func:`read_yaml` refuses, with one clear :class:`~attribution.errors.ParameterError`
naming the file (exit code 2 from the command line), anything that is not a small YAML
text:

* a file over :data:`MAX_BYTES`, or one that is not UTF-8 text (a binary file);
* nesting deeper than :data:`MAX_DEPTH` (checked on the tokens, before any recursion);
* aliases that expand to more than :data:`MAX_VALUES` values (the "billion laughs": a few
  hundred bytes of nested anchors that would otherwise expand to gigabytes), or an alias
  that refers to itself; anchors that merely avoid repeating a value are fine;
* a key given twice in one mapping (it would silently keep the last value): the message
  gives the line of both.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from attribution.errors import ParameterError

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_VALUES", "read_yaml"]

MAX_BYTES = 1_000_000
"""Largest YAML file read (params, agreements and mappings are a few kilobytes)."""
MAX_DEPTH = 40
"""Deepest nesting of mappings and lists."""
MAX_VALUES = 100_000
"""Most values a file may hold once its aliases are expanded."""

_OPEN = (
    yaml.BlockMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.FlowSequenceStartToken,
)
_CLOSE = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key given twice in one mapping."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"key {key!r} is given twice (first on line {seen[key] + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def _check_depth(text: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH, from the tokens (the scanner does not recurse)."""
    depth = 0
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        if isinstance(token, _OPEN):
            depth += 1
            if depth > MAX_DEPTH:
                line = token.start_mark.line + 1
                raise ValueError(f"it nests deeper than {MAX_DEPTH} levels (line {line})")
        elif isinstance(token, _CLOSE):
            depth -= 1


def _expanded(node: yaml.Node, sizes: dict[int, int], open_: set[int]) -> int:
    """Count the values under ``node`` with every alias expanded, each node computed once."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in open_:
        raise ValueError(f"an alias refers to itself (line {node.start_mark.line + 1})")
    open_.add(key)
    children: list[yaml.Node] = []
    if isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    elif isinstance(node, yaml.MappingNode):
        children = [n for pair in node.value for n in pair]
    total = 1 + sum(_expanded(child, sizes, open_) for child in children)
    open_.discard(key)
    sizes[key] = total
    return total


def _load(text: str) -> Any:
    _check_depth(text)
    loader = _UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        values = _expanded(node, {}, set())
        if values > MAX_VALUES:
            raise ValueError(
                f"its aliases (*name) expand to {values:,} values, more than {MAX_VALUES:,}; "
                "write the values out instead"
            )
        return loader.construct_document(node)
    finally:
        loader.dispose()


def read_yaml(path: str | os.PathLike[str], *, what: str = "file") -> Any:
    r"""Read a YAML file safely; see the module for what it refuses.

    Raises
    ------
    ParameterError
        The file is missing, too large, not UTF-8 text, nested too deeply, expands too
        far through its aliases, or is not valid YAML (the message names ``what`` and the
        file).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "x.yaml"
    >>> _ = f.write_text("a: 1\na: 2\n")
    >>> try:
    ...     read_yaml(f, what="targets file")
    ... except ParameterError as exc:
    ...     print(str(exc).split(": ", 1)[1].splitlines()[0])
    key 'a' is given twice (first on line 1)
    >>> _ = f.write_text("a: &x [1, 2]\nb: *x\n")
    >>> read_yaml(f)
    {'a': [1, 2], 'b': [1, 2]}
    """
    file = Path(path)
    if not file.is_file():
        raise ParameterError(f"{what} {file} does not exist")
    size = file.stat().st_size
    if size > MAX_BYTES:
        raise ParameterError(
            f"{what} {file} is {size:,} bytes; a YAML file read here holds at most "
            f"{MAX_BYTES:,} bytes"
        )
    raw = file.read_bytes()
    try:
        if b"\x00" in raw:
            raise UnicodeDecodeError("utf-8", raw, raw.index(b"\x00"), len(raw), "NUL byte")
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParameterError(
            f"{what} {file} is not a text file (UTF-8): byte {exc.start:,} cannot be read; "
            "give a YAML text file"
        ) from None
    try:
        return _load(text)
    except yaml.YAMLError as exc:
        raise ParameterError(f"{what} {file} is not valid YAML: {exc}") from None
    except ValueError as exc:
        raise ParameterError(f"{what} {file} is refused: {exc}") from None
    except RecursionError:
        raise ParameterError(f"{what} {file} is refused: it nests too deeply to read") from None
