"""Channel groups: named sets of one team's channels, counted together as deal features.

A user names groups such as ``{"paid": ["paid_search", "paid_social"]}``;
:func:`resolve_channel_groups` checks them against the data's channels and gathers the
channels no group names in ``other marketing`` / ``other sales``, and
:func:`channel_group_columns` names the feature column of each group.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from attribution.data.dataset import Frame
from attribution.data.schema import CHANNEL, TEAM, TEAMS
from attribution.errors import ParameterError

__all__ = [
    "GROUP_PREFIX",
    "channel_group_columns",
    "channel_groups_of",
    "resolve_channel_groups",
]

GROUP_PREFIX = "touches_"
"""The prefix of a channel group's count column."""

Groups = dict[str, tuple[str, list[str]]]
"""``{group: (team, channels)}``."""


def _safe_name(group: str) -> str:
    return re.sub(r"\W+", "_", group.strip().lower()).strip("_") or "group"


def channel_group_columns(channel_groups: Mapping[str, object]) -> dict[str, str]:
    """Map each channel group to the feature column holding its touch counts.

    Examples
    --------
    >>> channel_group_columns({"Paid media": ["paid_search"], "Field": ["event"]})
    {'Paid media': 'touches_paid_media', 'Field': 'touches_field'}
    """
    columns: dict[str, str] = {}
    for group in channel_groups:
        name = GROUP_PREFIX + _safe_name(str(group))
        if name in columns.values():
            raise ParameterError(
                f"channel_groups: group names {group!r} and "
                f"{next(g for g, c in columns.items() if c == name)!r} are too similar "
                "(they differ only in case or punctuation); rename one"
            )
        columns[str(group)] = name
    return columns


def channel_groups_of(features: Frame) -> list[str]:
    """Names of the channel-group count columns in a features frame.

    Examples
    --------
    >>> import polars as pl
    >>> channel_groups_of(pl.DataFrame({"sales_touches": [1], "touches_paid": [2]}))
    ['touches_paid']
    """
    return [c for c in features.lazy().collect_schema().names() if c.startswith(GROUP_PREFIX)]


def resolve_channel_groups(touches: Frame, channel_groups: Mapping[str, Sequence[str]]) -> Groups:
    """Check channel groups against the data's channels: ``{group: (team, channels)}``.

    ``touches`` is the touches table or journeys (anything with ``team`` and ``channel``).

    Each group must hold channels of one team and each channel may sit in one group;
    channels of the data that no group names are gathered in ``other marketing`` /
    ``other sales``.

    Examples
    --------
    >>> import polars as pl
    >>> t = pl.DataFrame({"team": ["marketing", "marketing", "sales"],
    ...                   "channel": ["email", "event", "sales_call"]})
    >>> resolve_channel_groups(t, {"field": ["event"]})
    {'field': ('marketing', ['event']), 'other marketing': ('marketing', ['email']), \
'other sales': ('sales', ['sales_call'])}
    """
    pairs = touches.lazy().select(TEAM, CHANNEL).drop_nulls().unique().collect()
    team_of: dict[str, set[str]] = {}
    for team, channel in pairs.iter_rows():
        team_of.setdefault(channel, set()).add(team)
    return _check_groups(channel_groups, team_of)


def _check_groups(
    channel_groups: Mapping[str, Sequence[str]], team_of: Mapping[str, set[str]]
) -> Groups:
    """Validate channel groups against the data: ``group -> (team, channels)``.

    Each group must hold channels of one team, and each channel may sit in one group. Channels
    of the data that no group names are gathered in ``other marketing`` / ``other sales``.
    """
    if not isinstance(channel_groups, Mapping) or not channel_groups:
        raise ParameterError(
            "channel_groups must map group names to lists of channels, e.g. "
            "{'paid': ['paid_search', 'paid_social'], 'field': ['event']}; "
            f"got {channel_groups!r}"
        )
    seen: dict[str, str] = {}
    out: Groups = {}
    for group, channels in channel_groups.items():
        out[str(group)] = (_team_of_group(group, channels, team_of, seen), list(channels))
    return _with_other_groups(out, team_of, seen)


def _team_of_group(
    group: str, channels: object, team_of: Mapping[str, set[str]], seen: dict[str, str]
) -> str:
    """Return the one team whose channels ``group`` holds; record its channels in ``seen``."""
    if isinstance(channels, str) or not isinstance(channels, Sequence) or not channels:
        raise ParameterError(
            f"channel_groups[{group!r}] must be a non-empty list of channels, got {channels!r}"
        )
    teams: set[str] = set()
    for channel in channels:
        if channel in seen:
            raise ParameterError(
                f"channel {channel!r} is in two channel groups: {seen[channel]!r} and "
                f"{group!r}; a channel belongs to one group"
            )
        seen[channel] = str(group)
        teams |= team_of.get(channel, set())
    if len(teams) > 1:
        raise ParameterError(
            f"channel_groups[{group!r}] mixes marketing and sales channels "
            f"({', '.join(channels)}); a group must belong to one team"
        )
    if not teams:
        known = ", ".join(sorted(team_of)) or "none"
        raise ParameterError(
            f"channel_groups[{group!r}]: none of its channels ({', '.join(channels)}) "
            f"occurs in the data; channels present: {known}"
        )
    return teams.pop()


def _with_other_groups(
    groups: Groups, team_of: Mapping[str, set[str]], seen: Mapping[str, str]
) -> Groups:
    """Add ``other <team>`` groups holding each team's channels that no group names."""
    for team in TEAMS:
        rest = sorted(c for c, ts in team_of.items() if team in ts and c not in seen)
        if rest:
            name = f"other {team}"
            if name in groups:
                raise ParameterError(f"channel_groups: the name {name!r} is reserved")
            groups[name] = (team, rest)
    return groups
