"""What the money page shows: spend and return, pipeline, periods, segments, largest deals.

:func:`money_views` gives a report page one :class:`MoneyViews` per run, computed on first
use and kept: the credits of the run's ``money.model``, its return on spend per channel
and campaign (and the return per channel under every model of the run), created and
pending pipeline, the latest period against the one it is compared with, credits by
segment, and the journeys of the largest won and lost deals. A section the data cannot
support (:mod:`attribution.report.readiness`) gets an empty table with the right columns;
its note says why. What the page says about them is :mod:`attribution.report.money_texts`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import polars as pl

from attribution._markdown import Markdown, code
from attribution._time import as_of as resolve_as_of
from attribution.data.schema import ACCOUNT_ID, CHANNEL, OPPORTUNITY_ID
from attribution.errors import ParameterError
from attribution.estimates.win_probability import WinProbability, win_probability
from attribution.models.compare import model_specs
from attribution.models.registry import attribute
from attribution.money.deal import deal_journey, largest_deals
from attribution.money.periods import (
    CompareTo,
    PeriodChange,
    Window,
    compare_periods,
    compare_segments,
)
from attribution.money.pipeline import pipeline_by, pipeline_credits, reconcile
from attribution.money.returns import ReturnOnSpend, returns
from attribution.money.spend import spend_table
from attribution.report.shared import RunData

__all__ = ["MoneyViews", "latest_period", "money_views"]

T = TypeVar("T")

_MONTHS = {"month": 1, "quarter": 3, "year": 12}
_RETURN_COLUMNS = {
    "spend": pl.Float64,
    "revenue": pl.Float64,
    "roas": pl.Float64,
    "roas_low": pl.Float64,
    "roas_high": pl.Float64,
    "roi": pl.Float64,
    "cac": pl.Float64,
    "cost_per_won_deal": pl.Float64,
    "cost_per_opportunity": pl.Float64,
    "payback_months": pl.Float64,
}


def latest_period(as_of: datetime, period: str) -> tuple[datetime, datetime]:
    """Return the latest complete calendar month, quarter or year before ``as_of``.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> s, e = latest_period(datetime(2026, 6, 20, tzinfo=timezone.utc), "quarter")
    >>> s.date(), e.date()
    (datetime.date(2026, 1, 1), datetime.date(2026, 4, 1))
    """
    months = _MONTHS[period]
    index = as_of.year * 12 + as_of.month - 1
    end_index = index - index % months
    end = as_of.replace(
        year=end_index // 12,
        month=end_index % 12 + 1,
        day=1,
        hour=0,
        minute=0,
        second=0,
        microsecond=0,
    )
    start_index = end_index - months
    start = end.replace(year=start_index // 12, month=start_index % 12 + 1)
    return start, end


class MoneyViews:
    """Spend, return, pipeline and periods of one run (see the module docstring)."""

    def __init__(self, run: RunData) -> None:
        self.run = run
        self.options = run.params.money
        self._memo: dict[str, Any] = {}

    def _keep(self, name: str, compute: Callable[[], T]) -> T:
        if name not in self._memo:
            self._memo[name] = compute()
        value: T = self._memo[name]
        return value

    # ------------------------------------------------------------------ credits
    def _options(self, model: str) -> dict[str, Any]:
        m = self.run.params.models
        specs = model_specs(
            [model],
            markov_order=m.markov_order,
            half_life_days=m.half_life_days,
            custom_weights=m.custom_weights or None,
        )
        return dict(specs[model])

    @property
    def model(self) -> str:
        """The model whose credits the page's money views use."""
        return str(self.options.model)

    @property
    def credits(self) -> pl.DataFrame:
        """Won revenue credited by the page's model."""
        model = self.model
        frame: pl.DataFrame = self._keep(  # the options could name an engine: Any
            "credits", lambda: attribute(self.run.journeys, model, **self._options(model))
        )
        return frame

    @property
    def spend(self) -> pl.DataFrame:
        """The run's spend (its spend table, else the touches' costs)."""
        return self._keep("spend", lambda: spend_table(self.run.dataset))

    # ------------------------------------------------------------------ return
    def returns(self, by: str = CHANNEL) -> pl.DataFrame:
        """Return on spend per channel (or campaign) of the page's model; empty without spend."""
        result = self.return_result(by)
        if result is None:
            return pl.DataFrame(schema={by: pl.String, **_RETURN_COLUMNS})
        return result.table

    def return_result(self, by: str = CHANNEL) -> ReturnOnSpend | None:
        """Return the :class:`~attribution.money.returns.ReturnOnSpend` behind :meth:`returns`."""
        if not self.run.readiness.supported("spend") or self.spend.is_empty():
            return None
        iv = self.run.params.intervals
        return self._keep(
            f"returns_{by}",
            lambda: returns(
                self.credits,
                self.spend,
                self.run.dataset.lazy("touches"),
                by=by,
                pipeline=self.created if by == CHANNEL or by == "campaign" else None,
                revenue_months=self.options.revenue_months,
                level=iv.level,
                draws=iv.draws,
            ),
        )

    def roas_by_model(self) -> pl.DataFrame:
        """ROAS per channel under every model of the run, with intervals."""
        empty = pl.DataFrame(
            schema={
                "model": pl.String,
                CHANNEL: pl.String,
                "roas": pl.Float64,
                "roas_low": pl.Float64,
                "roas_high": pl.Float64,
            }
        )
        if self.return_result() is None:
            return empty
        iv = self.run.params.intervals
        touches = self.run.dataset.lazy("touches")
        credits = self.all_credits  # each model attributed once per run, also for the deals
        parts = [
            returns(
                credits[name],
                self.spend,
                touches,
                level=iv.level,
                draws=iv.draws,
            ).table.select(pl.lit(name).alias("model"), CHANNEL, "roas", "roas_low", "roas_high")
            for name in self.run.params.models.models
        ]
        return pl.concat(parts) if parts else empty

    # ------------------------------------------------------------------ every model
    @property
    def all_credits(self) -> dict[str, pl.DataFrame]:
        """Won credits of every model of the run (and the page's model), by name."""
        names = list(dict.fromkeys([*self.run.params.models.models, self.model]))
        j = self.run.journeys
        return self._keep(
            "all_credits",
            lambda: {
                n: self.credits if n == self.model else attribute(j, n, **self._options(n))
                for n in names
            },
        )

    # ------------------------------------------------------------------ pipeline
    @property
    def created(self) -> pl.DataFrame:
        """Created pipeline credited by the page's model (touches up to each creation)."""
        model = self.model
        return self._keep(
            "created",
            lambda: pipeline_credits(self.run.journeys, model, **self._options(model)),
        )

    @property
    def win(self) -> WinProbability:
        """Each deal's win probability (the value of open pipeline)."""
        iv = self.run.params.intervals
        return self._keep(
            "win",
            lambda: win_probability(
                self.run.dataset, self.run.journeys, level=iv.level, draws=iv.draws
            ),
        )

    @property
    def pending(self) -> pl.DataFrame:
        """Open pipeline at its expected value, credited by the page's model."""
        model = self.model
        return self._keep(
            "pending",
            lambda: pipeline_credits(
                self.run.journeys, model, kind="pending", win=self.win, **self._options(model)
            ),
        )

    def pipeline(self, by: str = CHANNEL) -> pl.DataFrame:
        """Sum created, open and pending pipeline per channel, campaign or team."""
        return pipeline_by(self.created, self.pending, self.win, by=by)

    def reconciliation(self) -> pl.DataFrame:
        """Check created pipeline per month = won + lost + open = what the model credited."""
        return reconcile(self.run.dataset.lazy("opportunities"), self.created)

    # ------------------------------------------------------------------ periods
    def windows(self) -> tuple[Window, CompareTo | Window]:
        """Return the period compared and what it is compared with (params ``money``)."""
        o = self.options
        if (o.period_start is None) != (o.period_end is None):
            raise ParameterError("money: give both period_start and period_end, or neither")
        if (o.compare_start is None) != (o.compare_end is None):
            raise ParameterError("money: give both compare_start and compare_end, or neither")
        if o.period_start is not None and o.period_end is not None:
            current = (o.period_start, o.period_end)
        else:
            as_of = resolve_as_of(self.run.dataset, self.run.params.window.as_of)
            current = latest_period(as_of, o.period)
        if o.compare_start is not None and o.compare_end is not None:
            return current, (o.compare_start, o.compare_end)
        return current, o.compare_to

    def change(self, what: str = "credits", by: str = "team") -> PeriodChange:
        """Compare won credits (by close) or created pipeline (by creation) across the periods."""
        frames = {"credits": lambda: self.credits, "pipeline": lambda: self.created}
        if what not in frames:
            raise ParameterError(f"what must be 'credits' or 'pipeline', got {what!r}")
        current, compare_to = self.windows()
        iv = self.run.params.intervals
        return self._keep(
            f"change_{what}_{by}",
            lambda: compare_periods(
                frames[what](),
                by=by,
                date="closed_at",
                current=current,
                compare_to=compare_to,
                level=iv.level,
                draws=iv.draws,
            ),
        )

    # ------------------------------------------------------------------ segments
    def segments(self, by: str = "team") -> pl.DataFrame:
        """Won credits of the page's model per segment (``money.segment_by``) and ``by``."""
        column = self.options.segment_by
        accounts = self.run.dataset.accounts
        empty = pl.DataFrame(
            schema={
                "segment": pl.String,
                by: pl.String,
                "credited": pl.Float64,
                "low": pl.Float64,
                "high": pl.Float64,
                "share": pl.Float64,
            }
        )
        if column is None or accounts is None:
            return empty
        frame = (
            accounts.lazy().select(ACCOUNT_ID, pl.col(column).alias("segment")).collect()
            if column in accounts.lazy().collect_schema()
            else None
        )
        if frame is None:
            return empty
        iv = self.run.params.intervals
        split = compare_segments(
            self.credits, frame, by=by, segment="segment", level=iv.level, draws=iv.draws
        )
        return split.table.rename({"value": "credited"})

    def segment_note(self) -> Markdown:
        """Markdown saying why the segment split is empty (or nothing)."""
        column = self.options.segment_by
        accounts = self.run.dataset.accounts
        if column is None:
            return Markdown("> **Not shown: `money.segment_by` is empty in the params file.**")
        if accounts is None or column not in accounts.lazy().collect_schema():
            return Markdown(
                f"> **Not shown: the accounts have no column {code(column)} to split by.** "
                "Name another with `money.segment_by`."
            )
        return Markdown("")

    # ------------------------------------------------------------------ deals
    def largest(self) -> pl.DataFrame:
        """Return the largest won and lost deals (``money.top_deals`` of each)."""
        return self._keep(
            "largest",
            lambda: largest_deals(self.run.dataset.lazy("opportunities"), n=self.options.top_deals),
        )

    def journeys_of_largest(self) -> pl.DataFrame:
        """Every event of the largest deals' journeys, deal by deal, with each model's credit."""
        return self._keep("journeys_of_largest", self._journeys_of_largest)

    def _journeys_of_largest(self) -> pl.DataFrame:
        deals = self.largest()
        ds = self.run.dataset
        parts = [
            deal_journey(
                self.run.journeys,
                deal,
                credits=self.all_credits,
                stage_history=ds.stage_history,
                contacts=ds.contacts,
            ).with_columns(pl.lit(deal).alias(OPPORTUNITY_ID))
            for deal in deals[OPPORTUNITY_ID].to_list()
        ]
        if not parts:
            return pl.DataFrame(schema={OPPORTUNITY_ID: pl.String, "at": pl.Datetime("us", "UTC")})
        out = pl.concat(parts, how="diagonal_relaxed")
        return out.select(OPPORTUNITY_ID, pl.exclude(OPPORTUNITY_ID))


def money_views(run: RunData) -> MoneyViews:
    """Return the run's :class:`MoneyViews` (one per run, kept on it).

    Examples
    --------
    >>> from attribution.report.shared import open_run
    >>> run = open_run(None, {"source": {"demo": {"accounts": 300}}, "intervals": {"draws": 40}})
    >>> v = money_views(run)
    >>> v is money_views(run), v.returns().columns[:3]
    (True, ['channel', 'spend', 'revenue'])
    """
    return run.memo("money_views", lambda: MoneyViews(run))
