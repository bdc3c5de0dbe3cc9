"""attribution: where closed revenue came from, for marketing and sales together.

>>> import attribution as at
>>> ds = at.demo.generate(n_accounts=100, seed=0)
>>> j = at.journeys(ds)
"""

from types import ModuleType

from attribution import (
    demo,
    health,
    mapping,
    notebook,
    overview,
    params,
    report,
    schema,
    snapshot,
)
from attribution.contributions import ContributionResult, contributions
from attribution.dataset import Dataset
from attribution.diagnostics import Diagnostics, EstimateWarning
from attribution.errors import (
    AttributionError,
    DataError,
    ParameterError,
    SchemaError,
    SourceError,
)
from attribution.features import opportunity_features
from attribution.funnel import funnel, response_times, sourced_influenced, speed_to_lead
from attribution.handoff import EffectResult, SlaCost, sla_cost, speed_to_lead_effect
from attribution.io import load, open_source
from attribution.journey_files import write_journeys
from attribution.journeys import journeys, paths
from attribution.mapping import Mapping, load_mapping
from attribution.models import MODELS, attribute
from attribution.models.agreement import agreement, disagreement, top_groups
from attribution.models.compare import Comparison, compare, model_specs
from attribution.models.markov import markov
from attribution.models.shapley import shapley
from attribution.models.timeline import credit_over_time
from attribution.schema import validate
from attribution.scoring import LeadScoreResult, lead_score_weights

# the shared scorecard: agreed definitions, targets with owners, the SLA (issue 9)
from attribution import definitions, targets  # isort: skip
from attribution.definitions import Definitions, load_definitions
from attribution.qualification import AppliedDefinitions, apply_definitions
from attribution.scorecard import Scorecard, scorecard
from attribution.targets import Targets, load_targets

__version__ = "0.1.0"
__all__ = [
    "MODELS",
    "AttributionError",
    "Comparison",
    "ContributionResult",
    "DataError",
    "Dataset",
    "Diagnostics",
    "EffectResult",
    "EstimateWarning",
    "LeadScoreResult",
    "Mapping",
    "ParameterError",
    "SchemaError",
    "SlaCost",
    "SourceError",
    "__version__",
    "agreement",
    "attribute",
    "charts",
    "compare",
    "contributions",
    "credit_over_time",
    "demo",
    "disagreement",
    "funnel",
    "health",
    "journeys",
    "lead_score_weights",
    "load",
    "load_mapping",
    "mapping",
    "markov",
    "model_specs",
    "notebook",
    "open_source",
    "opportunity_features",
    "overview",
    "params",
    "paths",
    "report",
    "response_times",
    "schema",
    "shapley",
    "sla_cost",
    "snapshot",
    "sourced_influenced",
    "speed_to_lead",
    "speed_to_lead_effect",
    "top_groups",
    "validate",
    "write_journeys",
]
__all__ += [  # the shared scorecard (issue 9)
    "AppliedDefinitions",
    "Definitions",
    "Scorecard",
    "Targets",
    "apply_definitions",
    "definitions",
    "load_definitions",
    "load_targets",
    "scorecard",
    "targets",
]

_LAZY = ("charts", "report_html")  # import altair / nbconvert (seconds) only when used


def __getattr__(name: str) -> ModuleType:
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f"attribution.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'attribution' has no attribute {name!r}")


from attribution import spark  # noqa: E402  the Spark engine (issue 8); pyspark loads only when used

__all__ += ["spark"]
