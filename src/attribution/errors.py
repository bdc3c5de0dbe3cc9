"""The package's errors and its one warning.

Every error a user can cause with their data or parameters is an :class:`AttributionError`,
so a scheduler can tell "your input is wrong" (exit code 2) from "a report failed"
(:class:`NotebookError`, exit code 1) and from "the program broke" (anything else).
Estimates that rest on weak ground say so with an :class:`EstimateWarning`.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from attribution._secrets import mask_text

__all__ = [
    "AttributionError",
    "DataError",
    "DataWarning",
    "EstimateWarning",
    "NotebookError",
    "ParameterError",
    "SchemaError",
    "SourceError",
    "emit",
]


class AttributionError(Exception):
    """Base class of every error caused by the user's data or parameters.

    Its message never shows a password: any URL or ``password=`` pair in it is masked
    (:func:`attribution._secrets.mask_text`).

    Attributes
    ----------
    problems : list
        The individual problems behind the message (for validation errors, one
        :class:`attribution.data.schema.Problem` per broken rule); empty otherwise.
    """

    def __init__(self, message: str = "", problems: Sequence[Any] = ()) -> None:
        super().__init__(mask_text(str(message)))
        self.problems: list[Any] = list(problems)


class SchemaError(AttributionError):
    """A table or column is missing, or a column has a type that cannot be converted."""


class DataError(AttributionError):
    """Values break the data contract (nulls, duplicates, unknown keys, impossible dates...)."""


class ParameterError(AttributionError, ValueError):
    """A parameter is unknown, mistyped or out of range."""


class SourceError(AttributionError):
    """A source cannot be read: missing folder or file, unreachable database, bad login."""


class NotebookError(AttributionError):
    """One or more report notebooks failed; their partial output is kept in ``partial_dir``.

    The previous report of the run (if any) is left as it was.

    Attributes
    ----------
    failures : list
        The failed notebooks (:class:`attribution.report.notebooks.NotebookRun`).
    partial_dir, run_dir : pathlib.Path or None
        Where the partial output is, and the run folder that was left untouched.
    """

    def __init__(
        self,
        message: str,
        *,
        failures: Sequence[Any] = (),
        partial_dir: Path | None = None,
        run_dir: Path | None = None,
    ) -> None:
        super().__init__(message)
        self.failures = list(failures)
        self.partial_dir = partial_dir
        self.run_dir = run_dir


class EstimateWarning(UserWarning):
    """An estimate rests on weak ground.

    Few events, separation, collinearity, or data that cannot support it: the message says
    what and why in plain English.
    """


class DataWarning(UserWarning):
    """The data was read in a way worth a look: e.g. a separator the package detected."""


def emit(messages: Iterable[str], category: type[Warning] = EstimateWarning) -> None:
    """Raise each message as an :class:`EstimateWarning`, attributed to the caller's code.

    The warning points at the first frame outside this package (the user's call), so
    notebooks and tests see where they asked for the estimate. ``category`` may be
    :class:`DataWarning` instead.
    """
    frame, level = sys._getframe(0), 1
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith(
        "attribution."
    ):
        frame, level = frame.f_back, level + 1
    for message in messages:
        warnings.warn(message, category, stacklevel=level)
