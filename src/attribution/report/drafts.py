"""Draft agreement files from a user's own data, for ``attribution init``.

The shared scorecard needs two agreed files: the definitions (what makes a lead an MQL and
an SQL, the SLA) and the targets (KPIs, owners, due dates). Nothing in the data can agree
them, but the data can start the conversation: :func:`draft_definitions` scores every
marketing channel the touches hold and lets the sales channels accept a lead;
:func:`draft_targets` proposes, for the KPIs the data can measure, the level the data
itself reached in recent periods (measured by the scorecard, the way it will be measured),
due at the end of the current period. Both files say at the top that they are drafts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import polars as pl
import yaml

from attribution._time import as_of as resolve_as_of
from attribution.alignment.scorecard import scorecard
from attribution.data.dataset import Dataset
from attribution.data.schema import CHANNEL, MARKETING, SALES, TEAM

__all__ = ["Drafts", "draft_definitions", "draft_targets", "drafts", "one_line"]

_POINTS = 10
_CANDIDATES: tuple[tuple[str, str, str], ...] = (
    ("mqls", "marketing", "month"),
    ("mql_to_sql_rate", "marketing", "quarter"),
    ("followed_up_within_sla", "sales", "month"),
    ("opportunities_created", "joint", "month"),
    ("pipeline_created", "joint", "quarter"),
    ("win_rate", "sales", "quarter"),
    ("revenue_won", "joint", "quarter"),
)
"""KPIs a draft may propose: name, owner, period."""
_LEADS = ("mqls", "mql_to_sql_rate", "followed_up_within_sla")


def one_line(text: str) -> str:
    r"""Return ``text`` without line breaks or control characters (safe in a YAML comment).

    Examples
    --------
    >>> one_line("evil\nrun_name: x")
    'evil run_name: x'
    """
    return "".join(c if c.isprintable() else " " for c in text)


def _flow(value: Any) -> str:
    """Write a value as one line of YAML (quoted where the data's names need it)."""
    return str(yaml.safe_dump(value, default_flow_style=True, allow_unicode=True).strip())


def _channels(dataset: Dataset, team: str) -> list[str]:
    """Return the team's channels in the data, most touches first."""
    counts = (
        dataset.lazy("touches")
        .filter(pl.col(TEAM) == team)
        .group_by(CHANNEL)
        .len()
        .sort(["len", CHANNEL], descending=[True, False])
        .collect()
    )
    return [str(c) for c in counts[CHANNEL].to_list() if c is not None]


def _threshold(dataset: Dataset) -> int:
    """Points at which a lead is an MQL: the median contact's marketing touches, 10 each."""
    if dataset.contacts is None:
        return 2 * _POINTS
    per = (
        dataset.lazy("touches")
        .filter((pl.col(TEAM) == MARKETING) & pl.col("contact_id").is_not_null())
        .group_by("contact_id")
        .len()
        .select(pl.col("len").median())
        .collect()
        .item()
    )
    return _POINTS * max(1, math.ceil(per or 1))


def draft_definitions(dataset: Dataset, *, origin: str) -> str:
    """Return a draft definitions file (YAML text) built from the data's channels.

    Every marketing channel scores the same points (agree the weights); a lead is an MQL at
    the median contact's number of marketing touches; a sales touch of the data's sales
    channels, or an opportunity, within 30 days accepts it; sales answers within 24 hours.

    Examples
    --------
    >>> import attribution as at
    >>> text = draft_definitions(at.demo.generate(n_accounts=200, seed=0), origin="demo")
    >>> text.splitlines()[0]
    '# DRAFT written by `attribution init` from demo: agree it with both teams before use.'
    >>> at.alignment.definitions.load_definitions(yaml.safe_load(text)).name
    'Draft lead agreement (not agreed yet)'
    """
    marketing = _channels(dataset, MARKETING)
    sales = _channels(dataset, SALES)
    which = "every marketing channel of the data"
    if not marketing:  # a score needs channels: the data's sales ones, to be replaced
        marketing, which = sales, "the data has no marketing touches: these are its sales ones"
    points = dict.fromkeys(marketing, _POINTS)
    behaviour = _flow([marketing[0] if marketing else "webinar"])
    return "\n".join(
        [
            f"# DRAFT written by `attribution init` from {one_line(origin)}: agree it with both "
            "teams before use.",
            "# Every channel and number below comes from the data or is a placeholder; change",
            "# them until marketing and sales agree, then set agreed_on and agreed_by, and name",
            "# this file in params.yaml (scorecard: {definitions: definitions.yaml, ...}).",
            "",
            "name: Draft lead agreement (not agreed yet)   # the title the reports show",
            "agreed_on: null                  # the date marketing and sales signed it off",
            "agreed_by: []                    # who signed it off, e.g. [Head of Marketing, ...]",
            "",
            "mql:                             # a contact becomes an MQL when...",
            "  score:                         # ...its lead score reaches the threshold",
            "    source: touches              # touches: points per touch; crm: contacts.score",
            "    points_by: channel           # points keyed by the touches' channel",
            f"    points: {_flow(points)}",
            f"                                 # {which},",
            "                                 # the same points each: weight them as you agree",
            f"    threshold: {_threshold(dataset)}"
            "                  # the median contact's marketing touches, 10 points each",
            "    window_days: null            # null: every touch so far counts",
            "  behaviours: []                 # named behaviours, e.g.:",
            f"  #  - {{name: came through it, channels: {behaviour}, count: 1}}",
            "  combine: all                   # all: the score and every behaviour; any: one",
            "",
            "sql:                             # an MQL becomes an SQL when sales accepts it:",
            "  accepted_by: [sales_touch, opportunity]   # the first of these events...",
            f"  sales_channels: {_flow(sales) if sales else 'null'}"
            "   # ...counting these sales touches (null: any)",
            "  within_days: 30                # ...at most 30 days after the MQL (null: any time)",
            "",
            "sla:                             # the service level of the hand-off",
            "  response_hours: 24             # sales answers an MQL within this many hours...",
            "  within_sla_share: null         # ...for at least this share (e.g. 0.6)",
            "  followed_up_share: null        # sales follows up at least this share at all",
            "  mqls_per_month: null           # marketing delivers at least this many MQLs",
            "  mql_to_sql_rate: null          # ...of which at least this share become SQLs",
            "",
        ]
    )


def _period_end(day: date, period: str) -> date:
    """Return the last day of the month or quarter holding ``day``."""
    months = 3 if period == "quarter" else 1
    start_month = (day.month - 1) // months * months + 1
    nxt = date(day.year + (start_month + months - 1) // 12, (start_month + months - 1) % 12 + 1, 1)
    return nxt - timedelta(days=1)


def _rounded(value: float, unit: str) -> float:
    """Round a target as a person would: whole counts, 2 significant digits, shares by 5%."""
    if unit == "share":
        return min(1.0, max(0.05, round(value * 20) / 20))
    if unit == "count":
        return float(max(1, math.ceil(value)))
    if value <= 0:
        return 1.0
    digits = 1 - math.floor(math.log10(value))
    return float(round(value, digits))


@dataclass(frozen=True)
class _Candidate:
    kpi: str
    owner: str
    period: str
    due: date


def _candidates(dataset: Dataset, now: datetime) -> list[_Candidate]:
    leads = dataset.contacts is not None
    found = []
    for kpi, owner, period in _CANDIDATES:
        if kpi in _LEADS and not leads:
            continue
        if kpi == "pipeline_created" and dataset.count_only:
            continue
        found.append(_Candidate(kpi, owner, period, _period_end(now.date(), period)))
    return found


def draft_targets(dataset: Dataset, definitions: Any, *, origin: str) -> tuple[str, list[str]]:
    """Return a draft targets file (YAML text) and the KPIs left out, with why.

    Each KPI the data can measure is proposed at its median over the periods before the
    current one that had anything to count (or the current one, when it is the only one),
    rounded, due at the end of the current period.

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=400, seed=0)
    >>> d = yaml.safe_load(draft_definitions(ds, origin="demo"))
    >>> text, left_out = draft_targets(ds, d, origin="demo")
    >>> len(yaml.safe_load(text)["targets"]) >= 5, left_out
    (True, [])
    """
    now = resolve_as_of(dataset, None)
    candidates = _candidates(dataset, now)
    spec = {
        "history": 6,
        "targets": [
            {"kpi": c.kpi, "target": 1, "owner": c.owner, "period": c.period, "due": c.due}
            for c in candidates
        ],
    }
    card = scorecard(dataset, spec, definitions, as_of=now)
    lines, left_out = [], []
    for i, c in enumerate(candidates):
        rows = card.history.filter(pl.col("target_id") == i)
        # periods with something to count: before the data began, or after it ended, none
        measured = rows.filter(pl.col("actual").is_not_null() & (pl.col("n").fill_null(0) > 0))
        earlier = measured.filter(~pl.col("is_target_period"))
        values = earlier if earlier.height else measured
        if values.is_empty():
            notes = [n for n in rows["note"].drop_nulls().to_list() if n]
            left_out.append(f"{c.kpi}: {notes[0] if notes else 'nothing to count in its periods'}")
            continue
        unit = str(rows["unit"][0])
        median = values.select(pl.col("actual").median()).item()
        target = _rounded(float(median or 0.0), unit)
        shown = f"{target:g}" if unit != "money" else f"{target:.0f}"
        lines.append(
            f"  - {{kpi: {c.kpi}, target: {shown}, owner: {c.owner}, period: {c.period}, "
            f"due: {c.due.isoformat()}}}"
        )
    return _targets_text(origin, lines, left_out), left_out


def _targets_text(origin: str, lines: Sequence[str], left_out: Sequence[str]) -> str:
    missing = [f"#   {one_line(m)}" for m in left_out]
    return "\n".join(
        [
            f"# DRAFT written by `attribution init` from {one_line(origin)}: agree it with both "
            "teams before use.",
            "# Each target is the level the data itself reached (the median of the periods",
            "# before the current one), due at the end of the current period: change the",
            "# numbers, owners and dates until both teams commit to them, then name this file",
            "# in params.yaml (scorecard: {..., targets: targets.yaml}).",
            *(["# Not drafted (the data cannot measure them yet):", *missing] if missing else []),
            "",
            "name: Draft shared targets (not agreed yet)",
            "on_track: 0.9      # at least 90% of the pro-rated target counts as on track",
            "history: 6         # earlier periods shown for each KPI's trend",
            "",
            "targets:",
            *(lines or ["  []"]),
            "",
        ]
    )


@dataclass(frozen=True)
class Drafts:
    """The draft agreement files' text, and the KPIs left out of the targets (with why)."""

    definitions: str
    targets: str
    left_out: list[str]


def drafts(dataset: Dataset, *, origin: str) -> Drafts:
    """Draft both agreement files from ``dataset`` (see the module docstring)."""
    definitions = draft_definitions(dataset, origin=origin)
    targets, left_out = draft_targets(dataset, yaml.safe_load(definitions), origin=origin)
    return Drafts(definitions=definitions, targets=targets, left_out=left_out)
