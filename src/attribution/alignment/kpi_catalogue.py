"""The KPIs a target can name: what each measures, its unit and which way is better.

:data:`KPIS` is a declarative catalogue; :mod:`attribution.alignment.kpis` measures each
KPI per period, and the reports print the descriptions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import polars as pl

__all__ = ["KPIS", "Kpi", "Unit", "kpi_table"]

Unit = Literal["count", "money", "share", "hours"]


@dataclass(frozen=True)
class Kpi:
    """One measurable KPI of the scorecard.

    Attributes
    ----------
    name, label
        Key used in targets files, and how reports call it.
    unit
        ``count``, ``money``, ``share`` (0-1) or ``hours``.
    higher_is_better
        Direction of "better".
    cumulative
        Counts and amounts add up over a period (pro-rated in the current period); rates
        and medians do not.
    estimate
        A model estimate with an interval, not a count (the contribution shares).
    interval
        A measured share given with its Wilson interval (at the scorecard's ``level``);
        its status reads the interval as an estimate's does.
    needs
        What the KPI is computed from: ``definitions`` (the agreed MQL/SQL, needs
        contacts), ``follow_up`` (sales touches after MQLs), ``dispositions`` (the agreed
        MQLs and how sales disposed of each: ``contacts.status``, ``disqualified_reason``
        or ``disqualified_at``), ``opportunities`` or ``contributions``.
    description
        How it is counted, printed in the reports.
    """

    name: str
    label: str
    unit: Unit
    higher_is_better: bool
    cumulative: bool
    needs: str
    description: str
    estimate: bool = False
    interval: bool = False


KPIS: dict[str, Kpi] = {
    k.name: k
    for k in (
        Kpi(
            "mqls",
            "MQLs",
            "count",
            True,
            True,
            "definitions",
            "accounts whose first MQL (by the agreed definition) falls in the period: the "
            "hand-offs from marketing to sales",
        ),
        Kpi(
            "sqls",
            "SQLs",
            "count",
            True,
            True,
            "definitions",
            "accounts whose first MQL became an SQL (by the agreed definition) in the period",
        ),
        Kpi(
            "mql_to_sql_rate",
            "MQL to SQL rate",
            "share",
            True,
            False,
            "definitions",
            "of the period's MQLs whose SQL window has closed by the as-of moment, the share "
            "that became SQL within it",
        ),
        Kpi(
            "mql_disqualification_rate",
            "Marketing-sourced leads disqualified",
            "share",
            False,
            False,
            "dispositions",
            "of the period's MQLs (marketing's hand-offs by the agreed definition) whose SQL "
            "window has closed by the as-of moment, the share sales disqualified by then (a "
            "disqualifying status, a reason or a date recorded), with a Wilson interval",
            interval=True,
        ),
        Kpi(
            "followed_up_within_sla",
            "MQLs answered in time",
            "share",
            True,
            False,
            "follow_up",
            "of the period's MQLs whose SLA can be judged, the share whose first sales touch "
            "came within the agreed response hours",
        ),
        Kpi(
            "followed_up",
            "MQLs followed up",
            "share",
            True,
            False,
            "follow_up",
            "of the period's MQLs whose SLA can be judged, the share followed up by sales at "
            "all by the as-of moment (coverage)",
        ),
        Kpi(
            "median_response_hours",
            "Median hours to answer",
            "hours",
            False,
            False,
            "follow_up",
            "median hours from an MQL to the first sales touch, among the period's MQLs "
            "that were followed up",
        ),
        Kpi(
            "opportunities_created",
            "Opportunities created",
            "count",
            True,
            True,
            "opportunities",
            "opportunities created in the period",
        ),
        Kpi(
            "pipeline_created",
            "Pipeline created",
            "money",
            True,
            True,
            "opportunities",
            "amount of the opportunities created in the period",
        ),
        Kpi(
            "marketing_sourced_pipeline",
            "Marketing-sourced pipeline",
            "money",
            True,
            True,
            "definitions",
            "amount of the opportunities created in the period whose account had its first "
            "MQL (agreed definition) at or before the opportunity was created",
        ),
        Kpi(
            "revenue_won",
            "Revenue won",
            "money",
            True,
            True,
            "opportunities",
            "amount of the opportunities won (closed) in the period",
        ),
        Kpi(
            "win_rate",
            "Win rate",
            "share",
            True,
            False,
            "opportunities",
            "won among the opportunities closed in the period",
        ),
        Kpi(
            "marketing_sourced_win_rate",
            "Marketing-sourced win rate",
            "share",
            True,
            False,
            "definitions",
            "won among the opportunities closed in the period whose account had its first "
            "MQL (agreed definition) at or before the opportunity was created",
        ),
        Kpi(
            "marketing_contribution",
            "Marketing's contribution",
            "share",
            True,
            False,
            "contributions",
            "estimated share of expected revenue that marketing's touches add on their own, "
            "over all deals closed so far (attribution.contributions)",
            estimate=True,
        ),
        Kpi(
            "sales_contribution",
            "Sales' contribution",
            "share",
            True,
            False,
            "contributions",
            "estimated share of expected revenue that sales' touches add on their own, over "
            "all deals closed so far (attribution.contributions)",
            estimate=True,
        ),
        Kpi(
            "joint_contribution",
            "Joint contribution",
            "share",
            True,
            False,
            "contributions",
            "estimated share of expected revenue that marketing and sales add only together, "
            "over all deals closed so far (attribution.contributions)",
            estimate=True,
        ),
    )
}
"""The KPIs a target can name, by key."""


def kpi_table(names: Sequence[str]) -> pl.DataFrame:
    """How each of the KPIs ``names`` is counted: ``kpi``, ``label``, ``unit``, ``better``, ``how``.

    Examples
    --------
    >>> kpi_table(["win_rate"]).select("kpi", "unit", "better").row(0)
    ('win_rate', 'share', 'higher')
    """
    return pl.DataFrame(
        {
            "kpi": list(names),
            "label": [KPIS[n].label for n in names],
            "unit": [KPIS[n].unit for n in names],
            "better": ["higher" if KPIS[n].higher_is_better else "lower" for n in names],
            "how": [KPIS[n].description for n in names],
        },
        schema=dict.fromkeys(("kpi", "label", "unit", "better", "how"), pl.String),
    )
