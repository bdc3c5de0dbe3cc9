"""The package's error hierarchy.

Every error a user can cause with their data or parameters is an :class:`AttributionError`,
so a scheduler can tell "your input is wrong" (exit code 2) from "the program broke".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "AttributionError",
    "DataError",
    "ParameterError",
    "SchemaError",
    "SourceError",
]


class AttributionError(Exception):
    """Base class of every error caused by the user's data or parameters.

    Attributes
    ----------
    problems : list
        The individual problems behind the message (for validation errors, one
        :class:`attribution.schema.Problem` per broken rule); empty otherwise.
    """

    def __init__(self, message: str = "", problems: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.problems: list[Any] = list(problems)


class SchemaError(AttributionError):
    """A table or column is missing, or a column has a type that cannot be converted."""


class DataError(AttributionError):
    """Values break the data contract (nulls, duplicates, unknown keys, impossible dates...)."""


class ParameterError(AttributionError, ValueError):
    """A parameter is unknown, mistyped or out of range."""


class SourceError(AttributionError):
    """A source cannot be read: missing folder or file, unreachable database, bad login."""
