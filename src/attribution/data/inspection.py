"""Look at a source without stopping at its first problem: what it holds, and what is wrong.

:func:`inspect_source` reads a source through its mapping and validates it like
:func:`attribution.load`, but returns instead of raising: the tables as far as they could
be read (validated when they pass), every problem (mapping and data alike), and notes on
how the files were read. ``attribution validate`` and ``attribution init`` print it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from typing import Any

from attribution.data.dataset import Dataset, Frame
from attribution.data.load import read_mapped
from attribution.data.mapping import Mapping, load_mapping
from attribution.data.schema import Problem, validate
from attribution.data.sources.locate import open_source
from attribution.data.sources.period import Window
from attribution.errors import DataError, SchemaError

__all__ = ["Inspection", "inspect_source"]


@dataclass(frozen=True)
class Inspection:
    """What :func:`inspect_source` found.

    Attributes
    ----------
    source
        The source as it may be shown (passwords masked).
    mapping
        The mapping used (``None``: the contract's own names).
    time_zone
        Zone of naive timestamps.
    tables
        The tables read: validated when the data passed, else as read.
    dataset
        The validated data, or ``None`` when there are problems.
    problems
        Every problem found (mapping and data), as :class:`Problem` objects.
    notes
        How files were read where it is not as plain as it looks (a detected separator).
    """

    source: str
    mapping: Mapping | None
    time_zone: str
    tables: dict[str, Frame] = field(default_factory=dict)
    dataset: Dataset | None = None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def inspect_source(
    source: str | os.PathLike[str] | None,
    *,
    mapping: str | os.PathLike[str] | MappingABC[str, Any] | Mapping | None = None,
    time_zone: str | None = None,
    schema: str | None = None,
    window: Window | None = None,
) -> Inspection:
    """Read and validate a source; return what was found and every problem.

    The data's own problems (and a mapping's) are returned, not raised.

    Raises
    ------
    SourceError, ParameterError
        The source cannot be opened at all, or the mapping file itself is malformed.

    Examples
    --------
    >>> import tempfile, attribution as at
    >>> folder = tempfile.mkdtemp()
    >>> _ = at.demo.write(at.demo.generate(n_accounts=30, seed=1), folder)
    >>> found = inspect_source(folder)
    >>> found.dataset is not None, found.problems
    (True, [])
    """
    rules = load_mapping(mapping) if mapping is not None else None
    zone = time_zone or (rules.time_zone if rules is not None else None) or "UTC"
    plan = rules if rules is not None else Mapping.renames()
    with open_source(source, schema=schema or plan.schema) as src:
        try:
            read = read_mapped(src, plan, window, zone)
        except (SchemaError, DataError) as exc:  # nothing could be read: say why
            return Inspection(src.description, rules, zone, problems=list(exc.problems))
        tables: dict[str, Frame] = {n: f.collect() for n, f in read.tables.items()}
        try:
            dataset = validate(
                tables,
                time_zone=zone,
                source=src.description,
                problems=read.problems,
                failed=read.failed,
                origins=read.origins,
            )
        except (SchemaError, DataError) as exc:
            return Inspection(
                src.description, rules, zone, tables, None, list(exc.problems), list(src.notes)
            )
        return Inspection(
            src.description, rules, zone, dataset.tables(), dataset, [], list(src.notes)
        )
