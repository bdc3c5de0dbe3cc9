"""The agreed definitions in plain English, as the reports print them.

:func:`describe` writes the whole agreement (title, MQL, SQL, service level) in markdown;
the other functions write one rule each.
"""

from __future__ import annotations

from datetime import date

from attribution.alignment.definitions_schema import MqlRule, ScoreRule, ServiceLevel, SqlRule

__all__ = ["describe", "mql_text", "score_text", "sla_text", "sql_text"]


def describe(
    name: str,
    agreed_on: date | None,
    agreed_by: tuple[str, ...],
    mql: MqlRule,
    sql: SqlRule,
    sla: ServiceLevel,
) -> str:
    """Return an agreement in plain English (markdown): its title, MQL, SQL and SLA.

    Examples
    --------
    >>> print(describe("Deal", date(2026, 1, 12), ("Marketing",), MqlRule(score=ScoreRule(
    ...     source="crm", threshold=50)), SqlRule(), ServiceLevel()))
    **Deal**, agreed by Marketing on 2026-01-12
    <BLANKLINE>
    **MQL.** A contact becomes a marketing-qualified lead (MQL) at the first moment it has a CRM lead score (the contacts' score column) of at least 50.
    <BLANKLINE>
    **SQL.** An MQL becomes a sales-qualified lead (SQL) at the first of these events from its MQL moment up to 30 days after it (both ends included): a sales touch on its account; an opportunity created for its account.
    <BLANKLINE>
    **Service level.** Sales answers an MQL (the first sales touch on its account) within 24 hours.
    """  # noqa: E501
    lines = [f"**{name}**" + _agreed(agreed_on, agreed_by), ""]
    lines.append(
        "**MQL.** A contact becomes a marketing-qualified lead (MQL) at the first moment "
        f"it has {mql_text(mql)}."
    )
    lines += [
        "",
        f"**SQL.** {sql_text(sql)}",
        "",
        f"**Service level.** {sla_text(sla)}",
    ]
    return "\n".join(lines)


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


def score_text(s: ScoreRule) -> str:
    """Return a score rule in words: the threshold, what counts, and any fit points.

    Examples
    --------
    >>> score_text(ScoreRule(points={"webinar": 10}, threshold=20, window_days=90))
    'a lead score of at least 20 points, counting the touches of the contact in the last 90 days by channel (webinar 10; others 0)'
    """  # noqa: E501
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


def mql_text(m: MqlRule) -> str:
    """Return the MQL rule in words: the score and the behaviours, joined by ``combine``.

    Examples
    --------
    >>> from attribution.alignment.definitions_schema import Behaviour
    >>> mql_text(MqlRule(behaviours=[Behaviour(name="a demo", channels=["demo"], count=2)]))
    'a demo (at least 2 touches of channel demo, at any time before)'
    """
    parts = [score_text(m.score)] if m.score is not None else []
    for b in m.behaviours:
        parts.append(
            f"{b.name} (at least {b.count} touch{'es' if b.count > 1 else ''} of "
            f"{_matching(b.channels, b.activities)}, {_days(b.within_days, before=True)})"
        )
    joiner = " **and** " if m.combine == "all" else " **or** "
    return joiner.join(parts)


def sql_text(s: SqlRule) -> str:
    """Return the SQL rule in words: the accepting events and the window after the MQL.

    Examples
    --------
    >>> sql_text(SqlRule(accepted_by=["opportunity"], within_days=None))
    'An MQL becomes a sales-qualified lead (SQL) at the first of these events at or after its MQL moment: an opportunity created for its account.'
    """  # noqa: E501
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


def sla_text(s: ServiceLevel) -> str:
    """Return the service level in words: sales' side, then marketing's.

    Examples
    --------
    >>> sla_text(ServiceLevel(response_hours=1, mqls_per_month=100))
    'Sales answers an MQL (the first sales touch on its account) within 1 hour. Marketing delivers at least 100 MQLs a month.'
    """  # noqa: E501
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
