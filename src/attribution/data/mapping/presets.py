"""Loading a mapping: from a YAML file, a shipped preset or example, or a dict.

**Presets.** Mappings for common CRM exports ship with the package
(``attribution/data/mapping/presets/``, linked as ``params/mappings/`` in the repository)
and are named by their file stem: ``load(folder, mapping="salesforce")``. **Examples**
map public datasets (``attribution/data/mapping/examples/``, linked as
``params/examples/``) and are named the same way (``mapping="maven"``). :func:`presets`
lists both.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping as MappingABC
from pathlib import Path
from typing import Any

from attribution._resources import shipped
from attribution._text import did_you_mean
from attribution._yaml import read_yaml
from attribution.data.mapping.mapping import Mapping
from attribution.errors import ParameterError

__all__ = ["load_mapping", "presets"]

_PRESET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_SHIPPED = ("presets", "examples")
"""The package's folders of mappings: CRM presets, then examples for public datasets."""


def presets() -> dict[str, Path]:
    """Return the shipped mapping presets and examples, by name (file stem).

    Examples
    --------
    >>> {"salesforce", "hubspot", "maven"} <= set(presets())
    True
    """
    found: dict[str, Path] = {}
    for kind in _SHIPPED:
        for path in sorted(shipped("attribution.data.mapping", kind).glob("*.yaml")):
            found.setdefault(path.stem, path)
    return found


def load_mapping(mapping: str | os.PathLike[str] | MappingABC[str, Any] | Mapping) -> Mapping:
    """Load a mapping from a YAML file, a preset name, a dict, or return a Mapping unchanged.

    A plain name without a file of that name (``"salesforce"``) loads the shipped preset
    or example of that name (see :func:`presets`).

    Examples
    --------
    >>> m = load_mapping({"tables": {"touches": {"from": "activities",
    ...     "columns": {"occurred_at": "ActivityDate", "team": {"value": "sales"}}}}})
    >>> m.tables["touches"][0].from_
    'activities'
    """
    if isinstance(mapping, Mapping):
        return mapping
    if isinstance(mapping, MappingABC):
        return Mapping.from_dict(mapping)
    path = Path(mapping)
    if not path.is_file():
        text = os.fspath(mapping)
        known = presets()
        if not _PRESET_NAME.match(text):
            raise ParameterError(f"mapping file {path} does not exist")
        if text not in known:
            hint = did_you_mean(text, sorted(known))
            hint = f"{hint} " if hint else ""
            raise ParameterError(
                f"mapping {text!r}: no such file, and no preset of that name; {hint}"
                f"presets: {', '.join(sorted(known)) or 'none found'}"
            )
        path = known[text]
    spec = read_yaml(path, what="mapping file")
    return Mapping.from_dict(spec, origin=str(path))
