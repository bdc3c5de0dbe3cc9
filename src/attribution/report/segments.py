"""Which segments a run writes pages for, where they go, and the menu that links them.

With ``by: <column>`` in the params, :func:`plan_segments` checks the column against the
loaded data (before anything is written) and decides, per value, whether it gets pages of
its own: a value with fewer than ``by_min_won`` won deals does not (its comparison row says
so). Each value's pages go to ``by/<column>/<slug>/``, where the slug (:func:`slug`) is
safe as a file name on any system whatever the value holds; the value itself is shown
escaped. :func:`segment_menu` gives the links every page header and index show, relative
to the page's own folder.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

import polars as pl

from attribution._text import did_you_mean
from attribution.data.dataset import Dataset
from attribution.errors import ParameterError
from attribution.journey.subsets import segment_attribute, segment_values
from attribution.report.sections import RunParams

__all__ = [
    "BY_DIR",
    "MAX_SEGMENTS",
    "Segment",
    "SegmentPlan",
    "plan_segments",
    "segment_menu",
    "slug",
]

MAX_SEGMENTS = 12
"""Most values one run writes pages for (pick values with ``by_values`` beyond this)."""
BY_DIR = "by"
"""Folder of a run holding the per-segment pages: ``by/<column>/<slug>/``."""
_RESERVED = {"con", "prn", "aux", "nul", "index", "tables", "data", "shared"}
_RESERVED |= {f"{d}{i}" for d in ("com", "lpt") for i in range(10)}


@dataclass(frozen=True)
class Segment:
    """One value of the ``by`` column: its folder name, its size and whether it has pages."""

    value: str
    slug: str
    accounts: int
    opportunities: int
    won: int
    pages: bool
    """Whether the value has enough won deals for pages of its own."""


@dataclass(frozen=True)
class SegmentPlan:
    """The segments of a run: the column, its folder in the run, and the values."""

    by: str
    folder: str
    """``by/<column slug>``, relative to the run folder."""
    segments: tuple[Segment, ...]
    min_won: int
    table: str
    """``accounts`` or ``opportunities``: the table the column belongs to."""

    @property
    def with_pages(self) -> tuple[Segment, ...]:
        """The values that get pages of their own."""
        return tuple(s for s in self.segments if s.pages)


def slug(value: str, taken: frozenset[str] = frozenset()) -> str:
    """Return a file name for ``value``: lower-case letters, digits and ``-``, at most 48.

    A value that loses characters, collides with ``taken`` or with a reserved name
    (``con``, ``index``...) gets a short hash of the value, so two values never share a
    folder.

    Examples
    --------
    >>> slug("Mid-Market"), slug("SMB")
    ('mid-market', 'smb')
    >>> slug("../../<script>alert(1)</script>")
    'script-alert-1-script-b60a51d3'
    >>> slug("smb", frozenset({"smb"})) != "smb", slug("") != ""
    (True, True)
    """
    base = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")[:39].strip("-")
    exact = bool(base) and value.lower() == base and value.isascii()
    if exact and base not in taken and base not in _RESERVED:
        return base
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:8]
    return f"{base}-{digest}" if base else f"value-{digest}"


def _pick(values: pl.DataFrame, wanted: list[str] | None, by: str) -> pl.DataFrame:
    """Keep the wanted values (every one by default); refuse unknown ones and too many."""
    found = values["value"].to_list()
    if wanted is None:
        if len(found) > MAX_SEGMENTS:
            shown = ", ".join(repr(v) for v in found[:5])
            raise ParameterError(
                f"by: {by!r} has {len(found):,} values (the largest: {shown}); a run writes "
                f"pages for at most {MAX_SEGMENTS}: pick them with by_values: [...], or "
                "choose a column with fewer values"
            )
        return values
    missing = [v for v in wanted if v not in found]
    if missing:
        problems = [
            f"{v!r} ({did_you_mean(v, found, otherwise='values: ' + ', '.join(found[:12]))})"
            for v in missing
        ]
        raise ParameterError(f"by_values: {by!r} has no value " + "; ".join(problems))
    return values.filter(pl.col("value").is_in(wanted))


def plan_segments(dataset: Dataset, params: RunParams) -> SegmentPlan | None:
    """Check ``params.by`` against the data and plan its segments (``None`` without ``by``).

    Raises
    ------
    ParameterError
        ``by`` is no account or opportunity column (with the closest), has more than
        :data:`MAX_SEGMENTS` values and no ``by_values``, or ``by_values`` names a value
        the column does not have.

    Examples
    --------
    >>> import attribution as at
    >>> from attribution.report.params import parse_params
    >>> ds = at.demo.generate(n_accounts=300, seed=0)
    >>> plan = plan_segments(ds, parse_params({"by": "segment"}))
    >>> plan.folder, [s.slug for s in plan.segments]
    ('by/segment', ['smb', 'mid-market', 'enterprise'])
    >>> plan_segments(ds, parse_params({"by": "industry"})) is not None
    True
    >>> plan_segments(ds, parse_params({"by": "employees"}))
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: by: 'employees' has ... values (...); a run writes pages for at most 12: pick them with by_values: [...], or choose a column with fewer values
    """  # noqa: E501
    if params.by is None:
        return None
    found = segment_attribute(dataset, params.by)
    values = _pick(segment_values(dataset, params.by), params.by_values, params.by)
    taken: set[str] = set()
    segments = []
    for row in values.iter_rows(named=True):  # at most MAX_SEGMENTS values, not data rows
        name = slug(row["value"], frozenset(taken))
        taken.add(name)
        segments.append(
            Segment(
                value=row["value"],
                slug=name,
                accounts=row["accounts"],
                opportunities=row["opportunities"],
                won=row["won"],
                pages=row["won"] >= params.by_min_won,
            )
        )
    return SegmentPlan(
        by=params.by,
        folder=f"{BY_DIR}/{slug(params.by)}",
        segments=tuple(segments),
        min_won=params.by_min_won,
        table=found.table,
    )


def segment_menu(
    plan: SegmentPlan, current: str | None, *, comparison: bool = False
) -> dict[str, Any]:
    """Return the links a page shows to the run's segments, relative to the page's folder.

    ``current`` is the slug of the segment whose page it is; ``None`` is a whole-data page
    (in the run folder), or with ``comparison`` the comparison page (in ``plan.folder``).
    Values without pages are listed without a link.

    Examples
    --------
    >>> plan = SegmentPlan(by="segment", folder="by/segment", min_won=10, table="accounts",
    ...     segments=(
    ...     Segment(value="SMB", slug="smb", accounts=5, opportunities=3, won=12, pages=True),
    ...     Segment(value="Ent", slug="ent", accounts=1, opportunities=1, won=0, pages=False)))
    >>> m = segment_menu(plan, None)
    >>> m["compare_href"], [(s["label"], s["href"]) for s in m["links"]]
    ('by/segment/index.html', [('SMB', 'by/segment/smb/index.html'), ('Ent', None)])
    >>> segment_menu(plan, "smb")["whole_href"], segment_menu(plan, "smb")["compare_href"]
    ('../../../index.html', '../index.html')
    >>> segment_menu(plan, None, comparison=True)["links"][0]["href"]
    'smb/index.html'
    """
    depth = plan.folder.count("/") + 1
    if current is not None:
        to_run, to_folder = "../" * (depth + 1), "../"
    elif comparison:
        to_run, to_folder = "../" * depth, ""
    else:
        to_run, to_folder = "", f"{plan.folder}/"
    links = [
        {
            "label": s.value,
            "href": f"{to_folder}{s.slug}/index.html" if s.pages else None,
            "current": s.slug == current,
        }
        for s in plan.segments
    ]
    return {
        "by": plan.by,
        "whole_href": f"{to_run}index.html",
        "compare_href": f"{to_folder}index.html",
        "current": next((s.value for s in plan.segments if s.slug == current), None),
        "links": links,
        "to_run": to_run,
    }
