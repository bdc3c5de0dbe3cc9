"""Whether the data can carry the agreed definitions, before they are applied.

A rule the data cannot carry at all (no ``contact_id`` on touches for a touch score, no
activities for activity rules, an empty CRM score) is an error; a channel or activity
name that no touch carries is an error when it is a likely typo of one that does, and a
note otherwise (it counts for nothing). Missing account segments drop the fit points,
with a note.
"""

from __future__ import annotations

import polars as pl

from attribution._text import did_you_mean
from attribution.alignment.agreements import raise_listed
from attribution.alignment.definitions import Definitions
from attribution.data.dataset import Dataset
from attribution.data.schema import ACTIVITY, CHANNEL, CONTACT_ID, SALES, SCORE, SEGMENT, TEAM

__all__ = ["require"]


def require(dataset: Dataset, d: Definitions, touches: pl.LazyFrame) -> list[str]:
    """Check the data can carry the rules; return notes on what is applied differently.

    Raises
    ------
    ParameterError
        Every rule the data cannot carry, in one error.
    """
    problems: list[str] = []
    notes: list[str] = []
    _check_touches(d, touches, problems)
    _check_scores(dataset, d, notes, problems)
    if not problems:
        _check_names(touches, d, notes, problems)
    raise_listed(problems, f"applying the definitions ({d.origin}) to {dataset.source}")
    return notes


def _check_touches(d: Definitions, touches: pl.LazyFrame, problems: list[str]) -> None:
    """Touch rules need touches with a contact; activity rules need touches with one."""
    score = d.mql.score
    uses_touches = bool(d.mql.behaviours) or (score is not None and score.source == "touches")
    facts = (
        touches.select(
            pl.col(CONTACT_ID).is_not_null().any().alias("contact"),
            pl.col(ACTIVITY).is_not_null().any().alias("activity"),
        )
        .collect()
        .row(0, named=True)
    )
    if uses_touches and not facts["contact"]:
        problems.append(
            "mql: the score and behaviours count each contact's touches, but no touch carries "
            "a contact_id; map touches.contact_id, or use a CRM score (mql.score.source: crm)"
        )
    uses_activity = any(b.activities for b in d.mql.behaviours) or (
        score is not None and score.source == "touches" and score.points_by == "activity"
    )
    if uses_activity and not facts["activity"]:
        problems.append(
            "mql: the rules name activities, but no touch carries an activity; map "
            "touches.activity, or name channels instead"
        )


def _check_scores(dataset: Dataset, d: Definitions, notes: list[str], problems: list[str]) -> None:
    """Check a CRM score has the contacts' score, and fit points have account segments."""
    score = d.mql.score
    if score is not None and score.source == "crm":
        assert dataset.contacts is not None
        has_score = (
            dataset.lazy("contacts").select(pl.col(SCORE).is_not_null().any()).collect().item()
        )
        if not has_score:
            problems.append(
                "mql.score.source: crm reads the contacts' score column, which is empty; map "
                "contacts.score, or score touches (source: touches)"
            )
    if score is not None and score.fit_points:
        has_segment = dataset.accounts is not None and bool(
            dataset.lazy("accounts").select(pl.col(SEGMENT).is_not_null().any()).collect().item()
        )
        if not has_segment:
            notes.append(
                "mql.score.fit_points: the data has no account segments, so no fit points "
                "were added."
            )


def _check_names(
    touches: pl.LazyFrame, d: Definitions, notes: list[str], problems: list[str]
) -> None:
    """Names in the definitions that no touch carries: likely typos are errors, else notes."""
    seen = touches.select(
        pl.col(CHANNEL).unique().implode().alias(CHANNEL),
        pl.col(ACTIVITY).drop_nulls().unique().implode().alias(ACTIVITY),
        pl.col(CHANNEL).filter(pl.col(TEAM) == SALES).unique().implode().alias("sales_channel"),
        pl.col(ACTIVITY)
        .filter(pl.col(TEAM) == SALES)
        .drop_nulls()
        .unique()
        .implode()
        .alias("sales_activity"),
    ).collect()
    present = {c: set(seen[c][0].to_list()) for c in seen.columns}
    for key, kind, names in _named(d):
        values = present[kind]
        what = kind.replace("sales_", "sales ")
        for name in names:
            if name in values:
                continue
            hint = did_you_mean(name, sorted(values), cutoff=0.75)
            if hint:
                problems.append(f"{key}: no touch has {what} {name!r}; {hint}")
            else:
                notes.append(f"{key}: no touch has {what} {name!r}, so it counts for nothing.")


def _named(d: Definitions) -> list[tuple[str, str, list[str]]]:
    """Return the names the rules give: the key, what kind of name, and the names."""
    named: list[tuple[str, str, list[str]]] = []
    score = d.mql.score
    if score is not None and score.source == "touches" and score.points:
        named.append(("mql.score.points", score.points_by, list(score.points)))
    for i, b in enumerate(d.mql.behaviours):
        named.append((f"mql.behaviours[{i}].channels", CHANNEL, b.channels or []))
        named.append((f"mql.behaviours[{i}].activities", ACTIVITY, b.activities or []))
    if "sales_touch" in d.sql.accepted_by:
        named.append(("sql.sales_channels", "sales_channel", d.sql.sales_channels or []))
        named.append(("sql.sales_activities", "sales_activity", d.sql.sales_activities or []))
    return named
