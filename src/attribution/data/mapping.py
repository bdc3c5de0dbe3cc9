"""Column mappings: how a user's exports or database tables become the contract's tables.

A mapping is a small YAML file (or dict). For each contract table it names where the rows come
from, and how each contract column is made from the source's columns::

    name: my-crm
    description: Weekly exports of our CRM
    time_zone: Europe/Berlin          # zone of timestamps without offset (optional)
    tables:
      opportunities:
        from: Opportunity             # file stem (Opportunity.csv) or database table
        columns:
          opportunity_id: Id          # contract column: source column
          account_id: AccountId
          created_at: {column: CreatedDate, format: "%m/%d/%Y %I:%M %p"}
          is_won: IsWon
          amount: Amount
          closed_at: {expr: "CASE WHEN IsClosed = 'true' THEN CloseDate END"}
      touches:                        # several sources are stacked
        - from: CampaignMember
          where: "FirstRespondedDate IS NOT NULL"
          columns:
            touch_id: Id
            account_id: AccountId
            occurred_at: FirstRespondedDate
            team: {value: marketing}
            channel: {column: CampaignType, values: {Webinar: webinar, Email: email},
                      default: other}
        - sql: "SELECT t.*, c.AccountId FROM Task t JOIN Contact c ON t.WhoId = c.Id"
          columns: {...}

Column rules: a source column name; or a dict with exactly one of ``column`` (optionally
with ``values`` + ``default`` to recode values and ``format`` to parse timestamps), ``value``
(a constant) or ``expr`` (a SQL expression over the source row, e.g. ``"Id || '-' || Type"``).
``from`` reads a table; ``sql`` runs a query against the source (for a folder of files, every
file is a table named by its stem, queried with polars SQL; for a database, the database's own
SQL). ``where`` filters rows with a SQL condition. Only mapped columns are kept unless
``keep_other_columns: true``. Contract tables the mapping does not mention are read under
their own names (``contacts.csv``...), with all their columns, when the source has them.

Values read from CSV files are text: compare them as text (``IsClosed = 'true'``) or cast
them (``CAST(Amount AS DOUBLE)``) inside SQL. Types are converted afterwards by validation.

For a database, ``schema:`` (top level) names the schema holding the tables, and ``from:``
may name a table schema-qualified (``from: crm.Opportunity``). ``where`` and ``expr`` are
polars SQL evaluated after reading, so one mapping works on files and databases alike;
``sql`` is the source's own SQL (quote identifiers with double quotes to keep it portable).

**Presets.** Mappings for common CRM exports ship in ``params/mappings/`` and are named by
their file stem: ``load(folder, mapping="salesforce")``. :func:`presets` lists them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping as MappingABC
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import yaml

from attribution._text import closest, did_you_mean
from attribution.data.schema import TABLES, Problem, converted, has_offset, raise_problems
from attribution.errors import AttributionError, ParameterError

if TYPE_CHECKING:
    from attribution.data.sources.base import Source, TimeRange

__all__ = ["ColumnRule", "Mapping", "TableRule", "load_mapping", "presets"]

_RULE_KEYS = ("column", "value", "values", "default", "format", "expr")
_TABLE_KEYS = ("from", "sql", "where", "columns", "keep_other_columns")
_TOP_KEYS = ("name", "description", "time_zone", "schema", "tables")
_PRESET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def _unknown(keys: Sequence[str], allowed: Sequence[str], where: str) -> None:
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
        _unknown(list(spec), _RULE_KEYS, where)
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
        _unknown(list(spec), _TABLE_KEYS, where)
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
        _unknown(list(spec), _TOP_KEYS, f"mapping {origin}")
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

    def _missing_table(self, source: Source, table: str, rule: TableRule) -> Problem:
        present = sorted(source.names())
        assert rule.from_ is not None
        hint = did_you_mean(rule.from_, present)
        hint = f"; {hint}" if hint else ""
        return Problem(
            table,
            None,
            f"mapping {self.origin} reads {rule.from_!r}, which the source does "
            f"not have{hint} (it has: {', '.join(present) or 'nothing'})",
            0,
            kind="schema",
        )

    def _columns(self, source: Source, rule: TableRule) -> tuple[list[str] | None, list[Problem]]:
        """Return the columns a rule reads from (without reading rows), or its problems."""
        try:
            schema = (
                source.schema(rule.from_) if rule.from_ is not None else source.schema(sql=rule.sql)
            )
        except AttributionError:
            raise
        except Exception as exc:  # SQL errors come from polars or the database driver
            message = f"mapping {self.origin}: the query for {rule.table} failed: {exc}"
            return None, [Problem(rule.table, None, message, 0, kind="schema")]
        names = schema.names()
        missing = [c for r in rule.columns.values() for c in r.source_columns() if c not in names]
        where = f"{rule.table} (from {rule.label})"
        return names, [
            Problem(
                where,
                c,
                f"mapping {self.origin} reads column {c!r}, which {rule.label} does not have; "
                f"it has: {', '.join(names)}",
                0,
                kind="schema",
            )
            for c in missing
        ]

    def check(
        self,
        source: Source,
        *,
        tables: Sequence[str] | None = None,
        optional_missing_ok: bool = True,
    ) -> list[Problem]:
        """Every missing table, missing column or failing query, found without reading rows."""
        problems: list[Problem] = []
        for table, rules in self._selected(tables):
            for rule in rules:
                if rule.from_ is not None and not source.has(rule.from_):
                    if not self._skippable(table, rules, optional_missing_ok):
                        problems.append(self._missing_table(source, table, rule))
                    continue
                problems.extend(self._columns(source, rule)[1])
        return problems

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
            differently (see :func:`_aligned`).
        """
        problems: list[Problem] = []
        out: dict[str, pl.LazyFrame] = {}
        for table, rules in self._selected(tables):
            parts = []
            for rule in rules:
                if rule.from_ is not None and not source.has(rule.from_):
                    if not self._skippable(table, rules, optional_missing_ok):
                        problems.append(self._missing_table(source, table, rule))
                    continue
                names, found = self._columns(source, rule)
                problems.extend(found)
                if names is None or found:
                    continue
                wanted = (ranges or {}).get(table)
                column = rule.source_column(wanted.column, names) if wanted else None
                pushed = wanted.on(column) if wanted is not None and column else None
                frame, found = self._apply_rule(source, rule, pushed)
                problems.extend(found)
                if frame is not None:
                    parts.append(frame)
            if len(parts) == 1:
                out[table] = parts[0]
            elif parts:
                out[table] = pl.concat(_aligned(table, parts, time_zone), how="diagonal_relaxed")
        raise_problems(problems, source=source.description)
        return out

    def _apply_rule(
        self, source: Source, rule: TableRule, where: TimeRange | None
    ) -> tuple[pl.LazyFrame | None, list[Problem]]:
        label = f"{rule.table} (from {rule.label})"
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
            message = f"mapping {self.origin}: the query for {rule.table} failed: {exc}"
            return None, [Problem(rule.table, None, message, 0, kind="schema")]
        try:
            if rule.where:
                frame = frame.filter(pl.sql_expr(rule.where))
            exprs = [r.expression(target) for target, r in rule.columns.items()]
            if rule.keep_other_columns:
                renamed_from = {r.column for r in rule.columns.values() if r.column}
                targets = set(rule.columns)
                others = [c for c in names if c not in renamed_from and c not in targets]
                frame = frame.select(*others, *exprs)
            else:
                frame = frame.select(exprs)
            frame.collect_schema()
        except Exception as exc:  # bad SQL in `where` or `expr`
            return None, [
                Problem(
                    label,
                    None,
                    f"mapping {self.origin}: cannot apply the rules: {exc}",
                    0,
                    kind="schema",
                )
            ]
        return frame, []


_UTC_TEXT = "%Y-%m-%dT%H:%M:%S%.6f+00:00"


def _aligned(table: str, parts: list[pl.LazyFrame], time_zone: str) -> list[pl.LazyFrame]:
    """Stacked sources with their timestamps written alike, so the stack can be validated.

    One export may give dates (``2024-03-01``), another UTC timestamps (``...T10:00:00Z``),
    a database typed timestamps: each part's readable values become UTC ISO text (naive ones
    read in ``time_zone``, as validation would). Unreadable values stay as they are, and a
    part that itself mixes values with and without an offset is left untouched, so that
    validation still reports them.
    """
    for spec in TABLES[table].columns:
        if not isinstance(spec.dtype, pl.Datetime):
            continue
        name = spec.name
        dtypes = [part.collect_schema().get(name) for part in parts]
        present = {d for d in dtypes if d is not None and d != pl.Null()}
        if len(present) <= 1 and pl.String() not in present:
            continue
        aligned = []
        for part, dtype in zip(parts, dtypes, strict=True):
            value = converted(table, name, dtype, time_zone=time_zone) if dtype else None
            if value is None:
                aligned.append(part)
                continue
            raw = pl.col(name)
            text = pl.coalesce(value.dt.strftime(_UTC_TEXT), raw.cast(pl.String))
            if dtype == pl.String():
                given = raw.is_not_null() & (raw.str.strip_chars() != "")
                offset = has_offset(name)
                mixed = (given & offset).any() & (given & ~offset).any()
                text = pl.when(mixed).then(raw).otherwise(text)
            aligned.append(part.with_columns(text.alias(name)))
        parts = aligned
    return parts


def presets() -> dict[str, Path]:
    """Return the mapping presets shipped in ``params/mappings/``, by name.

    Looked up in ``./params/mappings`` (the working directory) and in the project's own
    ``params/mappings`` (next to ``src/``); the first found wins.

    Examples
    --------
    >>> {"salesforce", "hubspot"} <= set(presets())
    True
    """
    found: dict[str, Path] = {}
    here = Path(__file__).resolve().parents[3] / "params" / "mappings"
    for folder in (Path.cwd() / "params" / "mappings", here):
        if folder.is_dir():
            for path in sorted(folder.glob("*.yaml")):
                found.setdefault(path.stem, path)
    return found


def load_mapping(mapping: str | os.PathLike[str] | MappingABC[str, Any] | Mapping) -> Mapping:
    """Load a mapping from a YAML file, a preset name, a dict, or return a Mapping unchanged.

    A plain name without a file of that name (``"salesforce"``) loads the preset
    ``params/mappings/<name>.yaml`` (see :func:`presets`).

    Examples
    --------
    >>> m = load_mapping({"tables": {"touches": {"from": "activities",
    ...     "columns": {"occurred_at": "ActivityDate", "team": {"value": "sales"}}}}})
    >>> m.tables["touches"][0].from_
    'activities'
    """
    if isinstance(mapping, Mapping):
        return mapping
    if isinstance(mapping, MappingABC):
        return Mapping.from_dict(mapping)
    path = Path(mapping)
    if not path.is_file():
        text = os.fspath(mapping)
        known = presets()
        if not _PRESET_NAME.match(text):
            raise ParameterError(f"mapping file {path} does not exist")
        if text not in known:
            hint = did_you_mean(text, sorted(known))
            hint = f"{hint} " if hint else ""
            raise ParameterError(
                f"mapping {text!r}: no such file, and no preset of that name; {hint}"
                f"presets: {', '.join(sorted(known)) or 'none found'}"
            )
        path = known[text]
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ParameterError(f"mapping file {path} is not valid YAML: {exc}") from None
    return Mapping.from_dict(spec, origin=str(path))
