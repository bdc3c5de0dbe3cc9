"""The :class:`Dataset`: the validated canonical tables of one source, held together."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal, get_args

import polars as pl

from attribution.errors import DataError, SchemaError

__all__ = ["Dataset", "Frame"]

Frame = pl.DataFrame | pl.LazyFrame
"""A polars frame, eager or lazy. Library functions accept either."""

TableName = Literal[
    "touches",
    "opportunities",
    "contacts",
    "accounts",
    "stage_history",
    "experiments",
    "spend",
    "opportunity_contacts",
]
"""The contract's table names (:mod:`attribution.data.schema.contract` describes each)."""

_TABLE_NAMES: tuple[str, ...] = get_args(TableName)


@dataclass(frozen=True)
class Dataset:
    """The canonical tables of one source, validated and converted to the contract's types.

    Build one with :func:`attribution.load`, :func:`attribution.data.schema.validate` or
    :func:`attribution.data.demo.generate`; constructing it directly skips validation.

    Attributes
    ----------
    touches, opportunities : polars.DataFrame or polars.LazyFrame
        The two required tables.
    contacts, accounts, stage_history, experiments, spend, opportunity_contacts : polars.DataFrame
        or polars.LazyFrame or None
        Optional tables; ``None`` when the source has none.
    source : str
        Where the data came from (a path or a URL with any password masked).
    truth : object or None
        For demo data only: the generating parameters and the true contributions
        (see :class:`attribution.data.demo.DemoTruth`).
    count_only : bool
        The source gave no deal amounts (``opportunities.amount``): every deal's amount
        is 1, so "revenue" everywhere counts won deals, and the reports say "deals".
    """

    touches: Frame
    opportunities: Frame
    contacts: Frame | None = None
    accounts: Frame | None = None
    stage_history: Frame | None = None
    experiments: Frame | None = None
    spend: Frame | None = None
    opportunity_contacts: Frame | None = None
    source: str = "<memory>"
    truth: Any = field(default=None, repr=False, compare=False)
    count_only: bool = False

    # ------------------------------------------------------------------ access
    def tables(self) -> dict[str, Frame]:
        """Return the tables that are present, by canonical name, in contract order."""
        out: dict[str, Frame] = {}
        for name in _TABLE_NAMES:
            frame = getattr(self, name)
            if frame is not None:
                out[name] = frame
        return out

    def __iter__(self) -> Iterator[tuple[str, Frame]]:
        return iter(self.tables().items())

    def lazy(self, name: str) -> pl.LazyFrame:
        """Return table ``name`` as a LazyFrame (free for in-memory tables).

        Raises
        ------
        SchemaError
            The dataset has no such table (an optional table the source did not have).

        Examples
        --------
        >>> ds = Dataset(touches=pl.DataFrame({"a": [1]}), opportunities=pl.DataFrame())
        >>> ds.lazy("touches").collect().height
        1
        >>> ds.lazy("contacts")
        Traceback (most recent call last):
        ...
        attribution.errors.SchemaError: dataset from <memory> has no 'contacts' table
        """
        frame = self.tables().get(name)
        if frame is None:
            known = ", ".join(self.tables())
            raise SchemaError(
                f"dataset from {self.source} has no {name!r} table"
                + ("" if name in _TABLE_NAMES else f" (it has: {known})")
            )
        return frame.lazy()

    @property
    def is_lazy(self) -> bool:
        """Whether any table is still a lazy scan of the source."""
        return any(isinstance(f, pl.LazyFrame) for f in self.tables().values())

    def collect(self) -> Dataset:
        """Return a dataset whose tables are all in memory (eager DataFrames)."""
        if not self.is_lazy:
            return self
        eager: dict[str, Any] = {
            name: (f.collect() if isinstance(f, pl.LazyFrame) else f)
            for name, f in self.tables().items()
        }
        return replace(self, **eager)

    # ------------------------------------------------------------------ facts
    def row_counts(self) -> dict[str, int]:
        """Return the number of rows of every present table."""
        counts: dict[str, int] = {}
        for name, frame in self.tables().items():
            if isinstance(frame, pl.DataFrame):
                counts[name] = frame.height
            else:
                counts[name] = int(frame.select(pl.len()).collect().item())
        return counts

    @property
    def as_of(self) -> datetime:
        """The latest timestamp in the data: the "now" at which open opportunities are seen."""
        parts = [
            self.lazy("touches").select(pl.col("occurred_at").max()),
            self.lazy("opportunities").select(
                pl.max_horizontal(pl.col("created_at").max(), pl.col("closed_at").max()).alias(
                    "occurred_at"
                )
            ),
        ]
        value = pl.concat(parts).select(pl.col("occurred_at").max()).collect().item()
        if not isinstance(value, datetime):  # pragma: no cover - validation forbids empty tables
            raise DataError(f"dataset from {self.source} has no timestamps")
        return value

    def __repr__(self) -> str:
        counts = ", ".join(
            f"{name}={f.height:,}" if isinstance(f, pl.DataFrame) else f"{name}=<lazy>"
            for name, f in self.tables().items()
        )
        return f"Dataset({counts}, source={self.source!r})"
