"""The rules of a mapping, parsed from YAML: how one contract column or table is made.

A :class:`ColumnRule` makes one contract column from a source row (a column, recoded or
parsed; a constant; or a SQL expression); a :class:`TableRule` says where one block of a
contract table's rows comes from and which rule makes each column.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingABC
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from attribution._text import closest, did_you_mean
from attribution.data.schema import TABLES
from attribution.errors import ParameterError

__all__ = ["ColumnRule", "TableRule", "check_keys"]

_RULE_KEYS = ("column", "value", "values", "default", "format", "expr")
_TABLE_KEYS = ("from", "sql", "where", "columns", "keep_other_columns")


def check_keys(keys: Sequence[str], allowed: Sequence[str], where: str) -> None:
    """Raise a ParameterError naming the first key that is not ``allowed`` (with a hint).

    Examples
    --------
    >>> check_keys(["form"], ["from"], "t")
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: t: unknown key 'form'; did you mean 'from'? (allowed: from)
    """
    for key in keys:
        if key not in allowed:
            hint = did_you_mean(key, allowed)
            hint = f"; {hint}" if hint else ""
            raise ParameterError(
                f"{where}: unknown key {key!r}{hint} (allowed: {', '.join(allowed)})"
            )


@dataclass(frozen=True)
class ColumnRule:
    """How one contract column is made from a source row."""

    column: str | None = None
    value: Any = None
    values: dict[Any, Any] | None = None
    default: Any = None
    format: str | None = None
    expr: str | None = None
    has_value: bool = False

    @classmethod
    def parse(cls, spec: Any, where: str) -> ColumnRule:
        """Build a rule from its YAML form (a column name, or a dict)."""
        if isinstance(spec, str):
            return cls(column=spec)
        if not isinstance(spec, MappingABC):
            raise ParameterError(
                f"{where}: expected a source column name or a dict with one of "
                f"'column', 'value' or 'expr', got {spec!r}"
            )
        check_keys(list(spec), _RULE_KEYS, where)
        kinds = [k for k in ("column", "value", "expr") if k in spec]
        if len(kinds) != 1:
            raise ParameterError(
                f"{where}: give exactly one of 'column', 'value' or 'expr' (got "
                f"{', '.join(kinds) or 'none'})"
            )
        if ("values" in spec or "default" in spec or "format" in spec) and "column" not in spec:
            raise ParameterError(f"{where}: 'values', 'default' and 'format' need a 'column'")
        values = spec.get("values")
        if values is not None and not isinstance(values, MappingABC):
            raise ParameterError(f"{where}: 'values' must map source values to contract values")
        for key in ("column", "expr", "format"):
            if key in spec and not isinstance(spec[key], str):
                raise ParameterError(f"{where}: {key!r} must be text, got {spec[key]!r}")
        return cls(
            column=spec.get("column"),
            value=spec.get("value"),
            values=dict(values) if values is not None else None,
            default=spec.get("default"),
            format=spec.get("format"),
            expr=spec.get("expr"),
            has_value="value" in spec,
        )

    def source_columns(self) -> list[str]:
        """Source columns this rule reads by name (expressions are checked when run)."""
        return [self.column] if self.column else []

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
        if self.format is not None:
            out = out.cast(pl.String).str.strip_chars().str.to_datetime(self.format, strict=False)
        return out.alias(target)


@dataclass(frozen=True)
class TableRule:
    """Where one block of a contract table's rows comes from."""

    table: str
    from_: str | None = None
    sql: str | None = None
    where: str | None = None
    columns: dict[str, ColumnRule] = field(default_factory=dict)
    keep_other_columns: bool = False

    @classmethod
    def parse(cls, table: str, spec: Any, where: str) -> TableRule:
        """Build a rule from its YAML form."""
        if not isinstance(spec, MappingABC):
            raise ParameterError(f"{where}: expected a dict with 'from' or 'sql', got {spec!r}")
        check_keys(list(spec), _TABLE_KEYS, where)
        if ("from" in spec) == ("sql" in spec):
            raise ParameterError(
                f"{where}: give exactly one of 'from' (a source table) or 'sql' (a query)"
            )
        columns = spec.get("columns") or {}
        if not isinstance(columns, MappingABC):
            raise ParameterError(f"{where}.columns: expected contract column: rule pairs")
        contract = [c.name for c in TABLES[table].columns]
        rules = {}
        for target, rule in columns.items():
            if target not in contract:
                near = closest(target, contract, cutoff=0.8)
                if near is not None and near not in columns:
                    raise ParameterError(
                        f"{where}.columns: {target!r} is not a column of {table}; did you mean "
                        f"{near!r}? (other names are kept as extra columns)"
                    )
            rules[str(target)] = ColumnRule.parse(rule, f"{where}.columns.{target}")
        return cls(
            table=table,
            from_=str(spec["from"]) if "from" in spec else None,
            sql=spec.get("sql"),
            where=spec.get("where"),
            columns=rules,
            keep_other_columns=bool(spec.get("keep_other_columns", False)),
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
            plain = rule.column is not None and rule.values is None and rule.format is None
            return rule.column if plain and rule.column in names else None
        renamed = {r.column for r in self.columns.values() if r.column}
        if self.keep_other_columns and target in names and target not in renamed:
            return target
        return None
