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
from pathlib import Path
from typing import Any, Literal

import yaml

from attribution.config import ParamProblem, check_schema, read_yaml
from attribution.errors import ParameterError

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

PointsBy = Literal["channel", "activity"]
ScoreFrom = Literal["touches", "crm"]
Combine = Literal["all", "any"]
Acceptance = Literal["sales_touch", "opportunity"]

_SHARE = {"min": 0.0, "max": 1.0}


# ------------------------------------------------------------------------------ schema
@dataclass(frozen=True)
class ScoreRule:
    """A lead score and the threshold that makes a contact an MQL."""

    source: ScoreFrom = "touches"
    """``touches``: points per touch of the contact; ``crm``: the contacts' ``score`` column
    (today's value, no history: the MQL moment is then the first moment the other
    conditions hold, at the earliest the contact's creation)."""
    points: dict[str, float] | None = None
    """Points per touch, by channel (or activity, see ``points_by``); others score 0."""
    points_by: PointsBy = "channel"
    """Whether ``points`` are keyed by the touches' ``channel`` or ``activity``."""
    fit_points: dict[str, float] | None = None
    """Points a contact has from its creation, by its account's ``segment``."""
    threshold: float | None = None
    """The score at which a contact becomes an MQL (reached when at least this)."""
    window_days: float | None = field(default=None, metadata={"min": 0, "max": 3650})
    """Only touches of the last N days count (null: every touch so far)."""


@dataclass(frozen=True)
class Behaviour:
    """A named behaviour: some touches of given channels or activities within N days."""

    name: str | None = None
    """How the reports call it, e.g. ``attended a webinar or an event``."""
    channels: list[str] | None = None
    """Touches of any of these channels count."""
    activities: list[str] | None = None
    """Touches of any of these activities count (with ``channels``: either counts)."""
    count: int = field(default=1, metadata={"min": 1, "max": 1000})
    """At least this many such touches."""
    within_days: float | None = field(default=None, metadata={"min": 0, "max": 3650})
    """In the N days up to the MQL moment, both ends included (null: any time before)."""


@dataclass(frozen=True)
class MqlRule:
    """When a contact becomes a marketing-qualified lead."""

    score: ScoreRule | None = None
    """A lead score reaching a threshold."""
    behaviours: list[Behaviour] = field(default_factory=list)
    """Named behaviours."""
    combine: Combine = "all"
    """``all``: the score and every behaviour must hold at once; ``any``: one of them."""


@dataclass(frozen=True)
class SqlRule:
    """When an MQL is accepted by sales (a sales-qualified lead)."""

    accepted_by: list[Acceptance] = field(default_factory=lambda: ["sales_touch", "opportunity"])
    """Events that accept an MQL: a ``sales_touch`` on its account, an ``opportunity``
    created for its account; the first one counts."""
    sales_channels: list[str] | None = None
    """Sales touches of these channels count (null: any sales touch)."""
    sales_activities: list[str] | None = None
    """Sales touches of these activities count (with ``sales_channels``: either counts)."""
    within_days: float | None = field(default=30.0, metadata={"min": 0, "max": 3650})
    """At most N days after the MQL moment, both ends included (null: any time)."""


@dataclass(frozen=True)
class ServiceLevel:
    """The service-level agreement of the hand-off; empty numbers are not agreed."""

    response_hours: float = field(default=24.0, metadata={"min": 0.01, "max": 8760})
    """Sales answers an MQL (first sales touch on its account) within this many hours."""
    within_sla_share: float | None = field(default=None, metadata=_SHARE)
    """Sales answers at least this share of MQLs within ``response_hours``."""
    followed_up_share: float | None = field(default=None, metadata=_SHARE)
    """Sales follows up at least this share of MQLs at all (coverage)."""
    mqls_per_month: float | None = field(default=None, metadata={"min": 0})
    """Marketing delivers at least this many MQLs a month (quantity)."""
    mql_to_sql_rate: float | None = field(default=None, metadata=_SHARE)
    """At least this share of those MQLs become SQL (quality)."""


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

    def describe(self) -> str:
        """Return the definitions in plain English (markdown), for reports.

        Examples
        --------
        >>> d = load_definitions({"mql": {"behaviours": [{"name": "came to an event",
        ...                                              "channels": ["event"]}]}})
        >>> print(d.describe().splitlines()[2])
        **MQL.** A contact becomes a marketing-qualified lead (MQL) at the first moment it has came to an event (at least 1 touch of channel event, at any time before).
        """  # noqa: E501
        lines = [f"**{self.name}**" + _agreed(self.agreed_on, self.agreed_by), ""]
        lines.append(
            "**MQL.** A contact becomes a marketing-qualified lead (MQL) at the first moment "
            f"it has {_mql_text(self.mql)}."
        )
        lines += [
            "",
            f"**SQL.** {_sql_text(self.sql)}",
            "",
            f"**Service level.** {_sla_text(self.sla)}",
        ]
        return "\n".join(lines)


# ------------------------------------------------------------------------------ text
def _agreed(on: date | None, by: tuple[str, ...]) -> str:
    parts = []
    if by:
        parts.append("by " + ", ".join(by))
    if on is not None:
        parts.append(f"on {on.isoformat()}")
    return f", agreed {' '.join(parts)}" if parts else ""


def _num(x: float) -> str:
    return f"{x:g}"


def _days(n: float | None, *, before: bool) -> str:
    if n is None:
        return "at any time before" if before else "at any time after"
    return f"within the {_num(n)} days up to that moment" if before else f"within {_num(n)} days"


def _matching(channels: list[str] | None, activities: list[str] | None) -> str:
    parts = []
    if channels:
        parts.append(f"channel{'s' if len(channels) > 1 else ''} {', '.join(channels)}")
    if activities:
        parts.append(f"activit{'ies' if len(activities) > 1 else 'y'} {', '.join(activities)}")
    return " or ".join(parts)


def _score_text(s: ScoreRule) -> str:
    if s.source == "crm":
        text = f"a CRM lead score (the contacts' score column) of at least {_num(s.threshold or 0)}"
    else:
        points = ", ".join(f"{k} {_num(v)}" for k, v in (s.points or {}).items())
        recent = (
            "every touch of the contact so far"
            if s.window_days is None
            else f"the touches of the contact in the last {_num(s.window_days)} days"
        )
        text = (
            f"a lead score of at least {_num(s.threshold or 0)} points, counting {recent} by "
            f"{s.points_by} ({points}; others 0)"
        )
    if s.fit_points:
        fit = ", ".join(f"{k} {_num(v)}" for k, v in s.fit_points.items())
        text += f" plus fit points by the account's segment ({fit}; others 0)"
    return text


def _mql_text(m: MqlRule) -> str:
    parts = [_score_text(m.score)] if m.score is not None else []
    for b in m.behaviours:
        parts.append(
            f"{b.name} (at least {b.count} touch{'es' if b.count > 1 else ''} of "
            f"{_matching(b.channels, b.activities)}, {_days(b.within_days, before=True)})"
        )
    joiner = " **and** " if m.combine == "all" else " **or** "
    return joiner.join(parts)


def _sql_text(s: SqlRule) -> str:
    events = []
    if "sales_touch" in s.accepted_by:
        which = _matching(s.sales_channels, s.sales_activities)
        events.append(f"a sales touch on its account{f' ({which})' if which else ''}")
    if "opportunity" in s.accepted_by:
        events.append("an opportunity created for its account")
    window = (
        "at or after its MQL moment"
        if s.within_days is None
        else f"from its MQL moment up to {_num(s.within_days)} days after it (both ends included)"
    )
    return (
        "An MQL becomes a sales-qualified lead (SQL) at the first of these events "
        f"{window}: {'; '.join(events)}."
    )


def _sla_text(s: ServiceLevel) -> str:
    hours = f"{_num(s.response_hours)} hour{'s' if s.response_hours != 1 else ''}"
    sales = f"Sales answers an MQL (the first sales touch on its account) within {hours}"
    if s.within_sla_share is not None:
        sales += f" for at least {s.within_sla_share:.0%} of MQLs"
    sales += "."
    if s.followed_up_share is not None:
        sales += f" Sales follows up at least {s.followed_up_share:.0%} of MQLs at all."
    marketing = []
    if s.mqls_per_month is not None:
        marketing.append(f"at least {_num(s.mqls_per_month)} MQLs a month")
    if s.mql_to_sql_rate is not None:
        marketing.append(f"at least {s.mql_to_sql_rate:.0%} of them becoming SQL")
    text = sales
    if marketing:
        text += " Marketing delivers " + ", ".join(marketing) + "."
    return text


# ------------------------------------------------------------------------------ checks
def _check(f: _File, problems: list[ParamProblem]) -> None:
    m = f.mql
    if m.score is None and not m.behaviours:
        problems.append(
            ParamProblem("mql", "say what makes an MQL: a score (threshold), behaviours, or both")
        )
    if m.score is not None:
        s = m.score
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
    names: dict[str, int] = {}
    for i, b in enumerate(m.behaviours):
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
    q = f.sql
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


def _raise(problems: list[ParamProblem], where: str) -> None:
    if problems:
        n = len(problems)
        body = "\n".join(f"  {i}. {p.render()}" for i, p in enumerate(problems, 1))
        raise ParameterError(
            f"{n} problem{'s' if n != 1 else ''} in {where}; nothing was run:\n{body}", problems
        )


def shipped_file(name: str) -> Path:
    """Return the shipped example ``params/<name>``: in the working directory, or the project's.

    Examples
    --------
    >>> shipped_file("definitions.yaml").name
    'definitions.yaml'
    """
    here = Path(__file__).resolve().parents[3] / "params" / name
    for candidate in (Path.cwd() / "params" / name, here):
        if candidate.is_file():
            return candidate
    raise ParameterError(
        f"no {name} was named and the shipped example params/{name} is not found (looked in "
        f"{Path.cwd() / 'params'} and {here.parent}); name one in the params file "
        f"(scorecard: {{{name.split('.')[0]}: path/to/{name}}})"
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
    if definitions is None or (isinstance(definitions, str) and definitions == ""):
        definitions = shipped_file("definitions.yaml")
    if isinstance(definitions, Mapping):
        data: Any = definitions
        text = yaml.safe_dump(dict(definitions), sort_keys=False, allow_unicode=True)
        where, origin = "the definitions", "<mapping>"
    else:
        path = Path(definitions)
        data = read_yaml(path, what="definitions file")
        text = path.read_text(encoding="utf-8")
        where = origin = str(path)
    parsed, problems = check_schema(_File, data)
    _check(parsed, problems)
    _raise(problems, where)
    return Definitions(
        **{f.name: getattr(parsed, f.name) for f in fields(_File) if f.name != "agreed_by"},
        agreed_by=tuple(parsed.agreed_by or ()),
        text=text,
        origin=origin,
    )
