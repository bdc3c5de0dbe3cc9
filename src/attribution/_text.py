"""Words for messages, defined once: the closest valid name, counts with their nouns.

Data without deal amounts (count-only) is reported with :data:`DEALS` in place of a
currency symbol: every deal then counts as one, so an "amount" is a number of deals and
:func:`attribution._format.money` writes it as such.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["DEALS", "closest", "did_you_mean", "plural"]

DEALS = "deals"
"""The "currency" of count-only data: amounts are numbers of deals."""


def closest(given: object, choices: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """Return the choice closest to ``given`` (by :mod:`difflib`), or ``None`` if none is.

    Examples
    --------
    >>> closest("sprak", ["polars", "spark"])
    'spark'
    >>> closest("xyz", ["polars", "spark"]) is None
    True
    """
    found = difflib.get_close_matches(str(given), list(choices), n=1, cutoff=cutoff)
    return found[0] if found else None


def did_you_mean(
    given: object, choices: Iterable[str], *, cutoff: float = 0.6, otherwise: str = ""
) -> str:
    """Return ``"did you mean 'x'?"`` for the closest choice, else ``otherwise``.

    Examples
    --------
    >>> did_you_mean("lookbak_days", ["lookback_days", "as_of"])
    "did you mean 'lookback_days'?"
    >>> did_you_mean("zzz", ["a", "b"], otherwise="valid: a, b")
    'valid: a, b'
    """
    match = closest(given, choices, cutoff=cutoff)
    return f"did you mean {match!r}?" if match is not None else otherwise


def plural(n: int, noun: str, nouns: str | None = None) -> str:
    """Return ``n`` with its noun, singular or plural: ``1 problem``, ``3 problems``.

    Examples
    --------
    >>> plural(1, "problem"), plural(2, "problem"), plural(2, "entry", "entries")
    ('1 problem', '2 problems', '2 entries')
    """
    word = noun if n == 1 else (nouns or f"{noun}s")
    return f"{n:,} {word}"
