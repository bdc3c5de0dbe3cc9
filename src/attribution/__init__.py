"""attribution: where closed revenue came from, for marketing and sales together.

The package reads the way data flows through it::

    data/ ──► journey/ ──► models/ ─┐
      │          │                  ├──► alignment/ ──► report/ ──► cli
      │          ├──► handoff/ ─────┤
      │          ├──► health/       │
      │          └──► estimates/ ───┘

``__all__`` holds the calls a user makes; every other public name lives in its module
(``attribution.models.agreement``, ``attribution.estimates.speed``, ...) and is also
reachable as an attribute of this package, as it always was.

>>> import attribution as at
>>> ds = at.demo.generate(n_accounts=100, seed=0)
>>> j = at.journeys(ds)
"""

from __future__ import annotations

import importlib
from typing import Any

from attribution import errors, feedback, health
from attribution._version import __version__
from attribution.alignment.definitions import Definitions, load_definitions
from attribution.alignment.qualification import AppliedDefinitions, apply_definitions
from attribution.alignment.scorecard import Scorecard, scorecard
from attribution.alignment.targets import Targets, load_targets
from attribution.data import demo, mapping, schema, snapshot
from attribution.data.dataset import Dataset
from attribution.data.load import load
from attribution.data.mapping import Mapping, load_mapping
from attribution.data.schema import validate
from attribution.data.sources.locate import open_source
from attribution.errors import (
    AttributionError,
    DataError,
    DataWarning,
    EstimateWarning,
    NotebookError,
    ParameterError,
    SchemaError,
    SourceError,
)
from attribution.estimates.contributions import ContributionResult, contributions
from attribution.estimates.diagnostics import Diagnostics
from attribution.estimates.lift import LiftResult, lift
from attribution.estimates.plan import ExperimentPlan, plan_experiment
from attribution.estimates.scoring import LeadScoreResult, lead_score_weights
from attribution.estimates.sla_cost import SlaCost, sla_cost
from attribution.estimates.speed import EffectResult, speed_to_lead_effect
from attribution.handoff.funnel import funnel
from attribution.handoff.sourcing import sourced_influenced
from attribution.handoff.speed import speed_to_lead
from attribution.journey.build import journeys
from attribution.journey.features import opportunity_features
from attribution.journey.files import write_journeys
from attribution.journey.paths import paths
from attribution.journey.response import response_times
from attribution.models import MODELS, attribute
from attribution.models.agreement import agreement, disagreement, top_groups
from attribution.models.checks import ModelChecks, model_checks
from attribution.models.compare import Comparison, compare, model_specs
from attribution.models.incremental import incremental
from attribution.models.markov import markov
from attribution.models.shapley import shapley
from attribution.models.timeline import credit_over_time

__all__ = [
    "MODELS",
    "AttributionError",
    "DataError",
    "DataWarning",
    "Dataset",
    "EstimateWarning",
    "ParameterError",
    "SchemaError",
    "SourceError",
    "__version__",
    "apply_definitions",
    "attribute",
    "compare",
    "contributions",
    "demo",
    "feedback",
    "funnel",
    "incremental",
    "journeys",
    "lead_score_weights",
    "lift",
    "load",
    "load_definitions",
    "load_targets",
    "markov",
    "model_checks",
    "paths",
    "plan_experiment",
    "scorecard",
    "shapley",
    "sla_cost",
    "sourced_influenced",
    "speed_to_lead",
    "speed_to_lead_effect",
    "validate",
    "write_journeys",
]

# Names kept as attributes for code written against earlier layouts (not in __all__).
_KEPT = (
    AppliedDefinitions,
    Comparison,
    ContributionResult,
    Definitions,
    Diagnostics,
    EffectResult,
    ExperimentPlan,
    LeadScoreResult,
    LiftResult,
    Mapping,
    ModelChecks,
    NotebookError,
    Scorecard,
    SlaCost,
    Targets,
    agreement,
    credit_over_time,
    disagreement,
    errors,
    health,
    load_mapping,
    mapping,
    model_specs,
    open_source,
    opportunity_features,
    response_times,
    schema,
    snapshot,
    top_groups,
)

_LAZY = {
    # the report layer and the Spark adapter import heavy packages (papermill, nbconvert,
    # altair, pyspark): they load on first use, and the core never imports them
    "charts": "attribution.charts",
    "report": "attribution.report",
    "notebook": "attribution.report.notebook",
    "overview": "attribution.report.overview",
    "goals": "attribution.report.goals",
    "params": "attribution.report.params",
    "report_html": "attribution.report.html",
    "spark": "attribution.spark",
    "definitions": "attribution.alignment.definitions",
    "targets": "attribution.alignment.targets",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name])
        globals()[name] = module
        return module
    raise AttributeError(f"module 'attribution' has no attribute {name!r}")
