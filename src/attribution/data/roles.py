"""Buying roles, and the rules that derive a contact's role from a job title.

A deal is bought by a group: the person who decides, a champion who pushes it inside the
account, finance who signs off on the money, and the people who will use it. CRMs record
this as a contact role (Salesforce ``OpportunityContactRole.Role``); where only a job title
is known, ordered patterns derive the role: the first pattern that matches the title wins,
so the more specific ones (finance) come first.

The same function serves a mapping's ``patterns`` rule and :func:`role_expr`, which fills
``contacts.role`` from ``contacts.title`` where the source gave no role.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import polars as pl

__all__ = [
    "CHAMPION",
    "DECISION_MAKER",
    "FINANCE",
    "ROLES",
    "ROLE_PATTERNS",
    "USER",
    "buying_role",
    "first_match",
    "pattern_problems",
    "role_expr",
]

DECISION_MAKER = "decision_maker"
CHAMPION = "champion"
FINANCE = "finance"
USER = "user"
ROLES: tuple[str, ...] = (DECISION_MAKER, CHAMPION, FINANCE, USER)
"""The buying roles, from the one who decides to the ones who use."""

ROLE_PATTERNS: dict[str, str] = {
    r"\b(cfo|finance|financial|controller|procurement|purchasing|treasurer)\b": FINANCE,
    r"\b(ceo|cto|cmo|coo|cio|chief|founder|owner|president|vp|vice president|head|director"
    r"|partner|general manager|decision maker|economic buyer)\b": DECISION_MAKER,
    r"\b(manager|lead|champion|sponsor|influencer|evaluator|principal)\b": CHAMPION,
}
"""Default title patterns (case-insensitive regular expressions) and the role each gives,
tried in order; a title matching none is a ``user``."""


def pattern_problems(patterns: object, where: str) -> list[str]:
    """Return what is wrong with a ``{pattern: value}`` mapping (empty when it is usable).

    Examples
    --------
    >>> pattern_problems({"(cfo": "finance"}, "role")[0].split(" (")[0]
    "role.patterns: '(cfo' is not a regular expression"
    >>> pattern_problems({"cfo": "finance"}, "role")
    []
    """
    if not isinstance(patterns, Mapping) or not patterns:
        return [f"{where}.patterns: expected a non-empty mapping of pattern: value"]
    problems = []
    for pattern in patterns:
        try:
            re.compile(str(pattern))
        except re.error as exc:
            problems.append(f"{where}.patterns: {pattern!r} is not a regular expression ({exc})")
    return problems


def first_match(text: pl.Expr, patterns: Mapping[str, object], default: object = None) -> pl.Expr:
    """Map each text to the value of the first pattern it matches (case-insensitive).

    Parameters
    ----------
    text
        An expression of text values (e.g. ``pl.col("title")``).
    patterns
        Regular expressions and the value each gives, tried in order.
    default
        The value of a text that matches no pattern; an empty text stays empty.

    Examples
    --------
    >>> frame = pl.DataFrame({"title": ["VP Sales", "Finance Director", "analyst", None]})
    >>> frame.select(first_match(pl.col("title"), ROLE_PATTERNS, USER).alias("r"))["r"].to_list()
    ['decision_maker', 'finance', 'user', None]
    """
    value = text.cast(pl.String)
    out: pl.Expr = pl.lit(default)
    for pattern, result in reversed(list(patterns.items())):
        out = pl.when(value.str.contains(f"(?i){pattern}")).then(pl.lit(result)).otherwise(out)
    return pl.when(value.is_null()).then(pl.lit(None)).otherwise(out)


def role_expr(columns: Mapping[str, object] | list[str]) -> pl.Expr:
    """Return the contacts' buying role: ``role`` where given, else derived from ``title``.

    Given roles are normalised (lower case, spaces and hyphens as ``_``); a contact with
    neither has no role.

    Parameters
    ----------
    columns
        The contacts table's column names (or schema): says which of the two exist.

    Examples
    --------
    >>> frame = pl.DataFrame({"role": ["Decision Maker", None], "title": ["x", "CFO"]})
    >>> frame.select(role_expr(frame.columns))["role"].to_list()
    ['decision_maker', 'finance']
    """
    names = list(columns)
    given = (
        pl.col("role").cast(pl.String).str.strip_chars().str.to_lowercase()
        if "role" in names
        else pl.lit(None, pl.String)
    )
    given = given.str.replace_all(r"[\s\-]+", "_")
    derived = (
        first_match(pl.col("title"), ROLE_PATTERNS, USER)
        if "title" in names
        else pl.lit(None, pl.String)
    )
    return pl.coalesce(pl.when(given != "").then(given), derived).alias("role")


def buying_role(text: pl.Expr) -> pl.Expr:
    """Return a CRM's role text as one of :data:`ROLES`.

    A role named as such (any case; spaces or hyphens for ``_``) is kept; other text (a
    CRM's own picklist, e.g. Salesforce's ``Economic Buyer`` or ``Business User``) gets
    the role its words imply by :data:`ROLE_PATTERNS`, else ``user``; empty text stays empty.

    Examples
    --------
    >>> frame = pl.DataFrame({"r": ["Decision Maker", "Economic Buyer", "Influencer",
    ...                             "Business User", " ", None]})
    >>> frame.select(buying_role(pl.col("r")).alias("r"))["r"].to_list()
    ['decision_maker', 'decision_maker', 'champion', 'user', None, None]
    """
    raw = text.cast(pl.String).str.strip_chars()
    given = raw.str.to_lowercase().str.replace_all(r"[\s\-]+", "_")
    return (
        pl.when(raw.is_null() | (raw == ""))
        .then(pl.lit(None, pl.String))
        .when(given.is_in(list(ROLES)))
        .then(given)
        .otherwise(first_match(raw, ROLE_PATTERNS, USER))
    )
