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

from attribution._markdown import Markdown
from attribution._time import MICROS_PER_HOUR
from attribution._time import as_of as resolve_as_of
from attribution.alignment.agreements import demo_only
from attribution.alignment.data_checks import require
from attribution.alignment.definitions import Definitions, load_definitions
from attribution.alignment.drift import (
    AGREEMENT_LEVELS,
    CRM_MQL_AT,
    CRM_SQL_AT,
    STAGES,
    agreement_level,
    drift_tables,
)
from attribution.alignment.moments import (
    MAX_SCORE,
    SCORE_AT_MQL,
    first_campaigns,
    mql_moments,
    sql_moments,
)
from attribution.data.dataset import Dataset
from attribution.data.schema import (
    ACCOUNT_ID,
    CAMPAIGN,
    CONTACT_ID,
    CREATED_AT,
    MQL_AT,
    OCCURRED_AT,
    SQL_AT,
    TIMESTAMP,
)
from attribution.errors import ParameterError

__all__ = ["AppliedDefinitions", "apply_definitions"]

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

    def markdown(self) -> Markdown:
        """Summarise the agreed counts and the drift from the CRM in a few sentences."""
        c = self.contacts
        n_mql = c[MQL_AT].is_not_null().sum()
        n_sql = c[SQL_AT].is_not_null().sum()
        lines = [
            Markdown(
                "By the agreed definitions, **{:,}** of {:,} contacts became MQLs and **{:,}** "
                "of those became SQLs by {:%Y-%m-%d}."
            ).format(n_mql, c.height, n_sql, self.as_of)
        ]
        for stage, _, column, _ in STAGES:
            if not self.crm_labels[stage]:
                lines.append(
                    Markdown("The data carries no CRM {} dates to compare with.").format(stage)
                )
                continue
            share = self.disagreement(stage)
            crm = c[column].is_not_null().sum()
            rows = dict(
                self.drift.filter(pl.col("stage") == stage).select("agreement", "contacts").rows()
            )
            hours = "hours" if self.tolerance_hours != 1 else "hour"
            lines.append(
                Markdown("**{}**: the CRM labels {:,} contacts. {}").format(
                    stage,
                    crm,
                    Markdown(
                        "CRM and agreement disagree on **{:.1%}** of the contacts either "
                        "labels: {:,} labelled by the CRM only, {:,} by the agreement only, "
                        "{:,} by both but more than {:g} {} apart."
                    ).format(
                        share,
                        rows.get("CRM only", 0),
                        rows.get("agreed only", 0),
                        rows.get("both, different time", 0),
                        self.tolerance_hours,
                        hours,
                    )
                    if share is not None
                    else Markdown("Nobody is labelled by either."),
                )
            )
        lines += [Markdown("_Note: {}_").format(n) for n in self.notes]
        return Markdown("\n\n").join(lines)


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
        example of the demo data (demo data only).
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
    demo_only(definitions, dataset, "definitions")
    d = load_definitions(definitions)
    _check_arguments(dataset, tolerance_hours, examples)
    now = resolve_as_of(dataset, as_of)
    now_lit = pl.lit(now).cast(TIMESTAMP)
    touches = dataset.lazy("touches").filter(pl.col(OCCURRED_AT) <= now_lit)
    notes = require(dataset, d, touches)
    frame = _moments(dataset, d, touches, now_lit).collect()
    crm_labels = {
        "MQL": bool(frame[CRM_MQL_AT].is_not_null().any()),
        "SQL": bool(frame[CRM_SQL_AT].is_not_null().any()),
    }
    frame = _with_agreement(frame, tolerance_hours)
    drift, sample = drift_tables(frame, crm_labels, examples)
    return AppliedDefinitions(
        dataset=replace(dataset, contacts=_agreed_contacts(dataset, frame)),
        contacts=frame,
        drift=drift,
        examples=sample,
        definitions=d,
        as_of=now,
        crm_labels=crm_labels,
        tolerance_hours=float(tolerance_hours),
        notes=tuple(notes),
    )


def _check_arguments(dataset: Dataset, tolerance_hours: float, examples: int) -> None:
    if dataset.contacts is None:
        raise ParameterError(
            f"apply_definitions needs the contacts table (the leads the definitions qualify); "
            f"the dataset from {dataset.source} has none"
        )
    if not tolerance_hours >= 0:
        raise ParameterError(f"tolerance_hours must be >= 0, got {tolerance_hours!r}")
    if isinstance(examples, bool) or not isinstance(examples, int) or examples < 0:
        raise ParameterError(f"examples must be a whole number >= 0, got {examples!r}")


def _moments(
    dataset: Dataset, d: Definitions, touches: pl.LazyFrame, now_lit: pl.Expr
) -> pl.LazyFrame:
    """Per contact seen by as_of: the CRM's and the agreed moments, scores and campaign."""
    contacts = dataset.lazy("contacts").filter(pl.col(CREATED_AT) <= now_lit)
    opportunities = dataset.lazy("opportunities").filter(pl.col(CREATED_AT) <= now_lit)
    mql = mql_moments(dataset, d, contacts, touches)
    mqls = contacts.select(CONTACT_ID, ACCOUNT_ID).join(
        mql.filter(pl.col(MQL_AT).is_not_null()).select(CONTACT_ID, MQL_AT), on=CONTACT_ID
    )
    sql = sql_moments(d, mqls, touches, opportunities)
    campaigns = first_campaigns(touches, mqls)
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
    return table


def _with_agreement(frame: pl.DataFrame, tolerance_hours: float) -> pl.DataFrame:
    """Add how the CRM and the agreement compare per stage; the contacts' final columns."""
    tol = round(tolerance_hours * MICROS_PER_HOUR)
    return (
        frame.with_columns(
            agreement_level(crm, agreed, tol).alias(column) for _, agreed, crm, column in STAGES
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


def _agreed_contacts(dataset: Dataset, frame: pl.DataFrame) -> pl.DataFrame:
    """Return the dataset's contacts with the agreed moments; the CRM's kept as ``crm_*``."""
    original = dataset.lazy("contacts").drop(CRM_MQL_AT, CRM_SQL_AT, strict=False)
    agreed = frame.select(CONTACT_ID, MQL_AT, SQL_AT).lazy()
    return (
        original.rename({MQL_AT: CRM_MQL_AT, SQL_AT: CRM_SQL_AT})
        .join(agreed, on=CONTACT_ID, how="left", maintain_order="left")
        .select(*original.collect_schema().names(), CRM_MQL_AT, CRM_SQL_AT)
        .collect()
    )
