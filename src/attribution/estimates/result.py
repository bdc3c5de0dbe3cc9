"""The one result type of every estimate: a table, the model behind it, and how far to trust it.

An :class:`Estimate` is a :class:`~attribution.results.Result` (``table``, ``note``,
``level``, ``draws``) plus the fitted statsmodels ``model``, its ``diagnostics`` and whether
the data could ``supported`` it at all. When it could not, the numbers in ``table`` are
empty rather than misleading, ``reason`` says why in plain English, and ``summary()``
prints that reason where it would print the model's summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Self

from attribution.errors import emit
from attribution.estimates.diagnostics import Diagnostics
from attribution.results import Result

__all__ = ["Estimate"]


class _Text(str):
    """A string that shows as itself (no quotes) in a terminal and in Jupyter."""

    def __repr__(self) -> str:
        return str(self)


@dataclass(frozen=True, kw_only=True, repr=False)
class Estimate(Result):
    """An estimate from observational data, with its model and diagnostics.

    Attributes
    ----------
    table : polars.DataFrame
        The estimates (see the function that made it); empty numbers when not supported.
    model : object or None
        The statsmodels results of the outcome model (``None`` when not fitted).
    diagnostics : Diagnostics
        Sample, fit, calibration and warnings.
    supported : bool
        False when the data cannot support the estimate (``reason`` says why).
    note : str
        What the estimate means and what it cannot show (association, not cause).
    level, draws
        Coverage of the intervals and the draws behind them.

    Examples
    --------
    >>> import polars as pl
    >>> e = Estimate(
    ...     table=pl.DataFrame({"x": [None]}, schema={"x": pl.Float64}),
    ...     diagnostics=Diagnostics(n=12, events=1, warnings=("only 1 won deal",)),
    ...     supported=False,
    ... )
    >>> e.reason
    'only 1 won deal'
    >>> e.summary()
    Not estimated: only 1 won deal
    """

    model: Any = None
    diagnostics: Diagnostics
    supported: bool = True

    @classmethod
    def not_supported(
        cls,
        warnings: Sequence[str],
        *,
        n: int,
        events: int,
        said: Sequence[str] | None = None,
        **fields: Any,
    ) -> Self:
        """Warn why the data cannot support the estimate; return it without numbers.

        Parameters
        ----------
        warnings
            Why, in plain English: the diagnostics' warnings and the ``reason``.
        n, events
            The sample the estimate would have rested on.
        said
            What to raise as :class:`attribution.EstimateWarning` instead of ``warnings``
            (e.g. the same messages prefixed with the function's name).
        **fields
            The result's other fields (``table``, ``model``, ``note``...).

        Examples
        --------
        >>> import polars as pl
        >>> import warnings as w
        >>> with w.catch_warnings(record=True) as caught:
        ...     w.simplefilter("always")
        ...     e = Estimate.not_supported(["too few deals"], n=3, events=1, table=pl.DataFrame())
        >>> e.supported, e.reason, [str(c.message) for c in caught]
        (False, 'too few deals', ['too few deals'])
        """
        emit(warnings if said is None else said)
        diagnostics = Diagnostics(n=n, events=events, warnings=tuple(warnings))
        return cls(diagnostics=diagnostics, supported=False, **fields)

    @property
    def reason(self) -> str:
        """Why the data cannot support the estimate (empty when it can)."""
        if self.supported:
            return ""
        return "; ".join(self.diagnostics.warnings) or "the data cannot support it"

    def summary(self) -> Any:
        """Return the statsmodels summary of the model, or the reason there is none."""
        if self.model is not None and self.supported:
            return self.model.summary()
        return _Text(f"Not estimated: {self.reason or 'no model was fitted'}")

    def headline(self) -> str:
        """Return one line: the kind of estimate, whether it is supported, its sample."""
        base = super().headline()
        if not self.supported:
            return f"{base}; not estimated: {self.reason}"
        d = self.diagnostics
        warned = f", {len(d.warnings)} warning(s)" if d.warnings else ""
        return f"{base}; n={d.n:,}{warned}"
