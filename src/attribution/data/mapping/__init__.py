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

The package: :mod:`~attribution.data.mapping.rules` (column and table rules, parsed),
:mod:`~attribution.data.mapping.mapping` (:class:`Mapping`: a whole source's rules, checked
and applied), :mod:`~attribution.data.mapping.reading` (reading one rule, stacking blocks)
and :mod:`~attribution.data.mapping.presets` (:func:`load_mapping`, :func:`presets`).
"""

from __future__ import annotations

from attribution.data.mapping.mapping import Mapping
from attribution.data.mapping.presets import load_mapping, presets
from attribution.data.mapping.rules import ColumnRule, TableRule

__all__ = ["ColumnRule", "Mapping", "TableRule", "load_mapping", "presets"]
