"""The params' rules across fields, checked after the schema (:mod:`attribution.config`).

The schema checks each value on its own (type, range, known key); these rules check what
the fields say together: a source is one of demo, path, database URL or Spark tables (and
takes only the options that kind reads), the custom model has weights, response bins
increase, channel groups do not share a channel, ``by_values`` comes with ``by``.
:func:`attribution.report.params.parse_params` lists their problems with the schema's in
one :class:`~attribution.errors.ParameterError`.
"""

from __future__ import annotations

import itertools

from attribution._text import did_you_mean
from attribution.config import ParamProblem
from attribution.data.demo.interventions import check_experiments
from attribution.data.schema import TABLES, check_time_zone
from attribution.errors import ParameterError
from attribution.models.rules import MILESTONE_KEYS
from attribution.report.sections import GoalOptions, ModelOptions, RunParams, Source

__all__ = ["cross_field_problems"]


def cross_field_problems(params: RunParams) -> list[ParamProblem]:
    """Return what breaks the rules across fields, in the order of the params' sections.

    Examples
    --------
    >>> from attribution.config import check_schema
    >>> params, _ = check_schema(RunParams, {"by_values": ["EMEA"]})
    >>> [p.render() for p in cross_field_problems(params)]
    ["by_values: picks values of 'by'; give by: <column> too"]
    """
    problems: list[ParamProblem] = []
    _check_source(params.source, problems)
    _check_models(params.models, problems)
    _check_goals(params.goals, problems)
    if params.by_values is not None and params.by is None:
        problems.append(ParamProblem("by_values", "picks values of 'by'; give by: <column> too"))
    return problems


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
