"""The sales-insight page (``06_feedback``), as the notebook reads it: tables and sentences.

:func:`feedback_view` wraps a run (:class:`attribution.report.shared.RunData`) and gives the
page each section's table and its sentence, with the caveat beside the number. A section the
data cannot support (see :mod:`attribution.report.feedback_sections`) gives an empty table
with the right columns and an empty sentence; the run's note says what it needs.

Sentences are :class:`~attribution._markdown.Markdown` templates: every data value that
enters one (a reason, a campaign, an industry) is escaped where it is formatted in, so no
value in the data can change what the page does.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import polars as pl

from attribution._markdown import Markdown, plain
from attribution.alignment.kpi_catalogue import KPIS
from attribution.alignment.scorecard_text import with_text
from attribution.data.dataset import Dataset
from attribution.data.schema import TABLES
from attribution.feedback.buying import buying_groups, thin_open_deals, win_rate_by_group_size
from attribution.feedback.buying_effect import BuyingGroupEffect, decision_maker_effect
from attribution.feedback.heard import (
    disqualification_reasons,
    loss_reasons,
    reason_changes,
    recycled_leads,
    rejection_rates,
)
from attribution.feedback.profile import ProfileEstimate, ideal_customer_profile, profile_table
from attribution.feedback.reach import profile_reach
from attribution.report.shared import RunData

__all__ = ["FeedbackView", "feedback_view"]

T = TypeVar("T")

TARGETS_OF: dict[str, tuple[str, ...]] = {
    "loss_reasons": ("win_rate", "revenue_won"),
    "disqualified": ("mql_disqualification_rate", "mql_to_sql_rate", "mqls"),
    "profile": ("marketing_sourced_pipeline", "marketing_sourced_win_rate"),
    "buying_group": ("win_rate",),
}
"""The agreed KPIs each section bears on: their targets' owners are named beside it."""


def _pct(x: object) -> str:
    return f"{float(x):.0%}" if isinstance(x, int | float) else "n/a"


class FeedbackView:
    """The tables and sentences of the sales-insight page for one run."""

    def __init__(self, run: RunData) -> None:
        self.run = run
        self.level = run.params.intervals.level
        self.draws = run.params.intervals.draws
        self.as_of = run.params.window.as_of
        self._memo: dict[str, Any] = {}

    # ------------------------------------------------------------------ plumbing
    def _view(self) -> Dataset:
        ds = self.run.dataset
        if ds.contacts is not None:
            return ds
        return dataclasses.replace(ds, contacts=pl.DataFrame(schema=TABLES["contacts"].schema))

    def _get(self, name: str, key: str, compute: Callable[[Dataset], T]) -> T:
        """Compute once; on data the section cannot use, quietly on an empty view."""
        if name not in self._memo:
            if self.run.readiness.supported(key):
                self._memo[name] = compute(self.run.dataset)
            else:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    self._memo[name] = compute(self._view())
        value: T = self._memo[name]
        return value

    def _table(
        self, name: str, key: str, compute: Callable[[Dataset], pl.DataFrame]
    ) -> pl.DataFrame:
        frame = self._get(name, key, compute)
        return frame if self.run.readiness.supported(key) else frame.clear()

    def targets_markdown(self, key: str) -> Markdown:
        """Return the agreed targets section ``key`` bears on: actual, target, owner, status.

        Empty without agreed targets, or when none of the section's KPIs
        (:data:`TARGETS_OF`) is targeted.
        """
        if not self.run.readiness.supported("scorecard"):
            return Markdown("")
        with warnings.catch_warnings():  # the scorecard page shows its own cautions
            warnings.simplefilter("ignore")
            card = self.run.scorecard().table
        rows = card.filter(pl.col("kpi").is_in(list(TARGETS_OF[key]))).sort("kpi", "end")
        rows = rows.unique("target_id", keep="last", maintain_order=True)
        if not rows.height:
            return Markdown("")
        shown = with_text(rows, self.run.params.report.currency)
        lines = [
            Markdown(
                "- **{}** ({}): {} against a target of {} ({} is better); owned by **{}**, {}"
            ).format(
                r["label"],
                r["period_label"],
                r["actual_text"],
                r["target_text"],
                "higher" if KPIS[r["kpi"]].higher_is_better else "lower",
                r["owner"],
                r["status"],
            )
            for r in shown.iter_rows(named=True)
        ]
        return Markdown("The agreed targets this bears on (see the scorecard):\n\n") + Markdown(
            "\n"
        ).join(lines)

    # ------------------------------------------------------------------ what sales heard
    def loss_reasons(self, by: str | None = None) -> pl.DataFrame:
        """Return lost deals by reason (and by ``by``), with shares and intervals."""
        return self._table(
            f"loss_{by}",
            "loss_reasons",
            lambda ds: loss_reasons(ds, by=by, level=self.level, as_of=self.as_of).table,
        )

    def loss_changes(self) -> pl.DataFrame:
        """Return the change of each loss reason's share from the previous 90 days."""
        return self._table(
            "loss_changes",
            "loss_reasons",
            lambda ds: reason_changes(ds, kind="loss", as_of=self.as_of, level=self.level).table,
        )

    def heard_markdown(self) -> Markdown:
        """Return what sales heard about lost deals: the top reason and the largest change."""
        if not self.run.readiness.supported("loss_reasons"):
            return Markdown("")
        top = self.loss_reasons().row(0, named=True)
        text = Markdown(
            "Sales recorded a reason for lost deals; the most common is **{}**: {:,} of {:,} "
            "lost deals ({}, {} interval {} to {})."
        ).format(
            top["reason"],
            top["lost"],
            top["group_lost"],
            _pct(top["share"]),
            f"{self.level:.0%}",
            _pct(top["share_low"]),
            _pct(top["share_high"]),
        )
        changes = self.loss_changes().filter(
            (pl.col("change_low") > 0) | (pl.col("change_high") < 0)
        )
        if changes.height:
            row = changes.sort(pl.col("change").abs(), descending=True).row(0, named=True)
            text += Markdown(
                " In the last 90 days **{}** moved from {} to {} of lost deals (change {}, "
                "interval {} to {})."
            ).format(
                row["reason"],
                _pct(row["share_before"]),
                _pct(row["share_now"]),
                f"{row['change']:+.0%}",
                f"{row['change_low']:+.0%}",
                f"{row['change_high']:+.0%}",
            )
        else:
            text += Markdown(" No reason's share changed clearly from the 90 days before.")
        return text + Markdown(
            "\n\n*A reason is what a rep recorded, not a measured cause; shares describe "
            "the lost deals, not what the source did.*"
        )

    # ------------------------------------------------------------------ rejected leads
    def rejections(self, by: str = "campaign") -> pl.DataFrame:
        """Return the sources whose leads sales rejects most, with the reason it gives most."""
        return self._table(
            f"rejections_{by}",
            "disqualified",
            lambda ds: rejection_rates(ds, by=by, level=self.level, min_leads=5).table,
        )

    def disqualification_reasons(self) -> pl.DataFrame:
        """Return disqualified leads by reason (every lead together)."""
        return self._table(
            "dq_reasons",
            "disqualified",
            lambda ds: disqualification_reasons(ds, by=None, level=self.level).table,
        )

    def recycled(self) -> pl.DataFrame:
        """Return what became of recycled leads."""
        return self._table("recycled", "disqualified", lambda ds: recycled_leads(ds).table)

    def rejections_markdown(self) -> Markdown:
        """Return which campaign's leads sales rejects most, and why, in a sentence."""
        table = self.rejections()
        if not table.height:
            return Markdown("")
        top = table.row(0, named=True)
        return Markdown(
            "Sales turned away {} of the leads from **{}** ({:,} of {:,}; {} interval {} to "
            "{}), most often as **{}** ({} of them).\n\n*Campaigns with few leads have wide "
            "intervals; a high rate says who the leads were, not that the campaign caused "
            "the rejection.*"
        ).format(
            _pct(top["rate"]),
            top["campaign"],
            top["disqualified"],
            top["leads"],
            f"{self.level:.0%}",
            _pct(top["rate_low"]),
            _pct(top["rate_high"]),
            top["top_reason"],
            _pct(top["top_reason_share"]),
        )

    # ------------------------------------------------------------------ the profile
    def profile(self) -> ProfileEstimate:
        """Return the profile model and its sentence (see :func:`ideal_customer_profile`)."""
        return self._get(
            "profile",
            "profile",
            lambda ds: ideal_customer_profile(ds, level=self.level, as_of=self.as_of),
        )

    def profile_table(self, by: str = "segment") -> pl.DataFrame:
        """Return win rate, deal size, cycle and revenue per account by ``by``."""
        return self._table(
            f"profile_{by}",
            "profile",
            lambda ds: profile_table(ds, by=by, level=self.level, as_of=self.as_of).table,
        )

    def profile_terms(self) -> pl.DataFrame:
        """Return the model's odds ratios (empty when the data cannot support the model)."""
        found = self.profile()
        return found.table if self.run.readiness.supported("profile") else found.table.clear()

    def reach(self) -> pl.DataFrame:
        """Return marketing's reach into the profile: MQLs, spend, deals, won revenue."""
        profile = self.profile().profile
        return self._table("reach", "profile", lambda ds: profile_reach(ds, profile).table)

    def profile_markdown(self) -> Markdown:
        """Return the profile that wins most, with its evidence and caveat, escaped."""
        if not self.run.readiness.supported("profile"):
            return Markdown("")
        found = self.profile()
        return plain(found.sentence) + Markdown(
            "\n\n*Who has won, not who would win if marketing reached more of them; "
            "firmographics stand for budget and need the data does not hold.*"
        )

    # ------------------------------------------------------------------ buying groups
    def group_sizes(self) -> pl.DataFrame:
        """Return the win rate of closed deals by the number of people engaged."""
        return self._table(
            "group_sizes",
            "buying_group",
            lambda ds: (
                win_rate_by_group_size(buying_groups(ds, as_of=self.as_of), level=self.level).table
            ),
        )

    def decision_maker(self) -> BuyingGroupEffect:
        """Return the decision-maker estimate (see :func:`decision_maker_effect`)."""
        return self._get(
            "dm",
            "buying_group",
            lambda ds: decision_maker_effect(
                ds, level=self.level, draws=self.draws, as_of=self.as_of
            ),
        )

    def thin_deals(self) -> pl.DataFrame:
        """Return open deals with a thin buying group, largest first."""
        return self._table(
            "thin", "buying_group", lambda ds: thin_open_deals(ds, as_of=self.as_of).table
        )

    def buying_markdown(self) -> Markdown:
        """Return the decision-maker finding in a sentence with its interval and caveat."""
        if not self.run.readiness.supported("buying_group"):
            return Markdown("")
        effect = self.decision_maker()
        if not effect.supported:
            return Markdown("The decision-maker estimate is not shown: {}.").format(effect.reason)
        row = effect.table.row(0, named=True)
        return Markdown(
            "Closed deals with a decision maker engaged before the close won {} of the time, "
            "those without {}, among deals alike in {}: odds {} times as high ({} interval "
            "{} to {}; {:,} deals, {:,} with a decision maker).\n\n*An association: a "
            "decision maker may join because a deal goes well; the CRM may not log every "
            "person a rep met.*"
        ).format(
            _pct(row["win_rate_with"]),
            _pct(row["win_rate_without"]),
            " and ".join(effect.controls) or "nothing (unadjusted)",
            f"{row['odds_ratio']:.1f}",
            f"{self.level:.0%}",
            f"{row['low']:.1f}",
            f"{row['high']:.1f}",
            row["deals"],
            row["with_decision_maker"],
        )


def feedback_view(run: RunData) -> FeedbackView:
    """Return the sales-insight page's view of ``run``."""
    return FeedbackView(run)
