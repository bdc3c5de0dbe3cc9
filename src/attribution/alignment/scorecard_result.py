"""The scorecard as a result: KPIs against targets, the SLA, rankings, and their views.

:class:`Scorecard` holds what :func:`attribution.alignment.scorecard.scorecard` measured
and gives the views the reports read (the targets as reviewers read them, the SLA month by
month, the rankings, the agreements and the drift in plain English);
:class:`ScorecardSummary` is the compact form for the top of the summary report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import polars as pl

from attribution._markdown import Markdown
from attribution.alignment.definitions import Definitions
from attribution.alignment.drift import DRIFT_SCHEMA
from attribution.alignment.kpi_catalogue import kpi_table
from attribution.alignment.qualification import AppliedDefinitions
from attribution.alignment.scorecard_text import (
    NOTE,
    agreements_markdown,
    estimates_markdown,
    notes_markdown,
    summary_text,
    with_text,
)
from attribution.alignment.service_level import sla_long
from attribution.alignment.targets import Targets
from attribution.data.schema import CONTACT_ID
from attribution.errors import ParameterError
from attribution.estimates.contributions import ContributionResult
from attribution.results import Result

__all__ = ["Ranking", "Scorecard", "ScorecardSummary"]

Ranking = Literal["reps", "campaigns"]
_EXAMPLES_EMPTY = pl.DataFrame(
    schema={"stage": pl.String, "agreement": pl.String, CONTACT_ID: pl.String}
)


# ------------------------------------------------------------------------------ results
@dataclass(frozen=True)
class ScorecardSummary:
    """The scorecard in brief, for the top of the summary report.

    Attributes
    ----------
    table
        One row per target: ``label``, ``owner``, ``period``, ``target``, ``actual``
        (formatted text), ``status``.
    markdown
        Two or three sentences: how many commitments are met or on track, which are
        behind and whose they are.
    """

    table: pl.DataFrame
    markdown: Markdown


_AGREED = Markdown("")
"""No text: the scorecard has agreements to measure against."""


@dataclass(frozen=True, kw_only=True, repr=False)
class Scorecard(Result):
    """KPIs against the shared targets, the SLA month by month, and who did best.

    Attributes
    ----------
    table
        One row per target, for its own period (the calendar period holding its due
        date): ``kpi``, ``label``, ``owner``, ``period``, ``period_label``, ``start``,
        ``end``, ``due``, ``unit``, ``target``, ``actual``, ``ci_low``/``ci_high`` (for
        estimates), ``n`` (what the actual counts or averages over), ``elapsed`` (share
        of the period gone by ``as_of``), ``expected`` (the target pro-rated),
        ``progress``, ``status``, ``previous`` (the actual of the period before),
        ``trend`` (``improving``, ``steady``, ``worsening``) and ``note``.
    history
        The same columns per target and period: the target's period and the ``history``
        periods before it (``is_target_period`` marks the target's own).
    sla
        One row per month: marketing's side (``mqls``, ``sql_rate`` over ``sqls_judged``
        MQLs whose SQL window has closed) and sales' side (``within_sla_share``,
        ``followed_up_share`` over the ``judged`` MQLs, ``median_response_hours``,
        ``never_followed_up``, ``pending``), each with the ``agreed_*`` level and a
        ``*_status``.
    reps
        Per month and rep who answered MQLs: ``mqls`` answered, ``within_sla``,
        ``share_within_sla``, ``median_hours``, the agreed share, ``status`` and ``rank``
        (empty for fewer than ``min_mqls`` MQLs).
    campaigns
        Per month and campaign (of the MQL contact's first campaign touch): ``mqls``,
        ``sqls``, ``sql_rate`` so far, ``pending`` (SQL window still open), the agreed
        rate, ``status`` and ``rank`` (by SQLs delivered, then rate).
    applied
        The agreed definitions applied (``None`` when the data has no contacts).
    definitions, targets
        The agreements.
    contributions
        The contribution estimate behind the contribution KPIs (``None`` when none is
        targeted or it could not be made).
    as_of
        The moment the data is seen at.
    month
        The month the rankings default to (the one holding ``as_of``).
    notes
        What could not be measured and why, and the estimates' warnings.
    unagreed
        Empty for a scorecard on agreed files. Otherwise (see
        :func:`attribution.alignment.not_agreed.not_agreed`) the tables are empty and this
        says which agreement is missing and how to write it; the reports show it instead.
    note
        What the table means (:data:`attribution.alignment.scorecard_text.NOTE`).
    """

    table: pl.DataFrame
    history: pl.DataFrame
    sla: pl.DataFrame
    reps: pl.DataFrame
    campaigns: pl.DataFrame
    applied: AppliedDefinitions | None
    definitions: Definitions
    targets: Targets
    contributions: ContributionResult | None
    as_of: datetime
    month: str
    notes: tuple[str, ...] = ()
    unagreed: Markdown = _AGREED
    note: str = NOTE

    # -------------------------------------------------------------- views
    def display(self, *, currency: str = "$") -> pl.DataFrame:
        """Return the targets as reviewers read them, for the report's chart and table.

        One row per target, owners in the order marketing, joint, sales: ``owner``,
        ``label``, ``period``, ``target``, ``actual`` (with its interval for an estimate)
        and ``expected`` (the target pro-rated so far) as text, ``progress`` (a number;
        ``progress_shown`` caps it at 1.5 for bars), ``status``, ``trend``, ``note``.

        Examples
        --------
        >>> import attribution as at
        >>> sc = at.scorecard(at.demo.generate(n_accounts=400, seed=1), targets={
        ...     "targets": [{"kpi": "revenue_won", "target": 2e6, "owner": "joint",
        ...                  "period": "year", "due": "2026-12-31"}]})
        >>> sc.display(currency="€").select("period", "target", "expected").row(0)
        ('2026', '€2.00M', '€986k')
        """
        return with_text(self.table, currency).select(
            "owner",
            "label",
            pl.col("period_label").alias("period"),
            pl.col("target_text").alias("target"),
            pl.col("actual_text").alias("actual"),
            pl.col("expected_text").alias("expected"),
            "progress",
            "progress_shown",
            "status",
            "trend",
            "note",
        )

    def summary(self, *, currency: str = "$") -> ScorecardSummary:
        """Return the compact table and the sentences for the summary report.

        Examples
        --------
        >>> import attribution as at
        >>> sc = at.scorecard(at.demo.generate(n_accounts=400, seed=1), targets={
        ...     "targets": [{"kpi": "opportunities_created", "target": 5, "owner": "sales",
        ...                  "period": "month", "due": "2026-06-30"}]})
        >>> sc.summary().table.columns
        ['label', 'owner', 'period', 'target', 'actual', 'status']
        """
        shown = self.display(currency=currency)
        table = shown.select("label", "owner", "period", "target", "actual", "status")
        if self.unagreed:
            return ScorecardSummary(table=table, markdown=self.unagreed)
        markdown = summary_text(shown, self.as_of, self.targets.name, self.definitions.name)
        return ScorecardSummary(table=table, markdown=markdown)

    def sla_long(self, *, unit: Literal["count", "share"] | None = None) -> pl.DataFrame:
        """Return the SLA view in long form: one row per month and measure, for charts.

        Columns ``month`` (first day, a date), ``side`` (``marketing`` or ``sales``),
        ``measure``, ``unit``, ``actual``, ``agreed``, ``status`` (``not agreed`` where
        the SLA sets no level). ``unit`` keeps the counts or the shares only.
        """
        long = sla_long(self.sla, self.definitions)
        return long if unit is None else long.filter(pl.col("unit") == unit)

    def sla_table(self) -> pl.DataFrame:
        """Return the SLA month by month as reviewers read it: both sides, with statuses.

        ``month``, marketing's ``MQLs`` and ``SQL_rate``, sales' ``answered_in_time``
        (share answered within the agreed hours) and ``followed_up``, each followed by its
        status, then ``median_hours``, ``never_followed_up`` and ``pending``.
        """
        return self.sla.select(
            "month",
            pl.col("mqls").alias("MQLs"),
            pl.col("mqls_status").alias("MQLs_vs_agreed"),
            pl.col("sql_rate").alias("SQL_rate"),
            pl.col("sql_rate_status").alias("SQL_rate_vs_agreed"),
            pl.col("within_sla_share").alias("answered_in_time"),
            pl.col("within_sla_status").alias("answered_vs_agreed"),
            pl.col("followed_up_share").alias("followed_up"),
            pl.col("followed_up_status").alias("followed_up_vs_agreed"),
            pl.col("median_response_hours").alias("median_hours"),
            "never_followed_up",
            "pending",
        )

    def ranking(
        self, who: Ranking = "reps", *, month: str | None = None, ranked_only: bool = False
    ) -> pl.DataFrame:
        """Return the ranking of reps or campaigns for one month (default :attr:`month`).

        Ranked rows come first, in rank order; rows with too few MQLs to rank follow
        (unless ``ranked_only``).
        """
        if who not in ("reps", "campaigns"):
            raise ParameterError(f"ranking: who must be 'reps' or 'campaigns'; got {who!r}")
        frame = self.reps if who == "reps" else self.campaigns
        wanted = month or self.month
        rows = frame.filter(pl.col("month") == wanted)
        if ranked_only:
            rows = rows.filter(pl.col("rank").is_not_null())
        return rows.sort(pl.col("rank").is_null(), "rank", maintain_order=True).drop("month")

    def kpi_table(self) -> pl.DataFrame:
        """How each targeted KPI is counted: ``kpi``, ``label``, ``unit``, ``better``, ``how``."""
        return kpi_table(list(dict.fromkeys(self.table["kpi"].to_list())))

    def rankings_markdown(self) -> Markdown:
        """Say which month the rankings are of and the agreed response time (markdown)."""
        if self.unagreed:
            return Markdown("_No response time is agreed yet, so nobody is ranked against one._")
        hours = self.definitions.sla.response_hours
        return Markdown("Month: **{}**; agreed response time: {:g} hours.").format(
            self.month, hours
        )

    def agreements_markdown(self) -> Markdown:
        """Return the definitions in plain English, then both files verbatim (markdown)."""
        if self.unagreed:
            return self.unagreed
        return agreements_markdown(self.definitions, self.targets)

    def estimates_markdown(self) -> Markdown:
        """Return what the contribution KPIs rest on: the estimate, intervals, caveats."""
        return estimates_markdown(self.contributions)

    def drift_markdown(self) -> Markdown:
        """Return how the CRM's MQL/SQL labels compare with the agreed ones (markdown)."""
        if self.unagreed:
            return Markdown(
                "_No definitions are agreed yet: there is nothing to compare the labels with._"
            )
        if self.applied is None:
            return Markdown(
                "_The data has no contacts table, so the definitions could not be applied._"
            )
        return self.applied.markdown()

    def drift(self) -> pl.DataFrame:
        """Return the drift table of the applied definitions (``AppliedDefinitions.drift``)."""
        return pl.DataFrame(schema=DRIFT_SCHEMA) if self.applied is None else self.applied.drift

    def drift_examples(self) -> pl.DataFrame:
        """Return example contacts where the CRM and the agreement disagree."""
        return _EXAMPLES_EMPTY if self.applied is None else self.applied.examples

    def notes_markdown(self) -> Markdown:
        """Return the notes as a markdown list (what could not be measured, and why)."""
        return notes_markdown(self.notes)

    def headline(self) -> str:
        """Return one line: the targets by status and the moment the data is seen at."""
        counts = self.table["status"].value_counts(sort=True)
        text = ", ".join(f"{s} {n}" for s, n in counts.iter_rows())
        return f"Scorecard({self.table.height} targets: {text}; as of {self.as_of:%Y-%m-%d})"
