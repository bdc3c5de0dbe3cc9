"""The data contract, declared: the canonical tables, their columns, types and keys.

Every other module addresses columns through the constants defined here. Validation against
the contract is in :mod:`attribution.data.schema.validation`.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

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
LOST_REASON = "lost_reason"

LEAD_SOURCE = "lead_source"
MQL_AT = "mql_at"
SQL_AT = "sql_at"
SCORE = "score"
LEAD_STATUS = "status"
DISQUALIFIED_REASON = "disqualified_reason"
DISQUALIFIED_AT = "disqualified_at"
LEAD_PROFILE = "lead_profile"
TITLE = "title"
ROLE = "role"

SEGMENT = "segment"
INDUSTRY = "industry"
EMPLOYEES = "employees"
REGION = "region"

ENTERED_AT = "entered_at"

PERIOD_START = "period_start"
PERIOD_END = "period_end"
EXPERIMENT = "experiment"
ARM = "arm"
START = "start"
END = "end"
TREATMENT = "treatment"
HOLDOUT = "holdout"
ARMS: tuple[str, str] = (TREATMENT, HOLDOUT)

MARKETING = "marketing"
SALES = "sales"
TEAMS: tuple[str, str] = (MARKETING, SALES)

TIMESTAMP = pl.Datetime("us", "UTC")
"""The one timestamp type of the contract: microseconds, UTC."""


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
                _c(
                    OPPORTUNITY_ID,
                    _S,
                    False,
                    "deal the touch was logged on, if any: it then belongs to that deal's "
                    "journey only (e.g. Salesforce WhatId, HubSpot deal associations)",
                ),
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
                _c(
                    AMOUNT,
                    _F,
                    False,
                    "deal value (booked revenue when won); without it every deal counts as "
                    "one (count-only: credits are won deals)",
                ),
                _c(CLOSED_AT, TIMESTAMP, False, "when it closed; empty while open"),
                _c(STAGE, _S, False, "current stage"),
                _c(SOURCE, _S, False, "recorded source (e.g. 'marketing', 'outbound')"),
                _c(REP, _S, False, "owning sales rep"),
                _c(LOST_REASON, _S, False, "why a lost deal was lost, as sales recorded it"),
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
                _c(LEAD_STATUS, _S, False, "lead status (e.g. open, working, disqualified)"),
                _c(DISQUALIFIED_REASON, _S, False, "why sales disqualified the lead"),
                _c(DISQUALIFIED_AT, TIMESTAMP, False, "when sales disqualified the lead"),
                _c(
                    LEAD_PROFILE,
                    _S,
                    False,
                    "the lead's profile or grade as sales recorded it (e.g. X Education's "
                    "Lead Profile); read by the disqualification view, never by a model",
                ),
                _c(TITLE, _S, False, "job title"),
                _c(
                    ROLE,
                    _S,
                    False,
                    "buying role: decision_maker, champion, finance or user (derived from "
                    "the title by rules where not given)",
                ),
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
                _c(REGION, _S, False, "region or country of the company"),
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
        Table(
            "experiments",
            (
                _c(EXPERIMENT, _S, True, "name of the experiment"),
                _c(ACCOUNT_ID, _S, True, "account assigned to an arm"),
                _c(ARM, _S, True, "'treatment' or 'holdout'"),
                _c(CHANNEL, _S, False, "channel held out (give it or a campaign)"),
                _c(CAMPAIGN, _S, False, "campaign held out (give it or a channel)"),
                _c(START, TIMESTAMP, True, "when the experiment started"),
                _c(END, TIMESTAMP, True, "when it ended (outcomes are counted up to here)"),
            ),
            key=None,
            required=False,
            description="holdout experiments: which accounts were held out of what, when",
        ),
        Table(
            "spend",
            (
                _c(CHANNEL, _S, True, "channel the money was spent on (as in touches.channel)"),
                _c(CAMPAIGN, _S, False, "campaign, if the spend is known per campaign"),
                _c(PERIOD_START, TIMESTAMP, True, "first moment the spend covers"),
                _c(PERIOD_END, TIMESTAMP, True, "end of the period (exclusive)"),
                _c(AMOUNT, _F, True, "money spent in the period, in the revenue currency"),
            ),
            key=None,
            required=False,
            description="marketing spend per channel (and campaign) and period",
        ),
        Table(
            "opportunity_contacts",
            (
                _c(OPPORTUNITY_ID, _S, True, "the deal"),
                _c(CONTACT_ID, _S, True, "a person the CRM lists on the deal"),
                _c(
                    ROLE,
                    _S,
                    False,
                    "the person's buying role on this deal (e.g. Salesforce "
                    "OpportunityContactRole.Role); read before the contact's own role",
                ),
            ),
            key=None,
            required=False,
            description="contact roles per deal: who plays which part in each deal",
        ),
    )
}

TABLE_ORDER: tuple[str, ...] = tuple(TABLES)
