"""Results on disk without pickle: frames as Parquet, every other value as JSON.

The estimates that several report pages show are computed once per run and kept in the
run's data folder (:mod:`attribution.report.shared`), so every page loads the very same
numbers. A result is any dataclass of this package (a :class:`~attribution.results.Result`
and the dataclasses it holds, such as :class:`~attribution.estimates.diagnostics.Diagnostics`):
each polars frame becomes a Parquet file, nested dataclasses a subfolder, plain values
(text, numbers, booleans, lists, mappings, timestamps) JSON. Fitted model objects (the
statsmodels results, the counterfactual engine) are not stored: they load as ``None``.

Loading never executes code from the folder: only dataclasses defined in this package are
rebuilt, by name, from plain values.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from attribution.errors import ParameterError

__all__ = ["load", "save"]

_META = "result.json"


def save(result: Any, folder: str | Path) -> Path:
    """Write a result dataclass into ``folder`` (created; must not exist yet).

    Examples
    --------
    >>> import tempfile
    >>> from attribution.results import Result
    >>> r = Result(table=pl.DataFrame({"a": [1.5]}), note="n", level=0.9, draws=20)
    >>> back = load(save(r, Path(tempfile.mkdtemp()) / "r"))
    >>> back.table.equals(r.table), back.note, back.level, back.draws
    (True, 'n', 0.9, 20)
    """
    root = Path(folder)
    root.mkdir(parents=True)
    cls = type(result)
    fields = {f.name: _dump(getattr(result, f.name), root, f.name) for f in _init_fields(cls)}
    meta = {"class": f"{cls.__module__}:{cls.__qualname__}", "fields": fields}
    (root / _META).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return root


def load(folder: str | Path) -> Any:
    """Rebuild the result :func:`save` wrote into ``folder``."""
    root = Path(folder)
    meta = json.loads((root / _META).read_text(encoding="utf-8"))
    cls = _class(meta["class"])
    values = {name: _undump(spec, root) for name, spec in meta["fields"].items()}
    return cls(**values)


def _init_fields(cls: type) -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(cls) if f.init]


def _dump(value: Any, root: Path, name: str) -> dict[str, Any]:
    if isinstance(value, pl.DataFrame):
        value.write_parquet(root / f"{name}.parquet")
        return {"frame": f"{name}.parquet"}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        save(value, root / name)
        return {"result": name}
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, tuple) and all(_plain(v) for v in value):
        return {"tuple": list(value)}
    if _plain(value):
        return {"json": value}
    return {"dropped": type(value).__name__}


def _plain(value: Any) -> bool:
    if value is None or isinstance(value, str | bool | int | float):
        return True
    if isinstance(value, list | tuple):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def _undump(spec: dict[str, Any], root: Path) -> Any:
    if "frame" in spec:
        return pl.read_parquet(root / spec["frame"])
    if "result" in spec:
        return load(root / spec["result"])
    if "datetime" in spec:
        return datetime.fromisoformat(spec["datetime"])
    if "date" in spec:
        return date.fromisoformat(spec["date"])
    if "tuple" in spec:
        return tuple(spec["tuple"])
    if "json" in spec:
        return spec["json"]
    return None  # a fitted model object: not stored


def _class(name: str) -> type:
    module, _, qualname = name.partition(":")
    if not module.startswith("attribution."):
        raise ParameterError(f"stored result names class {name!r}, which is not this package's")
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    if not (isinstance(obj, type) and dataclasses.is_dataclass(obj)):
        raise ParameterError(f"stored result names {name!r}, which is not a result class")
    return obj
