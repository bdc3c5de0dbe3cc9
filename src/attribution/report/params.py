"""Run parameters: read a params YAML file and check it against its schema.

``attribution run PARAMS.yaml`` reads the file with :func:`load_params`. The schema (one
frozen dataclass per section, see :mod:`attribution.report.sections`) is checked by
:func:`attribution.config.check_schema`, then the rules across fields run
(:mod:`attribution.report.param_rules`: a source is one of demo, path or Spark; the custom
model has weights; response bins increase...), and **one**
:class:`~attribution.errors.ParameterError` lists every problem before anything runs.

**Relative paths** in a params file (``source.path``, ``source.mapping``, a relative
``sqlite:///`` or ``duckdb:///`` URL, ``notebooks_dir``, ``output_dir``, and the files a
section names, such as ``scorecard.definitions``) are resolved against the folder holding
the params file, so a scheduler may run it from any working directory. The scorecard's
files are read and checked with the params file, so a broken one stops the run up front.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from attribution._yaml import read_yaml
from attribution.config import check_schema, raise_problems
from attribution.data.sources.locate import ENV_URL
from attribution.report.agreed_params import (
    DEFAULT_SLA_HOURS,
    check_named_files,
    demo_agreements,
    with_agreed_sla,
)
from attribution.report.param_rules import cross_field_problems
from attribution.report.sections import RunParams, Source

__all__ = ["DEFAULT_SLA_HOURS", "RUNNER_PARAMETERS", "load_params", "parse_params"]

RUNNER_PARAMETERS: tuple[str, ...] = ("data_dir", "tables_dir", "reports")
"""Notebook parameters the report runner sets: the run's data folder (snapshot, parameters,
shared estimates), the folder for the notebook's chart tables, and the other reports of
the run (``{file.html: title}``). A notebook reads everything else from the run's data
(:func:`attribution.report.shared.open_run`)."""

_DB_URL = re.compile(r"^(sqlite|duckdb)(\+[a-z0-9]+)?:///(?!/)(.+)$", re.I)


def _with_default_env(params: RunParams) -> RunParams:
    """Read the database URL in ``ATTRIBUTION_DB_URL`` when the source names no data."""
    s = params.source
    if s.demo is None and s.path is None and s.spark is None and s.url_env is None:
        source = dataclasses.replace(s, url_env=ENV_URL)
        return dataclasses.replace(params, source=source)
    return params


def _resolve(text: str, base: Path) -> str:
    match = _DB_URL.match(text)
    if match:
        location = Path(match.group(3))
        if not location.is_absolute():
            return f"{text.split(':///', 1)[0]}:///{(base / location).resolve()}"
        return text
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text):
        return text
    path = Path(os.path.expanduser(text))
    # absolute and normalised, but links kept: the run records the path as the user named it
    return os.path.abspath(path if path.is_absolute() else base / path)


def _is_preset(field_name: str, text: str, base: Path) -> bool:
    """Tell whether a bare mapping name (``salesforce``) names a shipped preset, not a file."""
    return (
        field_name == "mapping"
        and re.fullmatch(r"[A-Za-z0-9_-]+", text) is not None
        and not (base / text).exists()
    )


def _resolve_paths(params: RunParams, base: Path) -> RunParams:
    source = params.source
    in_source: dict[str, Any] = {
        n: _resolve(getattr(source, n), base)
        for n in Source.path_fields
        if getattr(source, n) is not None and not _is_preset(n, getattr(source, n), base)
    }
    if source.spark is not None and source.spark.credits_parquet is not None:
        in_source["spark"] = dataclasses.replace(
            source.spark, credits_parquet=_resolve(source.spark.credits_parquet, base)
        )
    top: dict[str, Any] = {
        n: _resolve(getattr(params, n), base)
        for n in RunParams.path_fields
        if getattr(params, n) is not None
    }
    for f in fields(params):  # other sections that name files (e.g. the scorecard's)
        section = getattr(params, f.name)
        if f.name != "source" and hasattr(section, "path_fields"):
            named = {n: getattr(section, n) for n in section.path_fields}
            resolved = {n: _resolve(v, base) for n, v in named.items() if v is not None}
            top[f.name] = dataclasses.replace(section, **resolved)
    return dataclasses.replace(params, source=dataclasses.replace(source, **in_source), **top)


# ------------------------------------------------------------------------------ public
def parse_params(
    data: Mapping[str, Any] | None,
    *,
    base_dir: str | os.PathLike[str] | None = None,
    where: str = "the parameters",
    default_run_name: str | None = None,
    agree: bool = True,
) -> RunParams:
    """Check a mapping against the schema and return typed :class:`RunParams`.

    Parameters
    ----------
    data
        The parsed YAML (``None`` or ``{}`` gives the defaults: the demo data).
    base_dir
        Folder that relative paths resolve against (the params file's folder); ``None``
        leaves them as given.
    where
        Names the parameters in messages (e.g. the file).
    default_run_name
        Run name when the mapping has none (the params file's stem).
    agree
        Fill (and check) ``goals.sla_hours`` from the agreed definitions file. ``False``
        leaves it as given, for callers that check the named files first.

    Returns
    -------
    RunParams

    Raises
    ------
    ParameterError
        Lists every unknown key (with the closest valid key), wrong type and value out of
        range; ``.problems`` holds them as :class:`ParamProblem`.

    Examples
    --------
    >>> p = parse_params({"source": {"demo": {"accounts": 300}}, "window": {"lookback_days": 90}})
    >>> p.source.demo.accounts, p.window.lookback_days
    (300, 90.0)
    >>> parse_params({"window": {"lookbak_days": 90}})
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: 1 problem in the parameters; nothing was run:
      1. window.lookbak_days: unknown key; did you mean 'lookback_days'?
    """
    if isinstance(data, Mapping) and default_run_name is not None and "run_name" not in data:
        data = {**data, "run_name": default_run_name}
    params, problems = check_schema(RunParams, data)
    problems.extend(cross_field_problems(params))
    params = _with_default_env(params)
    raise_problems(problems, where)
    if base_dir is not None:
        params = _resolve_paths(params, Path(base_dir))
    params = demo_agreements(params)
    if not agree:
        return params
    return with_agreed_sla(params, where)


def load_params(path: str | os.PathLike[str]) -> RunParams:
    """Read and check a params YAML file.

    Relative paths inside it resolve against the file's folder; the run name defaults to
    the file's stem.

    Raises
    ------
    ParameterError
        The file is missing or is not valid YAML, or its values break the schema (every
        problem is listed).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "q3.yaml"
    >>> _ = f.write_text("source: {demo: {accounts: 500}}")
    >>> p = load_params(f)
    >>> p.run_name, p.source.demo.accounts, p.output_dir == str(f.parent.parent / "outputs")
    ('q3', 500, True)
    """
    file = Path(path)
    data = read_yaml(file, what="params file")
    params = parse_params(
        data,
        base_dir=file.resolve().parent,
        where=str(file),
        default_run_name=file.stem,
        agree=False,
    )
    loaded = check_named_files(params)
    return with_agreed_sla(params, str(file), loaded.get("definitions"))
