"""The scorecard before the teams agreed anything: empty tables and how to write the agreement.

The shipped definitions and targets describe the built-in demo data, so a report on other
data without its own agreement files does not borrow them: it gets the scorecard of
:func:`not_agreed`, whose tables are empty and whose text (:attr:`Scorecard.unagreed`)
says which file is missing and how to write it (``attribution init`` drafts both from the
data). Every page that shows the scorecard shows that text instead of numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import polars as pl

from attribution._markdown import Markdown
from attribution.alignment.definitions import Definitions
from attribution.alignment.definitions_schema import MqlRule, ServiceLevel, SqlRule
from attribution.alignment.kpis import COLUMNS
from attribution.alignment.scorecard import Scorecard
from attribution.alignment.service_level import CAMPAIGNS_SCHEMA, REPS_SCHEMA, SLA_SCHEMA
from attribution.alignment.targets import Targets
from attribution.data.schema import TIMESTAMP

__all__ = ["HOW_TO_AGREE", "not_agreed"]

HOW_TO_AGREE = (
    "Write the agreement as two small files: `definitions.yaml` (what makes a lead an MQL "
    "and an SQL, and the service level of the hand-off) and `targets.yaml` (each KPI with "
    "its target, owner and due date). `attribution init` drafts both from your own data "
    "(your channels, behaviours and periods) next to the params file it writes. Agree them "
    "with both teams, then name them in the params file:\n\n"
    "```yaml\nscorecard:\n  definitions: definitions.yaml\n  targets: targets.yaml\n```\n\n"
    "The shipped example agreement describes the built-in demo data only, so it is not "
    "used here."
)
"""How to write the agreement, as markdown (shown where the scorecard would be)."""

_TYPES: dict[str, pl.DataType] = {
    "target_id": pl.Int64(),
    "start": TIMESTAMP,
    "end": TIMESTAMP,
    "due": pl.Date(),
    "n": pl.Int64(),
    **dict.fromkeys(
        ("target", "actual", "ci_low", "ci_high", "elapsed", "expected", "progress"),
        pl.Float64(),
    ),
}
_TABLE_SCHEMA = {
    **{c: _TYPES.get(c, pl.String()) for c in COLUMNS},
    "previous": pl.Float64(),
    "trend": pl.String(),
}
_HISTORY_SCHEMA = {
    **{c: _TYPES.get(c, pl.String()) for c in COLUMNS},
    "is_target_period": pl.Boolean(),
}


def not_agreed(missing: Sequence[str], as_of: datetime) -> Scorecard:
    """Return the scorecard of data whose teams have not agreed their files yet.

    Parameters
    ----------
    missing
        The agreement files not given (``definitions``, ``targets``).
    as_of
        The moment the data is seen at.

    Returns
    -------
    Scorecard
        Empty tables; :attr:`Scorecard.unagreed` says what is missing and how to write it.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> sc = not_agreed(["definitions", "targets"], datetime(2024, 5, 1, tzinfo=timezone.utc))
    >>> sc.table.height, sc.summary().markdown.startswith("**No shared targets")
    (0, True)
    """
    files = " and ".join(f"`{m}.yaml`" for m in missing)
    text = Markdown(
        f"**No shared targets or definitions are agreed for this data yet** (no {files} "
        f"named in the params file's `scorecard:` section), so there is nothing to measure "
        f"against. {HOW_TO_AGREE}"
    )
    return Scorecard(
        table=pl.DataFrame(schema=_TABLE_SCHEMA),
        history=pl.DataFrame(schema=_HISTORY_SCHEMA),
        sla=pl.DataFrame(schema=SLA_SCHEMA),
        reps=pl.DataFrame(schema=REPS_SCHEMA),
        campaigns=pl.DataFrame(schema=CAMPAIGNS_SCHEMA),
        applied=None,
        definitions=Definitions(
            name="(not agreed yet)",
            agreed_on=None,
            agreed_by=(),
            mql=MqlRule(),
            sql=SqlRule(),
            sla=ServiceLevel(),
        ),
        targets=Targets(name="(not agreed yet)", on_track=0.9, history=0, targets=()),
        contributions=None,
        as_of=as_of,
        month=f"{as_of:%Y-%m}",
        notes=("no shared targets or definitions agreed yet: see above how to write them",),
        unagreed=text,
    )
