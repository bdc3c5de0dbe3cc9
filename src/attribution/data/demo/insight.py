"""What sales hears, simulated: loss reasons, lead dispositions, titles, roles and regions.

These columns are drawn after every other draw of a chunk, from the same generator, so the
rest of the demo (and its known truth) is unchanged by them. They carry known patterns that
the sales-insight views must recover:

* **A campaign theme sales rejects.** Leads whose first marketing touch was a campaign of
  the theme :data:`NO_BUDGET_THEME` are disqualified more often (:data:`DISQUALIFY`), and
  mostly as "no budget" (:data:`NO_BUDGET_SHARE`).
* **The decision maker.** A closed deal whose buying group (the contacts touched in its
  journey window) holds anyone has a decision maker among them with probability
  :data:`DM_ENGAGED` (given won or lost). Drawn given the outcome, so the odds ratio of
  winning with a decision maker engaged is known exactly, in every segment:
  :func:`decision_maker_log_odds_ratio`. It is an association by construction; the demo's
  win model itself does not change.
* **Deals without a decision maker are lost as "no decision" more often.**
* **Competitors in the last quarter.** Deals lost in the last 90 days name a competitor
  more often than earlier ones.
* **Region has no effect.** Regions are drawn independently of everything: any difference
  in win rate by region is noise.

A contact on a deal has a ``role`` (as a CRM's contact role); every contact has a
``title`` drawn from the role's titles, so the title rules give the same role.

Reasons are written the way CRMs hold them: mixed case and synonyms
("Too expensive" for price), so that normalisation has work to do.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from attribution._time import DEFAULT_LOOKBACK_DAYS
from attribution.data.demo.params import DemoParams
from attribution.data.schema import TIMESTAMP

__all__ = [
    "DISQUALIFY",
    "DM_ENGAGED",
    "NO_BUDGET_SHARE",
    "NO_BUDGET_THEME",
    "REGIONS",
    "add_sales_insight",
    "decision_maker_log_odds_ratio",
]

REGIONS = ("North America", "EMEA", "APAC", "LATAM")
_REGION_SHARE = (0.45, 0.30, 0.15, 0.10)

NO_BUDGET_THEME = "ROI calculator"
"""Leads first reached by a campaign of this theme are rejected as "no budget"."""
DISQUALIFY = {"theme": 0.85, "other": 0.45}
"""Chance that an MQL sales did not accept (no SQL) is disqualified, by first campaign."""
NO_BUDGET_SHARE = {"theme": 0.7, "other": 0.1}
"""Chance that a disqualified lead's reason is "no budget", by first campaign."""
DM_ENGAGED = {True: 0.75, False: 0.45}
"""Chance that a closed deal's buying group holds a decision maker, given won / lost."""

_DQ_REASONS = ("Not a fit", "no response", "Student / job seeker", "Timing", "Competitor customer")
_DQ_WEIGHTS = (0.3, 0.35, 0.1, 0.15, 0.1)
_LOSS_REASONS = ("Price", "Competitor", "No decision", "Timing", "No budget", "Other")
_LOSS_WEIGHTS = {  # (with a decision maker, without one)
    "base": (0.28, 0.2, 0.12, 0.15, 0.15, 0.1),
    "no_dm": (0.18, 0.15, 0.4, 0.1, 0.12, 0.05),
}
_MESSY = {"Price": "Too expensive", "Competitor": "went with competitor", "No budget": "budget"}
_TITLES = {
    "decision_maker": ("VP Marketing", "Head of Sales", "Chief Revenue Officer", "Director, IT"),
    "champion": ("Marketing Manager", "RevOps Lead", "Sales Operations Manager"),
    "finance": ("CFO", "Finance Manager", "Procurement Specialist"),
    "user": ("Data Analyst", "SDR", "Marketing Specialist", "Account Executive"),
}
_OTHER_ROLES = (("champion", "finance", "user"), (0.35, 0.15, 0.5))
_ANY_ROLE = (("decision_maker", "champion", "finance", "user"), (0.2, 0.25, 0.1, 0.45))


def decision_maker_log_odds_ratio() -> float:
    """Return the true log odds ratio of winning with a decision maker engaged vs not.

    Among closed deals with a buying group, within any segment (see the module docstring).

    Examples
    --------
    >>> round(decision_maker_log_odds_ratio(), 3)
    1.299
    """
    a, b = DM_ENGAGED[True], DM_ENGAGED[False]
    return math.log(a / (1 - a)) - math.log(b / (1 - b))


def _choice(
    rng: np.random.Generator, values: tuple[str, ...], weights: tuple[float, ...], n: int
) -> np.ndarray:
    """Draw ``n`` of ``values`` with probabilities ``weights``."""
    return np.asarray(values, dtype=object)[rng.choice(len(values), n, p=list(weights))]


def _buying_groups(tables: dict[str, pl.DataFrame], end: pl.Expr) -> pl.DataFrame:
    """Per opportunity, the contacts touched in its journey window (one row per pair)."""
    opps = tables["opportunities"].select(
        "opportunity_id",
        "account_id",
        "is_won",
        (pl.col("created_at") - timedelta(days=DEFAULT_LOOKBACK_DAYS)).alias("start"),
        pl.coalesce("closed_at", end).alias("end"),
        pl.col("closed_at").is_not_null().alias("closed"),
    )
    touched = tables["touches"].filter(pl.col("contact_id").is_not_null())
    return (
        opps.join(touched.select("account_id", "contact_id", "occurred_at"), on="account_id")
        .filter(pl.col("occurred_at").is_between("start", "end"))
        .select("opportunity_id", "contact_id", "is_won", "closed")
        .unique(["opportunity_id", "contact_id"])
        .sort("opportunity_id", "contact_id")
    )


def _roles(rng: np.random.Generator, contacts: pl.DataFrame, groups: pl.DataFrame) -> pl.Series:
    """One role per contact: a decision maker in a deal's group as :data:`DM_ENGAGED` says."""
    deals = groups.select("opportunity_id", "is_won", "closed").unique("opportunity_id")
    deals = deals.sort("opportunity_id")
    p_dm = np.where(
        deals["closed"].to_numpy(),
        np.where(deals["is_won"].to_numpy(), DM_ENGAGED[True], DM_ENGAGED[False]),
        0.6,
    )
    deals = deals.with_columns(pl.Series("has_dm", rng.random(deals.height) < p_dm))
    members = groups.join(deals.select("opportunity_id", "has_dm"), on="opportunity_id")
    members = members.with_columns(pl.Series("u", rng.random(members.height)))
    members = members.with_columns(
        (pl.col("has_dm") & (pl.col("u") == pl.col("u").min().over("opportunity_id"))).alias("dm")
    )
    other = _choice(rng, *_OTHER_ROLES, members.height)
    members = members.with_columns(
        pl.when("dm").then(pl.lit("decision_maker")).otherwise(pl.Series(other)).alias("role")
    )
    free = _choice(rng, *_ANY_ROLE, contacts.height)
    given = members.group_by("contact_id").agg(pl.col("role").first())
    return (
        contacts.select("contact_id")
        .with_columns(pl.Series("free", free))
        .join(given, on="contact_id", how="left", maintain_order="left")
        .select(pl.coalesce("role", "free"))
        .to_series()
    )


def _titles(rng: np.random.Generator, roles: pl.Series) -> pl.Series:
    """Draw a job title for each role from the role's titles."""
    catalogue = pl.DataFrame(
        [(role, k, titles[k % len(titles)]) for role, titles in _TITLES.items() for k in range(4)],
        schema=["role", "k", "title"],
        orient="row",
    )
    picks = pl.DataFrame({"role": roles, "k": rng.integers(0, 4, roles.len())})
    return picks.join(catalogue, on=["role", "k"], how="left", maintain_order="left")["title"]


def _text(name: str, values: np.ndarray, keep: np.ndarray | None = None) -> pl.Series:
    """Text values as a String series, empty where ``keep`` is false."""
    series = pl.Series(name, np.asarray(values).astype(str), dtype=pl.String)
    if keep is None:
        return series
    return pl.select(pl.when(pl.lit(pl.Series(keep))).then(pl.lit(series))).to_series().alias(name)


def _contacts(
    rng: np.random.Generator, tables: dict[str, pl.DataFrame], groups: pl.DataFrame, end: pl.Expr
) -> pl.DataFrame:
    contacts = tables["contacts"]
    first = (
        tables["touches"]
        .filter(pl.col("team") == "marketing", pl.col("contact_id").is_not_null())
        .sort("occurred_at", "touch_id")
        .group_by("contact_id")
        .agg(pl.col("campaign").first())
    )
    base = contacts.join(first, on="contact_id", how="left", maintain_order="left")
    theme = base["campaign"].fill_null("").str.contains(NO_BUDGET_THEME, literal=True).to_numpy()
    rejected = base["mql_at"].is_not_null().to_numpy() & base["sql_at"].is_null().to_numpy()
    dq = rejected & (rng.random(base.height) < np.where(theme, *DISQUALIFY.values()))
    no_budget = rng.random(base.height) < np.where(theme, *NO_BUDGET_SHARE.values())
    other = _choice(rng, _DQ_REASONS, _DQ_WEIGHTS, base.height)
    reason = np.where(
        no_budget, np.where(rng.random(base.height) < 0.3, "No Budget", "no budget"), other
    )
    recycled = dq & (reason == "Timing") & (rng.random(base.height) < 0.5)
    delay = rng.uniform(1, 21, base.height)
    roles = _roles(rng, contacts, groups)
    status = np.where(
        recycled, "Recycled", np.where(dq, "Disqualified", np.where(rejected, "Working", "Open"))
    )
    status = np.where(base["sql_at"].is_not_null().to_numpy(), "Qualified", status)
    return contacts.with_columns(
        _text("status", status),
        _text("disqualified_reason", reason, dq),
        pl.when(pl.Series(dq))
        .then(pl.min_horizontal(pl.col("mql_at") + pl.duration(days=pl.lit(pl.Series(delay))), end))
        .cast(TIMESTAMP)
        .dt.truncate("1s")
        .alias("disqualified_at"),
        _titles(rng, roles),
        # the CRM's own role only where the person is on a deal (a contact role), else
        # empty: the views derive it from the title
        pl.when(pl.col("contact_id").is_in(groups["contact_id"].implode()))
        .then(pl.lit(roles))
        .alias("role"),
        pl.lit(None, pl.String).alias("lead_profile"),  # not simulated: the contract's column
    )


def _loss_reasons(
    rng: np.random.Generator,
    opps: pl.DataFrame,
    groups: pl.DataFrame,
    contacts: pl.DataFrame,
    end: datetime,
) -> pl.Series:
    with_dm = (
        groups.join(contacts.select("contact_id", "title"), on="contact_id")
        .filter(pl.col("title").is_in(list(_TITLES["decision_maker"])))["opportunity_id"]
        .unique()
    )
    no_dm = ~opps["opportunity_id"].is_in(with_dm.implode()).to_numpy()
    n = opps.height
    u = rng.random(n)
    base = np.array(_LOSS_WEIGHTS["base"]).cumsum()
    weak = np.array(_LOSS_WEIGHTS["no_dm"]).cumsum()
    pick = np.where(no_dm, np.searchsorted(weak, u * weak[-1]), np.searchsorted(base, u * base[-1]))
    late = (opps["closed_at"] >= end - timedelta(days=90)).fill_null(False).to_numpy()
    pick = np.where(late & (rng.random(n) < 0.3), 1, pick)  # competitors, lately
    reason = np.asarray(_LOSS_REASONS, dtype=object)[pick]
    messy = rng.random(n)
    synonyms = np.asarray([_MESSY.get(r, r) for r in _LOSS_REASONS], dtype=object)[pick]
    reason = np.where(messy < 0.2, synonyms, reason)
    shouted = np.char.upper(reason.astype(str))
    reason = np.where((messy >= 0.2) & (messy < 0.35), shouted, reason)
    lost = (~opps["is_won"] & opps["closed_at"].is_not_null()).to_numpy()
    return _text("lost_reason", reason, lost)


def add_sales_insight(
    tables: dict[str, pl.DataFrame], rng: np.random.Generator, p: DemoParams
) -> dict[str, pl.DataFrame]:
    """Return ``tables`` with the sales-insight columns added (see the module docstring).

    Examples
    --------
    >>> from attribution.data.demo.simulate import simulate
    >>> tables, _ = simulate(0, 80, np.random.default_rng(4), DemoParams())
    >>> {"lost_reason", "title", "region"} <= set(
    ...     tables["opportunities"].columns + tables["contacts"].columns
    ...     + tables["accounts"].columns)
    True
    """
    end = p.end
    groups = _buying_groups(tables, pl.lit(end).cast(TIMESTAMP))
    contacts = _contacts(rng, tables, groups, pl.lit(end).cast(TIMESTAMP))
    opps = tables["opportunities"]
    reasons = _loss_reasons(rng, opps, groups, contacts, end)
    accounts = tables["accounts"]
    region = _choice(rng, REGIONS, _REGION_SHARE, accounts.height)
    return {
        **tables,
        "opportunities": opps.with_columns(reasons),
        "contacts": contacts,
        "accounts": accounts.with_columns(pl.Series("region", region, dtype=pl.String)),
    }
