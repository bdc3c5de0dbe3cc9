"""Checks of the estimates' choice parameters, with the same plain messages everywhere."""

from __future__ import annotations

from collections.abc import Sequence

from attribution.errors import ParameterError

__all__ = ["check_choice", "check_choices"]


def check_choice(name: str, value: object, allowed: Sequence[str]) -> None:
    """Raise unless ``value`` is one of ``allowed``.

    Examples
    --------
    >>> check_choice("outcome", "won", ("opportunity", "won"))
    >>> check_choice("outcome", "mql", ("opportunity", "won"))
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: outcome must be one of opportunity, won; got 'mql'
    """
    if value not in allowed:
        raise ParameterError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


def check_choices(name: str, values: Sequence[str], allowed: Sequence[str]) -> None:
    """Raise unless ``values`` is a list (not a string) drawn from ``allowed``.

    Examples
    --------
    >>> check_choices("controls", ["seg"], ("seg", "period"))
    >>> check_choices("controls", "seg", ("seg", "period"))
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: controls must be a list drawn from seg, period; got 'seg'
    """
    if isinstance(values, str) or any(v not in allowed for v in values):
        raise ParameterError(
            f"{name} must be a list drawn from {', '.join(allowed)}; got {values!r}"
        )
