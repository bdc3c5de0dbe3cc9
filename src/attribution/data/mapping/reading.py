"""Reading one rule of a mapping from a source, and stacking the blocks of one table.

Problems (a missing table or column, a failing query, a value that does not match its
date format) are returned, not raised, so that a mapping reports all of them at once. Each
names the contract table, the file or table read, the column, and the closest valid name.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from attribution._text import did_you_mean
from attribution.data.mapping.messages import by_mapping, polars_message
from attribution.data.mapping.numbers import clean_number
from attribution.data.mapping.rules import TableRule, sql_columns
from attribution.data.schema import TABLES, Problem, converted, has_offset
from attribution.data.sources.base import Source, TimeRange
from attribution.data.sources.options import ReadOptions
from attribution.errors import AttributionError, SourceError

__all__ = ["aligned", "date_problems", "missing_table", "read_rule", "rule_columns"]

_UTC_TEXT = "%Y-%m-%dT%H:%M:%S%.6f+00:00"
_EXAMPLES = 5


def _where(source: Source, rule: TableRule) -> str:
    """Name a rule's rows in messages: ``touches (from Activities.csv)``."""
    return f"{rule.table} (from {source.label(rule.from_) if rule.from_ else 'sql query'})"


def _query_failed(source: Source, origin: str, rule: TableRule, exc: Exception) -> Problem:
    names = source.names()
    said = f"{by_mapping(origin).strip()}: " if origin else ""
    message = f"{said}the query for {rule.table} failed: {polars_message(exc, tables=names)}"
    return Problem(_where(source, rule), None, message, 0, kind="schema")


def missing_table(source: Source, origin: str, table: str, rule: TableRule) -> Problem:
    """Report that ``rule`` reads a table the source does not have (with a hint)."""
    present = sorted(source.names())
    assert rule.from_ is not None
    hint = did_you_mean(rule.from_, present)
    hint = f"; {hint}" if hint else ""
    return Problem(
        table,
        None,
        f"{by_mapping(origin)}reads {rule.from_!r}, which the source does not have{hint} "
        f"(it has: {', '.join(present) or 'nothing'})",
        0,
        kind="schema",
    )


def _read_columns(rule: TableRule) -> dict[str, str]:
    """Return the source columns a rule reads by name, with what reads each (for messages)."""
    readers: dict[str, list[str]] = {}
    for target, r in rule.columns.items():
        if not r.optional:
            for c in r.source_columns():
                readers.setdefault(c, []).append(target)
    for c in sql_columns(rule.where) or [] if rule.where else []:
        readers.setdefault(c, []).append("its where")
    return {
        c: ("for " if by != ["its where"] else "in ")
        + (f"column {by[0]}" if len(by) == 1 and by[0] != "its where" else ", ".join(by))
        for c, by in readers.items()
    }


def rule_columns(
    source: Source, rule: TableRule, origin: str
) -> tuple[list[str] | None, list[Problem]]:
    """Return the columns a rule reads from (without reading rows), or its problems."""
    try:
        schema = (
            source.schema(rule.from_, options=rule.read)
            if rule.from_ is not None
            else source.schema(sql=rule.sql, options=rule.read)
        )
    except SourceError as exc:  # a file that cannot be read: empty, in another encoding
        return None, [Problem(_where(source, rule), None, str(exc), 0, kind="schema")]
    except AttributionError:
        raise
    except Exception as exc:  # SQL errors come from polars or the database driver
        return None, [_query_failed(source, origin, rule, exc)]
    names = schema.names()
    where = _where(source, rule)
    problems = []
    for column, reader in _read_columns(rule).items():
        if column in names:
            continue
        hint = did_you_mean(column, names, otherwise=f"it has: {', '.join(names)}")
        problems.append(
            Problem(
                where,
                column,
                f"{by_mapping(origin)}reads column {column!r} ({reader}), which "
                f"{source.label(rule.from_) if rule.from_ else 'the query'} does not have; "
                f"{hint}",
                0,
                kind="schema",
            )
        )
    return names, problems


def _numeric(frame: pl.LazyFrame, rule: TableRule) -> pl.LazyFrame:
    """Read numbers written with currency symbols or separators in numeric contract columns."""
    schema = frame.collect_schema()
    csv = rule.read.csv
    cleaned = []
    for spec in TABLES[rule.table].columns:
        if not spec.dtype.is_numeric() or schema.get(spec.name) != pl.String():
            continue
        own = rule.columns.get(spec.name)
        thousands = (own.thousands if own else None) or csv.thousands
        comma = own.decimal_comma if own and own.decimal_comma is not None else csv.decimal_comma
        cleaned.append(
            clean_number(pl.col(spec.name), thousands=thousands, decimal_comma=comma).alias(
                spec.name
            )
        )
    return frame.with_columns(cleaned) if cleaned else frame


def _select(frame: pl.LazyFrame, rule: TableRule, names: Sequence[str]) -> pl.LazyFrame:
    """Filter by the rule's ``where`` and make its columns (keeping others if asked).

    A column rule marked ``optional`` whose source columns are absent gives an empty column.
    """
    if rule.where:
        frame = frame.filter(pl.sql_expr(rule.where))
    present = set(names)
    exprs = [
        pl.lit(None).alias(target)
        if r.optional and not set(r.source_columns()) <= present
        else r.expression(target)
        for target, r in rule.columns.items()
    ]
    if not rule.keep_other_columns:
        return _numeric(frame.select(exprs), rule)
    renamed_from = {r.column for r in rule.columns.values() if r.column}
    targets = set(rule.columns)
    others = [c for c in names if c not in renamed_from and c not in targets]
    return _numeric(frame.select(*others, *exprs), rule)


def read_rule(
    source: Source, rule: TableRule, where: TimeRange | None, origin: str
) -> tuple[pl.LazyFrame | None, list[Problem]]:
    """Read one rule's rows (``where`` is passed on to the source) and make its columns."""
    try:
        frame = (
            source.table(rule.from_, where=where, options=rule.read)
            if rule.from_ is not None
            else source.query(rule.sql or "", where=where, options=rule.read)
        )
        names = frame.collect_schema().names()
    except AttributionError:
        raise
    except Exception as exc:  # SQL errors come from polars or the database driver
        return None, [_query_failed(source, origin, rule, exc)]
    try:
        frame = _select(frame, rule, names)
        frame.collect_schema()
    except Exception as exc:  # bad SQL in `where` or `expr`
        said = f"{by_mapping(origin).strip()}: " if origin else ""
        message = f"{said}cannot apply the rules: {polars_message(exc, names)}"
        return None, [Problem(_where(source, rule), None, message, 0, kind="schema")]
    return frame, []


def date_problems(
    source: Source, rule: TableRule, origin: str, seen: set[tuple[str, str]]
) -> list[Problem]:
    """Report values that do not match their date format, in the tables a rule reads.

    ``seen`` holds the (table, column) pairs already checked, so a file read by several
    rules is reported once.
    """
    if not rule.read.dates:
        return []
    tables = [rule.from_] if rule.from_ is not None else source.names()
    problems = []
    raw_options = ReadOptions(csv=rule.read.csv)
    for name in tables:
        raw = source.table(name, options=raw_options)
        schema = raw.collect_schema()
        todo = {
            c: f
            for c, f in rule.read.dates.items()
            if schema.get(c) == pl.String() and (name, c) not in seen
        }
        seen.update((name, c) for c in todo)
        for column, fmt in todo.items():
            value = pl.col(column).str.strip_chars()
            bad = (
                value.is_not_null()
                & (value != "")
                & value.str.to_datetime(fmt, strict=False).is_null()
            )
            found = raw.filter(bad).select(pl.col(column)).head(_EXAMPLES).collect()
            if found.is_empty():
                continue
            count = int(raw.select(bad.sum()).collect().item())
            problems.append(
                Problem(
                    f"{rule.table} (from {source.label(name)})",
                    column,
                    f"{by_mapping(origin)}reads it as a date in the format {fmt!r}, which "
                    f"these values do not match",
                    count,
                    found,
                )
            )
    return problems


def _as_utc_text(
    table: str, name: str, part: pl.LazyFrame, dtype: pl.DataType | None, time_zone: str
) -> pl.LazyFrame:
    """One part with column ``name``'s readable timestamps written as UTC ISO text."""
    value = converted(table, name, dtype, time_zone=time_zone) if dtype else None
    if value is None:
        return part
    raw = pl.col(name)
    text = pl.coalesce(value.dt.strftime(_UTC_TEXT), raw.cast(pl.String))
    if dtype == pl.String():
        given = raw.is_not_null() & (raw.str.strip_chars() != "")
        offset = has_offset(name)
        mixed = (given & offset).any() & (given & ~offset).any()
        text = pl.when(mixed).then(raw).otherwise(text)
    return part.with_columns(text.alias(name))


def aligned(table: str, parts: list[pl.LazyFrame], time_zone: str) -> list[pl.LazyFrame]:
    """Stacked sources with their timestamps written alike, so the stack can be validated.

    One export may give dates (``2024-03-01``), another UTC timestamps (``...T10:00:00Z``),
    a database typed timestamps: each part's readable values become UTC ISO text (naive ones
    read in ``time_zone``, as validation would). Unreadable values stay as they are, and a
    part that itself mixes values with and without an offset is left untouched, so that
    validation still reports them.

    Examples
    --------
    >>> a = pl.LazyFrame({"occurred_at": ["2024-03-01"]})
    >>> b = pl.LazyFrame({"occurred_at": ["2024-03-01T10:00:00Z"]})
    >>> [p.collect().item() for p in aligned("touches", [a, b], "UTC")]
    ['2024-03-01T00:00:00.000000+00:00', '2024-03-01T10:00:00.000000+00:00']
    """
    for spec in TABLES[table].columns:
        if not isinstance(spec.dtype, pl.Datetime):
            continue
        dtypes = [part.collect_schema().get(spec.name) for part in parts]
        present = {d for d in dtypes if d is not None and d != pl.Null()}
        if len(present) <= 1 and pl.String() not in present:
            continue
        parts = [
            _as_utc_text(table, spec.name, part, dtype, time_zone)
            for part, dtype in zip(parts, dtypes, strict=True)
        ]
    return parts
