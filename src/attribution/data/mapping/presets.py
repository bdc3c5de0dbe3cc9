"""Loading a mapping: from a YAML file, a preset shipped in ``params/mappings/``, or a dict.

**Presets.** Mappings for common CRM exports ship in ``params/mappings/`` and are named by
their file stem: ``load(folder, mapping="salesforce")``. :func:`presets` lists them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping as MappingABC
from pathlib import Path
from typing import Any

from attribution._text import did_you_mean
from attribution._yaml import read_yaml
from attribution.data.mapping.mapping import Mapping
from attribution.errors import ParameterError

__all__ = ["load_mapping", "presets"]

_PRESET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_PROJECT_PRESETS = Path(__file__).resolve().parents[4] / "params" / "mappings"
"""The project's own presets (``params/mappings`` next to ``src/``)."""


def presets() -> dict[str, Path]:
    """Return the mapping presets shipped in ``params/mappings/``, by name.

    Looked up in ``./params/mappings`` (the working directory) and in the project's own
    ``params/mappings`` (next to ``src/``); the first found wins.

    Examples
    --------
    >>> {"salesforce", "hubspot"} <= set(presets())
    True
    """
    found: dict[str, Path] = {}
    for folder in (Path.cwd() / "params" / "mappings", _PROJECT_PRESETS):
        if folder.is_dir():
            for path in sorted(folder.glob("*.yaml")):
                found.setdefault(path.stem, path)
    return found


def load_mapping(mapping: str | os.PathLike[str] | MappingABC[str, Any] | Mapping) -> Mapping:
    """Load a mapping from a YAML file, a preset name, a dict, or return a Mapping unchanged.

    A plain name without a file of that name (``"salesforce"``) loads the preset
    ``params/mappings/<name>.yaml`` (see :func:`presets`).

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
