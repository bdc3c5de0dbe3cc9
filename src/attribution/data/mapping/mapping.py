"""The :class:`Mapping` of a whole source onto the contract: parsed, checked and applied."""

from __future__ import annotations

from collections.abc import Mapping as MappingABC
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from attribution._text import did_you_mean
from attribution.data.mapping.reading import aligned, missing_table, read_rule, rule_columns
from attribution.data.mapping.rules import ColumnRule, TableRule, check_keys
from attribution.data.schema import TABLES, Problem, raise_problems
from attribution.data.sources.base import Source, TimeRange
from attribution.errors import ParameterError

__all__ = ["Mapping"]

_TOP_KEYS = ("name", "description", "time_zone", "schema", "tables")


@dataclass(frozen=True)
class Mapping:
    """A complete mapping of a source onto the contract.

    Build one with :func:`load_mapping` (from a YAML file or a dict) or
    :meth:`Mapping.renames` (the simple ``columns=``/``tables=`` options of
    :func:`attribution.load`).
    """

    tables: dict[str, tuple[TableRule, ...]]
    name: str = "mapping"
    description: str = ""
    time_zone: str | None = None
    origin: str = "<dict>"
    schema: str | None = None

    @classmethod
    def from_dict(cls, spec: Any, *, origin: str = "<dict>") -> Mapping:
        """Parse and check a mapping given as a dict (the YAML structure)."""
        if not isinstance(spec, MappingABC):
            raise ParameterError(f"mapping {origin}: expected a dict with a 'tables' key")
        check_keys(list(spec), _TOP_KEYS, f"mapping {origin}")
        tables_spec = spec.get("tables")
        if not isinstance(tables_spec, MappingABC) or not tables_spec:
            raise ParameterError(f"mapping {origin}: 'tables' must map contract tables to rules")
        tables: dict[str, tuple[TableRule, ...]] = {}
        for table, rules in tables_spec.items():
            where = f"mapping {origin}: tables.{table}"
            if table not in TABLES:
                hint = did_you_mean(table, TABLES)
                hint = f"; {hint}" if hint else ""
                raise ParameterError(
                    f"{where}: not a contract table{hint} (tables: {', '.join(TABLES)})"
                )
            items = rules if isinstance(rules, list) else [rules]
            tables[table] = tuple(
                TableRule.parse(table, r, f"{where}[{i}]" if isinstance(rules, list) else where)
                for i, r in enumerate(items)
            )
        tz = spec.get("time_zone")
        if tz is not None and not isinstance(tz, str):
            raise ParameterError(f"mapping {origin}: time_zone must be text, got {tz!r}")
        schema = spec.get("schema")
        if schema is not None and not isinstance(schema, str):
            raise ParameterError(f"mapping {origin}: schema must be text, got {schema!r}")
        return cls(
            tables=tables,
            name=str(spec.get("name", Path(origin).stem)),
            description=str(spec.get("description", "")),
            time_zone=tz,
            origin=origin,
            schema=schema,
        )

    @classmethod
    def renames(
        cls,
        columns: MappingABC[str, MappingABC[str, str]] | None = None,
        tables: MappingABC[str, str] | None = None,
    ) -> Mapping:
        """Build the mapping behind ``load(columns=..., tables=...)``: renames, all kept."""
        columns, tables = columns or {}, tables or {}
        problems = [
            Problem(
                t,
                None,
                "the mapping names an unknown table; expected one of: " + ", ".join(TABLES),
                0,
                kind="schema",
            )
            for t in sorted((set(columns) | set(tables)) - set(TABLES))
        ]
        raise_problems(problems)
        rules: dict[str, tuple[TableRule, ...]] = {
            t: (
                TableRule(
                    table=t,
                    from_=tables.get(t, t),
                    columns={
                        target: ColumnRule(column=src)
                        for src, target in (columns.get(t) or {}).items()
                    },
                    keep_other_columns=True,
                ),
            )
            for t in TABLES
        }
        return cls(tables=rules, name="renames", origin="columns=/tables= options")

    # ------------------------------------------------------------------ applying
    def _selected(self, tables: Sequence[str] | None) -> list[tuple[str, tuple[TableRule, ...]]]:
        # contract tables the mapping does not mention are read under their own names, as is
        plan = {
            t: self.tables.get(t) or (TableRule(table=t, from_=t, keep_other_columns=True),)
            for t in TABLES
        }
        names = list(plan) if tables is None else [t for t in tables if t in plan]
        return [(t, plan[t]) for t in names]

    def _skippable(self, table: str, rules: Sequence[TableRule], optional_missing_ok: bool) -> bool:
        return (
            table not in self.tables
            or self.name == "renames"
            or (optional_missing_ok and len(rules) == 1 and not TABLES[table].required)
        )

    def _rule_columns(
        self, source: Source, table: str, rules: Sequence[TableRule], rule: TableRule, ok: bool
    ) -> tuple[list[str] | None, list[Problem]]:
        """Return the columns one rule reads from, or None and its problems.

        A rule reading a table the source does not have has no problem when it may be
        skipped (``ok``: optional tables may be missing).
        """
        if rule.from_ is not None and not source.has(rule.from_):
            if self._skippable(table, rules, ok):
                return None, []
            return None, [missing_table(source, self.origin, table, rule)]
        return rule_columns(source, rule, self.origin)

    def check(
        self,
        source: Source,
        *,
        tables: Sequence[str] | None = None,
        optional_missing_ok: bool = True,
    ) -> list[Problem]:
        """Every missing table, missing column or failing query, found without reading rows."""
        return [
            problem
            for table, rules in self._selected(tables)
            for rule in rules
            for problem in self._rule_columns(source, table, rules, rule, optional_missing_ok)[1]
        ]

    def apply(
        self,
        source: Source,
        *,
        tables: Sequence[str] | None = None,
        ranges: MappingABC[str, TimeRange] | None = None,
        time_zone: str = "UTC",
        optional_missing_ok: bool = True,
    ) -> dict[str, pl.LazyFrame]:
        """Read the mapped tables from ``source``; raise one error for every problem.

        Contract tables the mapping does not mention are read under their own names when the
        source has them. A rule reading a table the source does not have is skipped when the
        whole contract table is absent and optional (``contacts``, ``accounts``,
        ``stage_history``) or when this is the simple rename mapping; validation reports
        missing required tables.

        Parameters
        ----------
        source
            Where to read.
        tables
            Contract tables to read (default: every table the mapping names).
        ranges
            Per contract table, a :class:`~attribution.data.sources.base.TimeRange` on a contract
            column; where a rule reads that column unchanged from the source, the range is
            passed on to the source (pushed down). Rows are not filtered exactly here.
        time_zone
            Zone of naive timestamps, used when stacked sources write timestamps
            differently (see :func:`~attribution.data.mapping.reading.aligned`).
        optional_missing_ok
            Let optional tables read by one rule be missing from the source.
        """
        problems: list[Problem] = []
        out: dict[str, pl.LazyFrame] = {}
        for table, rules in self._selected(tables):
            wanted = (ranges or {}).get(table)
            parts = self._read_parts(source, table, rules, wanted, optional_missing_ok, problems)
            if len(parts) == 1:
                out[table] = parts[0]
            elif parts:
                out[table] = pl.concat(aligned(table, parts, time_zone), how="diagonal_relaxed")
        raise_problems(problems, source=source.description)
        return out

    def _read_parts(
        self,
        source: Source,
        table: str,
        rules: Sequence[TableRule],
        wanted: TimeRange | None,
        ok: bool,
        problems: list[Problem],
    ) -> list[pl.LazyFrame]:
        """Read every rule of one table; add their problems to ``problems``."""
        parts = []
        for rule in rules:
            names, found = self._rule_columns(source, table, rules, rule, ok)
            problems.extend(found)
            if names is None or found:
                continue
            column = rule.source_column(wanted.column, names) if wanted else None
            pushed = wanted.on(column) if wanted is not None and column else None
            frame, found = read_rule(source, rule, pushed, self.origin)
            problems.extend(found)
            if frame is not None:
                parts.append(frame)
        return parts
