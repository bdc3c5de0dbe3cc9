"""Words for messages, defined once: the closest valid name, counts with their nouns, money.

Money is written by :func:`money`. Data without deal amounts (count-only) is reported
with :data:`DEALS` in place of a currency symbol: every deal then counts as one, so an
"amount" is a number of deals and is written as such.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["DEALS", "closest", "did_you_mean", "money", "plural"]

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


def money(value: float, currency: str, *, signed: bool = False) -> str:
    """Write an amount with its currency, or as a number of deals for count-only data.

    Examples
    --------
    >>> money(1234.5, "$"), money(-12, "€"), money(227, DEALS), money(1, DEALS)
    ('$1,234', '-€12', '227 deals', '1 deal')
    """
    sign = "-" if value < 0 and round(abs(value)) > 0 else ("+" if signed and value > 0 else "")
    if currency == DEALS:
        n = abs(value)
        return f"{sign}{n:,.0f} deal{'' if round(n) == 1 else 's'}"
    return f"{sign}{currency}{abs(value):,.0f}"
