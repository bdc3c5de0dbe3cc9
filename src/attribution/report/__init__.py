"""Reports: run parameters, the runner, offline HTML, notebook helpers and page texts.

``attribution.report.run(params_file)`` (the ``attribution run`` command) is the runner of
:mod:`attribution.report.runner`; it is loaded on first use, so that notebooks importing
the light helpers here (:mod:`~attribution.report.notebook`) do not wait for papermill.
"""

from __future__ import annotations

import importlib
from typing import Any

_RUNNER = {  # each name from the module that defines it
    "NotebookError": "attribution.errors",
    "NotebookRun": "attribution.report.notebooks",
    "RunResult": "attribution.report.runner",
    "available_notebooks": "attribution.report.notebooks",
    "load_source": "attribution.report.shared",
    "notebook_title": "attribution.report.notebooks",
    "run": "attribution.report.runner",
}


def __getattr__(name: str) -> Any:
    if name in _RUNNER:
        return getattr(importlib.import_module(_RUNNER[name]), name)
    raise AttributeError(f"module 'attribution.report' has no attribute {name!r}")
