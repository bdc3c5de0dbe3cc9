"""What a run's parameters take from the agreement files: the files checked up front, the SLA.

The teams' agreed definitions own the SLA hours: a run takes them from there unless its
``goals.sla_hours`` says otherwise, and then the two must be equal. On the built-in demo,
the scorecard's files default to the shipped examples.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from attribution.config import ParamProblem
from attribution.errors import ParameterError
from attribution.report.sections import RunParams

__all__ = ["DEFAULT_SLA_HOURS", "check_named_files", "demo_agreements", "with_agreed_sla"]


def demo_agreements(params: RunParams) -> RunParams:
    """On the built-in demo data, default the scorecard's files to the shipped examples.

    They describe the demo data only: any other source keeps none (the scorecard page then
    says how to write the agreement).
    """
    files = params.scorecard
    if params.source.demo is None or (files.definitions and files.targets):
        return params
    from attribution.alignment.agreements import shipped_file

    named = dataclasses.replace(
        files,
        definitions=files.definitions or str(shipped_file("definitions.yaml")),
        targets=files.targets or str(shipped_file("targets.yaml")),
    )
    return dataclasses.replace(params, scorecard=named)


DEFAULT_SLA_HOURS = 24.0
"""The SLA hours of a run whose teams agreed no definitions and gave no ``goals.sla_hours``."""


def with_agreed_sla(params: RunParams, where: str, definitions: Any = None) -> RunParams:
    """Take the SLA hours from the agreed definitions (their owner) unless given, and equal.

    ``definitions`` is the already loaded definitions file, if the caller has it. Without
    agreed definitions, ``goals.sla_hours`` (default :data:`DEFAULT_SLA_HOURS`) stands.
    """
    from attribution.alignment.definitions import load_definitions

    if definitions is None and params.scorecard.definitions is None:
        hours = params.goals.sla_hours or DEFAULT_SLA_HOURS
        return dataclasses.replace(
            params, goals=dataclasses.replace(params.goals, sla_hours=float(hours))
        )
    if definitions is None:
        definitions = load_definitions(params.scorecard.definitions)
    agreed = definitions.sla.response_hours
    given = params.goals.sla_hours
    if given is None:
        return dataclasses.replace(
            params, goals=dataclasses.replace(params.goals, sla_hours=float(agreed))
        )
    if float(given) != float(agreed):
        problem = ParamProblem(
            "goals.sla_hours",
            f"is {given:g} hours, but the agreed definitions "
            f"({params.scorecard.definitions}) say "
            f"sla.response_hours: {agreed:g}; remove goals.sla_hours to use the agreement, or "
            "change the agreement",
        )
        raise ParameterError(
            f"1 problem in {where}; nothing was run:\n  1. {problem.render()}", [problem]
        )
    return params


def check_named_files(params: RunParams) -> dict[str, Any]:
    """Check the agreement files the params name, so a broken one stops the run up front.

    Returns the loaded files by kind (``definitions``, ``targets``), for those named.
    """
    from attribution.alignment.definitions import load_definitions
    from attribution.alignment.targets import load_targets

    messages = []
    loaded: dict[str, Any] = {}
    for kind, path, loader in (
        ("definitions", params.scorecard.definitions, load_definitions),
        ("targets", params.scorecard.targets, load_targets),
    ):
        if path is None:
            continue
        try:
            loaded[kind] = loader(path)
        except ParameterError as exc:
            messages.append(str(exc))
    if messages:
        raise ParameterError("\n".join(messages))
    return loaded
