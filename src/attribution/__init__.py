"""attribution: where closed revenue came from, for marketing and sales together.

>>> import attribution as at
>>> ds = at.demo.generate(n_accounts=100, seed=0)
>>> j = at.journeys(ds)
"""

from attribution import demo, health, schema
from attribution.dataset import Dataset
from attribution.errors import (
    AttributionError,
    DataError,
    ParameterError,
    SchemaError,
    SourceError,
)
from attribution.io import load
from attribution.journeys import journeys, paths
from attribution.models import MODELS, attribute
from attribution.models.compare import Comparison, compare
from attribution.models.markov import markov
from attribution.models.shapley import shapley
from attribution.schema import validate

__version__ = "0.1.0"
__all__ = [
    "MODELS",
    "AttributionError",
    "Comparison",
    "DataError",
    "Dataset",
    "ParameterError",
    "SchemaError",
    "SourceError",
    "__version__",
    "attribute",
    "compare",
    "demo",
    "health",
    "journeys",
    "load",
    "markov",
    "paths",
    "schema",
    "shapley",
    "validate",
]
