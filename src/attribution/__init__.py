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
from attribution.schema import validate

__version__ = "0.1.0"
__all__ = [
    "AttributionError",
    "DataError",
    "Dataset",
    "Mapping",
    "ParameterError",
    "SchemaError",
    "SourceError",
    "__version__",
    "charts",
    "demo",
    "health",
    "journeys",
    "load",
    "load_mapping",
    "mapping",
    "notebook",
    "open_source",
    "overview",
    "params",
    "paths",
    "report",
    "schema",
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
