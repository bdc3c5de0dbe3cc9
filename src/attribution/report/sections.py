"""The params file's schema: one frozen dataclass per section, checked by :mod:`attribution.config`.

A params file says which data to read, how to build journeys and how to show results::

    run_name: q3                # the run writes outputs/<run_name>/
    title: Q3 revenue review
    source:
      path: ../exports/q3       # a folder of <table>.parquet/.csv, or a database URL
      time_zone: Europe/Berlin  # zone of timestamps written without an offset
    window:
      lookback_days: 180
    report:
      currency: "€"
    intervals:
      level: 0.9                # coverage of every interval of the run
      draws: 500

Each field's docstring is its documentation; ``metadata`` holds its accepted range. Reading
and checking a file is :mod:`attribution.report.params`.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Literal, cast

from attribution._intervals import DEFAULT_DRAWS, DEFAULT_LEVEL, DRAWS_RANGE, LEVEL_RANGE
from attribution._time import DEFAULT_LOOKBACK_DAYS
from attribution.config import plain
from attribution.data.schema.plausible import EARLIEST, FUTURE_DAYS
from attribution.models import ModelName
from attribution.models.compare import DEFAULT_MODELS

__all__ = [
    "DemoSource",
    "GoalOptions",
    "Intervals",
    "ModelOptions",
    "MoneyOptions",
    "ReportOptions",
    "RunParams",
    "ScorecardFiles",
    "Source",
    "SparkSource",
    "Window",
]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


@dataclass(frozen=True)
class DemoSource:
    """The built-in demo data (:func:`attribution.data.demo.generate`)."""

    accounts: int = field(default=3_000, metadata={"min": 1, "max": 9_999_999})
    """Companies to simulate (about 35% open an opportunity)."""
    seed: int = 0
    """Random seed: the same seed and size give identical data."""
    experiments: list[str] = field(default_factory=list)
    """Marketing channels to run a simulated holdout experiment on (e.g. ``[webinar]``): a
    random ``holdout_share`` of the accounts gets none of the channel's touches before deals
    close, the data gain an ``experiments`` table, and the attribution page measures each
    experiment's lift and calibrates the incremental model's credit by it. Empty: none."""
    holdout_share: float = field(default=0.5, metadata={"min": 0.05, "max": 0.95})
    """Share of the accounts held out of each experiment's channel."""


@dataclass(frozen=True)
class SparkSource:
    """Tables on Spark (see :mod:`attribution.spark`): read, checked and credited there."""

    tables: dict[str, str] = field(default_factory=dict)
    """Spark table names: ``{touches: db.touches, opportunities: db.opps, contacts: ...}``."""
    master: str | None = None
    """Spark master (e.g. ``local[2]``); default: the session's own (``spark-submit``)."""
    credits_parquet: str | None = None
    """Folder that receives the credits of every model in ``models.models``, computed on
    Spark, as Parquet partitioned by ``closed_month=YYYY-MM`` (replaced as a whole)."""

    path_fields: ClassVar[tuple[str, ...]] = ("credits_parquet",)


@dataclass(frozen=True)
class Source:
    """Where the data comes from: the built-in demo, a folder or database, or Spark."""

    demo: DemoSource | None = None
    """Use the built-in demo data (give ``demo: {}`` for the defaults)."""
    spark: SparkSource | None = None
    """Read the tables from Spark (``spark: {tables: {...}}``)."""
    path: str | None = None
    """A folder of ``<table>.parquet``/``.csv`` files, or a database URL (a password in it
    is masked wherever the run writes or shows the source; better use ``url_env``)."""
    url_env: str | None = field(
        default=None,
        metadata={
            "pattern": re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}"),
            "pattern_text": "the name of an environment variable (letters, digits and '_')",
        },
    )
    """The environment variable holding the database URL, so that no password sits in the
    params file: ``source: {url_env: CRM_DB_URL}``. A source with no ``path``, ``demo``
    or ``spark`` reads ``ATTRIBUTION_DB_URL``."""
    tables: dict[str, str] | None = None
    """Table or file names that differ from the contract's: ``{touches: activities}``."""
    columns: dict[str, dict[str, str]] | None = None
    """Per table, ``{your column: contract column}``."""
    time_zone: str | None = None
    """IANA zone of timestamps written without an offset (default: the mapping's, else UTC)."""
    mapping: str | None = None
    """A YAML mapping file for CRM exports, passed to :func:`attribution.load`."""
    lazy: bool = False
    """Keep tables as lazy scans while validating (for sources larger than memory)."""
    earliest: datetime = EARLIEST
    """Timestamps before this are problems (placeholder dates such as 1900-01-01)."""
    future_days: float = field(default=FUTURE_DAYS, metadata={"min": 0, "max": 36500})
    """Timestamps more than this many days after the moment the data is checked are
    problems (typos such as 2200; planned meetings up to a year ahead are fine)."""

    path_fields: ClassVar[tuple[str, ...]] = ("path", "mapping")


@dataclass(frozen=True)
class Window:
    """How journeys are cut (see :func:`attribution.journeys`)."""

    lookback_days: float = field(default=DEFAULT_LOOKBACK_DAYS, metadata={"min": 0, "max": 3650})
    """Days before an opportunity's creation that its journey starts."""
    as_of: datetime | None = None
    """The moment the data is seen at; default: the latest timestamp in the data."""


@dataclass(frozen=True)
class ReportOptions:
    """How results are shown."""

    currency: str = field(default="$", metadata={"min_length": 1, "max_length": 5})
    """Symbol printed before money amounts."""
    top_paths: int = field(default=10, metadata={"min": 1, "max": 50})
    """How many of the most frequent journeys to list."""


@dataclass(frozen=True)
class Intervals:
    """How every interval of the run is made: one coverage, one number of draws."""

    level: float = field(
        default=DEFAULT_LEVEL, metadata={"min": LEVEL_RANGE[0], "max": LEVEL_RANGE[1]}
    )
    """Coverage of every interval in the reports (0.9: 90%)."""
    draws: int = field(
        default=DEFAULT_DRAWS, metadata={"min": DRAWS_RANGE[0], "max": DRAWS_RANGE[1]}
    )
    """Bootstrap resamples of accounts (credited revenue) or draws of a fitted model's
    coefficients (contributions, SLA cost) behind each interval."""


@dataclass(frozen=True)
class ScorecardFiles:
    """The shared scorecard's agreements (see :mod:`attribution.alignment.scorecard`)."""

    definitions: str | None = field(default=None, metadata={"min_length": 1})
    """The agreed definitions YAML (MQL, SQL, the SLA). Default: none agreed (the scorecard
    page says how to write one; ``attribution init`` drafts it from the data), except on
    the built-in demo data, which uses the shipped demo example."""
    targets: str | None = field(default=None, metadata={"min_length": 1})
    """The shared targets YAML (KPIs, owners, due dates); default as for ``definitions``."""

    path_fields: ClassVar[tuple[str, ...]] = ("definitions", "targets")


@dataclass(frozen=True)
class ModelOptions:
    """Which attribution models the reports compare, and how (``models`` section)."""

    moved_keys: ClassVar[dict[str, str]] = {"ci": "intervals.level", "n_boot": "intervals.draws"}

    models: list[ModelName] = field(
        default_factory=lambda: cast(list[ModelName], list(DEFAULT_MODELS)),
        metadata={"min_length": 1},
    )
    """Models to set side by side (see :data:`attribution.MODELS`), in display order."""
    markov_order: int = field(default=1, metadata={"min": 1, "max": 4})
    """Previous channels a state of the Markov model remembers."""
    half_life_days: float = field(default=7.0, metadata={"min": 0.1, "max": 3650})
    """Days in which a touch's weight halves in the ``time_decay`` model."""
    custom_weights: dict[str, float] = field(default_factory=dict)
    """Milestone weights of the ``custom`` model: first, lead_creation,
    opportunity_creation, close and rest (needed when ``custom`` is listed)."""
    top_campaigns: int = field(default=10, metadata={"min": 1, "max": 50})
    """Campaigns with the most credited revenue to show."""
    refit_draws: int = field(default=50, metadata={"min": 20, "max": 20_000})
    """Account resamples for the incremental model's intervals and the model checks'
    stability. Each one re-fits a win model (about 0.5 s at 50,000 accounts), so it is
    fewer than ``intervals.draws`` by default; raise it for a final report."""


@dataclass(frozen=True)
class GoalOptions:
    """The shared-goal estimates: contributions, the hand-off SLA, lead scores (``goals``)."""

    moved_keys: ClassVar[dict[str, str]] = {"level": "intervals.level", "draws": "intervals.draws"}

    sla_hours: float | None = field(default=None, metadata={"min": 0.1, "max": 8760})
    """Agreed maximum hours from MQL to the first sales touch. Default: the agreement's
    ``sla.response_hours`` in the scorecard's definitions file, which owns the SLA; a
    different number here is an error (one agreement, one number). Without agreed
    definitions: this number, 24 when not given."""
    response_bins_hours: list[float] = field(
        default_factory=lambda: [1.0, 4.0, 24.0, 72.0], metadata={"min_length": 1}
    )
    """Edges (hours) of the response-time bins compared for conversion."""
    interval: Literal["simulation", "bootstrap"] = "simulation"
    """How contribution intervals are made: coefficient draws (fast) or a bootstrap."""
    channel_groups: dict[str, list[str]] = field(default_factory=dict)
    """Optional channel groups whose contributions are split too: ``{paid: [paid_search]}``."""
    score_outcome: Literal["opportunity", "won"] = "opportunity"
    """What lead-score weights predict: an opportunity opened, or a won deal."""


@dataclass(frozen=True)
class MoneyOptions:
    """Spend and return, pipeline, periods and segments compared (``money`` section)."""

    model: ModelName = "w_shaped"
    """The model whose credits the spend, pipeline and period views use."""
    revenue_months: float | None = field(default=None, metadata={"min": 1, "max": 600})
    """Months over which a won deal's amount is earned (12 for annual contracts): gives
    the payback months of acquisition spend; default none (no payback shown)."""
    period: Literal["month", "quarter", "year"] = "quarter"
    """The period compared: the latest complete one before ``as_of`` (unless
    ``period_start``/``period_end`` name it)."""
    period_start: datetime | None = None
    """Start of the period compared (with ``period_end``); default: see ``period``."""
    period_end: datetime | None = None
    """End (exclusive) of the period compared."""
    compare_to: Literal["previous", "last_year"] = "previous"
    """What the period is compared with: the period before, or the same dates a year
    earlier (unless ``compare_start``/``compare_end`` name it)."""
    compare_start: datetime | None = None
    """Start of the period compared with (with ``compare_end``); overrides ``compare_to``."""
    compare_end: datetime | None = None
    """End (exclusive) of the period compared with."""
    segment_by: str | None = "segment"
    """Account column whose values split the credits (segment, region...); none: no split."""
    top_deals: int = field(default=5, metadata={"min": 1, "max": 50})
    """Largest won and lost deals whose journeys are listed."""


@dataclass(frozen=True)
class RunParams:
    """Everything one report run needs; one params YAML file.

    Build it with :func:`load_params` (from a file) or :func:`parse_params`.
    """

    run_name: str = field(default="report", metadata={"pattern": _NAME})
    """Name of the run: the report is written to ``<output_dir>/<run_name>/``."""
    title: str = "Where our revenue came from"
    """Title shown on the index page of the run."""
    source: Source = field(default_factory=lambda: Source(demo=DemoSource()))
    """The data (default: the built-in demo)."""
    window: Window = field(default_factory=Window)
    report: ReportOptions = field(default_factory=ReportOptions)
    models: ModelOptions = field(default_factory=ModelOptions)
    goals: GoalOptions = field(default_factory=GoalOptions)
    intervals: Intervals = field(default_factory=Intervals)
    scorecard: ScorecardFiles = field(default_factory=ScorecardFiles)
    money: MoneyOptions = field(default_factory=MoneyOptions)
    by: str | None = field(default=None, metadata={"min_length": 1, "max_length": 200})
    """Run every page per segment too: an account or opportunity column (``segment``,
    ``region``, ``owner``, ``opportunities.source``...). The run then writes, besides the
    whole-data pages, each value's pages in ``by/<column>/<value>/`` and a comparison page
    ``by/<column>/index.html``. Default none: the whole data only."""
    by_values: list[str] | None = field(default=None, metadata={"min_length": 1, "max_length": 12})
    """The values of ``by`` to run (default: every value, at most 12)."""
    by_min_won: int = field(default=10, metadata={"min": 1, "max": 100_000})
    """Won deals a value needs for pages of its own; a value with fewer gets a line on
    the comparison page saying so, and no pages."""
    notebooks: list[str] | None = None
    """Names of the notebooks to run, in order; default: every notebook in notebooks_dir."""
    notebooks_dir: str | None = None
    """Folder of the report notebooks; default: the pages shipped with the package (the
    repository's ``notebooks/`` links to them)."""
    output_dir: str = "../outputs"
    """Folder that receives the run folder ``<output_dir>/<run_name>/`` (relative to the
    params file; ``attribution run --out DIR`` writes ``DIR/<run_name>/`` instead)."""

    path_fields: ClassVar[tuple[str, ...]] = ("notebooks_dir", "output_dir")

    def to_dict(self) -> dict[str, Any]:
        """Return plain values (timestamps as ISO text), e.g. for ``manifest.json``.

        Examples
        --------
        >>> RunParams().to_dict()["source"]["demo"]
        {'accounts': 3000, 'seed': 0, 'experiments': [], 'holdout_share': 0.5}
        """
        out: dict[str, Any] = plain(dataclasses.asdict(self))
        return out
