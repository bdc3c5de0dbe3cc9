"""The agreed definitions: what an MQL and an SQL are, and the hand-off's service level.

Marketing and sales align when they write down, once, what counts. A definitions file
(``params/definitions.yaml``) says it in a form the package can apply to the data
(:func:`attribution.apply_definitions`) and print verbatim in the reports::

    name: Lead agreement 2026          # a title for the reports
    agreed_on: 2026-01-12              # optional: when it was signed off
    agreed_by: [Head of Marketing, Head of Sales]
    mql:                               # when a contact becomes marketing-qualified
      score:                           # a lead score reaching a threshold...
        points: {webinar: 12, event: 15, content: 8, email: 3}
        points_by: channel             # channel (default) or activity
        fit_points: {Enterprise: 15}   # added from the start, by the account's segment
        threshold: 40                  # MQL when the score is at least this
        window_days: null              # only touches of the last N days count (null: all)
      behaviours:                      # ...and/or named behaviours
        - name: attended a webinar or an event
          channels: [webinar, event]   # touches of these channels (or `activities`)
          count: 1                     # at least this many
          within_days: 90              # in the N days up to the MQL moment (null: any time)
      combine: all                     # all: the score and every behaviour; any: one of them
    sql:                               # when an MQL is accepted by sales
      accepted_by: [sales_touch, opportunity]
      sales_channels: [meeting, demo]  # which sales touches count (null: any)
      within_days: 30                  # at most N days after the MQL (null: any time)
    sla:                               # the service-level agreement of the hand-off
      response_hours: 24               # sales answers an MQL within this many hours...
      within_sla_share: 0.8            # ...for at least this share of MQLs
      followed_up_share: 0.95          # sales follows up at least this share at all
      mqls_per_month: 120              # marketing delivers at least this many MQLs a month
      mql_to_sql_rate: 0.3             # of which at least this share become SQL

**Window edges** (what the tests pin): a window of N days up to a moment ``t`` holds the
touches at ``t - N days`` up to ``t``, both ends included; the SQL window of an MQL at
``m`` holds events at ``m`` up to ``m + N days``, both ends included. A score *reaches*
the threshold when it is at least the threshold.

The file is checked like a params file (:func:`load_definitions`): unknown keys name the
closest valid one, wrong types say what was expected and what was given, and every problem
is listed in one :class:`~attribution.errors.ParameterError`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from attribution._markdown import Markdown
from attribution.alignment.agreements import read_agreement, shipped_file
from attribution.alignment.definitions_schema import (
    Behaviour,
    MqlRule,
    ScoreRule,
    ServiceLevel,
    SqlRule,
)
from attribution.alignment.definitions_text import describe
from attribution.config import ParamProblem

# the rule types, as `at.definitions` always offered them
__all__ = [
    "Behaviour",
    "Definitions",
    "MqlRule",
    "ScoreRule",
    "ServiceLevel",
    "SqlRule",
    "load_definitions",
    "shipped_file",
]


@dataclass(frozen=True)
class _File:
    """The keys of a definitions file."""

    name: str = field(default="Our lead agreement", metadata={"min_length": 1})
    agreed_on: date | None = None
    agreed_by: list[str] | None = None
    mql: MqlRule = field(default_factory=MqlRule)
    sql: SqlRule = field(default_factory=SqlRule)
    sla: ServiceLevel = field(default_factory=ServiceLevel)


@dataclass(frozen=True)
class Definitions:
    """The agreed definitions: MQL, SQL and the service level, with the file's own text.

    Build it with :func:`load_definitions`.

    Attributes
    ----------
    name, agreed_on, agreed_by
        Title of the agreement, when and by whom it was agreed.
    mql, sql, sla
        The rules (:class:`MqlRule`, :class:`SqlRule`, :class:`ServiceLevel`).
    text
        The file exactly as written (printed verbatim in the reports).
    origin
        The file it came from (``<mapping>`` for a dict).
    """

    name: str
    agreed_on: date | None
    agreed_by: tuple[str, ...]
    mql: MqlRule
    sql: SqlRule
    sla: ServiceLevel
    text: str = field(repr=False, default="")
    origin: str = "<mapping>"

    def describe(self) -> Markdown:
        """Return the definitions in plain English (markdown), for reports.

        Examples
        --------
        >>> d = load_definitions({"mql": {"behaviours": [{"name": "came to an event",
        ...                                              "channels": ["event"]}]}})
        >>> print(d.describe().splitlines()[2])
        **MQL.** A contact becomes a marketing-qualified lead (MQL) at the first moment it has came to an event (at least 1 touch of channel event, at any time before).
        """  # noqa: E501
        return describe(self.name, self.agreed_on, self.agreed_by, self.mql, self.sql, self.sla)


# ------------------------------------------------------------------------------ checks
def _check(f: _File, problems: list[ParamProblem]) -> None:
    """Add the checks across keys that the schema cannot make."""
    m = f.mql
    if m.score is None and not m.behaviours:
        problems.append(
            ParamProblem("mql", "say what makes an MQL: a score (threshold), behaviours, or both")
        )
    if m.score is not None:
        _check_score(m.score, problems)
    _check_behaviours(m.behaviours, problems)
    _check_sql(f.sql, problems)


def _check_score(s: ScoreRule, problems: list[ParamProblem]) -> None:
    if s.threshold is None:
        problems.append(ParamProblem("mql.score.threshold", "missing; give the MQL score"))
    if s.source == "touches" and not s.points:
        problems.append(
            ParamProblem(
                "mql.score.points",
                "missing; give points per channel (or activity) for a score from touches",
            )
        )
    if s.source == "crm":
        for name in ("points", "window_days"):
            if getattr(s, name) is not None:
                problems.append(
                    ParamProblem(
                        f"mql.score.{name}",
                        "applies to a score from touches only (source: touches); the "
                        "CRM's score column is used as it is",
                    )
                )


def _check_behaviours(behaviours: list[Behaviour], problems: list[ParamProblem]) -> None:
    names: dict[str, int] = {}
    for i, b in enumerate(behaviours):
        key = f"mql.behaviours[{i}]"
        if not b.name:
            problems.append(ParamProblem(f"{key}.name", "missing; name the behaviour"))
        elif b.name in names:
            problems.append(
                ParamProblem(f"{key}.name", f"{b.name!r} is also behaviour {names[b.name]}")
            )
        else:
            names[b.name] = i
        if not b.channels and not b.activities:
            problems.append(
                ParamProblem(key, "give the channels or the activities whose touches count")
            )


def _check_sql(q: SqlRule, problems: list[ParamProblem]) -> None:
    if not q.accepted_by:
        problems.append(
            ParamProblem("sql.accepted_by", "give at least one of sales_touch, opportunity")
        )
    if len(set(q.accepted_by)) != len(q.accepted_by):
        problems.append(ParamProblem("sql.accepted_by", "lists an event twice"))
    if "sales_touch" not in q.accepted_by:
        for name in ("sales_channels", "sales_activities"):
            if getattr(q, name):
                problems.append(
                    ParamProblem(
                        f"sql.{name}", "applies only when accepted_by includes sales_touch"
                    )
                )


def load_definitions(
    definitions: str | os.PathLike[str] | Mapping[str, Any] | Definitions | None = None,
) -> Definitions:
    """Read and check agreed definitions from a YAML file, a mapping, or return them as given.

    Parameters
    ----------
    definitions
        A definitions YAML file (see the module docstring), its parsed mapping, or
        :class:`Definitions`; ``None`` or ``""`` reads the shipped example
        ``params/definitions.yaml``.

    Returns
    -------
    Definitions

    Raises
    ------
    ParameterError
        The file is missing or not YAML, or breaks the schema: every problem is listed
        (unknown keys with the closest valid one, wrong types, values out of range,
        missing or contradictory rules).

    Examples
    --------
    >>> d = load_definitions({"mql": {"score": {"points": {"webinar": 10}, "threshold": 20}}})
    >>> d.mql.score.threshold, d.sql.within_days, d.sla.response_hours
    (20.0, 30.0, 24.0)
    >>> load_definitions({"mql": {"threshold": 20}})
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: 2 problems in the definitions; nothing was run:
      1. mql.threshold: unknown key; did you mean 'mql.score.threshold'?
      2. mql: say what makes an MQL: a score (threshold), behaviours, or both
    """
    if isinstance(definitions, Definitions):
        return definitions
    read = read_agreement(definitions, _File, kind="definitions", check=_check)
    parsed = read.value
    return Definitions(
        **{f.name: getattr(parsed, f.name) for f in fields(_File) if f.name != "agreed_by"},
        agreed_by=tuple(parsed.agreed_by or ()),
        text=read.text,
        origin=read.origin,
    )
