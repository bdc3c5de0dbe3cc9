"""Shared-goal contributions: what marketing, sales and their joint work add to revenue.

Two statsmodels models are fitted on the closed (won and lost) opportunities, one row each:

* **winning**: a Logit (formula API) of ``won`` on ``log_marketing = log1p(m)`` and
  ``log_sales = log1p(s)`` (each team's touches in the journey window), their product,
  ``speed_to_lead = [s > 0] * log1p(hours / 24)`` (hours from the account's first MQL to
  the first sales touch after it; 0 when undefined), ``no_mql = [s > 0] * [no MQL before
  the deal]``, and categorical controls (``segment``, ``period``, ``size_band``);
* **deal size** among won deals: a Gamma GLM with log link (or an OLS of log amount with
  Duan's smearing) on ``log_marketing``, ``log_sales``, ``segment`` and ``period``.

Let v(S) be the fitted expected revenue of all closed deals, the sum of
``P(win) * E[amount]``, when only the teams in S keep their touches (the other team's
exposure set to none). Then baseline = v(none), marketing = v(M) - v(none),
sales = v(S) - v(none) and joint = v(M,S) - v(M) - v(S) + v(none), the interaction
dividend; the four add up to v(M,S), which is reconciled with booked revenue. Each team's
Shapley share is its own term plus half the joint one. With ``channel_groups`` the same
game is played between channel groups (exact Shapley values over all subsets).

**Identification.** These are associations in observational data: the split says how
expected revenue differs with and without each team's touches under the fitted model,
holding the controls fixed. It is a causal effect only if exposure was randomised, or if no
unmeasured factor drives both the touches and the outcome (sales works harder on deals
that look winnable; marketing reaches buyers who were already engaged). Baseline, v(none),
extrapolates to deals with no touch of either team, which are rare in most data: read it
with its interval.

**Intervals.** By default, simulation from the coefficients' sampling distribution: draw
both models' coefficients from N(b, V) (estimates and their covariance) and recompute the
split per draw (percentile interval). The two models' estimators are asymptotically
independent (their likelihoods factorise into win and amount-given-win parts), one fit is
needed and every draw is a vectorised prediction, so 100k deals take seconds; this is why
it is the default. ``interval="bootstrap"`` resamples accounts with replacement and refits
both models per replicate: robust to misspecified variances and to several deals per
account, but one refit per replicate. Either way the interval describes the uncertainty of
the split of *these* deals (covariates held at their observed values), the quantity the
demo's truth reports. With repeated accounts, covariances are clustered by account.
"""

from attribution.estimates.contributions.estimate import contributions
from attribution.estimates.contributions.result import (
    NOTE,
    AmountModel,
    ContributionResult,
    Control,
    Interval,
)
from attribution.estimates.contributions.tables import COMPONENTS

__all__ = [
    "COMPONENTS",
    "NOTE",
    "AmountModel",
    "ContributionResult",
    "Control",
    "Interval",
    "contributions",
]
