"""The report sections that need more than touches and opportunities, as a page reads them.

:class:`SectionViews` is the part of :class:`attribution.report.shared.RunData` that
decides, once and in the package, what a page shows for a section the data cannot
support (:mod:`attribution.report.readiness`): the section's note says what it needs and
how to add it, and its table is empty (with the columns the page's chart and table
expect) instead of an error. A page therefore calls ``run.funnel()`` the same way on any
data, and never branches.

Tables come from the same functions as always (:func:`attribution.funnel`,
:func:`attribution.speed_to_lead`, :func:`attribution.lead_score_weights`); when the data
has no contacts they run on an empty contacts table, which gives the right columns, and
the warnings such an empty run raises are dropped: the section's note already says why.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import polars as pl

from attribution._markdown import Markdown
from attribution.data.dataset import Dataset
from attribution.data.schema import TABLES
from attribution.estimates.scoring import LeadScoreResult, lead_score_weights
from attribution.handoff.funnel import funnel
from attribution.handoff.speed import speed_to_lead
from attribution.journey.response import SpeedBy
from attribution.report.readiness import Readiness, readiness
from attribution.report.sections import RunParams

__all__ = ["SectionViews"]

T = TypeVar("T")


def _quietly(compute: Callable[[], T]) -> T:
    """Run ``compute`` without showing its warnings (the section's note says why)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compute()


class SectionViews:
    """Readiness notes and the hand-off tables of a run (mixed into ``RunData``)."""

    params: RunParams
    dataset: Dataset
    _memo: dict[str, Any]

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """Return the run's value kept under ``key``, computing it on first use.

        Every view of the run that is computed once and kept (journeys, readiness, the
        money page's views...) is kept here; a key names one value, whatever asks for it.

        Parameters
        ----------
        key
            The value's name in the run.
        compute
            Called (without arguments) only when nothing is kept under ``key`` yet.

        Examples
        --------
        >>> from attribution.report.shared import open_run
        >>> run = open_run(None, {"source": {"demo": {"accounts": 300}}})
        >>> run.memo("answer", lambda: 42), run.memo("answer", lambda: 0)
        (42, 42)
        """
        if key not in self._memo:
            self._memo[key] = compute()
        value: T = self._memo[key]
        return value

    @property
    def readiness(self) -> Readiness:
        """Which sections the run's data supports (see :func:`readiness`)."""
        files = self.params.scorecard
        agreed = bool(files.definitions and files.targets)
        return self.memo("readiness", lambda: readiness(self.dataset, agreed=agreed))

    def needs(self, key: str) -> Markdown:
        """Return the markdown note of section ``key``: what it needs, or empty."""
        return self.readiness.needs(key)

    def _view(self) -> Dataset:
        """Return the dataset, with an empty contacts table when it has none."""
        if self.dataset.contacts is not None:
            return self.dataset
        empty = pl.DataFrame(schema=TABLES["contacts"].schema)
        return dataclasses.replace(self.dataset, contacts=empty)

    def _frame(self, key: str, compute: Callable[[Dataset], pl.DataFrame]) -> pl.DataFrame:
        if self.readiness.supported(key):
            return compute(self.dataset)
        return _quietly(lambda: compute(self._view())).clear()

    def funnel(self) -> pl.DataFrame:
        """Return the funnel (:func:`attribution.funnel`), empty without contacts."""
        as_of = self.params.window.as_of
        return self._frame("funnel", lambda ds: funnel(ds, as_of=as_of))

    def speed_to_lead(self, by: SpeedBy = "rep") -> pl.DataFrame:
        """Return speed to lead against the run's SLA (:func:`attribution.speed_to_lead`).

        Empty when the data has no hand-off to measure (or, by rep, no reps).
        """
        p = self.params
        hours = float(p.goals.sla_hours or 24.0)

        def compute(ds: Dataset) -> pl.DataFrame:
            return speed_to_lead(ds, sla_hours=hours, by=by, as_of=p.window.as_of)

        key = "speed_to_lead" if by == "rep" else "sla_cost"
        return self._frame(key, compute)

    def lead_scores(self) -> LeadScoreResult:
        """Return the learned lead-score weights (:func:`attribution.lead_score_weights`).

        Without the data it needs, an unsupported result with empty tables (no warning: the
        section's note says why).
        """
        p = self.params

        def compute(ds: Dataset) -> LeadScoreResult:
            return lead_score_weights(
                ds, outcome=p.goals.score_outcome, level=p.intervals.level, as_of=p.window.as_of
            )

        if self.readiness.supported("lead_score"):
            return compute(self.dataset)
        return _quietly(lambda: compute(self._view()))
