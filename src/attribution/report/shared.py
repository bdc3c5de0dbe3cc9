"""What every report page reads: the run's parameters, its data, and the estimates pages share.

A report page (a notebook) opens its run with :func:`open_run` and gets a :class:`RunData`:

* ``params``: the run's :class:`~attribution.report.sections.RunParams`, one typed object
  per section (``run.params.intervals.level``, ``run.params.report.currency``...);
* ``dataset`` and ``journeys``: the validated data and its journeys (built once per page);
* the estimates that several pages show: :meth:`RunData.contributions`,
  :meth:`RunData.comparison`, :meth:`RunData.sla_cost`, :meth:`RunData.scorecard`.

Inside ``attribution run`` the runner computes those estimates once, right after the data
snapshot (:meth:`RunData.precompute`), into ``data/shared/`` of the run folder, and every
page loads the same objects (:mod:`attribution.report.store`): a number and its interval
read the same on every page. A notebook opened on its own computes them itself from
``params`` (any source a params file can name; by default the built-in demo data).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from attribution._secrets import redact
from attribution._text import DEALS
from attribution._time import as_of as resolve_as_of
from attribution._yaml import read_yaml
from attribution.alignment.not_agreed import not_agreed
from attribution.alignment.scorecard import Scorecard, scorecard
from attribution.config import plain
from attribution.data import demo
from attribution.data.dataset import Dataset
from attribution.data.load import load
from attribution.data.schema import TABLES
from attribution.data.schema.plausible import Plausible
from attribution.data.snapshot import read_snapshot
from attribution.data.sources.locate import ENV_URL, env_url
from attribution.errors import EstimateWarning, ParameterError, emit
from attribution.estimates.contributions import ContributionResult, contributions
from attribution.estimates.sla_cost import SlaCost, sla_cost
from attribution.health.caveats import Caveats, caveats
from attribution.journey.build import journeys
from attribution.models.compare import By, Comparison, compare, model_specs
from attribution.report import store
from attribution.report.params import load_params, parse_params
from attribution.report.sections import RunParams, Source
from attribution.report.views import SectionViews

__all__ = [
    "PARAMS_FILE",
    "PENDING",
    "SHARED_DIR",
    "RunData",
    "load_source",
    "open_run",
    "write_params",
]

PARAMS_FILE = "run.json"
"""The run's checked parameters, in its data folder (any password masked)."""
SHARED_DIR = "shared"
"""Subfolder of the run's data folder holding the estimates every page shares."""
_WARNINGS = "warnings.json"
PENDING = "pending.json"
"""In the shared folder while the runner computes the estimates it names."""
_WAIT_SECONDS = 3600.0

T = TypeVar("T")


class RunData(SectionViews):
    """The parameters, data and shared estimates of one run, as a report page sees them.

    Build it with :func:`open_run`. Journeys and estimates are computed on first use and
    kept; with a run folder, estimates already in it are loaded instead of computed. A
    section the data cannot support gives an empty table and a note saying what it needs
    (:class:`~attribution.report.views.SectionViews`: ``needs``, ``funnel``,
    ``speed_to_lead``, ``lead_scores``).
    """

    def __init__(self, params: RunParams, dataset: Dataset, folder: Path | None = None):
        if dataset.count_only:  # no amounts: every page counts won deals, not money
            report = dataclasses.replace(params.report, currency=DEALS)
            params = dataclasses.replace(params, report=report)
        self.params = params
        self.dataset = dataset
        self.folder = folder
        self._memo: dict[str, Any] = {}
        self._quiet = False

    @property
    def journeys(self) -> pl.DataFrame:
        """Every opportunity's journey, with the run's window (see :func:`attribution.journeys`)."""
        w = self.params.window
        return self.memo(
            "journeys",
            lambda: journeys(self.dataset, lookback_days=w.lookback_days, as_of=w.as_of),
        )

    @property
    def caveats(self) -> Caveats:
        """The gaps in the data that limit the numbers, each checked per deal."""
        return self.memo("caveats", lambda: caveats(self.journeys))

    @property
    def specs(self) -> dict[str, dict[str, Any]]:
        """The models the run compares, as :func:`attribution.compare` takes them."""
        m = self.params.models
        return model_specs(
            m.models,
            markov_order=m.markov_order,
            half_life_days=m.half_life_days,
            custom_weights=m.custom_weights or None,
        )

    def contributions(self) -> ContributionResult:
        """Return the team split of expected revenue: baseline, marketing, sales, joint."""
        p = self.params
        return self._shared(
            "contributions",
            lambda: contributions(
                self.dataset,
                lookback_days=p.window.lookback_days,
                as_of=p.window.as_of,
                journeys=self.journeys,
                channel_groups=p.goals.channel_groups or None,
                interval=p.goals.interval,
                level=p.intervals.level,
                draws=p.intervals.draws,
            ),
        )

    def comparison(self, by: By = "channel") -> Comparison:
        """Return the revenue each model credits per ``by`` (channel, team, campaign)."""
        iv = self.params.intervals
        return self._shared(
            f"comparison_{by}",
            lambda: compare(self.journeys, self.specs, by=by, level=iv.level, draws=iv.draws),
        )

    def sla_cost(self) -> SlaCost:
        """Return what late follow-up cost, per rep, against the agreed SLA.

        Without the hand-off it needs (contacts with MQL dates, sales touches), an
        unsupported estimate without warnings: the section's note says why.
        """
        p = self.params
        ready = self.readiness.supported("sla_cost")
        return self._shared(
            "sla_cost",
            lambda: sla_cost(
                self.dataset if ready else self._view(),
                sla_hours=p.goals.sla_hours or 24.0,
                by="rep",
                bins_hours=p.goals.response_bins_hours,
                level=p.intervals.level,
                draws=p.intervals.draws,
                as_of=p.window.as_of,
            ),
            quiet=not ready,
        )

    def scorecard(self) -> Scorecard:
        """Return the scorecard: KPIs against the targets, by the agreed definitions.

        Its contribution KPIs use the run's shared team split (:meth:`contributions`).
        Without agreement files (data other than the built-in demo's), the scorecard of
        :func:`~attribution.alignment.not_agreed.not_agreed`: empty, saying how to write them.
        """
        return self.memo("scorecard", self._scorecard)

    def _scorecard(self) -> Scorecard:
        p = self.params
        missing = [k for k in ("definitions", "targets") if not getattr(p.scorecard, k)]
        if missing:
            return not_agreed(missing, resolve_as_of(self.dataset, p.window.as_of))
        return scorecard(
            self.dataset,
            p.scorecard.targets,
            p.scorecard.definitions,
            as_of=p.window.as_of,
            lookback_days=p.window.lookback_days,
            contributions=self.contributions(),
            level=p.intervals.level,
        )

    SHARED: tuple[str, ...] = (
        "contributions",
        "comparison_channel",
        "comparison_team",
        "comparison_campaign",
        "sla_cost",
    )
    """The estimates several pages show, computed once per run."""

    def announce(self) -> None:
        """Say in the run folder that :meth:`precompute` is about to compute the shared estimates.

        A page that asks for an announced estimate waits for it instead of computing it
        again, so the runner can start the pages while it computes them.
        """
        if self.folder is not None:
            pending = self.folder / SHARED_DIR / PENDING
            pending.parent.mkdir(parents=True, exist_ok=True)
            pending.write_text(json.dumps(list(self.SHARED)) + "\n", encoding="utf-8")

    def precompute(self) -> dict[str, float]:
        """Compute every shared estimate into the run folder; return seconds per estimate.

        The announcement (:meth:`announce`) is withdrawn when this returns, also on
        failure: pages then compute what is missing themselves. The warnings an estimate
        raises are stored with it rather than raised here: each page that loads the
        estimate raises them again, where a reviewer reads them.
        """
        steps: dict[str, Callable[[], object]] = {
            "contributions": self.contributions,
            "comparison_channel": lambda: self.comparison("channel"),
            "comparison_team": lambda: self.comparison("team"),
            "comparison_campaign": lambda: self.comparison("campaign"),
            "sla_cost": self.sla_cost,
        }
        self._quiet = True
        took: dict[str, float] = {}
        try:
            for name, step in steps.items():
                t = time.perf_counter()
                step()
                took[name] = time.perf_counter() - t
        finally:
            self._quiet = False
            if self.folder is not None:
                (self.folder / SHARED_DIR / PENDING).unlink(missing_ok=True)
        return took

    def _await(self, name: str, stored: Path) -> None:
        """Wait while the runner is still computing ``name`` (announced in PENDING)."""
        pending = stored.parent / PENDING
        deadline = time.monotonic() + _WAIT_SECONDS
        while not stored.is_dir() and time.monotonic() < deadline:
            try:
                announced = json.loads(pending.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return  # not announced, or withdrawn: nothing to wait for
            if name not in announced:
                return
            time.sleep(0.1)

    def _shared(self, name: str, compute: Callable[[], T], *, quiet: bool = False) -> T:
        return self.memo(name, lambda: self._load_or_compute(name, compute, quiet=quiet))

    def _load_or_compute(self, name: str, compute: Callable[[], T], *, quiet: bool) -> T:
        """Load ``name`` from the run folder, or compute (and store) it; raise its warnings."""
        value: T
        stored = self.folder / SHARED_DIR / name if self.folder is not None else None
        if stored is not None and not self._quiet:
            self._await(name, stored)
        if stored is not None and stored.is_dir():
            value = store.load(stored)
            messages = json.loads((stored / _WARNINGS).read_text(encoding="utf-8"))
        else:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", EstimateWarning)
                value = compute()
            messages = [str(w.message) for w in caught if issubclass(w.category, EstimateWarning)]
            if quiet:  # a section the data cannot support: its note says why
                messages = []
            for w in caught:  # other warnings go on as usual
                if not issubclass(w.category, EstimateWarning):
                    warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            if stored is not None:
                _save_whole(value, messages, stored)
        if not self._quiet:
            emit(messages)
        return value


def _save_whole(value: object, messages: list[str], dest: Path) -> None:
    """Save a result and its warnings under a temporary name, then rename it into place."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        store.save(value, tmp / "result")
        (tmp / "result" / _WARNINGS).write_text(json.dumps(messages) + "\n", encoding="utf-8")
        with contextlib.suppress(OSError):  # another page saved it first: keep theirs
            (tmp / "result").rename(dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_params(params: RunParams, folder: Path) -> Path:
    """Write the run's parameters into its data folder, every password masked."""
    data = redact(plain(params.to_dict()))
    path = folder / PARAMS_FILE
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return path


def open_run(
    data_dir: str | Path | None = None,
    params: Mapping[str, Any] | str | Path | None = None,
) -> RunData:
    """Open a run as a report page sees it: its parameters, data and shared estimates.

    Parameters
    ----------
    data_dir
        The data folder of a run written by ``attribution run`` (``data`` in the run
        folder): its snapshot, parameters and shared estimates. Empty or ``None`` for a
        page opened on its own. (A folder of source files is read through ``params``.)
    params
        For a page opened on its own: the sections of a params file as a mapping (e.g.
        ``{"source": {"path": "exports/", "mapping": "salesforce"}, "models":
        {"markov_order": 2}}``, or ``{"source": {"path": "sqlite:///crm.db"}}``) or a
        params YAML file. Relative paths in a mapping are read from the working directory
        (in JupyterLab: the notebook's folder). Empty: the built-in demo data with the
        default settings. Ignored with ``data_dir``.

    Examples
    --------
    >>> run = open_run(None, {"source": {"demo": {"accounts": 300}}})
    >>> run.params.intervals.level, run.dataset.source
    (0.9, 'demo(n_accounts=300, seed=0)')
    """
    if data_dir:
        folder = Path(data_dir)
        _check_run_folder(folder)
        checked = parse_params(read_yaml(folder / PARAMS_FILE, what="run parameters"), agree=False)
        return RunData(checked, read_snapshot(folder), folder)
    if isinstance(params, str | Path):
        checked = load_params(params) if str(params) else parse_params({})
    else:
        checked = parse_params(dict(params or {}))
    return RunData(checked, load_source(checked.source))


def _check_run_folder(folder: Path) -> None:
    """Say how to read a folder of source files given as a run's data folder."""
    if (folder / PARAMS_FILE).is_file() or not folder.is_dir():
        return  # a run's data folder, or a missing one (read_yaml names it)
    tables = sorted({p.stem for p in folder.iterdir() if p.stem in TABLES})
    if tables:
        raise ParameterError(
            f"data_dir: {folder} holds source tables ({', '.join(tables)}), not a run's data "
            "folder; read it with params instead: leave data_dir empty and set params = "
            f'{{"source": {{"path": "{folder}"}}}} (a mapping and a time zone can go beside '
            "the path)"
        )


def load_source(source: Source) -> Dataset:
    """Load (and validate) the data a params ``source`` section names.

    Raises
    ------
    AttributionError
        The source cannot be read or breaks the data contract (every problem listed).
    """
    if source.demo is not None:
        d = source.demo
        return demo.generate(
            n_accounts=d.accounts,
            seed=d.seed,
            experiments=tuple(d.experiments),
            holdout_share=d.holdout_share,
        )
    location = source.path if source.path is not None else env_url(source.url_env or ENV_URL)
    return load(
        location,
        mapping=source.mapping,
        columns=source.columns,
        tables=source.tables,
        time_zone=source.time_zone,
        lazy=source.lazy,
        plausible=Plausible(earliest=source.earliest, future_days=source.future_days),
    )
