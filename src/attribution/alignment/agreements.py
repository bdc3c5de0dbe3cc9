"""Reading an agreement file (definitions, targets): YAML or a mapping, every problem at once.

Both agreement files are read the same way: ``None`` or ``""`` means the shipped example
(``attribution/alignment/examples/<kind>.yaml``, linked as ``params/<kind>.yaml`` in the
repository), which describes the built-in demo data only; a mapping is taken as parsed
YAML, anything else is a path. The
parsed value is checked against its schema (:func:`attribution.config.check_schema`), the
file's own checks add their problems, and one :class:`~attribution.errors.ParameterError`
lists them all.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml

from attribution._resources import shipped
from attribution._yaml import read_yaml
from attribution.config import ParamProblem, check_schema, raise_problems
from attribution.errors import ParameterError

__all__ = ["AgreementFile", "demo_only", "raise_listed", "read_agreement", "shipped_file"]

T = TypeVar("T")


@dataclass(frozen=True)
class AgreementFile(Generic[T]):
    """An agreement file read and checked: the typed value, its text and where it came from."""

    value: T
    text: str
    """The file exactly as written (a mapping is written out as YAML)."""
    origin: str
    """The file it came from (``<mapping>`` for a mapping)."""


def shipped_file(name: str) -> Path:
    """Return the shipped example agreement ``name`` (it describes the demo data only).

    Examples
    --------
    >>> shipped_file("definitions.yaml").name
    'definitions.yaml'
    """
    return shipped("attribution.alignment", "examples", name)


def demo_only(source: object, dataset: Any, kind: str) -> None:
    """Refuse the shipped example agreement (``source`` None) for data that is not the demo's.

    The shipped definitions and targets describe the built-in demo data: on other data their
    channels, numbers and dates mean nothing, so a caller must name its own file.

    Examples
    --------
    >>> import polars as pl
    >>> from attribution.data.dataset import Dataset
    >>> demo_only(None, Dataset(touches=pl.DataFrame(), opportunities=pl.DataFrame()), "targets")
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: no targets file given for the data from <memory>: ...
    """
    if (source is None or source == "") and getattr(dataset, "truth", None) is None:
        raise ParameterError(
            f"no {kind} file given for the data from {getattr(dataset, 'source', '?')}: the "
            f"shipped example describes the built-in demo data only; write your own "
            f"{kind}.yaml (`attribution init` drafts one from your data) and pass it"
        )


def read_agreement(
    source: str | os.PathLike[str] | Mapping[str, Any] | None,
    schema: type[T],
    *,
    kind: str,
    check: Callable[[T, list[ParamProblem]], None],
) -> AgreementFile[T]:
    """Read an agreement file of ``kind`` (``definitions``, ``targets``) and check it.

    Parameters
    ----------
    source
        A YAML file, its parsed mapping, or ``None``/``""`` for the shipped example of
        the demo data (:func:`shipped_file`).
    schema
        The dataclass of the file's keys (see :func:`attribution.config.check_schema`).
    kind
        What the file holds: names the shipped example and the messages.
    check
        The file's own checks: appends to (or tidies) the schema's problems in place.

    Returns
    -------
    AgreementFile

    Raises
    ------
    ParameterError
        The file is missing or not YAML, or has problems (every one listed).

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Note:
    ...     title: str = "untitled"
    >>> read_agreement({"title": "Q3"}, Note, kind="notes", check=lambda v, p: None).value
    Note(title='Q3')
    >>> read_agreement({"titel": "Q3"}, Note, kind="notes", check=lambda v, p: None)
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: 1 problem in the notes; nothing was run:
      1. titel: unknown key; did you mean 'title'?
    """
    if source is None or (isinstance(source, str) and source == ""):
        source = shipped_file(f"{kind}.yaml")
    if not isinstance(source, Mapping | str | os.PathLike):
        raise ParameterError(
            f"the {kind}: expected a YAML file, a mapping or None, got {type(source).__name__}"
        )
    if isinstance(source, Mapping):
        data: Any = source
        text = yaml.safe_dump(dict(source), sort_keys=False, allow_unicode=True)
        where, origin = f"the {kind}", "<mapping>"
    else:
        path = Path(source)
        data = read_yaml(path, what=f"{kind} file")
        text = path.read_text(encoding="utf-8")
        where = origin = str(path)
    parsed, problems = check_schema(schema, data)
    check(parsed, problems)
    raise_problems(problems, where)
    return AgreementFile(value=parsed, text=text, origin=origin)


def raise_listed(problems: list[str], context: str) -> None:
    """Raise one :class:`ParameterError` listing ``problems`` (numbered), if there are any.

    ``context`` follows the count: ``"3 problems <context>:"``.

    Examples
    --------
    >>> raise_listed(["a is late"], "in the targets for data from 2026-01-01")
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: 1 problem in the targets for data from 2026-01-01:
      1. a is late
    """
    if not problems:
        return
    n = len(problems)
    body = "\n".join(f"  {i}. {p}" for i, p in enumerate(problems, 1))
    raise ParameterError(f"{n} problem{'s' if n != 1 else ''} {context}:\n{body}", problems)
