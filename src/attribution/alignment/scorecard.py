"""The shared scorecard: agreed definitions applied, KPIs against targets, the SLA view.

:func:`scorecard` turns the two agreement files into the numbers of the monthly
marketing-sales meeting, from one dataset:

1. applies the agreed MQL and SQL definitions (:func:`attribution.apply_definitions`);
2. computes every targeted KPI per period from the hand-off views that already exist
   (:func:`attribution.response_times` on the agreed MQLs, :func:`attribution.speed_to_lead`,
   :func:`attribution.opportunity_features`, and :func:`attribution.contributions` once for
   the contribution shares), and sets each against its target with a status
   (:func:`attribution.alignment.targets.status`) and a trend;
3. lays out the service-level agreement month by month (marketing's side: MQLs delivered
   and their SQL rate; sales' side: answered within the agreed hours, followed up at all)
   and ranks reps and campaigns against it.

**The unit is the hand-off**: an account's first MQL by the agreed definition (as in
:func:`attribution.funnel` and :func:`attribution.speed_to_lead`). Later MQLs of an
account already in sales' hands are not new hand-offs. The drift report of
:func:`attribution.apply_definitions` counts contacts.

**What counts when** (``as_of`` is the dataset's latest timestamp unless given): an MQL
belongs to the period of its MQL moment; its SLA is *judged* once it was answered or is
older than the agreed response hours; its SQL outcome once its SQL window (``sql.within_days``)
has closed, so the most recent MQLs have no SQL rate yet rather than a falsely low one.
Opportunities count in the period they were created (pipeline) or closed (revenue, win
rate). The contribution shares are estimated once, over every deal closed by ``as_of``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import polars as pl

from attribution._intervals import DEFAULT_DRAWS
from attribution._time import DEFAULT_LOOKBACK_DAYS
from attribution._time import as_of as resolve_as_of
from attribution.alignment.definitions import Definitions, load_definitions
from attribution.alignment.kpis import (
    COLUMNS,
    check_targets,
    data_start,
    scored,
    sources,
    target_rows,
    trend,
)
from attribution.alignment.qualification import AppliedDefinitions
from attribution.alignment.service_level import rank_campaigns, rank_reps, sla_by_month, sla_long
from attribution.alignment.targets import KPIS, OWNERS, Targets, load_targets
from attribution.data.dataset import Dataset
from attribution.data.schema import CONTACT_ID
from attribution.errors import ParameterError
from attribution.estimates.contributions import ContributionResult

__all__ = ["Scorecard", "ScorecardSummary", "scorecard"]

Ranking = Literal["reps", "campaigns"]


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
    markdown: str


@dataclass(frozen=True)
class Scorecard:
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
        return _with_text(self.table, currency).select(
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
        return ScorecardSummary(table=table, markdown=_summary_text(shown, self))

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
        names = list(dict.fromkeys(self.table["kpi"].to_list()))
        return pl.DataFrame(
            {
                "kpi": names,
                "label": [KPIS[n].label for n in names],
                "unit": [KPIS[n].unit for n in names],
                "better": ["higher" if KPIS[n].higher_is_better else "lower" for n in names],
                "how": [KPIS[n].description for n in names],
            }
        )

    def agreements_markdown(self) -> str:
        """Return the definitions in plain English, then both files verbatim (markdown)."""
        d, t = self.definitions, self.targets
        return "\n\n".join(
            [
                d.describe(),
                f"`{Path(d.origin).name}`, verbatim:",
                _fenced(d.text),
                f"**{t.name}**: `{Path(t.origin).name}`, verbatim:",
                _fenced(t.text),
            ]
        )

    def estimates_markdown(self) -> str:
        """Return what the contribution KPIs rest on: the estimate, intervals, caveats."""
        result = self.contributions
        if result is None:
            return "_No contribution share is targeted, so none was estimated._"
        level = f"{result.level:.0%}"
        lines = []
        if result.supported:
            for row in result.table.iter_rows(named=True):
                if row["component"] == "baseline":
                    continue
                lines.append(
                    f"- {row['component']}: **{_pct(row['share'])}** of the expected revenue "
                    f"({level} interval {_pct(row['ci_low'])} to {_pct(row['ci_high'])})"
                )
        else:
            lines.append("- The data cannot support the split; the contribution KPIs have no data.")
        warned = [f"- warning: {w}" for w in result.diagnostics.warnings]
        return "\n".join(
            [
                "The contribution shares are **estimates**, not counts: "
                f"{result.diagnostics.n:,} closed deals, one model for all of them "
                f"(`attribution.contributions`). A target counts as met only when the whole "
                "interval clears it, and as *unclear* while the interval holds it.",
                "",
                *lines,
                *warned,
                "",
                result.note,
            ]
        )

    def drift_markdown(self) -> str:
        """Return how the CRM's MQL/SQL labels compare with the agreed ones (markdown)."""
        if self.applied is None:
            return "_The data has no contacts table, so the definitions could not be applied._"
        return self.applied.markdown()

    def drift(self) -> pl.DataFrame:
        """Return the drift table of the applied definitions (``AppliedDefinitions.drift``)."""
        return _DRIFT_EMPTY if self.applied is None else self.applied.drift

    def drift_examples(self) -> pl.DataFrame:
        """Return example contacts where the CRM and the agreement disagree."""
        return _EXAMPLES_EMPTY if self.applied is None else self.applied.examples

    def notes_markdown(self) -> str:
        """Return the notes as a markdown list (what could not be measured, and why)."""
        if not self.notes:
            return "_Nothing to note: every targeted KPI could be measured as agreed._"
        return "\n".join(f"- {n}" for n in self.notes)

    def __repr__(self) -> str:
        counts = self.table["status"].value_counts(sort=True)
        text = ", ".join(f"{s} {n}" for s, n in counts.iter_rows())
        return f"Scorecard({self.table.height} targets: {text}; as of {self.as_of:%Y-%m-%d})"


_DRIFT_EMPTY = pl.DataFrame(
    schema={
        "stage": pl.String,
        "agreement": pl.String,
        "contacts": pl.Int64,
        "share": pl.Float64,
        "median_hours_apart": pl.Float64,
    }
)
_EXAMPLES_EMPTY = pl.DataFrame(
    schema={"stage": pl.String, "agreement": pl.String, CONTACT_ID: pl.String}
)


# ------------------------------------------------------------------------------ text
def _pct(x: float | None) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.1%}"


def _fenced(text: str) -> str:
    return "```yaml\n" + text.rstrip() + "\n```"


def _fixed(x: pl.Expr, decimals: int) -> pl.Expr:
    """Write a number with a fixed number of decimals (and a thousands comma)."""
    scale = 10**decimals
    n = (x.abs() * scale).round(0).cast(pl.Int64)
    whole = n // scale
    grouped = (
        pl.when(whole >= 1000)
        .then(
            pl.format(
                "{},{}",
                (whole // 1000).cast(pl.String),
                (whole % 1000).cast(pl.String).str.zfill(3),
            )
        )
        .otherwise(whole.cast(pl.String))
    )
    sign = pl.when((x < 0) & (n > 0)).then(pl.lit("-")).otherwise(pl.lit(""))
    if not decimals:
        return pl.concat_str([sign, grouped])
    return pl.concat_str(
        [sign, grouped, pl.lit("."), (n % scale).cast(pl.String).str.zfill(decimals)]
    )


def _text_expr(column: str, unit: pl.Expr, currency: str) -> pl.Expr:
    """Write a KPI value as text by its unit: 127, $11.74M, $986k, 55.2%, 8.2 h."""
    x = pl.col(column)
    big = x.abs() >= 1e6
    money = pl.concat_str(
        [
            pl.lit(currency),
            pl.when(big)
            .then(_fixed(x / 1e6, 2) + "M")
            .when(x.abs() >= 1e4)
            .then(_fixed(x / 1e3, 0) + "k")
            .otherwise(_fixed(x, 0)),
        ]
    )
    return (
        pl.when(x.is_null())
        .then(pl.lit("–"))
        .when(unit == "money")
        .then(money)
        .when(unit == "share")
        .then(_fixed(x * 100, 1) + "%")
        .when(unit == "hours")
        .then(_fixed(x, 1) + " h")
        .when(big)
        .then(_fixed(x / 1e6, 2) + "M")
        .otherwise(_fixed(x, 0))
    )


def _with_text(table: pl.DataFrame, currency: str) -> pl.DataFrame:
    unit = pl.col("unit")
    interval = pl.format(
        " ({} to {})",
        _text_expr("ci_low", unit, currency),
        _text_expr("ci_high", unit, currency),
    )
    return table.with_columns(
        _text_expr("target", unit, currency).alias("target_text"),
        (
            _text_expr("actual", unit, currency)
            + pl.when(pl.col("ci_low").is_not_null()).then(interval).otherwise(pl.lit(""))
        ).alias("actual_text"),
        _text_expr("expected", unit, currency).alias("expected_text"),
        pl.col("progress").clip(0.0, 1.5).alias("progress_shown"),
    )


def _summary_text(shown: pl.DataFrame, sc: Scorecard) -> str:
    """Say how many targets are met or on track, and which are not."""
    n = shown.height
    good = shown.filter(pl.col("status").is_in(["met", "on track"]))
    lines = [
        f"**{good.height} of {n}** shared target{'s' if n != 1 else ''} met or on track as of "
        f"{sc.as_of:%Y-%m-%d} ({sc.targets.name}; definitions: {sc.definitions.name})."
    ]
    for label, statuses in (
        ("Behind or missed", ["behind", "missed"]),
        ("Unclear (the estimate's interval holds the target)", ["unclear"]),
        ("Not measurable", ["no data"]),
    ):
        rows = shown.filter(pl.col("status").is_in(statuses))
        if rows.height:
            items = "; ".join(
                f"{r['label']} ({r['owner']}, {r['period']}: {r['actual']} vs {r['target']})"
                for r in rows.iter_rows(named=True)
            )
            lines.append(f"{label}: {items}.")
    return "\n\n".join(lines)


# ------------------------------------------------------------------------------ public
def scorecard(
    dataset: Dataset,
    targets: str | os.PathLike[str] | Mapping[str, Any] | Targets | None = None,
    definitions: str | os.PathLike[str] | Mapping[str, Any] | Definitions | None = None,
    *,
    as_of: datetime | None = None,
    lookback_days: float = DEFAULT_LOOKBACK_DAYS,
    min_mqls: int = 3,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
) -> Scorecard:
    """Set the KPIs of one dataset against the shared targets, by the agreed definitions.

    Parameters
    ----------
    dataset
        A validated dataset; ``contacts`` unlock the MQL, SQL and follow-up KPIs.
    targets
        The shared targets: a YAML file, a mapping or :class:`attribution.alignment.targets.Targets`
        (``None``: the shipped ``params/targets.yaml``).
    definitions
        The agreed definitions (``None``: the shipped ``params/definitions.yaml``).
    as_of
        The moment the data is seen at (default: its latest timestamp): what has
        happened by then counts, and the current period is pro-rated to it.
    lookback_days
        The journey window of the opportunity features and the contribution estimate.
    min_mqls
        Fewest MQLs a rep or campaign needs in a month to be ranked.
    draws, seed
        Interval draws and seed of the contribution estimate (made once, only when a
        contribution share is targeted).

    Returns
    -------
    Scorecard
        ``.table`` (one row per target with actual, status and trend), ``.history``,
        ``.sla`` (the SLA month by month), ``.reps`` and ``.campaigns`` (rankings),
        ``.summary()``, ``.display()``.

    Raises
    ------
    ParameterError
        Malformed definitions or targets (every problem listed), definitions the data
        cannot carry, or a target whose period ends before the data begins.

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=400, seed=1)
    >>> sc = at.scorecard(ds, targets={"targets": [
    ...     {"kpi": "mqls", "target": 10, "owner": "marketing", "due": "2026-06-30"},
    ...     {"kpi": "win_rate", "target": 0.3, "owner": "sales", "due": "2026-06-30",
    ...      "period": "quarter"}]})
    >>> sc.table.select("kpi", "period_label").rows()
    [('mqls', '2026-06'), ('win_rate', '2026-Q2')]
    >>> set(sc.table["status"]) <= set(at.targets.STATUSES)
    True
    """
    if isinstance(min_mqls, bool) or not isinstance(min_mqls, int) or min_mqls < 1:
        raise ParameterError(f"min_mqls must be a whole number >= 1, got {min_mqls!r}")
    d = load_definitions(definitions)
    t = load_targets(targets)
    now = resolve_as_of(dataset, as_of)
    start = data_start(dataset)
    check_targets(t, start, now)
    notes: list[str] = []
    s, applied = sources(dataset, d, t, now, lookback_days, draws, seed, notes)
    for reason in dict.fromkeys(
        r for r in (s.first_mqls_reason, s.follow_up_reason, s.contribution_reason) if r
    ):
        notes.append(f"not measurable: {reason}.")
    frames = [target_rows(i, x, t, s, now, start) for i, x in enumerate(t.targets)]
    history = scored(pl.concat(frames, how="vertical_relaxed"), t.on_track)
    table = trend(history)
    owners = {o: k for k, o in enumerate(OWNERS)}
    table = table.sort(
        pl.col("owner").replace_strict(owners, return_dtype=pl.Int64), "target_id"
    ).select(*COLUMNS, "previous", "trend")
    month = f"{now:%Y-%m}"
    return Scorecard(
        table=table,
        history=history.sort("target_id", "start").select(*COLUMNS, "is_target_period"),
        sla=sla_by_month(s, applied, d, now, t.on_track),
        reps=rank_reps(applied, d, now, t.on_track, min_mqls, follow=not s.follow_up_reason),
        campaigns=rank_campaigns(s, d, now, t.on_track, min_mqls),
        applied=applied,
        definitions=d,
        targets=t,
        contributions=s.contribution,
        as_of=now,
        month=month,
        notes=tuple(notes),
    )
