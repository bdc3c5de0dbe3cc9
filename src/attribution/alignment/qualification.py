"""The agreed definitions applied to the data: MQL and SQL moments, and drift from the CRM.

:func:`apply_definitions` derives, per contact, the moment it became an MQL and an SQL by
the agreed :class:`~attribution.alignment.definitions.Definitions`, entirely from touches,
opportunities and accounts (never from the CRM's own labels). Where the data also carries
the CRM's ``mql_at``/``sql_at``, it reports how often the two disagree, with examples, so
the teams can see where practice drifted from what they agreed.

How the moments are found (all in polars, one pass per contact group):

* the **candidate moments** of a contact are its creation and the moments of its touches,
  up to ``as_of``; a contact cannot qualify before it was created, but touches recorded
  before its creation still count towards its score and behaviours;
* at each candidate moment ``t`` the score is the fit points of its account's segment plus
  the points of its touches at or before ``t`` (with ``window_days``: at ``t - N days`` up
  to ``t``, both ends included), and a behaviour holds when at least ``count`` matching
  touches fall in its window;
* the **MQL moment** is the first candidate at which the rules hold (``combine: all``: the
  score and every behaviour at once; ``any``: one of them);
* the **SQL moment** is the first accepting event (a sales touch on the contact's account,
  of the agreed channels or activities, or an opportunity created for the account) at the
  MQL moment up to ``within_days`` after it, both ends included, and by ``as_of``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import polars as pl

from attribution._text import did_you_mean
from attribution._time import MICROS_PER_DAY, MICROS_PER_HOUR
from attribution._time import as_of as resolve_as_of
from attribution.alignment.definitions import Definitions, load_definitions
from attribution.data.dataset import Dataset
from attribution.data.schema import (
    ACCOUNT_ID,
    ACTIVITY,
    CAMPAIGN,
    CHANNEL,
    CONTACT_ID,
    CREATED_AT,
    MQL_AT,
    OCCURRED_AT,
    SALES,
    SCORE,
    SEGMENT,
    SQL_AT,
    TEAM,
    TIMESTAMP,
    TOUCH_ID,
)
from attribution.errors import ParameterError

__all__ = ["AGREEMENT_LEVELS", "AppliedDefinitions", "apply_definitions"]

CRM_MQL_AT = "crm_mql_at"
CRM_SQL_AT = "crm_sql_at"
SCORE_AT_MQL = "score_at_mql"
MAX_SCORE = "max_score"
AGREEMENT_LEVELS: tuple[str, ...] = (
    "both, same time",
    "both, different time",
    "CRM only",
    "agreed only",
)
"""How the CRM's label and the agreed definition compare for one contact (contacts that
neither labels are not counted)."""
NO_CAMPAIGN = "(no campaign)"


@dataclass(frozen=True)
class AppliedDefinitions:
    """The agreed MQL and SQL moments of every contact, and how they differ from the CRM's.

    Attributes
    ----------
    dataset
        The input dataset whose ``contacts`` carry the **agreed** ``mql_at`` and ``sql_at``
        (the CRM's own values are kept as ``crm_mql_at`` and ``crm_sql_at``), so every
        hand-off view (:func:`attribution.funnel`, :func:`attribution.speed_to_lead`...)
        can run on the agreed definitions.
    contacts
        One row per contact: ``contact_id``, ``account_id``, ``created_at``, ``mql_at``,
        ``sql_at`` (agreed), ``score_at_mql``, ``max_score`` (the highest agreed score by
        ``as_of``; empty without a score rule), ``campaign`` (of the contact's first touch
        with a campaign, at or before its MQL), ``crm_mql_at``, ``crm_sql_at``,
        ``mql_agreement`` and ``sql_agreement`` (one of :data:`AGREEMENT_LEVELS`, or
        ``neither``).
    drift
        One row per stage (``MQL``, ``SQL``) and agreement level: ``contacts``, their
        ``share`` of the contacts that either side labels, ``median_hours_apart`` (for
        labels at different times). Empty when the data carries no CRM labels.
    examples
        A few contacts per stage and kind of disagreement, with both moments.
    definitions
        The definitions applied.
    as_of
        The moment the data was seen at.
    crm_labels
        Per stage, whether the data carries CRM labels to compare with.
    tolerance_hours
        Labels this close count as the same time.
    notes
        Plain-English remarks on what could not be applied as written.
    """

    dataset: Dataset
    contacts: pl.DataFrame
    drift: pl.DataFrame
    examples: pl.DataFrame
    definitions: Definitions
    as_of: datetime
    crm_labels: dict[str, bool]
    tolerance_hours: float
    notes: tuple[str, ...] = ()

    def disagreement(self, stage: str = "MQL") -> float | None:
        """Share of labelled contacts where the CRM and the agreed definition disagree.

        ``None`` when the data carries no CRM label for ``stage`` or nobody is labelled.
        """
        rows = self.drift.filter(pl.col("stage") == stage)
        if rows.is_empty():
            return None
        total = int(rows["contacts"].sum())
        same = int(rows.filter(pl.col("agreement") == AGREEMENT_LEVELS[0])["contacts"].sum())
        return (total - same) / total if total else None

    def markdown(self) -> str:
        """Summarise the agreed counts and the drift from the CRM in a few sentences."""
        c = self.contacts
        n_mql = c[MQL_AT].is_not_null().sum()
        n_sql = c[SQL_AT].is_not_null().sum()
        lines = [
            f"By the agreed definitions, **{n_mql:,}** of {c.height:,} contacts became MQLs "
            f"and **{n_sql:,}** of those became SQLs by {self.as_of:%Y-%m-%d}."
        ]
        for stage, column in (("MQL", CRM_MQL_AT), ("SQL", CRM_SQL_AT)):
            if not self.crm_labels[stage]:
                lines.append(f"The data carries no CRM {stage} dates to compare with.")
                continue
            share = self.disagreement(stage)
            crm = c[column].is_not_null().sum()
            rows = dict(
                self.drift.filter(pl.col("stage") == stage).select("agreement", "contacts").rows()
            )
            tol = f"{self.tolerance_hours:g} hour{'s' if self.tolerance_hours != 1 else ''}"
            lines.append(
                f"**{stage}**: the CRM labels {crm:,} contacts. "
                + (
                    f"CRM and agreement disagree on **{share:.1%}** of the contacts either "
                    f"labels: {rows.get('CRM only', 0):,} labelled by the CRM only, "
                    f"{rows.get('agreed only', 0):,} by the agreement only, "
                    f"{rows.get('both, different time', 0):,} by both but more than {tol} "
                    "apart."
                    if share is not None
                    else "Nobody is labelled by either."
                )
            )
        lines += [f"_Note: {n}_" for n in self.notes]
        return "\n\n".join(lines)


# ------------------------------------------------------------------------------ helpers
def _duration(days: float) -> str:
    return f"{round(days * MICROS_PER_DAY)}us"


def _running(column: str, days: float | None) -> pl.Expr:
    """Sum of ``column`` over the contact's moments at or before each moment (or N days)."""
    if days is None:
        return pl.col(column).cum_sum().over(CONTACT_ID)
    if days == 0:  # the moment itself (moments are already one row per contact and time)
        return pl.col(column)
    return (
        pl.col(column)
        .rolling_sum_by("t", window_size=_duration(days), closed="both")
        .over(CONTACT_ID)
    )


def _matches(channels: list[str] | None, activities: list[str] | None) -> pl.Expr:
    expr = pl.lit(False)
    if channels:
        expr = expr | pl.col(CHANNEL).is_in(channels)
    if activities:
        expr = expr | pl.col(ACTIVITY).is_in(activities).fill_null(False)
    return expr


def _check_names(
    touches: pl.LazyFrame, d: Definitions, notes: list[str], problems: list[str]
) -> None:
    """Names in the definitions that no touch carries: likely typos are errors, else notes."""
    seen = touches.select(
        pl.col(CHANNEL).unique().implode().alias(CHANNEL),
        pl.col(ACTIVITY).drop_nulls().unique().implode().alias(ACTIVITY),
        pl.col(CHANNEL).filter(pl.col(TEAM) == SALES).unique().implode().alias("sales_channel"),
        pl.col(ACTIVITY)
        .filter(pl.col(TEAM) == SALES)
        .drop_nulls()
        .unique()
        .implode()
        .alias("sales_activity"),
    ).collect()
    present = {c: set(seen[c][0].to_list()) for c in seen.columns}
    named: list[tuple[str, str, list[str]]] = []
    score = d.mql.score
    if score is not None and score.source == "touches" and score.points:
        named.append(("mql.score.points", score.points_by, list(score.points)))
    for i, b in enumerate(d.mql.behaviours):
        named.append((f"mql.behaviours[{i}].channels", CHANNEL, b.channels or []))
        named.append((f"mql.behaviours[{i}].activities", ACTIVITY, b.activities or []))
    if "sales_touch" in d.sql.accepted_by:
        named.append(("sql.sales_channels", "sales_channel", d.sql.sales_channels or []))
        named.append(("sql.sales_activities", "sales_activity", d.sql.sales_activities or []))
    for key, kind, names in named:
        values = present[kind]
        what = kind.replace("sales_", "sales ")
        for name in names:
            if name in values:
                continue
            hint = did_you_mean(name, sorted(values), cutoff=0.75)
            if hint:
                problems.append(f"{key}: no touch has {what} {name!r}; {hint}")
            else:
                notes.append(f"{key}: no touch has {what} {name!r}, so it counts for nothing.")


def _require(dataset: Dataset, d: Definitions, touches: pl.LazyFrame) -> list[str]:
    """Check the data can carry the rules; return notes on what is applied differently."""
    problems: list[str] = []
    notes: list[str] = []
    uses_touches = bool(d.mql.behaviours) or (
        d.mql.score is not None and d.mql.score.source == "touches"
    )
    facts = (
        touches.select(
            pl.col(CONTACT_ID).is_not_null().any().alias("contact"),
            pl.col(ACTIVITY).is_not_null().any().alias("activity"),
        )
        .collect()
        .row(0, named=True)
    )
    if uses_touches and not facts["contact"]:
        problems.append(
            "mql: the score and behaviours count each contact's touches, but no touch carries "
            "a contact_id; map touches.contact_id, or use a CRM score (mql.score.source: crm)"
        )
    uses_activity = any(b.activities for b in d.mql.behaviours) or (
        d.mql.score is not None
        and d.mql.score.source == "touches"
        and d.mql.score.points_by == "activity"
    )
    if uses_activity and not facts["activity"]:
        problems.append(
            "mql: the rules name activities, but no touch carries an activity; map "
            "touches.activity, or name channels instead"
        )
    score = d.mql.score
    if score is not None and score.source == "crm":
        assert dataset.contacts is not None
        has_score = (
            dataset.lazy("contacts").select(pl.col(SCORE).is_not_null().any()).collect().item()
        )
        if not has_score:
            problems.append(
                "mql.score.source: crm reads the contacts' score column, which is empty; map "
                "contacts.score, or score touches (source: touches)"
            )
    if score is not None and score.fit_points:
        has_segment = dataset.accounts is not None and bool(
            dataset.lazy("accounts").select(pl.col(SEGMENT).is_not_null().any()).collect().item()
        )
        if not has_segment:
            notes.append(
                "mql.score.fit_points: the data has no account segments, so no fit points "
                "were added."
            )
    if not problems:
        _check_names(touches, d, notes, problems)
    if problems:
        n = len(problems)
        body = "\n".join(f"  {i}. {p}" for i, p in enumerate(problems, 1))
        raise ParameterError(
            f"{n} problem{'s' if n != 1 else ''} applying the definitions "
            f"({d.origin}) to {dataset.source}:\n{body}",
            problems,
        )
    return notes


# ------------------------------------------------------------------------------ MQL / SQL
def _mql(
    dataset: Dataset, d: Definitions, contacts: pl.LazyFrame, touches: pl.LazyFrame
) -> pl.LazyFrame:
    """Per contact: the agreed MQL moment, the score then, the highest score by as_of."""
    m = d.mql
    score = m.score
    behaviours = m.behaviours
    parts: list[pl.Expr] = []
    if score is not None and score.source == "touches":
        points = score.points or {}
        parts.append(
            pl.col(score.points_by)
            .replace_strict(points, default=0.0, return_dtype=pl.Float64)
            .fill_null(0.0)
            .alias("_pts")
        )
    for i, b in enumerate(behaviours):
        parts.append(_matches(b.channels, b.activities).cast(pl.Int64).alias(f"_b{i}"))
    cols = [p.meta.output_name() for p in parts]
    own = contacts.select(CONTACT_ID, ACCOUNT_ID, CREATED_AT)
    moments = (
        touches.filter(pl.col(CONTACT_ID).is_not_null())
        .join(own.select(CONTACT_ID), on=CONTACT_ID)
        .select(CONTACT_ID, pl.col(OCCURRED_AT).alias("t"), *parts)
    )
    created = own.select(
        CONTACT_ID,
        pl.col(CREATED_AT).alias("t"),
        *[pl.lit(0, dtype=pl.Float64 if c == "_pts" else pl.Int64).alias(c) for c in cols],
    )
    per_moment = (
        pl.concat([moments, created], how="vertical_relaxed")
        .group_by(CONTACT_ID, "t")
        .agg(*[pl.col(c).sum() for c in cols])
        .join(own, on=CONTACT_ID)
    )
    base = pl.lit(0.0)
    if score is not None and score.fit_points and dataset.accounts is not None:
        segments = dataset.lazy("accounts").select(ACCOUNT_ID, pl.col(SEGMENT).cast(pl.String))
        per_moment = per_moment.join(segments, on=ACCOUNT_ID, how="left")
        base = (
            pl.col(SEGMENT)
            .replace_strict(score.fit_points, default=0.0, return_dtype=pl.Float64)
            .fill_null(0.0)
        )
    if score is not None and score.source == "crm":
        crm = contacts.select(CONTACT_ID, pl.col(SCORE).alias("_crm"))
        per_moment = per_moment.join(crm, on=CONTACT_ID, how="left")
        score_expr: pl.Expr | None = base + pl.col("_crm")
    elif score is not None:
        score_expr = base + _running("_pts", score.window_days)
    else:
        score_expr = None
    conditions: list[pl.Expr] = []
    if score is not None and score_expr is not None:
        conditions.append((pl.col("_score") >= (score.threshold or 0.0)).fill_null(False))
    for i, b in enumerate(behaviours):
        conditions.append(_running(f"_b{i}", b.within_days) >= b.count)
    ok = pl.all_horizontal(conditions) if m.combine == "all" else pl.any_horizontal(conditions)
    scored = (
        per_moment.sort(CONTACT_ID, "t")
        .with_columns(
            (score_expr if score_expr is not None else pl.lit(None, dtype=pl.Float64)).alias(
                "_score"
            )
        )
        .with_columns((ok & (pl.col("t") >= pl.col(CREATED_AT))).alias("_ok"))
    )
    return scored.group_by(CONTACT_ID).agg(
        pl.col("t").filter(pl.col("_ok")).min().alias(MQL_AT),
        pl.col("_score").filter(pl.col("_ok")).first().alias(SCORE_AT_MQL),
        pl.col("_score").max().alias(MAX_SCORE),
    )


def _sql(
    d: Definitions,
    mqls: pl.LazyFrame,
    touches: pl.LazyFrame,
    opportunities: pl.LazyFrame,
) -> pl.LazyFrame:
    """Per MQL contact: the first accepting event in its SQL window."""
    s = d.sql
    events = []
    if "sales_touch" in s.accepted_by:
        sales = touches.filter(pl.col(TEAM) == SALES)
        if s.sales_channels or s.sales_activities:
            sales = sales.filter(_matches(s.sales_channels, s.sales_activities))
        events.append(sales.select(ACCOUNT_ID, pl.col(OCCURRED_AT).alias("t")))
    if "opportunity" in s.accepted_by:
        events.append(opportunities.select(ACCOUNT_ID, pl.col(CREATED_AT).alias("t")))
    window = pl.col("t") >= pl.col(MQL_AT)
    if s.within_days is not None:
        window &= pl.col("t") <= pl.col(MQL_AT) + pl.duration(
            microseconds=round(s.within_days * MICROS_PER_DAY)
        )
    return (
        mqls.join(pl.concat(events), on=ACCOUNT_ID)
        .filter(window)
        .group_by(CONTACT_ID)
        .agg(pl.col("t").min().alias(SQL_AT))
    )


def _campaigns(touches: pl.LazyFrame, mqls: pl.LazyFrame) -> pl.LazyFrame:
    """Per MQL contact: the campaign of its first touch with one, at or before the MQL."""
    return (
        touches.filter(pl.col(CONTACT_ID).is_not_null() & pl.col(CAMPAIGN).is_not_null())
        .join(mqls.select(CONTACT_ID, MQL_AT), on=CONTACT_ID)
        .filter(pl.col(OCCURRED_AT) <= pl.col(MQL_AT))
        .group_by(CONTACT_ID)
        .agg(pl.col(CAMPAIGN).sort_by(OCCURRED_AT, TOUCH_ID).first())
    )


# ------------------------------------------------------------------------------ drift
def _agreement(crm: str, agreed: str, tolerance_us: int) -> pl.Expr:
    both = pl.col(crm).is_not_null() & pl.col(agreed).is_not_null()
    apart = (pl.col(crm) - pl.col(agreed)).dt.total_microseconds().abs()
    return (
        pl.when(both & (apart <= tolerance_us))
        .then(pl.lit(AGREEMENT_LEVELS[0]))
        .when(both)
        .then(pl.lit(AGREEMENT_LEVELS[1]))
        .when(pl.col(crm).is_not_null())
        .then(pl.lit(AGREEMENT_LEVELS[2]))
        .when(pl.col(agreed).is_not_null())
        .then(pl.lit(AGREEMENT_LEVELS[3]))
        .otherwise(pl.lit("neither"))
    )


def _drift(
    contacts: pl.DataFrame, crm_labels: dict[str, bool], examples: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    tables, samples = [], []
    for stage, agreed, crm, column in (
        ("MQL", MQL_AT, CRM_MQL_AT, "mql_agreement"),
        ("SQL", SQL_AT, CRM_SQL_AT, "sql_agreement"),
    ):
        if not crm_labels[stage]:
            continue
        rows = contacts.filter(pl.col(column) != "neither").with_columns(
            ((pl.col(crm) - pl.col(agreed)).dt.total_microseconds() / MICROS_PER_HOUR).alias(
                "hours_apart"
            )
        )
        levels = pl.DataFrame({"agreement": list(AGREEMENT_LEVELS)})
        counted = rows.group_by(pl.col(column).alias("agreement")).agg(
            pl.len().cast(pl.Int64).alias("contacts"),
            pl.col("hours_apart").abs().median().alias("median_hours_apart"),
        )
        table = (
            levels.join(counted, on="agreement", how="left")
            .with_columns(pl.col("contacts").fill_null(0))
            .with_columns(
                pl.lit(stage).alias("stage"),
                (pl.col("contacts") / pl.col("contacts").sum()).fill_nan(None).alias("share"),
            )
        )
        tables.append(table.select("stage", "agreement", "contacts", "share", "median_hours_apart"))
        samples.append(
            rows.filter(pl.col(column) != AGREEMENT_LEVELS[0])
            .sort(pl.col("hours_apart").abs().fill_null(0.0), CONTACT_ID, descending=[True, False])
            .group_by(pl.col(column).alias("agreement"), maintain_order=True)
            .head(examples)
            .select(
                pl.lit(stage).alias("stage"),
                "agreement",
                CONTACT_ID,
                ACCOUNT_ID,
                CREATED_AT,
                pl.col(crm).alias("crm_at"),
                pl.col(agreed).alias("agreed_at"),
                "hours_apart",
                MAX_SCORE,
            )
        )
    drift_schema = pl.Schema(
        {
            "stage": pl.String,
            "agreement": pl.String,
            "contacts": pl.Int64,
            "share": pl.Float64,
            "median_hours_apart": pl.Float64,
        }
    )
    example_schema = pl.Schema(
        {
            "stage": pl.String(),
            "agreement": pl.String(),
            CONTACT_ID: pl.String(),
            ACCOUNT_ID: pl.String(),
            CREATED_AT: TIMESTAMP,
            "crm_at": TIMESTAMP,
            "agreed_at": TIMESTAMP,
            "hours_apart": pl.Float64(),
            MAX_SCORE: pl.Float64(),
        }
    )
    drift = pl.concat(tables) if tables else pl.DataFrame(schema=drift_schema)
    order = {a: i for i, a in enumerate(AGREEMENT_LEVELS)}
    sample = (
        pl.concat(samples).sort(
            "stage",
            pl.col("agreement").replace_strict(order, return_dtype=pl.Int64),
            maintain_order=True,
        )
        if samples
        else pl.DataFrame(schema=example_schema)
    )
    return drift, sample


# ------------------------------------------------------------------------------ public
def apply_definitions(
    dataset: Dataset,
    definitions: str | os.PathLike[str] | Mapping[str, Any] | Definitions | None = None,
    *,
    as_of: datetime | None = None,
    tolerance_hours: float = 24.0,
    examples: int = 3,
) -> AppliedDefinitions:
    """Derive every contact's MQL and SQL moments from the data by the agreed definitions.

    Parameters
    ----------
    dataset
        A validated dataset with a ``contacts`` table; touches need ``contact_id`` for a
        score or behaviours counted from touches.
    definitions
        The agreed definitions: a YAML file, a mapping or :class:`Definitions` (see
        :mod:`attribution.alignment.definitions`); ``None`` reads the shipped
        ``params/definitions.yaml``.
    as_of
        The moment the data is seen at (default: its latest timestamp); later touches,
        contacts and opportunities are ignored.
    tolerance_hours
        A CRM label and an agreed moment this close count as the same time.
    examples
        Example contacts per stage and kind of disagreement.

    Returns
    -------
    AppliedDefinitions
        ``.dataset`` (contacts with the agreed ``mql_at``/``sql_at``), ``.contacts``,
        ``.drift``, ``.examples``, ``.markdown()``.

    Raises
    ------
    ParameterError
        The definitions are malformed, or the data cannot carry them (no contacts table,
        no ``contact_id`` on touches for a touch score, an empty CRM score for a CRM
        score, a channel name that is a likely typo of one in the data).

    Examples
    --------
    >>> import attribution as at
    >>> ds = at.demo.generate(n_accounts=300, seed=1)
    >>> p = ds.truth.params   # the demo CRM's own rule, written as an agreement
    >>> same = at.apply_definitions(ds, {"mql": {"score": {
    ...     "points": dict(p.score_points), "threshold": p.mql_threshold,
    ...     "fit_points": {"SMB": 5, "Mid-Market": 10, "Enterprise": 15}}}})
    >>> same.disagreement("MQL")
    0.0
    >>> stricter = at.apply_definitions(ds, {"mql": {"score": {
    ...     "points": dict(p.score_points), "threshold": 60}}})
    >>> stricter.disagreement("MQL") > 0.3
    True
    """
    d = load_definitions(definitions)
    if dataset.contacts is None:
        raise ParameterError(
            f"apply_definitions needs the contacts table (the leads the definitions qualify); "
            f"the dataset from {dataset.source} has none"
        )
    if not tolerance_hours >= 0:
        raise ParameterError(f"tolerance_hours must be >= 0, got {tolerance_hours!r}")
    if isinstance(examples, bool) or not isinstance(examples, int) or examples < 0:
        raise ParameterError(f"examples must be a whole number >= 0, got {examples!r}")
    now = resolve_as_of(dataset, as_of)
    now_lit = pl.lit(now).cast(TIMESTAMP)
    touches = dataset.lazy("touches").filter(pl.col(OCCURRED_AT) <= now_lit)
    notes = _require(dataset, d, touches)
    contacts = dataset.lazy("contacts").filter(pl.col(CREATED_AT) <= now_lit)
    opportunities = dataset.lazy("opportunities").filter(pl.col(CREATED_AT) <= now_lit)

    mql = _mql(dataset, d, contacts, touches)
    mqls = contacts.select(CONTACT_ID, ACCOUNT_ID).join(
        mql.filter(pl.col(MQL_AT).is_not_null()).select(CONTACT_ID, MQL_AT), on=CONTACT_ID
    )
    sql = _sql(d, mqls, touches, opportunities)
    campaigns = _campaigns(touches, mqls)
    crm_mql = pl.when(pl.col(MQL_AT) <= now_lit).then(pl.col(MQL_AT))
    crm_sql = pl.when(pl.col(SQL_AT) <= now_lit).then(pl.col(SQL_AT))
    table = (
        contacts.select(
            CONTACT_ID, ACCOUNT_ID, CREATED_AT, crm_mql.alias(CRM_MQL_AT), crm_sql.alias(CRM_SQL_AT)
        )
        .join(mql, on=CONTACT_ID, how="left")
        .join(sql, on=CONTACT_ID, how="left")
        .join(campaigns, on=CONTACT_ID, how="left")
        .with_columns(
            pl.when(pl.col(MQL_AT).is_not_null())
            .then(pl.col(CAMPAIGN).fill_null(NO_CAMPAIGN))
            .alias(CAMPAIGN)
        )
    )
    if d.mql.score is None:
        table = table.with_columns(pl.lit(None, dtype=pl.Float64).alias(MAX_SCORE))
    frame = table.collect()
    crm_labels = {
        "MQL": bool(frame[CRM_MQL_AT].is_not_null().any()),
        "SQL": bool(frame[CRM_SQL_AT].is_not_null().any()),
    }
    tol = round(tolerance_hours * MICROS_PER_HOUR)
    frame = (
        frame.with_columns(
            _agreement(CRM_MQL_AT, MQL_AT, tol).alias("mql_agreement"),
            _agreement(CRM_SQL_AT, SQL_AT, tol).alias("sql_agreement"),
        )
        .select(
            CONTACT_ID,
            ACCOUNT_ID,
            CREATED_AT,
            MQL_AT,
            SQL_AT,
            pl.col(SCORE_AT_MQL).cast(pl.Float64),
            pl.col(MAX_SCORE).cast(pl.Float64),
            CAMPAIGN,
            CRM_MQL_AT,
            CRM_SQL_AT,
            "mql_agreement",
            "sql_agreement",
        )
        .sort(CONTACT_ID)
    )
    drift, sample = _drift(frame, crm_labels, examples)

    original = dataset.lazy("contacts").drop(CRM_MQL_AT, CRM_SQL_AT, strict=False)
    agreed = frame.select(CONTACT_ID, MQL_AT, SQL_AT).lazy()
    new_contacts = (
        original.rename({MQL_AT: CRM_MQL_AT, SQL_AT: CRM_SQL_AT})
        .join(agreed, on=CONTACT_ID, how="left")
        .select(*original.collect_schema().names(), CRM_MQL_AT, CRM_SQL_AT)
        .collect()
    )
    return AppliedDefinitions(
        dataset=replace(dataset, contacts=new_contacts),
        contacts=frame,
        drift=drift,
        examples=sample,
        definitions=d,
        as_of=now,
        crm_labels=crm_labels,
        tolerance_hours=float(tolerance_hours),
        notes=tuple(notes),
    )
