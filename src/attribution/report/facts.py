"""What a reviewer must know before reading any number of a run: the facts every page shows.

The data period (first to last timestamp), the moment the data is seen at ("data
through"), the currency, the models compared and the interval level. The index lists them
and every page repeats them in its header, so a page printed or forwarded alone still says
what it covers.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from attribution._text import DEALS
from attribution._time import as_of
from attribution.data.dataset import Dataset
from attribution.data.schema import TABLES, TIMESTAMP
from attribution.report.sections import RunParams

__all__ = ["data_period", "run_facts"]


def data_period(dataset: Dataset) -> tuple[datetime | None, datetime | None]:
    """Return the earliest and the latest timestamp of any table of ``dataset``.

    Examples
    --------
    >>> import attribution as at
    >>> first, last = data_period(at.demo.generate(n_accounts=50, seed=1))
    >>> first < last
    True
    """
    bounds: list[datetime] = []
    for name, spec in TABLES.items():
        frame = getattr(dataset, name, None)
        if frame is None:
            continue
        names = set(frame.collect_schema().names())
        stamps = [c.name for c in spec.columns if c.dtype == TIMESTAMP and c.name in names]
        if not stamps:
            continue
        row = (
            frame.lazy()
            .select(
                pl.min_horizontal([pl.col(c).min() for c in stamps]).alias("lo"),
                pl.max_horizontal([pl.col(c).max() for c in stamps]).alias("hi"),
            )
            .collect()
            .row(0)
        )
        bounds += [v for v in row if v is not None]
    if not bounds:
        return None, None
    return min(bounds), max(bounds)


def run_facts(dataset: Dataset, p: RunParams) -> dict[str, str]:
    """Return the facts of a run in reading order: label -> value.

    Examples
    --------
    >>> import attribution as at
    >>> from attribution.report.sections import RunParams
    >>> facts = run_facts(at.demo.generate(n_accounts=50, seed=1), RunParams())
    >>> list(facts)
    ['Data period', 'Data through', 'Currency', 'Models', 'Intervals']
    """
    first, last = data_period(dataset)
    seen = as_of(dataset, p.window.as_of)
    period = f"{first:%d %b %Y} to {last:%d %b %Y}" if first and last else "no timestamps"
    through = f"{seen:%d %b %Y %H:%M} UTC" + (
        " (set by window.as_of)" if p.window.as_of else " (the latest timestamp in the data)"
    )
    currency = (
        "none: the data has no deal amounts, so every deal counts as one"
        if p.report.currency == DEALS
        else p.report.currency
    )
    return {
        "Data period": period,
        "Data through": through,
        "Currency": currency,
        "Models": ", ".join(p.models.models),
        "Intervals": f"{p.intervals.level:.0%} ({p.intervals.draws:,} resamples of accounts)",
    }
