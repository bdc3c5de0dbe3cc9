"""What the data-driven models share: a result with one weight per channel.

Markov (removal effects) and Shapley (Shapley values) both fit one number per channel;
the journey-level models spread a won deal's credit over its channels in proportion to it
(:mod:`attribution.models.spread`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import polars as pl

from attribution.data.schema import CHANNEL
from attribution.results import Result

__all__ = ["ChannelFit"]


@dataclass(frozen=True, kw_only=True, repr=False)
class ChannelFit(Result):
    """A result whose table has one row per channel and a column of channel weights.

    Examples
    --------
    >>> @dataclass(frozen=True, kw_only=True, repr=False)
    ... class Fit(ChannelFit):
    ...     WEIGHT: ClassVar[str] = "w"
    >>> Fit(table=pl.DataFrame({"channel": ["a", "b"], "w": [0.5, 0.25]})).weights()
    {'a': 0.5, 'b': 0.25}
    """

    WEIGHT: ClassVar[str]
    """The table's column of channel weights."""

    @property
    def channels(self) -> pl.DataFrame:
        """The channel table (:attr:`table`), under the name earlier versions used."""
        return self.table

    def weights(self) -> dict[str, float]:
        """Channel weights used to spread credit over a deal's touches (the WEIGHT column)."""
        return dict(
            zip(
                self.table[CHANNEL].to_list(),
                self.table[self.WEIGHT].to_list(),
                strict=True,
            )
        )
