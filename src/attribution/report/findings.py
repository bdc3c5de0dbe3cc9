"""What stands out: the statements most worth a reviewer's attention, computed and ranked.

Each candidate finding is computed from the data (revenue without touches, deals worked by
both teams, the channel most over-represented in wins, time to close, which team opens won
deals) or from the models and estimates of the run, and weighed by the share of won
revenue or the relative difference it reports. Descriptive statements say so; estimates
carry their interval and their caveat.
"""

from __future__ import annotations

from attribution._markdown import Markdown
from attribution.data.dataset import Frame
from attribution.errors import ParameterError
from attribution.estimates.contributions import ContributionResult
from attribution.estimates.sla_cost import SlaCost
from attribution.models.compare import Comparison
from attribution.report.candidates import (
    DATA_CANDIDATES,
    MISREAD_WITHOUT_SALES_RECORDS,
    Finding,
    joint_effect,
    late_follow_up,
    model_consensus,
    model_disagreement,
    recording_gap,
)
from attribution.report.overview import (
    opportunity_summary,
)

__all__ = ["findings", "findings_markdown"]


def findings(
    journeys: Frame,
    *,
    currency: str = "$",
    n: int = 3,
    comparison: Comparison | None = None,
    contributions: ContributionResult | None = None,
    sla: SlaCost | None = None,
) -> list[Finding]:
    """Return the ``n`` statements that stand out most in the data, most important first.

    Each candidate (revenue without touches, deals worked by both teams against one,
    the channel most over-represented in wins, time to close, which team opens won deals)
    is computed from the data and weighed by the share of won revenue or the relative
    difference it reports; rates are
    only quoted when at least :data:`MIN_DEALS` closed deals stand behind them, so small
    data gives fewer findings.

    Results of the models and estimates add candidates, weighed the same way:

    * ``comparison`` (:func:`attribution.compare`): the channel every model ranks first
      (weight: the smallest share any model gives it), and the channel whose credit
      depends most on the model (weight: the spread of its share across models);
    * ``contributions`` (:func:`attribution.contributions`): the joint work of the two
      teams, when its interval lies above zero (weight: its share of expected revenue);
    * ``sla`` (:func:`attribution.sla_cost`): the revenue late follow-up cost, when its
      interval lies above zero (weight: the relative drop in win rate of the late MQLs).

    Estimates the data cannot support add nothing. When sales activity is recorded only for
    won deals (as in some exports), statements that compare deals by their sales touches
    would read that gap in the records as an effect: they are replaced by one finding that
    says so (weight 1), and the data-driven models' figures are not quoted.

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=1000, seed=1))
    >>> found = findings(j)
    >>> len(found), found[0].weight >= found[-1].weight
    (3, True)
    >>> keys = [f.key for f in findings(j, n=10, comparison=at.compare(j))]
    >>> "model_disagreement" in keys
    True
    """
    if n < 1:
        raise ParameterError(f"n must be a positive number of findings, got {n!r}")
    opp = opportunity_summary(journeys)
    gap = recording_gap(opp, currency)
    found = [f for f in (c(opp, currency) for c in DATA_CANDIDATES) if f is not None]
    if gap is not None:
        found = [f for f in found if f.key not in MISREAD_WITHOUT_SALES_RECORDS] + [gap]
    evidence: list[Finding | None] = []
    if comparison is not None:
        evidence += [
            model_consensus(comparison, currency),
            model_disagreement(comparison, currency, data_driven=gap is None),
        ]
    if contributions is not None:
        evidence.append(joint_effect(contributions, currency))
    if sla is not None:
        evidence.append(late_follow_up(sla, currency))
    found += [f for f in evidence if f is not None]
    return sorted(found, key=lambda f: -f.weight)[:n]


def findings_markdown(found: list[Finding]) -> Markdown:
    """Return findings as a numbered markdown list with bold titles.

    Examples
    --------
    >>> print(findings_markdown([Finding("x", Markdown("A title"), Markdown("Some text."), 0.5)]))
    1. **A title.** Some text.
    """
    if not found:
        return Markdown("_The data is too small for findings (fewer than 20 closed deals)._")
    return Markdown("\n").join(
        Markdown("{}. **{}.** {}").format(i, f.title, f.text) for i, f in enumerate(found, 1)
    )
