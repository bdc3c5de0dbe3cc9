"""YAML files read safely: plain values only, and a key given twice is an error.

Params files, agreements and mappings are YAML written by people: a duplicated key would
otherwise silently keep the last value, so it is refused with the line of both.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from attribution.errors import ParameterError

__all__ = ["read_yaml"]


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


def read_yaml(path: str | os.PathLike[str], *, what: str = "file") -> Any:
    r"""Read a YAML file safely; a key given twice in one mapping is an error.

    Raises
    ------
    ParameterError
        The file is missing or is not valid YAML (the message names ``what`` and the file).

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
    """
    file = Path(path)
    if not file.is_file():
        raise ParameterError(f"{what} {file} does not exist")
    try:
        return yaml.load(file.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        raise ParameterError(f"{what} {file} is not valid YAML: {exc}") from None
