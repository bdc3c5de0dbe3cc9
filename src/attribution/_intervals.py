"""Intervals, defined once: their coverage (``level``), the draws behind them, their bounds.

Every interval the package reports, whether from a bootstrap of accounts or from draws of a
fitted model's coefficients, takes the same two parameters with the same accepted ranges:
``level`` (coverage, e.g. 0.9 for 90%) and ``draws`` (resamples or simulation draws).
"""

from __future__ import annotations

from attribution.errors import ParameterError

__all__ = [
    "DEFAULT_DRAWS",
    "DEFAULT_LEVEL",
    "DRAWS_RANGE",
    "LEVEL_RANGE",
    "check_draws",
    "check_level",
    "quantiles",
]

DEFAULT_LEVEL = 0.9
"""Coverage of an interval unless said otherwise (90%)."""
DEFAULT_DRAWS = 500
"""Resamples (bootstrap) or draws (coefficient simulation) behind an interval by default."""
LEVEL_RANGE = (0.5, 0.99)
"""Smallest and largest accepted ``level``."""
DRAWS_RANGE = (20, 20_000)
"""Fewest and most accepted ``draws``."""


def check_level(level: object) -> float:
    """Return ``level`` as a float if it is an accepted coverage, else raise.

    Examples
    --------
    >>> check_level(0.9)
    0.9
    >>> check_level(95)
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: level must be a number from 0.5 to 0.99 ... got 95
    """
    low, high = LEVEL_RANGE
    if isinstance(level, bool) or not isinstance(level, int | float) or not low <= level <= high:
        raise ParameterError(
            f"level must be a number from {low} to {high} (0.9 for 90% intervals); got {level!r}"
        )
    return float(level)


def check_draws(draws: object) -> int:
    """Return ``draws`` if it is an accepted number of draws, else raise.

    Examples
    --------
    >>> check_draws(200)
    200
    >>> check_draws(5)
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: draws must be a whole number from 20 to 20,000; got 5
    """
    low, high = DRAWS_RANGE
    if isinstance(draws, bool) or not isinstance(draws, int) or not low <= draws <= high:
        raise ParameterError(f"draws must be a whole number from {low} to {high:,}; got {draws!r}")
    return draws


def quantiles(level: float) -> tuple[float, float]:
    """Return the lower and upper quantiles of a central interval of coverage ``level``.

    Examples
    --------
    >>> tuple(round(q, 3) for q in quantiles(0.9))
    (0.05, 0.95)
    """
    return (1 - level) / 2, (1 + level) / 2
