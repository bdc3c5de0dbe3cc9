"""Run parameters: read a params YAML file and check it against its schema.

``attribution run PARAMS.yaml`` reads the file with :func:`load_params`. The schema (one
frozen dataclass per section, see :mod:`attribution.report.sections`) is checked by
:func:`attribution.config.check_schema`, then the cross-field rules here run (a source is
one of demo, path or Spark; the custom model has weights; response bins increase...), and
**one** :class:`~attribution.errors.ParameterError` lists every problem before anything runs.

**Relative paths** in a params file (``source.path``, ``source.mapping``, a relative
``sqlite:///`` or ``duckdb:///`` URL, ``notebooks_dir``, ``output_dir``, and the files a
section names, such as ``scorecard.definitions``) are resolved against the folder holding
the params file, so a scheduler may run it from any working directory. The scorecard's
files are read and checked with the params file, so a broken one stops the run up front.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import re
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from attribution._text import did_you_mean
from attribution._yaml import read_yaml
from attribution.config import ParamProblem, check_schema, raise_problems
from attribution.data.demo.interventions import check_experiments
from attribution.data.schema import TABLES, check_time_zone
from attribution.data.sources.locate import ENV_URL
from attribution.errors import ParameterError
from attribution.models.rules import MILESTONE_KEYS
from attribution.report.agreed_params import (
    DEFAULT_SLA_HOURS,
    check_named_files,
    demo_agreements,
    with_agreed_sla,
)
from attribution.report.sections import (
    GoalOptions,
    ModelOptions,
    RunParams,
    Source,
)

__all__ = ["DEFAULT_SLA_HOURS", "RUNNER_PARAMETERS", "load_params", "parse_params"]

RUNNER_PARAMETERS: tuple[str, ...] = ("data_dir", "tables_dir", "reports")
"""Notebook parameters the report runner sets: the run's data folder (snapshot, parameters,
shared estimates), the folder for the notebook's chart tables, and the other reports of
the run (``{file.html: title}``). A notebook reads everything else from the run's data
(:func:`attribution.report.shared.open_run`)."""

_DB_URL = re.compile(r"^(sqlite|duckdb)(\+[a-z0-9]+)?:///(?!/)(.+)$", re.I)


# ------------------------------------------------------------------------------ schema


# ------------------------------------------------------------------------------ helpers


def _check_spark_source(source: Source, problems: list[ParamProblem]) -> None:
    spark = source.spark
    assert spark is not None
    if source.demo is not None or source.path is not None or source.url_env is not None:
        problems.append(ParamProblem("source", "give one of demo, path, url_env or spark"))
    for n in ("tables", "columns", "mapping", "time_zone"):
        if getattr(source, n) is not None:
            problems.append(
                ParamProblem(f"source.{n}", "applies to a path source; use source.spark.tables")
            )
    allowed = ("touches", "opportunities", "contacts")
    for t in spark.tables:
        if t not in allowed:
            problems.append(
                ParamProblem(f"source.spark.tables.{t}", f"unknown table; Spark reads {allowed}")
            )
    for t in allowed[:2]:
        if t not in spark.tables:
            problems.append(ParamProblem(f"source.spark.tables.{t}", "required: name its table"))


def _check_source(source: Source, problems: list[ParamProblem]) -> None:
    if source.spark is not None:
        _check_spark_source(source, problems)
        return
    given = [n for n in ("demo", "path", "url_env") if getattr(source, n) is not None]
    if len(given) > 1:
        problems.append(
            ParamProblem("source", f"give one of demo, path or url_env, not {' and '.join(given)}")
        )
    if source.demo is not None:
        loader_only = [
            n for n in ("tables", "columns", "mapping") if getattr(source, n) is not None
        ]
        if source.time_zone is not None:
            loader_only.append("time_zone")
        if source.lazy:
            loader_only.append("lazy")
        for n in loader_only:
            problems.append(
                ParamProblem(f"source.{n}", "applies to a path source only, not to demo data")
            )
        try:
            check_experiments(source.demo.experiments, source.demo.holdout_share)
        except ParameterError as exc:
            problems.append(ParamProblem("source.demo.experiments", str(exc)))
    unknown = [t for t in {**(source.tables or {}), **(source.columns or {})} if t not in TABLES]
    for t in unknown:
        which = "tables" if t in (source.tables or {}) else "columns"
        hint = did_you_mean(t, TABLES, otherwise="tables: " + ", ".join(TABLES))
        problems.append(ParamProblem(f"source.{which}.{t}", f"unknown table; {hint}"))
    if source.time_zone is not None:
        try:
            check_time_zone(source.time_zone)
        except ParameterError as exc:
            problems.append(ParamProblem("source.time_zone", str(exc)))


def _with_default_env(params: RunParams) -> RunParams:
    """Read the database URL in ``ATTRIBUTION_DB_URL`` when the source names no data."""
    s = params.source
    if s.demo is None and s.path is None and s.spark is None and s.url_env is None:
        source = dataclasses.replace(s, url_env=ENV_URL)
        return dataclasses.replace(params, source=source)
    return params


def _check_models(models: ModelOptions, problems: list[ParamProblem]) -> None:
    repeated = sorted({m for m in models.models if models.models.count(m) > 1})
    if repeated:
        problems.append(ParamProblem("models.models", f"lists {', '.join(repeated)} twice"))
    weights = models.custom_weights
    allowed = [*MILESTONE_KEYS, "rest"]
    for key, value in weights.items():
        if key not in allowed:
            hint = did_you_mean(key, allowed, otherwise="valid keys: " + ", ".join(allowed))
            problems.append(ParamProblem(f"models.custom_weights.{key}", f"unknown key; {hint}"))
        elif value < 0:
            problems.append(
                ParamProblem(f"models.custom_weights.{key}", f"must be at least 0, got {value!r}")
            )
    if "custom" in models.models and not any(v > 0 for v in weights.values()):
        problems.append(
            ParamProblem(
                "models.custom_weights",
                "the custom model needs milestone weights, e.g. {first: 0.4, lead_creation: "
                "0.2, opportunity_creation: 0.2, close: 0.2}",
            )
        )


def _check_goals(goals: GoalOptions, problems: list[ParamProblem]) -> None:
    edges = goals.response_bins_hours
    if any(e <= 0 for e in edges) or any(b <= a for a, b in itertools.pairwise(edges)):
        problems.append(
            ParamProblem(
                "goals.response_bins_hours",
                f"must be increasing positive hours, e.g. [1, 4, 24, 72]; got {edges!r}",
            )
        )
    seen: dict[str, str] = {}
    for group, channels in goals.channel_groups.items():
        if not channels:
            problems.append(ParamProblem(f"goals.channel_groups.{group}", "lists no channel"))
        for channel in channels:
            if channel in seen and seen[channel] != group:
                problems.append(
                    ParamProblem(
                        f"goals.channel_groups.{group}",
                        f"channel {channel!r} is already in group {seen[channel]!r}",
                    )
                )
            seen.setdefault(channel, group)
    if len(goals.channel_groups) > 6:
        problems.append(
            ParamProblem(
                "goals.channel_groups",
                f"at most 6 groups (with 'other marketing' and 'other sales' that makes 8); "
                f"got {len(goals.channel_groups)}",
            )
        )


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
    _check_source(params.source, problems)
    params = _with_default_env(params)
    _check_models(params.models, problems)
    _check_goals(params.goals, problems)
    if params.by_values is not None and params.by is None:
        problems.append(ParamProblem("by_values", "picks values of 'by'; give by: <column> too"))
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
