"""Reading one rule of a mapping from a source, and stacking the blocks of one table.

Problems (a missing table or column, a failing query, rules that cannot be applied) are
returned, not raised, so that a mapping reports all of them at once.
"""

from __future__ import annotations

import polars as pl

from attribution._text import did_you_mean
from attribution.data.mapping.rules import TableRule
from attribution.data.schema import TABLES, Problem, converted, has_offset
from attribution.data.sources.base import Source, TimeRange
from attribution.errors import AttributionError

__all__ = ["aligned", "missing_table", "read_rule", "rule_columns"]

_UTC_TEXT = "%Y-%m-%dT%H:%M:%S%.6f+00:00"


def _query_failed(origin: str, rule: TableRule, exc: Exception) -> Problem:
    message = f"mapping {origin}: the query for {rule.table} failed: {exc}"
    return Problem(rule.table, None, message, 0, kind="schema")


def missing_table(source: Source, origin: str, table: str, rule: TableRule) -> Problem:
    """Report that ``rule`` reads a table the source does not have (with a hint)."""
    present = sorted(source.names())
    assert rule.from_ is not None
    hint = did_you_mean(rule.from_, present)
    hint = f"; {hint}" if hint else ""
    return Problem(
        table,
        None,
        f"mapping {origin} reads {rule.from_!r}, which the source does "
        f"not have{hint} (it has: {', '.join(present) or 'nothing'})",
        0,
        kind="schema",
    )


def rule_columns(
    source: Source, rule: TableRule, origin: str
) -> tuple[list[str] | None, list[Problem]]:
    """Return the columns a rule reads from (without reading rows), or its problems."""
    try:
        schema = (
            source.schema(rule.from_) if rule.from_ is not None else source.schema(sql=rule.sql)
        )
    except AttributionError:
        raise
    except Exception as exc:  # SQL errors come from polars or the database driver
        return None, [_query_failed(origin, rule, exc)]
    names = schema.names()
    missing = [c for r in rule.columns.values() for c in r.source_columns() if c not in names]
    where = f"{rule.table} (from {rule.label})"
    return names, [
        Problem(
            where,
            c,
            f"mapping {origin} reads column {c!r}, which {rule.label} does not have; "
            f"it has: {', '.join(names)}",
            0,
            kind="schema",
        )
        for c in missing
    ]


def _select(frame: pl.LazyFrame, rule: TableRule, names: list[str]) -> pl.LazyFrame:
    """Filter by the rule's ``where`` and make its columns (keeping others if asked)."""
    if rule.where:
        frame = frame.filter(pl.sql_expr(rule.where))
    exprs = [r.expression(target) for target, r in rule.columns.items()]
    if not rule.keep_other_columns:
        return frame.select(exprs)
    renamed_from = {r.column for r in rule.columns.values() if r.column}
    targets = set(rule.columns)
    others = [c for c in names if c not in renamed_from and c not in targets]
    return frame.select(*others, *exprs)


def read_rule(
    source: Source, rule: TableRule, where: TimeRange | None, origin: str
) -> tuple[pl.LazyFrame | None, list[Problem]]:
    """Read one rule's rows (``where`` is passed on to the source) and make its columns."""
    try:
        frame = (
            source.table(rule.from_, where=where)
            if rule.from_ is not None
            else source.query(rule.sql or "", where=where)
        )
        names = frame.collect_schema().names()
    except AttributionError:
        raise
    except Exception as exc:  # SQL errors come from polars or the database driver
        return None, [_query_failed(origin, rule, exc)]
    try:
        frame = _select(frame, rule, names)
        frame.collect_schema()
    except Exception as exc:  # bad SQL in `where` or `expr`
        label = f"{rule.table} (from {rule.label})"
        message = f"mapping {origin}: cannot apply the rules: {exc}"
        return None, [Problem(label, None, message, 0, kind="schema")]
    return frame, []


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
