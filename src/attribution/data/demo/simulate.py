"""The simulation of one chunk of accounts, as named steps in the order of their draws.

Accounts do not interact, so a chunk is simulated on its own. The steps (see the package
docstring) draw from one generator; their order below is the order of every draw, which is
what makes a seed reproduce the same data.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from attribution.data.demo.draws import Touches
from attribution.data.demo.insight import add_sales_insight
from attribution.data.demo.interventions import (
    Plan,
    after_close,
    before_close,
    experiments_table,
    lift_columns,
)
from attribution.data.demo.marketing import (
    browse,
    draw_accounts,
    draw_contacts,
    nurture,
    score_leads,
)
from attribution.data.demo.params import DemoParams
from attribution.data.demo.sales import (
    mark_sql,
    open_deals,
    prospect,
    route,
    stage_history,
    work_deals,
)
from attribution.data.demo.tables import (
    account_ids,
    accounts_table,
    contact_ids,
    contacts_table,
    link_sales_touches,
    opportunities_table,
    stage_history_table,
    touches_table,
    truth_table,
)
from attribution.data.demo.truth import close_deals

__all__ = ["simulate"]


def simulate(
    first: int, n: int, rng: np.random.Generator, p: DemoParams, plan: Plan | None = None
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """Simulate accounts ``first .. first+n-1``; return the tables and the per-deal truth.

    ``plan`` (a scenario, experiments) changes the touches around step 7 with its own
    generator (:mod:`attribution.data.demo.interventions`); without it, or with the
    default scenario and no experiment, the draws are the built-in demo's.

    Examples
    --------
    >>> tables, truth = simulate(0, 50, np.random.default_rng(1), DemoParams())
    >>> list(tables), tables["accounts"].height
    (['touches', 'opportunities', 'contacts', 'accounts', 'stage_history'], 50)
    """
    acc = draw_accounts(rng, n, p)
    touches = Touches()
    browse(rng, acc, p, touches)
    contacts = draw_contacts(rng, acc, p, touches)
    nurture(rng, acc, contacts, p, touches)
    marketing = touches.arrays()
    scores = score_leads(acc, contacts, marketing, p)
    routes = route(rng, acc, scores, p)
    last_pre = prospect(rng, acc, contacts, scores, routes, p, touches)
    deals = open_deals(rng, acc, scores, routes, marketing, last_pre, p)
    work_deals(rng, acc, contacts, scores, routes, deals, p, touches)
    every = touches.arrays()
    extra: dict[str, np.ndarray] = {}
    if plan is None or plan.is_default:
        outcome = close_deals(rng, acc, scores, deals, every, p)
    else:
        plan, every, effects, full = before_close(plan, acc, deals, routes, every, p)
        outcome = close_deals(rng, acc, scores, deals, every, p, effects)
        every = after_close(plan, deals, outcome, every)
        extra = lift_columns(plan, outcome, full, np.flatnonzero(deals.is_closed))
    stages = stage_history(rng, acc, deals, outcome.won, p)
    sql_day = mark_sql(rng, contacts, scores, routes, deals, p)
    theme = rng.integers(0, 6, every["day"].size)

    aid = account_ids(first)
    ids = contact_ids(contacts, aid)
    tables = {
        "touches": touches_table(every, theme, ids, aid, p.start, p.horizon),
        "opportunities": opportunities_table(deals, routes, outcome, stages, aid, p.start),
        "contacts": contacts_table(contacts, scores, sql_day, ids, aid, p.start),
        "accounts": accounts_table(acc, aid),
        "stage_history": stage_history_table(stages, aid, p.start),
    }
    tables["touches"] = link_sales_touches(tables["touches"], tables["opportunities"])
    tables = add_sales_insight(tables, rng, p)  # last: every draw above stays as it was
    if plan is not None and plan.experiments:
        tables["experiments"] = experiments_table(plan, aid, p.start, p.end)
    return tables, truth_table(deals, outcome, aid, extra)
