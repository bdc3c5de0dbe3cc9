"""The rules of a mapping, parsed from YAML: how one contract column or table is made.

A :class:`ColumnRule` makes one contract column from a source row (a column, recoded,
parsed or cleaned as a number; a constant; or a SQL expression); a :class:`TableRule` says
where one block of a contract table's rows comes from, how its file is read and which rule
makes each column. Parsing collects every problem it finds (a list of messages) rather
than stopping at the first, so one error can list them all.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingABC
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import polars as pl

from attribution._text import closest, did_you_mean
from attribution.data.roles import first_match, pattern_problems
from attribution.data.schema import TABLES
from attribution.data.sources.options import CsvOptions, ReadOptions, parse_dates

__all__ = ["ColumnRule", "TableRule", "unknown_keys"]

_RULE_KEYS = (
    "column",
    "value",
    "values",
    "patterns",
    "default",
    "format",
    "expr",
    "optional",
    "thousands",
    "decimal_comma",
)
_TABLE_KEYS = ("from", "sql", "where", "columns", "keep_other_columns", "csv", "dates")


def unknown_keys(keys: Sequence[object], allowed: Sequence[str], where: str) -> list[str]:
    """Return one problem per key that is not ``allowed`` (with the closest valid one).

    Examples
    --------
    >>> unknown_keys(["form"], ["from"], "t")
    ["t: unknown key 'form'; did you mean 'from'? (allowed: from)"]
    """
    problems = []
    for key in keys:
        if key not in allowed:
            hint = did_you_mean(key, allowed)
            hint = f"; {hint}" if hint else ""
            problems.append(f"{where}: unknown key {key!r}{hint} (allowed: {', '.join(allowed)})")
    return problems


def sql_columns(text: str) -> list[str] | None:
    """Return the columns a SQL expression reads, or ``None`` when it does not parse.

    Examples
    --------
    >>> sorted(sql_columns("CASE WHEN Stage LIKE 'Closed%' THEN CloseDate END"))
    ['CloseDate', 'Stage']
    >>> sql_columns("Amount +* 1") is None
    True
    """
    try:
        return list(dict.fromkeys(pl.sql_expr(text).meta.root_names()))
    except Exception:  # polars raises its SQL errors as several types
        return None


@dataclass(frozen=True)
class ColumnRule:
    """How one contract column is made from a source row."""

    column: str | None = None
    value: Any = None
    values: dict[Any, Any] | None = None
    patterns: dict[str, Any] | None = None
    """Regular expressions (case-insensitive, first match wins) and the value each gives:
    e.g. a job title to a buying role."""
    default: Any = None
    format: str | None = None
    expr: str | None = None
    has_value: bool = False
    optional: bool = False
    """The source may lack the column(s) the rule reads: the contract column is then empty."""
    thousands: str | None = None
    decimal_comma: bool | None = None

    @classmethod
    def parse(cls, spec: Any, where: str, problems: list[str]) -> ColumnRule | None:
        """Build a rule from its YAML form (a column name, or a dict); add its problems."""
        if isinstance(spec, str):
            return cls(column=spec)
        if not isinstance(spec, MappingABC):
            problems.append(
                f"{where}: expected a source column name or a dict with one of "
                f"'column', 'value' or 'expr', got {spec!r}"
            )
            return None
        found = unknown_keys(list(spec), _RULE_KEYS, where)
        kinds = [k for k in ("column", "value", "expr") if k in spec]
        if len(kinds) != 1:
            found.append(
                f"{where}: give exactly one of 'column', 'value' or 'expr' (got "
                f"{', '.join(kinds) or 'none'})"
            )
        needs_column = ("values", "patterns", "default", "format", "thousands", "decimal_comma")
        if any(k in spec for k in needs_column) and "column" not in spec:
            found.append(f"{where}: {', '.join(map(repr, needs_column))} need a 'column'")
        values = spec.get("values")
        if values is not None and not isinstance(values, MappingABC):
            found.append(f"{where}: 'values' must map source values to contract values")
        if "patterns" in spec:
            found.extend(pattern_problems(spec["patterns"], where))
            if "values" in spec:
                found.append(f"{where}: give 'values' or 'patterns', not both")
        for key in ("column", "expr", "format"):
            if key in spec and not isinstance(spec[key], str):
                found.append(f"{where}: {key!r} must be text, got {spec[key]!r}")
        if "expr" in spec and isinstance(spec["expr"], str) and sql_columns(spec["expr"]) is None:
            found.append(f"{where}.expr: {spec['expr']!r} is not a SQL expression polars can read")
        for key in ("optional", "decimal_comma"):
            if key in spec and not isinstance(spec[key], bool):
                found.append(f"{where}.{key}: expected true or false, got {spec[key]!r}")
        thousands = spec.get("thousands")
        if thousands is not None and not (isinstance(thousands, str) and len(thousands) == 1):
            found.append(f"{where}.thousands: expected one character, got {thousands!r}")
        problems.extend(found)
        if found:
            return None
        return cls(
            column=spec.get("column"),
            value=spec.get("value"),
            values=dict(values) if values is not None else None,
            patterns=(
                {str(k): v for k, v in spec["patterns"].items()} if "patterns" in spec else None
            ),
            default=spec.get("default"),
            format=spec.get("format"),
            expr=spec.get("expr"),
            has_value="value" in spec,
            optional=bool(spec.get("optional", False)),
            thousands=thousands,
            decimal_comma=spec.get("decimal_comma"),
        )

    def source_columns(self) -> list[str]:
        """Source columns this rule reads by name (the columns of its expression too)."""
        if self.column:
            return [self.column]
        if self.expr:
            return sql_columns(self.expr) or []
        return []

    @property
    def parses_first(self) -> bool:
        """Whether its ``format`` parses the source column as it is read (before SQL)."""
        return self.format is not None and self.values is None and self.column is not None

    def expression(self, target: str) -> pl.Expr:
        """Return the polars expression producing the contract column ``target``."""
        if self.has_value:
            return pl.lit(self.value).alias(target)
        if self.expr is not None:
            return pl.sql_expr(self.expr).alias(target)
        assert self.column is not None
        out = pl.col(self.column)
        if self.values is not None:
            keys = [str(k) if not isinstance(k, bool) else str(k).lower() for k in self.values]
            text = out.cast(pl.String)
            mapped = text.replace_strict(
                dict(zip(keys, self.values.values(), strict=True)), default=None
            )
            fallback = pl.lit(self.default) if self.default is not None else out
            out = pl.when(text.is_in(keys)).then(mapped).otherwise(fallback)
        if self.patterns is not None:
            out = first_match(out, self.patterns, self.default)
        if self.format is not None and not self.parses_first:
            out = out.cast(pl.String).str.strip_chars().str.to_datetime(self.format, strict=False)
        return out.alias(target)


@dataclass(frozen=True)
class TableRule:
    """Where one block of a contract table's rows comes from, and how it is read."""

    table: str
    from_: str | None = None
    sql: str | None = None
    where: str | None = None
    columns: dict[str, ColumnRule] = field(default_factory=dict)
    keep_other_columns: bool = False
    read: ReadOptions = field(default_factory=ReadOptions)
    """CSV options (the mapping's, with this rule's on top) and the date formats of the
    source columns, parsed as the rows are read."""

    @classmethod
    def parse(
        cls,
        table: str,
        spec: Any,
        where: str,
        problems: list[str],
        base: ReadOptions | None = None,
    ) -> TableRule | None:
        """Build a rule from its YAML form on top of the mapping's read options."""
        if not isinstance(spec, MappingABC):
            problems.append(f"{where}: expected a dict with 'from' or 'sql', got {spec!r}")
            return None
        found = unknown_keys(list(spec), _TABLE_KEYS, where)
        if ("from" in spec) == ("sql" in spec):
            found.append(f"{where}: give exactly one of 'from' (a source table) or 'sql' (a query)")
        if spec.get("where") is not None and sql_columns(str(spec["where"])) is None:
            found.append(f"{where}.where: {spec['where']!r} is not a SQL condition polars can read")
        base = base or ReadOptions()
        csv, csv_problems = CsvOptions.parse(spec.get("csv"), f"{where}.csv", base.csv)
        dates, date_problems = parse_dates(spec.get("dates"), f"{where}.dates")
        found += csv_problems + date_problems
        rules = _column_rules(table, spec.get("columns"), f"{where}.columns", found)
        problems.extend(found)
        if found:
            return None
        firsts = {
            r.column: r.format
            for r in rules.values()
            if r.parses_first and r.column is not None and r.format is not None
        }
        read = replace(base, csv=csv).with_dates({**dates, **firsts})
        return cls(
            table=table,
            from_=str(spec["from"]) if "from" in spec else None,
            sql=spec.get("sql"),
            where=spec.get("where"),
            columns=rules,
            keep_other_columns=bool(spec.get("keep_other_columns", False)),
            read=read,
        )

    @property
    def label(self) -> str:
        """How the rule's source is named in messages."""
        return self.from_ if self.from_ is not None else "sql query"

    def source_column(self, target: str, names: Sequence[str]) -> str | None:
        """Return the source column holding contract column ``target`` unchanged, if any.

        Only such columns can carry a pushed-down condition: recoded, parsed (``format``),
        computed and constant columns are filtered after reading.
        """
        rule = self.columns.get(target)
        if rule is not None:
            plain = (
                rule.column is not None
                and rule.values is None
                and rule.patterns is None
                and rule.format is None
            )
            return rule.column if plain and rule.column in names else None
        renamed = {r.column for r in self.columns.values() if r.column}
        if self.keep_other_columns and target in names and target not in renamed:
            return target
        return None


def _column_rules(
    table: str, columns: object, where: str, problems: list[str]
) -> dict[str, ColumnRule]:
    """Parse the ``columns`` block of a table rule; add every problem to ``problems``."""
    if columns is None:
        return {}
    if not isinstance(columns, MappingABC):
        problems.append(f"{where}: expected contract column: rule pairs")
        return {}
    contract = [c.name for c in TABLES[table].columns]
    rules = {}
    for target, rule in columns.items():
        if target not in contract:
            near = closest(target, contract, cutoff=0.8)
            if near is not None and near not in columns:
                problems.append(
                    f"{where}: {target!r} is not a column of {table}; did you mean {near!r}? "
                    "(other names are kept as extra columns)"
                )
                continue
        parsed = ColumnRule.parse(rule, f"{where}.{target}", problems)
        if parsed is not None:
            rules[str(target)] = parsed
    return rules
