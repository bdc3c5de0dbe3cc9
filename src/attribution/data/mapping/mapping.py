"""The :class:`Mapping` of a whole source onto the contract: parsed, checked and applied."""

from __future__ import annotations

from collections.abc import Mapping as MappingABC
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from attribution._text import did_you_mean
from attribution.data.mapping.reading import (
    aligned,
    date_problems,
    missing_table,
    read_rule,
    rule_columns,
)
from attribution.data.mapping.rules import ColumnRule, TableRule, unknown_keys
from attribution.data.schema import TABLES, Problem, raise_problems
from attribution.data.sources.base import Source, TimeRange
from attribution.data.sources.options import CsvOptions, ReadOptions, parse_dates
from attribution.errors import ParameterError

__all__ = ["MappedTables", "Mapping"]

_TOP_KEYS = ("name", "description", "time_zone", "currency", "schema", "csv", "dates", "tables")


def _raise(problems: list[str], origin: str) -> None:
    """Raise one ParameterError listing every problem of a mapping (if there are any)."""
    if not problems:
        return
    n = len(problems)
    body = "\n".join(f"  {i}. {p}" for i, p in enumerate(problems, 1))
    raise ParameterError(
        f"{n} problem{'s' if n != 1 else ''} in mapping {origin}; nothing was loaded:\n{body}",
        problems,
    )


def _tables(
    spec: Any, origin: str, read: ReadOptions, problems: list[str]
) -> dict[str, tuple[TableRule, ...]]:
    """Parse the ``tables`` block; add every problem to ``problems``."""
    tables_spec = spec.get("tables")
    if not isinstance(tables_spec, MappingABC) or not tables_spec:
        problems.append(f"mapping {origin}: 'tables' must map contract tables to rules")
        return {}
    tables: dict[str, tuple[TableRule, ...]] = {}
    for table, rules in tables_spec.items():
        where = f"tables.{table}"
        if table not in TABLES:
            hint = did_you_mean(table, TABLES)
            hint = f"; {hint}" if hint else ""
            problems.append(f"{where}: not a contract table{hint} (tables: {', '.join(TABLES)})")
            continue
        items = rules if isinstance(rules, list) else [rules]
        parsed = [
            TableRule.parse(
                table, r, f"{where}[{i}]" if isinstance(rules, list) else where, problems, read
            )
            for i, r in enumerate(items)
        ]
        tables[table] = tuple(p for p in parsed if p is not None)
    return tables


@dataclass(frozen=True)
class MappedTables:
    """What :meth:`Mapping.read` read: the tables, every problem, and where rows came from."""

    tables: dict[str, pl.LazyFrame]
    problems: list[Problem]
    failed: set[str]
    """Contract tables left out because one of their rules has a problem."""
    origins: dict[str, str]
    """Per contract table, the files or tables it was read from (for messages)."""


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
    """The file it was read from (``<dict>`` for a dict, empty for plain renames)."""
    schema: str | None = None
    options: ReadOptions = field(default_factory=ReadOptions)
    """The mapping's top-level ``csv:`` and ``dates:`` (each rule adds its own)."""
    currency: str | None = None
    """The symbol of the amounts' currency, when the mapping knows it (``attribution init``
    writes it into the params it drafts)."""

    @classmethod
    def from_dict(cls, spec: Any, *, origin: str = "<dict>") -> Mapping:
        """Parse and check a mapping given as a dict (the YAML structure).

        Raises
        ------
        ParameterError
            Every problem of the mapping at once (unknown keys with the closest valid one,
            rules that cannot be built, CSV options and date formats that are not valid).
        """
        if not isinstance(spec, MappingABC):
            raise ParameterError(f"mapping {origin}: expected a dict with a 'tables' key")
        problems = [
            p.replace("mapping: ", "") for p in unknown_keys(list(spec), _TOP_KEYS, "mapping")
        ]
        csv, found = CsvOptions.parse(spec.get("csv"), "csv")
        dates, more = parse_dates(spec.get("dates"), "dates")
        problems += found + more
        read = ReadOptions(csv=csv, dates=dates)
        tables = _tables(spec, origin, read, problems)
        tz = spec.get("time_zone")
        if tz is not None and not isinstance(tz, str):
            problems.append(f"time_zone: must be text, got {tz!r}")
        schema = spec.get("schema")
        if schema is not None and not isinstance(schema, str):
            problems.append(f"schema: must be text, got {schema!r}")
        currency = spec.get("currency")
        if currency is not None and not (isinstance(currency, str) and 0 < len(currency) <= 5):
            problems.append(f"currency: expected a symbol of 1 to 5 characters, got {currency!r}")
        _raise(problems, origin)
        return cls(
            tables=tables,
            name=str(spec.get("name", Path(origin).stem)),
            description=str(spec.get("description", "")),
            time_zone=tz,
            origin=origin,
            schema=schema,
            options=read,
            currency=currency,
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
        return cls(tables=rules, name="renames", origin="")

    # ------------------------------------------------------------------ applying
    def _selected(self, tables: Sequence[str] | None) -> list[tuple[str, tuple[TableRule, ...]]]:
        # contract tables the mapping does not mention are read under their own names, as is
        plan = {
            t: self.tables.get(t)
            or (TableRule(table=t, from_=t, keep_other_columns=True, read=self.options),)
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

    def read(
        self,
        source: Source,
        *,
        tables: Sequence[str] | None = None,
        ranges: MappingABC[str, TimeRange] | None = None,
        time_zone: str = "UTC",
        optional_missing_ok: bool = True,
    ) -> MappedTables:
        """Read the mapped tables; return them with every problem, without raising.

        A contract table any of whose rules has a problem is left out of the tables read
        (validating half of it would only add noise); see :meth:`apply` for the rest.
        """
        problems: list[Problem] = []
        failed: set[str] = set()
        out: dict[str, pl.LazyFrame] = {}
        seen: set[tuple[str, str]] = set()
        origins: dict[str, str] = {}
        for table, rules in self._selected(tables):
            wanted = (ranges or {}).get(table)
            read_from = [source.label(r.from_) for r in rules if r.from_ and source.has(r.from_)]
            read_from += ["a sql query" for r in rules if r.sql]
            origins[table] = ", ".join(read_from)
            before = len(problems)
            parts = self._read_parts(
                source, table, rules, wanted, optional_missing_ok, problems, seen
            )
            if len(problems) > before:
                failed.add(table)
            elif len(parts) == 1:
                out[table] = parts[0]
            elif parts:
                out[table] = pl.concat(aligned(table, parts, time_zone), how="diagonal_relaxed")
        return MappedTables(out, problems, failed, origins)

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
        read = self.read(
            source,
            tables=tables,
            ranges=ranges,
            time_zone=time_zone,
            optional_missing_ok=optional_missing_ok,
        )
        raise_problems(read.problems, source=source.description)
        return read.tables

    def _read_parts(
        self,
        source: Source,
        table: str,
        rules: Sequence[TableRule],
        wanted: TimeRange | None,
        ok: bool,
        problems: list[Problem],
        seen: set[tuple[str, str]],
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
                problems.extend(date_problems(source, rule, self.origin, seen))
                parts.append(frame)
        return parts
