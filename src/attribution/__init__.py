"""attribution: where closed revenue came from, for marketing and sales together.

>>> import attribution as at
>>> ds = at.demo.generate(n_accounts=100, seed=0)
>>> j = at.journeys(ds)
"""

from attribution import demo, health, mapping, schema
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
from attribution.io import load, open_source
from attribution.journeys import journeys, paths
from attribution.mapping import Mapping, load_mapping
from attribution.schema import validate

__version__ = "0.1.0"
__all__ = [
    "AttributionError",
    "ContributionResult",
    "DataError",
    "Dataset",
    "Diagnostics",
    "EstimateWarning",
    "Mapping",
    "ParameterError",
    "SchemaError",
    "SourceError",
    "__version__",
    "contributions",
    "demo",
    "health",
    "journeys",
    "load",
    "load_mapping",
    "mapping",
    "open_source",
    "opportunity_features",
    "paths",
    "schema",
    "validate",
]
