"""One story for the summary: which number answers which question, side by side.

Two questions sound alike and get different numbers:

* **How much does each team add to revenue?** The contribution estimate answers it
  (:func:`attribution.contributions`): expected revenue of the closed deals with and without
  each team's touches. A team's *own part* is what its touches add on their own; its
  *share* adds half of what the two teams add only together, so the shares and the baseline
  make 100%. The scorecard's contribution targets are set on the own part.
* **Who touched the won revenue?** The attribution models answer it: each shares every won
  deal's revenue among the touches before it, by a convention (rule models) or by how
  journeys move between channels (Markov, Shapley). They credit presence, not effect.

:func:`team_story` writes the two answers, both marketing numbers with their definitions,
and, where the models and the estimate rank the teams differently, says so and why.
"""

from __future__ import annotations

import math

import polars as pl

from attribution._markdown import Markdown
from attribution.data.schema import MARKETING, SALES, TEAM
from attribution.estimates.contributions import ContributionResult
from attribution.models.compare.comparison import Comparison

__all__ = ["DATA_DRIVEN", "model_team_shares", "team_story", "team_table"]

DATA_DRIVEN: tuple[str, ...] = ("markov", "shapley", "incremental")
"""Models that learn from won and lost journeys (the others apply a convention)."""

_NAMES = {
    "first_touch": "first touch",
    "last_touch": "last touch",
    "time_decay": "time decay",
    "u_shaped": "U-shaped",
    "w_shaped": "W-shaped",
    "full_path": "full path",
    "j_shaped": "J-shaped",
    "inverse_j": "inverse J",
    "markov": "Markov",
    "shapley": "Shapley",
}


def _pct(value: float | None) -> str:
    return f"{value:.0%}" if value is not None and math.isfinite(value) else "n/a"


def _with_interval(row: dict[str, float | None]) -> str:
    return f"{_pct(row['share'])} ({_pct(row['ci_low'])} to {_pct(row['ci_high'])})"


def team_table(result: ContributionResult) -> pl.DataFrame:
    """Return both marketing (and sales) numbers of the estimate, with what each means.

    One row per measure: ``measure``, ``marketing``, ``sales`` (share and interval, as
    text) and ``definition``; no rows when the data cannot support the estimate.
    """
    if not result.supported:
        return pl.DataFrame(
            schema=dict.fromkeys(["measure", MARKETING, SALES, "definition"], pl.String)
        )
    own = {r["component"]: r for r in result.table.iter_rows(named=True)}
    shapley = {r["component"]: r for r in result.shapley.iter_rows(named=True)}
    return pl.DataFrame(
        {
            "measure": ["own part", "share (own part + half the joint work)"],
            MARKETING: [_with_interval(own[MARKETING]), _with_interval(shapley[MARKETING])],
            SALES: [_with_interval(own[SALES]), _with_interval(shapley[SALES])],
            "definition": [
                "what the team's touches add on their own; the scorecard's contribution "
                "targets are set on it",
                "the own part plus half of what the two teams add only together "
                f"({_pct(own['joint']['share'])}); with the baseline "
                f"({_pct(shapley['baseline']['share'])}) the shares make 100%",
            ],
        }
    )


def model_team_shares(by_team: Comparison) -> dict[str, tuple[float, float]]:
    """Return, per model, the shares of credited revenue it gives marketing and sales."""
    credited = by_team.table.filter(pl.col(TEAM).is_in([MARKETING, SALES]))
    out: dict[str, tuple[float, float]] = {}
    for model in [c for c in credited.columns if c != TEAM]:
        values = dict(zip(credited[TEAM], credited[model], strict=True))
        m, s = float(values.get(MARKETING) or 0.0), float(values.get(SALES) or 0.0)
        if m + s > 0:
            out[model] = (m / (m + s), s / (m + s))
    return out


def team_story(result: ContributionResult, by_team: Comparison) -> Markdown:
    """Answer "how much does each team add" and "who touched the won revenue", apart.

    Parameters
    ----------
    result
        The run's contribution estimate.
    by_team
        The run's attribution models, credited revenue by team.

    Returns
    -------
    Markdown
        The estimate's answer with its interval, the models' answer, and where
        they rank the teams differently, why, and which to read.
    """
    models = model_team_shares(by_team)
    credited = "; ".join(
        f"{_NAMES.get(m, m)} {_pct(mk)} / {_pct(sl)}" for m, (mk, sl) in models.items()
    )
    who = Markdown(
        "**Who touched the won revenue?** The attribution models share each won deal's "
        "revenue among the touches before it (marketing / sales): {}. Rule models apply a "
        "convention; Markov and Shapley learn how journeys move between channels. They say "
        "who was there before a win, not what a team caused."
    ).format(credited)
    if not result.supported:
        return Markdown(
            "**How much does each team add?** Not estimated: the data cannot support it (the "
            "cautions just above say why).\n\n{}"
        ).format(who)
    shapley = {r["component"]: r for r in result.shapley.iter_rows(named=True)}
    m, s = shapley[MARKETING], shapley[SALES]
    add = Markdown(
        "**How much does each team add?** Read the contribution estimate: counting half of "
        "what the teams do together to each, marketing adds {} and sales {} of the revenue "
        "expected from the closed deals ({:.0%} intervals); {} would come without any "
        "touch. It compares deals with and without each team's touches: an association, "
        "not a proven cause."
    ).format(_with_interval(m), _with_interval(s), result.level, _pct(shapley["baseline"]["share"]))
    return Markdown("\n\n").join(p for p in (add, who, _disagreement(m, s, models)) if p)


def _disagreement(
    m: dict[str, float | None], s: dict[str, float | None], models: dict[str, tuple[float, float]]
) -> Markdown:
    """Say where the data-driven models rank the teams against a clear estimate."""
    if None in (m["ci_low"], m["ci_high"], s["ci_low"], s["ci_high"]):
        return Markdown("")
    assert m["ci_low"] is not None and m["ci_high"] is not None
    assert s["ci_low"] is not None and s["ci_high"] is not None
    if s["ci_low"] > m["ci_high"]:
        ahead, behind = SALES, MARKETING
    elif m["ci_low"] > s["ci_high"]:
        ahead, behind = MARKETING, SALES
    else:
        return Markdown("")  # the estimate cannot tell which team adds more
    against = [
        _NAMES.get(name, name)
        for name, (mk, sl) in models.items()
        if name in DATA_DRIVEN and (mk > sl) == (ahead == SALES)
    ]
    if not against:
        return Markdown("")
    return Markdown(
        "**They disagree here.** The estimate puts {} ahead of {}, beyond its intervals; {} "
        "credit {} more. Path models credit a touch for appearing before a win, whatever it "
        "changed, while the estimate compares deals with and without each team's touches. "
        "For what each team adds, read the estimate; for who was there, the models."
    ).format(ahead, behind, " and ".join(against), behind)
