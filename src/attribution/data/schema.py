"""The data contract: canonical tables, their columns and types, and validation.

Every other module addresses columns through the constants defined here.

:func:`validate` converts a user's tables to the contract's types where that loses nothing
(CSV strings to datetimes, integers to floats, ``"yes"``/``"no"`` to booleans), keeps any extra
columns, checks every rule, and raises **one** :class:`~attribution.errors.SchemaError` or
:class:`~attribution.errors.DataError` listing every problem found, each with the table, the
column, what is wrong, how many rows and up to five example rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from attribution.data.dataset import Dataset, Frame
from attribution.errors import DataError, ParameterError, SchemaError

__all__ = [
    "MARKETING",
    "SALES",
    "TABLES",
    "TEAMS",
    "TIMESTAMP",
    "Column",
    "Problem",
    "Table",
    "validate",
]

# ---------------------------------------------------------------------------- names
TOUCH_ID = "touch_id"
ACCOUNT_ID = "account_id"
OCCURRED_AT = "occurred_at"
TEAM = "team"
CHANNEL = "channel"
CONTACT_ID = "contact_id"
CAMPAIGN = "campaign"
ACTIVITY = "activity"
COST = "cost"
REP = "rep"

OPPORTUNITY_ID = "opportunity_id"
CREATED_AT = "created_at"
IS_WON = "is_won"
AMOUNT = "amount"
CLOSED_AT = "closed_at"
STAGE = "stage"
SOURCE = "source"

LEAD_SOURCE = "lead_source"
MQL_AT = "mql_at"
SQL_AT = "sql_at"
SCORE = "score"

SEGMENT = "segment"
INDUSTRY = "industry"
EMPLOYEES = "employees"

ENTERED_AT = "entered_at"

MARKETING = "marketing"
SALES = "sales"
TEAMS: tuple[str, str] = (MARKETING, SALES)

TIMESTAMP = pl.Datetime("us", "UTC")
"""The one timestamp type of the contract: microseconds, UTC."""

TableName = Literal["touches", "opportunities", "contacts", "accounts", "stage_history"]


# ---------------------------------------------------------------------------- spec
@dataclass(frozen=True)
class Column:
    """One column of a canonical table."""

    name: str
    dtype: pl.DataType
    required: bool
    description: str


@dataclass(frozen=True)
class Table:
    """One canonical table: its columns, its key and whether a source must provide it."""

    name: str
    columns: tuple[Column, ...]
    key: str | None
    required: bool
    description: str

    @property
    def schema(self) -> pl.Schema:
        """The polars schema of every contract column (required and optional)."""
        return pl.Schema({c.name: c.dtype for c in self.columns})

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Names of the columns a source must provide."""
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        """Return the spec of column ``name``."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _c(name: str, dtype: pl.DataType, required: bool, description: str) -> Column:
    return Column(name, dtype, required, description)


_S, _F, _B, _I = pl.String(), pl.Float64(), pl.Boolean(), pl.Int64()

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "touches",
            (
                _c(TOUCH_ID, _S, True, "unique id of the touch"),
                _c(ACCOUNT_ID, _S, True, "account the touch reached"),
                _c(OCCURRED_AT, TIMESTAMP, True, "when it happened"),
                _c(TEAM, _S, True, "'marketing' or 'sales'"),
                _c(CHANNEL, _S, True, "e.g. paid_search, webinar, sales_call, demo"),
                _c(CONTACT_ID, _S, False, "person reached, if known"),
                _c(CAMPAIGN, _S, False, "marketing campaign"),
                _c(ACTIVITY, _S, False, "finer activity type (e.g. 'form fill', 'call')"),
                _c(COST, _F, False, "cost of the touch, in the revenue currency"),
                _c(REP, _S, False, "sales rep who performed a sales touch"),
            ),
            key=TOUCH_ID,
            required=True,
            description="marketing touches and sales activities, one row each",
        ),
        Table(
            "opportunities",
            (
                _c(OPPORTUNITY_ID, _S, True, "unique id of the opportunity"),
                _c(ACCOUNT_ID, _S, True, "account of the deal"),
                _c(CREATED_AT, TIMESTAMP, True, "when the opportunity was opened"),
                _c(IS_WON, _B, True, "true for closed-won deals"),
                _c(AMOUNT, _F, True, "deal value (booked revenue when won)"),
                _c(CLOSED_AT, TIMESTAMP, False, "when it closed; empty while open"),
                _c(STAGE, _S, False, "current stage"),
                _c(SOURCE, _S, False, "recorded source (e.g. 'marketing', 'outbound')"),
                _c(REP, _S, False, "owning sales rep"),
            ),
            key=OPPORTUNITY_ID,
            required=True,
            description="deals: open, lost and won",
        ),
        Table(
            "contacts",
            (
                _c(CONTACT_ID, _S, True, "unique id of the person (lead/contact)"),
                _c(ACCOUNT_ID, _S, True, "account the person belongs to"),
                _c(CREATED_AT, TIMESTAMP, True, "when the lead was created"),
                _c(LEAD_SOURCE, _S, False, "recorded lead source"),
                _c(MQL_AT, TIMESTAMP, False, "when the CRM marked the lead MQL"),
                _c(SQL_AT, TIMESTAMP, False, "when the CRM marked the lead SQL"),
                _c(SCORE, _F, False, "current lead score"),
            ),
            key=CONTACT_ID,
            required=False,
            description="people (leads and contacts)",
        ),
        Table(
            "accounts",
            (
                _c(ACCOUNT_ID, _S, True, "unique id of the company"),
                _c(SEGMENT, _S, False, "e.g. SMB, Mid-Market, Enterprise"),
                _c(INDUSTRY, _S, False, "industry"),
                _c(EMPLOYEES, _I, False, "number of employees"),
            ),
            key=ACCOUNT_ID,
            required=False,
            description="companies",
        ),
        Table(
            "stage_history",
            (
                _c(OPPORTUNITY_ID, _S, True, "opportunity whose stage changed"),
                _c(STAGE, _S, True, "stage entered"),
                _c(ENTERED_AT, TIMESTAMP, True, "when it was entered"),
            ),
            key=None,
            required=False,
            description="stage changes of opportunities",
        ),
    )
}

TABLE_ORDER: tuple[str, ...] = tuple(TABLES)

# ---------------------------------------------------------------------------- problems
_MAX_EXAMPLES = 5
_ROW = "__row__"


@dataclass(frozen=True)
class Problem:
    """One broken rule: where, what, how many rows, and a few example rows."""

    table: str
    column: str | None
    message: str
    count: int
    examples: pl.DataFrame | None = None
    kind: Literal["schema", "data"] = "data"

    @property
    def where(self) -> str:
        """``table.column`` (or just ``table``)."""
        return f"{self.table}.{self.column}" if self.column else self.table

    def render(self) -> str:
        """Return the problem as a few readable lines."""
        rows = "row" if self.count == 1 else "rows"
        head = f"{self.where}: {self.message}"
        if self.count:
            head += f" ({self.count:,} {rows})"
        lines = [head]
        if self.examples is not None and self.examples.height:
            for rec in self.examples.head(_MAX_EXAMPLES).iter_rows(named=True):
                row = rec.pop(_ROW, None)
                fields = ", ".join(f"{k}={_fmt(v)}" for k, v in rec.items())
                lines.append(
                    f"      e.g. row {row + 1}: {fields}"
                    if row is not None
                    else f"      e.g. {fields}"
                )
        return "\n".join(lines)


def _fmt(value: object) -> str:
    if value is None:
        return "<empty>"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    return str(value)


def raise_problems(problems: Sequence[Problem], *, source: str = "") -> None:
    """Raise one error listing every problem; do nothing when the list is empty."""
    if not problems:
        return
    kind = SchemaError if any(p.kind == "schema" for p in problems) else DataError
    where = f" in {source}" if source else ""
    n = len(problems)
    header = f"{n} problem{'s' if n != 1 else ''} found{where}; nothing was loaded:"
    body = "\n".join(f"  {i}. {p.render()}" for i, p in enumerate(problems, 1))
    raise kind(f"{header}\n{body}", problems)


# ---------------------------------------------------------------------------- conversion
_TZ_SUFFIX = r"(?:Z|[+-]\d{2}:?\d{2})$"
_HAS_TIME_TZ = r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*" + _TZ_SUFFIX
_NAIVE_FORMATS = ("%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%d")
_AWARE_FORMATS = ("%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%d %H:%M%#z")
_TRUE = ("true", "t", "yes", "y", "1", "won", "closed won", "closed/won")
_FALSE = ("false", "f", "no", "n", "0", "lost", "open", "closed lost", "closed/lost")


def check_time_zone(time_zone: str) -> str:
    """Return ``time_zone`` if it is a valid IANA zone name, else raise ParameterError."""
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ParameterError(
            f"time_zone={time_zone!r} is not an IANA time zone name "
            "(e.g. 'UTC', 'Europe/Berlin', 'America/New_York')"
        ) from None
    return time_zone


def _normalised_timestamp_text(col: str) -> pl.Expr:
    text = pl.col(col).str.strip_chars()
    return text.str.replace(r"^(\d{4}-\d{2}-\d{2})[T ]", "${1} ").str.replace(r"\s*Z$", "+00:00")


def _parse_timestamp_text(col: str, time_zone: str) -> pl.Expr:
    text = _normalised_timestamp_text(col)
    aware = pl.coalesce(
        [
            text.str.to_datetime(f, time_unit="us", time_zone="UTC", strict=False, exact=True)
            for f in _AWARE_FORMATS
        ]
    )
    naive = pl.coalesce(
        [text.str.to_datetime(f, time_unit="us", strict=False, exact=True) for f in _NAIVE_FORMATS]
    ).dt.replace_time_zone(time_zone, ambiguous="earliest", non_existent="null")
    has_tz = pl.col(col).str.strip_chars().str.contains(_HAS_TIME_TZ)
    return pl.when(has_tz).then(aware).otherwise(naive.dt.convert_time_zone("UTC")).cast(TIMESTAMP)


def _convert(col: str, source: pl.DataType, target: pl.DataType, time_zone: str) -> pl.Expr | None:
    """Expression converting ``col`` from ``source`` to ``target``; None if not convertible."""
    c = pl.col(col)
    if source == target:
        return c
    if source == pl.Null():
        return c.cast(target)
    if target == pl.String():
        if (
            source.is_integer()
            or source == pl.String()
            or isinstance(source, pl.Categorical | pl.Enum)
        ):
            return c.cast(pl.String)
        if source.is_float():  # ids exported as floats: lossless only when integral
            return pl.when(c == c.round(0)).then(c.cast(pl.Int64, strict=False).cast(pl.String))
        return None
    if target == pl.Float64():
        if source.is_numeric():
            return c.cast(pl.Float64)
        if source == pl.String():
            return c.str.strip_chars().cast(pl.Float64, strict=False)
        return None
    if target == pl.Int64():
        if source.is_integer():
            return c.cast(pl.Int64)
        if source.is_float():
            return pl.when(c == c.round(0)).then(c.cast(pl.Int64, strict=False))
        if source == pl.String():
            return c.str.strip_chars().cast(pl.Int64, strict=False)
        return None
    if target == pl.Boolean():
        if source.is_integer():
            return pl.when(c == 1).then(True).when(c == 0).then(False)
        if source == pl.String():
            low = c.str.strip_chars().str.to_lowercase()
            return pl.when(low.is_in(_TRUE)).then(True).when(low.is_in(_FALSE)).then(False)
        return None
    if isinstance(target, pl.Datetime):
        if isinstance(source, pl.Datetime):
            if source.time_zone is None:
                local = c.dt.replace_time_zone(time_zone, ambiguous="earliest", non_existent="null")
                return local.dt.convert_time_zone("UTC").cast(TIMESTAMP)
            return c.dt.convert_time_zone("UTC").cast(TIMESTAMP)
        if source == pl.Date():
            local = c.cast(pl.Datetime("us")).dt.replace_time_zone(time_zone)
            return local.dt.convert_time_zone("UTC").cast(TIMESTAMP)
        if source == pl.String():
            return _parse_timestamp_text(col, time_zone)
        return None
    return None  # pragma: no cover - every contract dtype is handled above


_EXPECTED = {
    "String": "text (or whole numbers)",
    "Float64": "a number",
    "Int64": "a whole number",
    "Boolean": "true/false (also yes/no, 1/0, won/lost)",
    "Datetime": "an ISO 8601 timestamp such as 2024-03-01 14:30:00 or 2024-03-01T14:30:00+02:00",
}


def has_offset(column: str) -> pl.Expr:
    """Tell where text timestamps in ``column`` carry a UTC offset (``Z``, ``+02:00``).

    Examples
    --------
    >>> import polars as pl
    >>> frame = pl.DataFrame({"t": ["2024-01-05T10:00:00Z", "2024-01-05"]})
    >>> frame.select(has_offset("t"))["t"].to_list()
    [True, False]
    """
    return pl.col(column).str.strip_chars().str.contains(_HAS_TIME_TZ)


def converted(
    table: str, column: str, source: pl.DataType, *, time_zone: str = "UTC"
) -> pl.Expr | None:
    """Return the expression :func:`validate` uses to read ``table.column`` from ``source``.

    Null where a value cannot be read; None when the type cannot be read at all. Lets a
    reader filter raw rows on contract values (e.g. a date window) before validation.

    Examples
    --------
    >>> import polars as pl
    >>> raw = pl.DataFrame({"created_at": ["2024-01-05 10:00", "soon"]})
    >>> expr = converted("opportunities", "created_at", pl.String(), time_zone="UTC")
    >>> raw.select(expr.is_null())["created_at"].to_list()
    [False, True]
    """
    return _convert(column, source, TABLES[table].column(column).dtype, time_zone)


def _expected(dtype: pl.DataType) -> str:
    return _EXPECTED.get(type(dtype).__name__, str(dtype))


# ---------------------------------------------------------------------------- checks
@dataclass(frozen=True)
class _Check:
    column: str | None
    message: str
    mask: pl.Expr
    show: tuple[str, ...]
    kind: Literal["schema", "data"] = "data"
    screen: pl.Expr | None = None
    """A cheap aggregate that is 0 only when no row can fail (the mask is then skipped)."""


def _example_columns(table: Table, present: Sequence[str], *extra: str) -> tuple[str, ...]:
    cols = [table.key] if table.key else [c for c in table.required_columns[:2]]
    cols += [e for e in extra if e not in cols]
    return tuple(c for c in cols if c in present)


def _raw(name: str) -> str:
    """Name of the column keeping a value as the source gave it (for error examples)."""
    return f"__raw__{name}"


def _table_checks(
    table: Table, raw_schema: pl.Schema, time_zone: str
) -> tuple[list[pl.Expr], list[_Check], list[Problem]]:
    """Conversion expressions, row checks and schema problems for one table."""
    conversions: list[pl.Expr] = []
    checks: list[_Check] = []
    problems: list[Problem] = []
    present = list(raw_schema.names())

    for spec in table.columns:
        if spec.name not in raw_schema:
            if spec.required:
                problems.append(
                    Problem(
                        table.name,
                        spec.name,
                        "required column is missing; the table has: "
                        + (", ".join(present) or "none"),
                        0,
                        kind="schema",
                    )
                )
            else:
                conversions.append(pl.lit(None, dtype=spec.dtype).alias(spec.name))
            continue
        source = raw_schema[spec.name]
        expr = _convert(spec.name, source, spec.dtype, time_zone)
        if expr is None:
            problems.append(
                Problem(
                    table.name,
                    spec.name,
                    f"has type {source}, which cannot be read as {_expected(spec.dtype)}",
                    0,
                    kind="schema",
                )
            )
            continue
        is_id = spec.name.endswith("_id")
        if spec.dtype == pl.String() and is_id:
            # ids are compared exactly, not trimmed (trimming 10M ids costs seconds), but an
            # empty id is a missing one (exports quote empty fields: "")
            expr = pl.when(expr.str.len_bytes() > 0).then(expr)
        elif spec.dtype == pl.String():
            # trim labels (they are grouped on); whitespace-only values count as missing
            expr = expr.str.strip_chars()
            expr = pl.when(expr.str.len_bytes() > 0).then(expr)
            if table.name == "touches" and spec.name == TEAM:
                expr = expr.str.to_lowercase()
        conversions.append(expr.alias(spec.name))
        show = _example_columns(table, present, spec.name)
        if source != spec.dtype and source != pl.Null():
            # keep the raw value beside the converted one for error examples
            conversions.append(pl.col(spec.name).alias(_raw(spec.name)))
            bad = pl.col(_raw(spec.name)).is_not_null() & pl.col(spec.name).is_null()
            if source == pl.String():
                bad = bad & (pl.col(_raw(spec.name)).str.strip_chars() != "")
            what = "cannot be read as " + _expected(spec.dtype)
            if isinstance(spec.dtype, pl.Datetime) and time_zone != "UTC":
                what += f" (or does not exist in time zone {time_zone})"
            checks.append(
                _Check(
                    spec.name,
                    f"values {what}",
                    bad,
                    tuple(_raw(spec.name) if s == spec.name else s for s in show),
                )
            )
            if isinstance(spec.dtype, pl.Datetime) and source == pl.String():
                text = pl.col(_raw(spec.name)).str.strip_chars()
                aware = text.str.contains(_HAS_TIME_TZ)
                mixed = (aware.any() & (~aware).any()) & pl.col(spec.name).is_not_null()
                checks.append(
                    _Check(
                        spec.name,
                        "mixes timestamps with and without a time zone offset; give every value an "
                        f"offset, or none (naive values are read as {time_zone})",
                        mixed & ~aware,
                        tuple(_raw(spec.name) if s == spec.name else s for s in show),
                    )
                )
        if spec.required:
            null = (
                pl.col(_raw(spec.name))
                if source != spec.dtype and source != pl.Null()
                else pl.col(spec.name)
            )
            if is_id and source == pl.String():
                is_null = null.is_null() | (null.str.len_bytes() == 0)
            elif source == pl.String() or spec.dtype == pl.String():
                is_null = null.is_null() | (null.cast(pl.String).str.strip_chars() == "")
            else:
                is_null = null.is_null()
            checks.append(_Check(spec.name, "required value is empty", is_null, show))

    ok = {c.name for c in table.columns if c.name in raw_schema} - {p.column for p in problems}
    if table.key and table.key in ok:
        key = pl.col(table.key)
        checks.append(
            _Check(
                table.key,
                "duplicate ids",
                key.is_not_null() & key.is_duplicated(),
                _example_columns(table, present),
                # distinct hashes == non-null ids proves uniqueness (collisions can only
                # lower the count, so they never hide a duplicate); ~10x cheaper than the mask
                screen=key.count() - key.drop_nulls().hash().n_unique(),
            )
        )
    if table.name == "touches" and TEAM in ok:
        t = pl.col(TEAM)
        checks.append(
            _Check(
                TEAM,
                f"unknown team; allowed: {', '.join(TEAMS)} (case-insensitive)",
                t.is_not_null() & ~t.is_in(TEAMS),
                _example_columns(table, present, TEAM),
            )
        )
    for money in (AMOUNT, COST):
        if money in ok and money in table.schema:
            m = pl.col(money)
            checks.append(
                _Check(
                    money,
                    "negative or non-finite amounts (must be a number >= 0)",
                    m.is_not_null() & (m.is_nan() | m.is_infinite() | (m < 0)),
                    _example_columns(table, present, money),
                )
            )
    if table.name == "contacts" and SCORE in ok:
        s = pl.col(SCORE)
        checks.append(
            _Check(
                SCORE,
                "non-finite scores",
                s.is_not_null() & (s.is_nan() | s.is_infinite()),
                _example_columns(table, present, SCORE),
            )
        )
    if table.name == "accounts" and EMPLOYEES in ok:
        e = pl.col(EMPLOYEES)
        checks.append(
            _Check(
                EMPLOYEES,
                "negative employee counts",
                e.is_not_null() & (e < 0),
                _example_columns(table, present, EMPLOYEES),
            )
        )
    if table.name == "opportunities":
        if {IS_WON, CLOSED_AT} <= ok:
            checks.append(
                _Check(
                    CLOSED_AT,
                    "won opportunities without closed_at",
                    pl.col(IS_WON).fill_null(False) & pl.col(CLOSED_AT).is_null(),
                    _example_columns(table, present, IS_WON, CLOSED_AT),
                )
            )
        elif IS_WON in ok:
            problems.append(
                Problem(
                    table.name,
                    CLOSED_AT,
                    "column is missing, but it is needed to know when won deals closed",
                    0,
                    kind="schema",
                )
            )
        if {CREATED_AT, CLOSED_AT} <= ok:
            checks.append(
                _Check(
                    CLOSED_AT,
                    "closed_at is before created_at",
                    pl.col(CLOSED_AT) < pl.col(CREATED_AT),
                    _example_columns(table, present, CREATED_AT, CLOSED_AT),
                )
            )
    return conversions, checks, problems


def _run_checks(
    name: str, frame: pl.LazyFrame, checks: Sequence[_Check], *, eager: bool
) -> tuple[pl.DataFrame | None, list[Problem]]:
    """Evaluate every check in one pass; fetch examples only for failing ones."""
    data = frame.collect() if eager else None
    lf = data.lazy() if data is not None else frame
    first = [c.screen if c.screen is not None else c.mask.sum() for c in checks]
    n_rows, *counts = (
        lf.select(pl.len(), *[e.alias(str(i)) for i, e in enumerate(first)]).collect().row(0)
    )
    if n_rows == 0:
        message = "table is empty; remove it from the source if you have no such data"
        return data, [Problem(name, None, message, 0)]
    suspect = [i for i, c in enumerate(checks) if c.screen is not None and counts[i]]
    if suspect:
        exact = lf.select([checks[i].mask.sum().alias(str(i)) for i in suspect]).collect()
        for i in suspect:
            counts[i] = exact[str(i)].item()
    problems = []
    for check, count in zip(checks, counts, strict=True):
        if not count:
            continue
        examples = (
            lf.filter(check.mask)
            .head(_MAX_EXAMPLES)
            .select(_ROW, *check.show)
            .collect()
            .rename(lambda c: c.removeprefix("__raw__"))
        )
        problems.append(
            Problem(name, check.column, check.message, int(count), examples, check.kind)
        )
    return data, problems


def _foreign_key(
    child_name: str,
    child: pl.LazyFrame,
    column: str,
    parent_name: str,
    parent: pl.LazyFrame,
    parent_key: str,
    show: Sequence[str],
) -> Problem | None:
    keys = parent.select(pl.col(parent_key).alias(column)).unique()
    orphans = child.filter(pl.col(column).is_not_null()).join(keys, on=column, how="anti")
    count = int(orphans.select(pl.len()).collect().item())
    if not count:
        return None
    examples = orphans.head(_MAX_EXAMPLES).select(_ROW, *show).collect()
    return Problem(
        child_name, column, f"ids not found in {parent_name}.{parent_key}", count, examples
    )


def validate(
    tables: Mapping[str, Frame | None],
    *,
    time_zone: str = "UTC",
    lazy: bool = False,
    source: str = "<memory>",
) -> Dataset:
    """Check tables against the contract and return them as a typed :class:`Dataset`.

    Parameters
    ----------
    tables
        Canonical table name -> polars frame (eager or lazy). ``touches`` and
        ``opportunities`` are required; ``contacts``, ``accounts`` and ``stage_history``
        are optional. ``None`` values are treated as absent tables.
    time_zone
        IANA zone in which timestamps without an offset are read (default ``"UTC"``).
        Everything is stored in UTC.
    lazy
        Keep the converted tables lazy (for sources larger than memory). By default the
        tables are collected once and checked in memory.
    source
        A description of where the tables came from, used in messages.

    Returns
    -------
    Dataset
        Tables with contract types; optional contract columns that were absent are added
        as empty (null) columns; extra columns are kept unchanged.

    Raises
    ------
    SchemaError
        A required table or column is missing or has an unconvertible type (the message
        lists value problems found too).
    DataError
        Values break the contract: unparseable values, nulls in required columns,
        duplicate ids, unknown teams, negative or non-finite money, won deals without
        ``closed_at``, ``closed_at`` before ``created_at``, ids not found in the parent
        table, mixed time zone offsets or empty tables.

    Examples
    --------
    >>> import polars as pl
    >>> from attribution.data.schema import validate
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
    unknown = sorted(set(tables) - set(TABLES))
    problems: list[Problem] = []
    for name in unknown:
        problems.append(
            Problem(
                name,
                None,
                f"is not a contract table; expected one of: {', '.join(TABLES)}",
                0,
                kind="schema",
            )
        )
    converted: dict[str, pl.LazyFrame] = {}
    collected: dict[str, pl.DataFrame] = {}
    for name, spec in TABLES.items():
        frame = tables.get(name)
        if frame is None:
            if spec.required:
                problems.append(Problem(name, None, "required table is missing", 0, kind="schema"))
            continue
        lf = frame.lazy()
        try:
            raw_schema = lf.collect_schema()
        except pl.exceptions.PolarsError as exc:
            problems.append(Problem(name, None, f"cannot be read: {exc}", 0, kind="schema"))
            continue
        if _ROW in raw_schema:
            lf = lf.drop(_ROW)
            raw_schema = lf.collect_schema()
        conversions, checks, schema_problems = _table_checks(spec, raw_schema, time_zone)
        problems.extend(schema_problems)
        if schema_problems and any(p.column in spec.required_columns for p in schema_problems):
            # value checks on a table missing required columns would only add noise
            continue
        lf = lf.with_row_index(_ROW).with_columns(conversions)
        try:
            data, found = _run_checks(name, lf, checks, eager=not lazy)
        except pl.exceptions.PolarsError as exc:
            problems.append(Problem(name, None, f"cannot be read: {exc}", 0, kind="schema"))
            continue
        problems.extend(found)
        converted[name] = data.lazy() if data is not None else lf
        if data is not None:
            collected[name] = data

    # cross-table keys, only between tables that converted cleanly
    relations = [
        ("touches", ACCOUNT_ID, "accounts", ACCOUNT_ID),
        ("opportunities", ACCOUNT_ID, "accounts", ACCOUNT_ID),
        ("contacts", ACCOUNT_ID, "accounts", ACCOUNT_ID),
        ("touches", CONTACT_ID, "contacts", CONTACT_ID),
        ("stage_history", OPPORTUNITY_ID, "opportunities", OPPORTUNITY_ID),
    ]
    for child, column, parent, key in relations:
        if child in converted and parent in converted:
            spec = TABLES[child]
            show = _example_columns(spec, list(converted[child].collect_schema()), column)
            found_fk = _foreign_key(
                child, converted[child], column, parent, converted[parent], key, show
            )
            if found_fk:
                problems.append(found_fk)

    raise_problems(problems, source=source)

    def finish(name: str) -> Frame:
        lf = converted[name]
        raw_cols = [c for c in lf.collect_schema().names() if c.startswith("__raw__")]
        lf = lf.drop(_ROW, *raw_cols)
        if name in collected:
            return collected[name].drop(_ROW, *raw_cols)
        return lf

    return Dataset(
        **{name: finish(name) for name in converted},
        source=source,
    )
