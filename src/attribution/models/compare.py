"""Models side by side, with bootstrap intervals on the revenue each credits to a group.

:func:`compare` runs several models on the same journeys and returns one row per channel
(or team, or campaign) with one column per model: the revenue that model credits there.

With ``ci=0.9`` every cell also gets a 90% interval from a bootstrap that resamples
*accounts* with replacement (all of an account's deals, won, lost and open, move together,
so the dependence between an account's deals is kept). The resampling is seeded, so the
same inputs and seed give the same intervals. It is cheap:

* rule models credit each deal the same way whatever the sample, so a resample only
  reweights accounts: one matrix product per model (resamples × accounts × groups);
* Markov and Shapley are re-fitted on every resample from reweighted path counts (the
  state sequences and coalitions are encoded once), and each resample's channel weights
  are spread over the won deals' touches with numpy.

Intervals are percentile intervals; they show how much a model's answer moves with the
sample of accounts, not whether the model is right.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import polars as pl
import scipy.sparse as sp

from attribution.errors import ParameterError
from attribution.models import markov as markov_model
from attribution.models import shapley as shapley_model
from attribution.models.credits import NO_TOUCH, REVENUE, check_team, creditable, won_deals
from attribution.models.pathtable import encode
from attribution.models.spread import journey_paths
from attribution.schema import ACCOUNT_ID, AMOUNT, CHANNEL, OPPORTUNITY_ID

__all__ = ["By", "Comparison", "compare", "model_specs"]

By = Literal["channel", "team", "campaign"]
_BY: tuple[str, ...] = get_args(By)
NO_GROUP = "(none)"
DEFAULT_MODELS: tuple[str, ...] = (
    "first_touch",
    "last_touch",
    "linear",
    "time_decay",
    "u_shaped",
    "w_shaped",
    "markov",
    "shapley",
)


@dataclass(frozen=True)
class Comparison:
    """What :func:`compare` returns.

    Attributes
    ----------
    table : polars.DataFrame
        One row per group (``channel``, ``team`` or ``campaign``), one Float64 column per
        model: revenue credited. Sorted by the first model's revenue, descending.
    intervals : polars.DataFrame or None
        With ``ci``: a long table ``model, <group>, revenue, ci_low, ci_high`` (one row per
        model and group); ``None`` without.
    ci : float or None
        Coverage of the intervals.
    n_boot : int
        Number of bootstrap resamples (0 without ``ci``).
    """

    table: pl.DataFrame
    intervals: pl.DataFrame | None
    ci: float | None
    n_boot: int


def _specs(models: Sequence[str] | Mapping[str, Mapping[str, Any]]) -> list[tuple[str, str, dict]]:
    """(label, registry name, options) per model."""
    if isinstance(models, str):
        models = [models]
    if isinstance(models, Mapping):
        specs = []
        for label, options in models.items():
            opts = dict(options or {})
            name = opts.pop("model", label)
            specs.append((str(label), str(name), opts))
    else:
        specs = [(str(m), str(m), {}) for m in models]
    if not specs:
        raise ParameterError("models must name at least one model")
    labels = [s[0] for s in specs]
    if len(set(labels)) != len(labels):
        raise ParameterError(f"models has repeated labels: {labels}")
    return specs


def model_specs(
    models: Sequence[str],
    *,
    markov_order: int = 1,
    half_life_days: float = 7.0,
    custom_weights: Mapping[str, float] | None = None,
) -> dict[str, dict[str, Any]]:
    """Each named model with its options, as :func:`compare` takes them (report parameters).

    ``markov`` gets ``order``, ``time_decay`` ``half_life_days`` and ``custom`` its milestone
    ``weights``; the other models take no options.

    Examples
    --------
    >>> model_specs(["linear", "time_decay", "markov"], markov_order=2, half_life_days=14)
    {'linear': {}, 'time_decay': {'half_life_days': 14}, 'markov': {'order': 2}}
    >>> model_specs(["custom"])
    Traceback (most recent call last):
    ...
    attribution.errors.ParameterError: the custom model needs milestone weights ...
    """
    from attribution.models import lookup

    names = [models] if isinstance(models, str) else list(models)
    if not names:
        raise ParameterError("models must name at least one model")
    repeated = sorted({m for m in names if names.count(m) > 1})
    if repeated:
        raise ParameterError(f"models names {', '.join(repeated)} more than once")
    options: dict[str, dict[str, Any]] = {
        "markov": {"order": markov_order},
        "time_decay": {"half_life_days": half_life_days},
    }
    if "custom" in names:
        if not custom_weights:
            raise ParameterError(
                "the custom model needs milestone weights (custom_weights), e.g. "
                "{first: 0.4, lead_creation: 0.2, opportunity_creation: 0.2, close: 0.2}"
            )
        options["custom"] = {"weights": dict(custom_weights)}
    for name in names:
        lookup(name)
    return {name: dict(options.get(name, {})) for name in names}


def _group_expr(by: str) -> pl.Expr:
    return pl.col(by).cast(pl.String).fill_null(NO_GROUP)


def _check(by: str, ci: float | None, n_boot: int) -> None:
    if by not in _BY:
        raise ParameterError(f"by must be one of {_BY}, got {by!r}")
    if ci is not None and (
        isinstance(ci, bool) or not isinstance(ci, int | float) or not 0 < ci < 1
    ):
        raise ParameterError(f"ci must be a number between 0 and 1 (e.g. 0.9) or None, got {ci!r}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 2:
        raise ParameterError(f"n_boot must be an integer >= 2, got {n_boot!r}")


class _Frame:
    """Index arrays shared by every model's bootstrap."""

    def __init__(self, journeys: pl.DataFrame | pl.LazyFrame, by: str, n_boot: int, seed: int):
        accounts = journeys.lazy().select(pl.col(ACCOUNT_ID).unique().sort()).collect()
        self.accounts = accounts.to_series()
        rng = np.random.default_rng(seed)
        n = len(self.accounts)
        self.weights = (
            rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot).astype(np.float64)
            if n
            else np.zeros((n_boot, 0))
        )
        self.by = by

    def account_index(self, frame: pl.DataFrame) -> np.ndarray:
        """Return the position of each row's account in the sorted account list."""
        return np.searchsorted(self.accounts.to_numpy(), frame[ACCOUNT_ID].to_numpy())


def _codes(values: pl.Expr, names: Sequence[str], default: int | None = None) -> pl.Expr:
    """Position of each value in ``names`` (``default`` for values not in it)."""
    return values.replace_strict(
        pl.Series(list(names), dtype=pl.String),
        pl.Series(np.arange(len(names)), dtype=pl.Int64),
        default=default,
        return_dtype=pl.Int64,
    )


def _rule_boot(credits: pl.DataFrame, frame: _Frame, groups: list[str]) -> np.ndarray:
    rows = frame.account_index(credits)
    cols = credits.select(_codes(_group_expr(frame.by), groups)).to_series().to_numpy()
    matrix = sp.csr_matrix(
        (credits[REVENUE].to_numpy(), (rows, cols)),
        shape=(len(frame.accounts), len(groups)),
    )
    return np.asarray((matrix.T @ frame.weights.T).T)


def _data_boot(
    journeys: pl.DataFrame | pl.LazyFrame,
    name: str,
    options: dict,
    team: str | None,
    frame: _Frame,
    groups: list[str],
) -> np.ndarray:
    include_open = options.get("include_open", False)
    jp = journey_paths(journeys, team=team, include_open=include_open)
    base = jp.encoded
    extra = options.get("extra_nulls")
    encoded = jp.with_extra(encode(extra) if extra is not None else None)
    n_deals = base.n_paths
    deal_account = frame.account_index(jp.deals)
    order = markov_model.check_order(options.get("order", 1)) if name == "markov" else 1
    chain = markov_model.prepare(encoded, order=order) if name == "markov" else None
    value = shapley_model.check_value(options.get("value", "conversion_rate"))
    co = shapley_model.coalitions(encoded) if name == "shapley" else None

    touches = (
        creditable(journeys, team)
        .select(
            OPPORTUNITY_ID,
            ACCOUNT_ID,
            AMOUNT,
            _codes(pl.col(CHANNEL).cast(pl.String), encoded.channels, -1).alias("_code"),
            _codes(_group_expr(frame.by), groups).alias("_g"),
        )
        .collect()
    )
    code = touches["_code"].to_numpy()
    deal_ids, deal_of = np.unique(touches[OPPORTUNITY_ID].to_numpy(), return_inverse=True)
    pair = deal_of * (len(encoded.channels) + 1) + (code + 1)
    _, pair_of, pair_count = np.unique(pair, return_inverse=True, return_counts=True)
    k = pair_count[pair_of].astype(np.float64)
    per_deal = np.bincount(deal_of, minlength=len(deal_ids)).astype(np.float64)
    touch_group = touches["_g"].to_numpy()
    touch_account = frame.account_index(touches)
    amount = touches[AMOUNT].to_numpy().astype(np.float64)

    won = (
        won_deals(journeys)
        .group_by(OPPORTUNITY_ID)
        .agg(pl.col(ACCOUNT_ID).first(), pl.col(AMOUNT).first())
        .collect()
    )
    untouched = won.filter(~pl.col(OPPORTUNITY_ID).is_in(pl.Series(deal_ids).implode()))
    no_touch_account = frame.account_index(untouched)
    no_touch_amount = untouched[AMOUNT].to_numpy().astype(np.float64)

    n_groups = len(groups)
    out = np.zeros((frame.weights.shape[0], n_groups))
    extra_n = encoded.n_paths - n_deals
    for b, account_weight in enumerate(frame.weights):
        w = np.concatenate([account_weight[deal_account], np.ones(extra_n)])
        conv, nulls, value_w = encoded.conversions * w, encoded.nulls * w, encoded.value * w
        if chain is not None:
            counts = markov_model.count(chain, conv, nulls, value_w)
            channel_w = markov_model.solve(chain, counts).removal_effect
        else:
            assert co is not None
            boot_co = shapley_model.Coalitions(
                channels=co.channels,
                members=co.members,
                conversions=np.bincount(co.index, weights=conv, minlength=len(co.members)),
                nulls=np.bincount(co.index, weights=nulls, minlength=len(co.members)),
                value=np.bincount(co.index, weights=value_w, minlength=len(co.members)),
                index=co.index,
            )
            conversion_dividends, _ = shapley_model.dividends(boot_co, value)
            channel_w = shapley_model.split_dividends(co.members, conversion_dividends)
        tw = np.where(code >= 0, channel_w[np.maximum(code, 0)], 0.0) / k
        denom = np.bincount(deal_of, weights=tw, minlength=len(deal_ids))
        credit = np.where(
            denom[deal_of] > 0,
            tw / np.where(denom[deal_of] > 0, denom[deal_of], 1.0),
            1.0 / per_deal[deal_of],
        )
        out[b] = np.bincount(
            touch_group, weights=credit * amount * account_weight[touch_account], minlength=n_groups
        )
        if len(no_touch_amount):
            out[b, groups.index(NO_TOUCH)] += (
                no_touch_amount * account_weight[no_touch_account]
            ).sum()
    return out


def compare(
    journeys: pl.DataFrame | pl.LazyFrame,
    models: Sequence[str] | Mapping[str, Mapping[str, Any]] = DEFAULT_MODELS,
    *,
    by: By = "channel",
    team: str | None = None,
    ci: float | None = None,
    n_boot: int = 200,
    seed: int = 0,
) -> Comparison:
    """Revenue credited per channel (or team, or campaign) by several models side by side.

    Parameters
    ----------
    journeys
        Output of :func:`attribution.journeys`.
    models
        Model names (see :data:`attribution.MODELS`), or a mapping of column label to the
        model's options, where ``"model"`` names the registry entry when the label is not
        a model name: ``{"markov": {}, "markov_3": {"model": "markov", "order": 3}}``.
    by
        Group credits by ``"channel"``, ``"team"`` or ``"campaign"``; won deals with no
        creditable touch are the ``(no touch)`` group, touches without a campaign
        ``(none)``.
    team
        Credit only this team's touches (default: both).
    ci
        Coverage of bootstrap intervals (e.g. 0.9), or ``None`` for none.
    n_boot
        Number of bootstrap resamples of accounts.
    seed
        Seed of the resampling.

    Returns
    -------
    Comparison
        ``.table`` (wide: group, one column per model) and, with ``ci``, ``.intervals``
        (long: ``model, <group>, revenue, ci_low, ci_high``).

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=300, seed=0))
    >>> cmp = at.compare(j, ["first_touch", "linear", "markov"], by="team", ci=0.9, n_boot=20)
    >>> cmp.table.columns
    ['team', 'first_touch', 'linear', 'markov']
    >>> cmp.intervals.columns
    ['model', 'team', 'revenue', 'ci_low', 'ci_high']
    """
    from attribution.models import attribute

    _check(by, ci, n_boot)
    check_team(team)
    specs = _specs(models)
    tables = []
    credits_of = {}
    for label, name, options in specs:
        credits = attribute(journeys, name, team=team, **options)
        credits_of[label] = credits
        tables.append(
            # a running sum adds up sequentially, so totals are the same bits on every run
            credits.group_by(_group_expr(by).alias(by)).agg(
                pl.col(REVENUE).cum_sum().last().alias(label)
            )
        )
    table = tables[0]
    for other in tables[1:]:
        table = table.join(other, on=by, how="full", coalesce=True)
    labels = [s[0] for s in specs]
    table = table.with_columns(pl.col(labels).fill_null(0.0).cast(pl.Float64)).sort(
        [labels[0], by], descending=[True, False]
    )
    if ci is None:
        return Comparison(table=table, intervals=None, ci=None, n_boot=0)

    groups = sorted({*table[by].to_list(), NO_TOUCH})
    frame = _Frame(journeys, by, n_boot, seed)
    lo_q, hi_q = (1 - ci) / 2, (1 + ci) / 2
    parts = []
    for label, name, options in specs:
        if name in ("markov", "shapley"):
            boot = _data_boot(journeys, name, options, team, frame, groups)
        else:
            boot = _rule_boot(credits_of[label], frame, groups)
        lo, hi = np.quantile(boot, [lo_q, hi_q], axis=0)
        parts.append(
            pl.DataFrame(
                {"model": label, by: groups, "ci_low": lo, "ci_high": hi},
                schema={
                    "model": pl.String,
                    by: pl.String,
                    "ci_low": pl.Float64,
                    "ci_high": pl.Float64,
                },
            )
        )
    long = table.unpivot(index=by, variable_name="model", value_name=REVENUE)
    intervals = (
        long.join(pl.concat(parts), on=["model", by], how="left")
        .select("model", by, REVENUE, "ci_low", "ci_high")
        .with_columns(pl.col("model").cast(pl.Enum(labels)))
        .sort("model", pl.col(REVENUE), descending=[False, True])
        .with_columns(pl.col("model").cast(pl.String))
    )
    return Comparison(table=table, intervals=intervals, ci=float(ci), n_boot=n_boot)
