"""Validation: check tables against the contract, all at once, and convert them.

:func:`validate` converts a user's tables to the contract's types where that loses nothing,
keeps any extra columns, checks every rule (one pass over each table; example rows are
fetched only for failing rules), then the keys between tables, and raises **one**
:class:`~attribution.errors.SchemaError` or :class:`~attribution.errors.DataError` listing
every problem found.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set

import polars as pl

from attribution.data.dataset import Dataset, Frame
from attribution.data.schema.checks import RAW_PREFIX, Check, example_columns, plan_table
from attribution.data.schema.contract import (
    ACCOUNT_ID,
    AMOUNT,
    CONTACT_ID,
    OPPORTUNITY_ID,
    TABLES,
    Table,
)
from attribution.data.schema.convert import check_time_zone
from attribution.data.schema.plausible import Plausible
from attribution.data.schema.problems import MAX_EXAMPLES, ROW, Problem, raise_problems

__all__ = ["validate"]

RELATIONS = (  # child table, column, parent table, key
    ("touches", ACCOUNT_ID, "accounts", ACCOUNT_ID),
    ("opportunities", ACCOUNT_ID, "accounts", ACCOUNT_ID),
    ("contacts", ACCOUNT_ID, "accounts", ACCOUNT_ID),
    ("touches", CONTACT_ID, "contacts", CONTACT_ID),
    ("stage_history", OPPORTUNITY_ID, "opportunities", OPPORTUNITY_ID),
    ("experiments", ACCOUNT_ID, "accounts", ACCOUNT_ID),
)
"""The keys between tables, checked only between tables that converted cleanly.

``touches.opportunity_id`` is not among them: a touch may be linked to a deal the data does
not hold (one outside a loaded period, or not exported); it then belongs to no journey of
this data, and data health counts such touches. A touch linked to a deal of another
account is an error. Nor is ``opportunity_contacts``: a CRM lists roles for deals outside a
loaded period and for people not exported as contacts (Salesforce contacts without an
account); such rows name nobody engaged in a loaded deal and are not read."""


def _counts(lf: pl.LazyFrame, checks: Sequence[Check]) -> tuple[int, list[int]]:
    """Rows of the table, and rows failing each check, in one pass (screens first)."""
    first = [c.screen if c.screen is not None else c.mask.sum() for c in checks]
    n_rows, *counts = (
        lf.select(pl.len(), *[e.alias(str(i)) for i, e in enumerate(first)]).collect().row(0)
    )
    suspect = [i for i, c in enumerate(checks) if c.screen is not None and counts[i]]
    if n_rows and suspect:
        exact = lf.select([checks[i].mask.sum().alias(str(i)) for i in suspect]).collect()
        for i in suspect:
            counts[i] = exact[str(i)].item()
    return n_rows, counts


def _run_checks(
    name: str, frame: pl.LazyFrame, checks: Sequence[Check], *, eager: bool, origin: str = ""
) -> tuple[pl.DataFrame | None, list[Problem]]:
    """Evaluate every check in one pass; fetch examples only for failing ones."""
    data = frame.collect() if eager else None
    lf = data.lazy() if data is not None else frame
    n_rows, counts = _counts(lf, checks)
    if n_rows == 0:
        read = f" (read from {origin})" if origin else ""
        message = f"table is empty{read}; remove it from the source if you have no such data"
        return data, [Problem(name, None, message, 0)]
    problems = []
    for check, count in zip(checks, counts, strict=True):
        if not count:
            continue
        examples = (
            lf.filter(check.mask)
            .head(MAX_EXAMPLES)
            .select(ROW, *check.show)
            .collect()
            .rename(lambda c: c.removeprefix(RAW_PREFIX))
        )
        problems.append(
            Problem(name, check.column, check.message, int(count), examples, check.kind)
        )
    return data, problems


def _check_table(
    spec: Table,
    frame: Frame,
    time_zone: str,
    *,
    lazy: bool,
    origin: str = "",
    plausible: Plausible | None = None,
) -> tuple[Frame | None, list[Problem]]:
    """Convert and check one table; return it (None if it cannot be used) and its problems."""
    name = spec.name
    lf = frame.lazy()
    try:
        raw_schema = lf.collect_schema()
    except pl.exceptions.PolarsError as exc:
        return None, [Problem(name, None, f"cannot be read: {_first_line(exc)}", 0, kind="schema")]
    if ROW in raw_schema:
        lf = lf.drop(ROW)
        raw_schema = lf.collect_schema()
    plan = plan_table(spec, raw_schema, time_zone, plausible)
    if any(p.column in spec.required_columns for p in plan.problems):
        # value checks on a table missing required columns would only add noise
        return None, plan.problems
    lf = lf.with_row_index(ROW).with_columns(plan.conversions)
    try:
        data, found = _run_checks(name, lf, plan.checks, eager=not lazy, origin=origin)
    except pl.exceptions.PolarsError as exc:
        unreadable = Problem(name, None, f"cannot be read: {_first_line(exc)}", 0, kind="schema")
        return None, [*plan.problems, unreadable]
    return (data if data is not None else lf), [*plan.problems, *found]


def _first_line(exc: Exception) -> str:
    """Return the first sentence of a polars error, without its query plan."""
    return " ".join(str(exc).split("\n\n", 1)[0].split())


def _foreign_key(
    child_name: str,
    child: pl.LazyFrame,
    column: str,
    parent_name: str,
    parent: pl.LazyFrame,
    parent_key: str,
) -> Problem | None:
    """Report the rows of ``child`` whose ``column`` is no ``parent_key`` of ``parent``."""
    show = example_columns(TABLES[child_name], list(child.collect_schema()), column)
    keys = parent.select(pl.col(parent_key).alias(column)).unique()
    orphans = child.filter(pl.col(column).is_not_null()).join(keys, on=column, how="anti")
    count = int(orphans.select(pl.len()).collect().item())
    if not count:
        return None
    examples = orphans.head(MAX_EXAMPLES).select(ROW, *show).collect()
    return Problem(
        child_name, column, f"ids not found in {parent_name}.{parent_key}", count, examples
    )


def _orphans(checked: Mapping[str, Frame]) -> list[Problem]:
    """Problems with the keys between tables (see :data:`RELATIONS`)."""
    found = []
    for child, column, parent, key in RELATIONS:
        if child in checked and parent in checked:
            child_lf, parent_lf = checked[child].lazy(), checked[parent].lazy()
            problem = _foreign_key(child, child_lf, column, parent, parent_lf, key)
            if problem:
                found.append(problem)
    if "touches" in checked and "opportunities" in checked:
        problem = _deal_of_another_account(checked["touches"], checked["opportunities"])
        if problem:
            found.append(problem)
    return found


def _deal_of_another_account(touches: Frame, opportunities: Frame) -> Problem | None:
    """Report touches linked to a deal of another account than the touch's own."""
    deals = opportunities.lazy().select(OPPORTUNITY_ID, pl.col(ACCOUNT_ID).alias("deal_account_id"))
    wrong = (
        touches.lazy()
        .filter(pl.col(OPPORTUNITY_ID).is_not_null())
        .join(deals, on=OPPORTUNITY_ID, how="inner")
        .filter(pl.col(ACCOUNT_ID) != pl.col("deal_account_id"))
    )
    count = int(wrong.select(pl.len()).collect().item())
    if not count:
        return None
    show = (ROW, "touch_id", ACCOUNT_ID, OPPORTUNITY_ID, "deal_account_id")
    examples = wrong.head(MAX_EXAMPLES).select(show).collect()
    message = "the deal belongs to another account than the touch (opportunities.account_id)"
    return Problem("touches", OPPORTUNITY_ID, message, count, examples)


def _finish(frame: Frame) -> Frame:
    """Drop the row numbers and the raw values kept for examples."""
    raw_cols = [c for c in frame.collect_schema().names() if c.startswith(RAW_PREFIX)]
    return frame.drop(ROW, *raw_cols)


def validate(
    tables: Mapping[str, Frame | None],
    *,
    time_zone: str = "UTC",
    lazy: bool = False,
    source: str = "<memory>",
    problems: Sequence[Problem] = (),
    failed: Set[str] = frozenset(),
    origins: Mapping[str, str] | None = None,
    plausible: Plausible | None = None,
) -> Dataset:
    """Check tables against the contract and return them as a typed :class:`Dataset`.

    Parameters
    ----------
    tables
        Canonical table name -> polars frame (eager or lazy). ``touches`` and
        ``opportunities`` are required; ``contacts``, ``accounts``, ``stage_history``,
        ``experiments``, ``spend`` and ``opportunity_contacts`` are optional. ``None``
        values are treated as absent tables.
    time_zone
        IANA zone in which timestamps without an offset are read (default ``"UTC"``).
        Everything is stored in UTC.
    lazy
        Keep the converted tables lazy (for sources larger than memory). By default the
        tables are collected once and checked in memory.
    source
        A description of where the tables came from, used in messages.
    problems
        Problems found before (by a mapping): listed first in the one error.
    failed
        Tables those problems concern, left out of ``tables``: not reported missing again.
    origins
        Per table, the files it was read from, named where a table is empty.
    plausible
        The range of believable timestamps (default: 1990-01-01 to a year after now; see
        :class:`~attribution.data.schema.plausible.Plausible`).

    Returns
    -------
    Dataset
        Tables with contract types; optional contract columns that were absent are added
        as empty (null) columns; extra columns are kept unchanged. Opportunities without
        an ``amount`` column get ``amount = 1`` and the dataset is ``count_only``.

    Raises
    ------
    SchemaError
        A required table or column is missing or has an unconvertible type (the message
        lists value problems found too).
    DataError
        Values break the contract: unparseable values, nulls in required columns,
        duplicate ids, unknown teams, negative or non-finite money, won deals without
        ``closed_at``, ``closed_at`` before ``created_at``, ids not found in the parent
        table, mixed time zone offsets, timestamps outside the plausible range, amounts
        of 1e15 or more, or empty tables.

    Examples
    --------
    >>> import polars as pl
    >>> touches = pl.DataFrame({"touch_id": ["t1"], "account_id": ["a1"],
    ...     "occurred_at": ["2024-01-02 10:00"], "team": ["Marketing"], "channel": ["webinar"]})
    >>> opps = pl.DataFrame({"opportunity_id": ["o1"], "account_id": ["a1"],
    ...     "created_at": ["2024-01-10"], "is_won": ["yes"], "amount": [1000],
    ...     "closed_at": ["2024-02-01"]})
    >>> ds = validate({"touches": touches, "opportunities": opps})
    >>> ds.touches["team"].to_list(), ds.opportunities["amount"].dtype
    (['marketing'], Float64)
    """
    check_time_zone(time_zone)
    count_only = _without_amounts(tables.get("opportunities"))
    checked, found = _check_tables(
        tables,
        failed,
        origins or {},
        count_only=count_only,
        time_zone=time_zone,
        lazy=lazy,
        plausible=plausible,
    )
    found = [*problems, *_not_contract_tables(tables), *found, *_orphans(checked)]
    raise_problems(found, source=source)
    return Dataset(
        **{name: _finish(frame) for name, frame in checked.items()},
        source=source,
        count_only=count_only,
    )


def _not_contract_tables(tables: Mapping[str, Frame | None]) -> list[Problem]:
    """One problem per table name the contract does not know, in name order."""
    return [
        Problem(
            name,
            None,
            f"is not a contract table; expected one of: {', '.join(TABLES)}",
            0,
            kind="schema",
        )
        for name in sorted(set(tables) - set(TABLES))
    ]


def _check_tables(
    tables: Mapping[str, Frame | None],
    failed: Set[str],
    origins: Mapping[str, str],
    *,
    count_only: bool,
    time_zone: str,
    lazy: bool,
    plausible: Plausible | None,
) -> tuple[dict[str, Frame], list[Problem]]:
    """Check and convert each contract table given, in the contract's order.

    Returns the tables that converted and every problem found (a required table missing
    unless its problems were reported before, in ``failed``). Count-only opportunities
    get ``amount = 1``.
    """
    checked: dict[str, Frame] = {}
    problems: list[Problem] = []
    for name, spec in TABLES.items():
        frame = tables.get(name)
        if name == "opportunities" and frame is not None and count_only:
            frame = frame.lazy().with_columns(pl.lit(1.0).alias(AMOUNT))
        if frame is None:
            if spec.required and name not in failed:
                problems.append(Problem(name, None, "required table is missing", 0, kind="schema"))
            continue
        origin = origins.get(name, "")
        result, found = _check_table(
            spec, frame, time_zone, lazy=lazy, origin=origin, plausible=plausible
        )
        problems.extend(found)
        if result is not None:
            checked[name] = result
    return checked, problems


def _without_amounts(frame: Frame | None) -> bool:
    """Whether the opportunities come without an ``amount`` column (count-only data)."""
    if frame is None:
        return False
    try:
        names = frame.collect_schema().names()
    except pl.exceptions.PolarsError:  # reported as unreadable by the table's own check
        return False
    return AMOUNT not in names
