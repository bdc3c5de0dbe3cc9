"""The agreed definitions in plain English, as the reports print them.

:func:`describe` writes the whole agreement (title, MQL, SQL, service level) in markdown;
the other functions write one rule each.
"""

from __future__ import annotations

from datetime import date

from attribution._markdown import Markdown
from attribution.alignment.definitions_schema import MqlRule, ScoreRule, ServiceLevel, SqlRule

__all__ = ["describe", "mql_text", "score_text", "sla_text", "sql_text"]


def describe(
    name: str,
    agreed_on: date | None,
    agreed_by: tuple[str, ...],
    mql: MqlRule,
    sql: SqlRule,
    sla: ServiceLevel,
) -> Markdown:
    """Return an agreement in plain English (markdown): its title, MQL, SQL and SLA.

    Every name in it (the agreement's, who agreed it, channels, segments, behaviours) is
    escaped where it is written in.

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
    return Markdown(
        "**{}**{}\n\n"
        "**MQL.** A contact becomes a marketing-qualified lead (MQL) at the first moment it "
        "has {}.\n\n"
        "**SQL.** {}\n\n"
        "**Service level.** {}"
    ).format(name, _agreed(agreed_on, agreed_by), mql_text(mql), sql_text(sql), sla_text(sla))


def _agreed(on: date | None, by: tuple[str, ...]) -> Markdown:
    parts = []
    if by:
        parts.append(Markdown("by {}").format(Markdown(", ").join(by)))
    if on is not None:
        parts.append(Markdown("on {:%Y-%m-%d}").format(on))
    return Markdown(", agreed {}").format(Markdown(" ").join(parts)) if parts else Markdown("")


def _days(n: float | None, *, before: bool) -> Markdown:
    if n is None:
        return Markdown("at any time before" if before else "at any time after")
    if before:
        return Markdown("within the {:g} days up to that moment").format(n)
    return Markdown("within {:g} days").format(n)


def _matching(channels: list[str] | None, activities: list[str] | None) -> Markdown:
    parts = []
    if channels:
        plural = "s" if len(channels) > 1 else ""
        parts.append(Markdown("channel{} {}").format(plural, Markdown(", ").join(channels)))
    if activities:
        plural = "ies" if len(activities) > 1 else "y"
        parts.append(Markdown("activit{} {}").format(plural, Markdown(", ").join(activities)))
    return Markdown(" or ").join(parts)


def score_text(s: ScoreRule) -> Markdown:
    """Return a score rule in words: the threshold, what counts, and any fit points.

    Examples
    --------
    >>> score_text(ScoreRule(points={"webinar": 10}, threshold=20, window_days=90))
    'a lead score of at least 20 points, counting the touches of the contact in the last 90 days by channel (webinar 10; others 0)'
    """  # noqa: E501
    if s.source == "crm":
        text = Markdown("a CRM lead score (the contacts' score column) of at least {:g}").format(
            s.threshold or 0
        )
    else:
        points = _points(s.points or {})
        recent = (
            Markdown("every touch of the contact so far")
            if s.window_days is None
            else Markdown("the touches of the contact in the last {:g} days").format(s.window_days)
        )
        text = Markdown(
            "a lead score of at least {:g} points, counting {} by {} ({}; others 0)"
        ).format(s.threshold or 0, recent, s.points_by, points)
    if s.fit_points:
        text += Markdown(" plus fit points by the account's segment ({}; others 0)").format(
            _points(s.fit_points)
        )
    return text


def _points(points: dict[str, float]) -> Markdown:
    return Markdown(", ").join(Markdown("{} {:g}").format(k, v) for k, v in points.items())


def mql_text(m: MqlRule) -> Markdown:
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
            Markdown("{} (at least {} touch{} of {}, {})").format(
                b.name,
                b.count,
                "es" if b.count > 1 else "",
                _matching(b.channels, b.activities),
                _days(b.within_days, before=True),
            )
        )
    joiner = Markdown(" **and** " if m.combine == "all" else " **or** ")
    return joiner.join(parts)


def sql_text(s: SqlRule) -> Markdown:
    """Return the SQL rule in words: the accepting events and the window after the MQL.

    Examples
    --------
    >>> sql_text(SqlRule(accepted_by=["opportunity"], within_days=None))
    'An MQL becomes a sales-qualified lead (SQL) at the first of these events at or after its MQL moment: an opportunity created for its account.'
    """  # noqa: E501
    events = []
    if "sales_touch" in s.accepted_by:
        which = _matching(s.sales_channels, s.sales_activities)
        shown = Markdown(" ({})").format(which) if which else Markdown("")
        events.append(Markdown("a sales touch on its account{}").format(shown))
    if "opportunity" in s.accepted_by:
        events.append(Markdown("an opportunity created for its account"))
    window = (
        Markdown("at or after its MQL moment")
        if s.within_days is None
        else Markdown("from its MQL moment up to {:g} days after it (both ends included)").format(
            s.within_days
        )
    )
    return Markdown(
        "An MQL becomes a sales-qualified lead (SQL) at the first of these events {}: {}."
    ).format(window, Markdown("; ").join(events))


def sla_text(s: ServiceLevel) -> Markdown:
    """Return the service level in words: sales' side, then marketing's.

    Examples
    --------
    >>> sla_text(ServiceLevel(response_hours=1, mqls_per_month=100))
    'Sales answers an MQL (the first sales touch on its account) within 1 hour. Marketing delivers at least 100 MQLs a month.'
    """  # noqa: E501
    text = Markdown(
        "Sales answers an MQL (the first sales touch on its account) within {:g} hour{}"
    ).format(s.response_hours, "s" if s.response_hours != 1 else "")
    if s.within_sla_share is not None:
        text += Markdown(" for at least {:.0%} of MQLs").format(s.within_sla_share)
    text += Markdown(".")
    if s.followed_up_share is not None:
        text += Markdown(" Sales follows up at least {:.0%} of MQLs at all.").format(
            s.followed_up_share
        )
    marketing = []
    if s.mqls_per_month is not None:
        marketing.append(Markdown("at least {:g} MQLs a month").format(s.mqls_per_month))
    if s.mql_to_sql_rate is not None:
        marketing.append(Markdown("at least {:.0%} of them becoming SQL").format(s.mql_to_sql_rate))
    if marketing:
        text += Markdown(" Marketing delivers {}.").format(Markdown(", ").join(marketing))
    return text
