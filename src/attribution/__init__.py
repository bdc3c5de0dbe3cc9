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
from attribution.dataset import Dataset
from attribution.errors import (
    AttributionError,
    DataError,
    ParameterError,
    SchemaError,
    SourceError,
)
from attribution.io import load, open_source
from attribution.journeys import journeys, paths
from attribution.mapping import Mapping, load_mapping
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
    "Mapping",
    "ParameterError",
    "SchemaError",
    "SourceError",
    "__version__",
    "attribute",
    "charts",
    "compare",
    "demo",
    "health",
    "journeys",
    "load",
    "load_mapping",
    "mapping",
    "markov",
    "notebook",
    "open_source",
    "overview",
    "params",
    "paths",
    "report",
    "schema",
    "shapley",
    "snapshot",
    "validate",
]

_LAZY = ("charts", "report_html")  # import altair / nbconvert (seconds) only when used


def __getattr__(name: str) -> ModuleType:
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f"attribution.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'attribution' has no attribute {name!r}")
