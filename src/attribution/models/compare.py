"""Models side by side, with bootstrap intervals on the revenue each credits to a group.

:func:`compare` runs several models on the same journeys and returns one row per channel
(or team, or campaign) with one column per model: the revenue that model credits there.

Every model is a per-touch weight plus one shared allocation step, so the models are
evaluated side by side in one pass: the won deals' creditable touches and their roles are
computed once, each model adds its weight and credit columns, and one group-by sums them
all. Markov and Shapley are fitted once per set of journey paths (built once), and their
channel weights spread to the touches in the same pass. The numbers are those of
:func:`attribution.attribute` summed by group, to the last bit.

With ``level=0.9`` every cell also gets a 90% interval from a bootstrap that resamples
*accounts* with replacement (all of an account's deals, won, lost and open, move together,
so the dependence between an account's deals is kept). The resampling is seeded, so the
same inputs and seed give the same intervals. It is cheap:

* rule models credit each deal the same way whatever the sample, so a resample only
  reweights accounts: one matrix product per model (resamples × accounts × groups);
* Markov and Shapley are re-fitted on every resample from reweighted path counts. Every
  count they need (transitions, starts, ends; coalition conversions) is linear in the
  account weights, so the counts of all resamples come from one sparse matrix product;
  Shapley values then follow for all resamples at once, and each Markov resample is one
  exact solve that starts from the full sample's solution;
* spreading a resample's channel weights over the won deals' touches only depends, per
  deal, on its set of channels: the touches are summarised once per (channel set, channel,
  group), so each resample costs a few array operations on those summaries.

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

from attribution._intervals import DEFAULT_DRAWS, check_draws, check_level, quantiles
from attribution.data.schema import ACCOUNT_ID, AMOUNT, CHANNEL
from attribution.engines import Engine, adapter, check_engine
from attribution.errors import ParameterError
from attribution.models import markov as markov_model
from attribution.models import rules as rules_model
from attribution.models import shapley as shapley_model
from attribution.models.credits import (
    DEAL,
    NO_TOUCH,
    REVENUE,
    WeightFn,
    check_options,
    check_team,
    credit_expr,
    first_rows,
    roles,
    weight_expr,
    won_frame,
)
from attribution.models.pathtable import EncodedPaths
from attribution.models.spread import JourneyPaths, journey_paths, spread_weight
from attribution.results import Result

__all__ = ["By", "Comparison", "compare", "model_specs"]

By = Literal["channel", "team", "campaign"]
_BY: tuple[str, ...] = get_args(By)
NO_GROUP = "(none)"
NOTE = (
    "Won revenue each model credits to each group. Models credit touches by their presence "
    "and position before the win, not by their effect on it; intervals resample accounts "
    "and show how much a credit would move with another sample of accounts, not whether "
    "the model is right."
)
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


@dataclass(frozen=True, kw_only=True, repr=False)
class Comparison(Result):
    """What :func:`compare` returns.

    Attributes
    ----------
    table : polars.DataFrame
        One row per group (``channel``, ``team`` or ``campaign``), one Float64 column per
        model: revenue credited. Sorted by the first model's revenue, descending.
    intervals : polars.DataFrame or None
        With ``level``: a long table ``model, <group>, revenue, ci_low, ci_high`` (one row
        per model and group); ``None`` without.
    level : float or None
        Coverage of the intervals.
    draws : int
        Bootstrap resamples of accounts behind them (0 without ``level``).
    """

    intervals: pl.DataFrame | None = None
    note: str = NOTE


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


def _check(by: str, level: float | None, draws: int) -> None:
    if by not in _BY:
        raise ParameterError(f"by must be one of {_BY}, got {by!r}")
    if level is not None:
        check_level(level)
        check_draws(draws)


class _Frame:
    """The accounts and their bootstrap weights (resamples × accounts), shared by all models."""

    def __init__(self, journeys: pl.DataFrame | pl.LazyFrame, by: str, draws: int, seed: int):
        accounts = journeys.lazy().select(pl.col(ACCOUNT_ID).unique().sort()).collect()
        self.accounts = accounts.to_series()
        rng = np.random.default_rng(seed)
        n = len(self.accounts)
        by_account = np.zeros((n, draws))
        if n:
            # drawn a few resamples at a time (the same draws as all at once), stored
            # accounts × resamples: little memory beyond the result
            p = np.full(n, 1.0 / n)
            for start in range(0, draws, 16):
                size = min(16, draws - start)
                by_account[:, start : start + size] = rng.multinomial(n, p, size=size).T
        self.weights = by_account.T
        self.by = by

    @property
    def weights(self) -> np.ndarray:
        """Resample weight of every account (resamples × accounts)."""
        return self._weights

    @weights.setter
    def weights(self, value: np.ndarray) -> None:
        # kept as accounts × resamples, contiguous: the right operand of every sparse product
        self.by_account = np.ascontiguousarray(value.T, dtype=np.float64)
        self._weights = self.by_account.T

    def account_index(self, frame: pl.DataFrame) -> np.ndarray:
        """Return the position of each row's account in the sorted account list."""
        return self.accounts.search_sorted(frame[ACCOUNT_ID], side="left").to_numpy()


def _codes(values: pl.Expr, names: Sequence[str], default: int | None = None) -> pl.Expr:
    """Position of each value in ``names`` (``default`` for values not in it)."""
    return values.replace_strict(
        pl.Series(list(names), dtype=pl.String),
        pl.Series(np.arange(len(names)), dtype=pl.Int64),
        default=default,
        return_dtype=pl.Int64,
    )


def _reweigh(rows: np.ndarray, cols: np.ndarray, values: np.ndarray, frame: _Frame, n: int):
    """Sum ``values`` into (account, column) cells and weigh by every resample: (draws, n)."""
    matrix = sp.csr_matrix((values, (rows, cols)), shape=(len(frame.accounts), n))
    return np.asarray((matrix.T @ frame.by_account).T)


def _rule_boot(credits: pl.DataFrame, frame: _Frame, groups: list[str]) -> np.ndarray:
    rows = frame.account_index(credits)
    cols = credits.select(_codes(_group_expr(frame.by), groups)).to_series().to_numpy()
    return _reweigh(rows, cols, credits[REVENUE].to_numpy(), frame, len(groups))


# ----------------------------------------------------------------------- the models
@dataclass
class _Model:
    """One column of the comparison and how it is evaluated."""

    label: str
    name: str
    options: dict
    weight: WeightFn | None = None  # None: through attribute() (a model of no known family)
    paths: JourneyPaths | None = None  # Markov and Shapley: the journey paths fitted
    encoded: EncodedPaths | None = None  # ... with any extra paths


def _plan(
    journeys: pl.DataFrame | pl.LazyFrame, specs: list[tuple[str, str, dict]], team: str | None
) -> list[_Model]:
    """Check every model's name and options and build its weight function."""
    from attribution.models import lookup, model_options

    journey_paths_of: dict[bool, JourneyPaths] = {}

    def paths(include_open: object) -> JourneyPaths:
        if include_open not in journey_paths_of:  # a bad value raises in JourneyPaths
            jp = journey_paths(journeys, team=team, include_open=include_open)  # type: ignore[arg-type]
            journey_paths_of[bool(include_open)] = jp
        return journey_paths_of[bool(include_open)]

    models = []
    for label, name, options in specs:
        fn = lookup(name)
        check_options(name, options, model_options(name))
        model = _Model(label, name, options)
        if name in rules_model.RULE_MODELS and fn is getattr(rules_model, name):
            model.weight = rules_model.rule_weight(name, **options)
        elif name == "markov" and fn is markov_model.credits:
            order = markov_model.check_order(options.get("order", 1))
            model.paths = paths(options.get("include_open", False))
            model.encoded, weights = markov_model.journey_weights(
                model.paths, order=order, extra_nulls=options.get("extra_nulls")
            )
            model.weight = spread_weight(weights)
        elif name == "shapley" and fn is shapley_model.credits:
            value = shapley_model.check_value(options.get("value", "conversion_rate"))
            model.paths = paths(options.get("include_open", False))
            model.encoded, weights = shapley_model.journey_weights(model.paths, value=value)
            model.weight = spread_weight(weights)
        models.append(model)
    return models


@dataclass
class _Pass:
    """Every model's credits on the creditable touches, computed in one pass."""

    touches: pl.DataFrame  # DEAL, account, amount, channel, _group, then _r<i>, _k<i> per model
    deals: pl.DataFrame  # one row per won deal: DEAL, account, amount, then _k<i> per model
    models: list[_Model]


def _one_pass(
    journeys: pl.DataFrame | pl.LazyFrame, models: list[_Model], team: str | None, by: str
) -> _Pass:
    won = won_frame(journeys)
    touches = roles(won, team)
    index = [i for i, m in enumerate(models) if m.weight is not None]
    frame = (
        touches.with_columns(
            weight_expr(models[i].weight(touches)).alias(f"_w{i}")  # type: ignore[misc]
            for i in index
        )
        .with_columns(credit_expr(f"_w{i}").alias(f"_c{i}") for i in index)
        .select(
            DEAL,
            ACCOUNT_ID,
            AMOUNT,
            pl.col(CHANNEL).cast(pl.String).alias("_channel"),
            _group_expr(by).alias("_group"),
            # as in allocate: revenue = credit * amount; zero-credit rows add exact zeros
            *[(pl.col(f"_c{i}") * pl.col(AMOUNT)).alias(f"_r{i}") for i in index],
            *[(pl.col(f"_c{i}") > 0).alias(f"_k{i}") for i in index],
        )
        .collect()
    )
    credited = frame.group_by(DEAL).agg(pl.col(f"_k{i}").any() for i in index)
    deals = (
        first_rows(won)
        .select(DEAL, ACCOUNT_ID, AMOUNT)
        .join(credited, on=DEAL, how="left", maintain_order="left")
        .with_columns(pl.col(f"_k{i}").fill_null(False) for i in index)
    )
    return _Pass(touches=frame, deals=deals, models=models)


def _table(
    journeys: pl.DataFrame | pl.LazyFrame, done: _Pass, team: str | None, by: str
) -> tuple[pl.DataFrame, dict[str, pl.DataFrame]]:
    """Build the wide table; return it with the credits of models run through attribute()."""
    from attribution.models import attribute

    index = [i for i, m in enumerate(done.models) if m.weight is not None]
    tables = []
    if index:
        # running sums add up sequentially, in credits order: the same bits as summing the
        # credits table of each model (zero-credit touches add exact zeros)
        sums = (
            done.touches.group_by("_group")
            .agg(
                *[pl.col(f"_r{i}").cum_sum().last().alias(done.models[i].label) for i in index],
                pl.any_horizontal(pl.col(f"_k{i}").any() for i in index).alias("_credited"),
            )
            .filter("_credited")
            .drop("_credited")
            .rename({"_group": by})
        )
        untouched = done.deals.select(
            pl.col(AMOUNT).cast(pl.Float64).filter(~pl.col(f"_k{i}")).cum_sum().last()
            .alias(done.models[i].label)
            for i in index
        )  # fmt: skip
        if done.deals.select((~pl.all_horizontal(f"_k{i}" for i in index)).any()).item():
            no_touch = untouched.select(pl.lit(NO_TOUCH).alias(by), pl.all().fill_null(0.0))
            sums = pl.concat([sums, no_touch.select(sums.columns)])
        tables.append(sums)
    credits_of = {}
    for m in done.models:
        if m.weight is None:
            credits = attribute(journeys, m.name, team=team, **m.options)
            credits_of[m.label] = credits
            tables.append(
                credits.group_by(_group_expr(by).alias(by)).agg(
                    pl.col(REVENUE).cum_sum().last().alias(m.label)
                )
            )
    table = tables[0]
    for other in tables[1:]:
        table = table.join(other, on=by, how="full", coalesce=True)
    labels = [m.label for m in done.models]
    table = (
        table.select(by, *labels)
        .with_columns(pl.col(labels).fill_null(0.0).cast(pl.Float64))
        .sort([labels[0], by], descending=[True, False])
    )
    return table, credits_of


# ------------------------------------------------------------------- the bootstrap
class _Spread:
    """The won deals' touches, summarised for re-spreading channel weights per resample.

    A deal's credit to group ``g`` is ``amount * sum over its channels c of w_c / S * n(c, g)
    / k(c)``, with ``S`` the sum of the weights of the deal's channels, ``k(c)`` its touches
    of channel c and ``n(c, g)`` those in group g (``amount * n(g) / n`` when ``S`` is 0).
    ``S`` only depends on the deal's channel set ``T``, so the touches are summed once per
    (T, c, g) and per (T, g), for every resample at once (they only depend on the account
    weights); each resample's channel weights then only meet those summaries.
    """

    def __init__(self, done: _Pass, channels: tuple[str, ...], frame: _Frame, n_groups: int):
        n_channels = len(channels)  # code n_channels: a channel the fit did not see (weight 0)
        rows = done.touches.select(
            DEAL,
            "_a",
            "_g",
            pl.col(AMOUNT).cast(pl.Float64),
            _codes(pl.col("_channel"), channels, n_channels).alias("_c"),
        )
        per_deal = rows.group_by(DEAL).agg(
            pl.len().alias("_n"),
            pl.col("_a").first(),
            pl.col(AMOUNT).first(),
            pl.col("_c").unique().sort().cast(pl.String).str.join(",").alias("_set"),
        )
        per_deal = per_deal.with_columns((pl.col("_set").rank("dense") - 1).alias("_T"))
        cells = (
            rows.group_by(DEAL, "_c", "_g")
            .agg(pl.len().alias("_ncg"))
            .join(rows.group_by(DEAL, "_c").agg(pl.len().alias("_k")), on=[DEAL, "_c"])
            .join(per_deal.select(DEAL, "_T", "_a", AMOUNT, "_n"), on=DEAL)
        )
        g_keys = cells.select("_T", "_c", "_g").unique().sort("_T", "_c", "_g")
        g_keys = g_keys.with_row_index("_row")
        g_cells = cells.join(g_keys, on=["_T", "_c", "_g"])
        share = g_cells[AMOUNT] * g_cells["_ncg"] / g_cells["_k"]
        self.g = self._weighed(g_cells["_row"], g_cells["_a"], share, len(g_keys), frame)
        self.g_set, self.g_channel, self.g_group = (
            g_keys[c].to_numpy() for c in ("_T", "_c", "_g")
        )
        h_cells = cells.group_by(DEAL, "_g").agg(
            pl.col("_ncg").sum(), pl.col("_T", "_a", AMOUNT, "_n").first()
        )
        h_keys = h_cells.select("_T", "_g").unique().sort("_T", "_g").with_row_index("_row")
        h_cells = h_cells.join(h_keys, on=["_T", "_g"])
        equal = h_cells[AMOUNT] * h_cells["_ncg"] / h_cells["_n"]
        self.h = self._weighed(h_cells["_row"], h_cells["_a"], equal, len(h_keys), frame)
        self.h_set, self.h_group = h_keys["_T"].to_numpy(), h_keys["_g"].to_numpy()
        n_sets = int(per_deal["_T"].max()) + 1 if per_deal.height else 0  # type: ignore[arg-type]
        self.members = np.zeros((n_sets, n_channels + 1))
        self.members[self.g_set, self.g_channel] = 1.0
        self.n_groups = n_groups

    @staticmethod
    def _weighed(
        row: pl.Series, account: pl.Series, value: pl.Series, n: int, frame: _Frame
    ) -> np.ndarray:
        matrix = sp.csr_matrix(
            (value.to_numpy(), (row.to_numpy(), account.to_numpy())),
            shape=(n, len(frame.accounts)),
        )
        return np.asarray(matrix @ frame.by_account)  # (n, resamples)

    def revenue(self, channel_weights: np.ndarray) -> np.ndarray:
        """Revenue per group for every resample's channel weights (resamples × channels)."""
        w = np.hstack([channel_weights, np.zeros((len(channel_weights), 1))]).T
        total = self.members @ w  # (sets, resamples)
        positive = total > 0
        safe = np.where(positive, total, 1.0)
        factor = np.where(positive[self.g_set], w[self.g_channel] / safe[self.g_set], 0.0)
        out = _sum_rows(self.g_group, factor * self.g, self.n_groups)
        out += _sum_rows(self.h_group, np.where(positive[self.h_set], 0.0, self.h), self.n_groups)
        return out.T


def _sum_rows(group: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum the rows of ``values`` by ``group``: (n_groups, columns)."""
    one_hot = sp.csr_matrix(
        (np.ones(len(group)), (group, np.arange(len(group)))), shape=(n_groups, len(group))
    )
    return np.asarray(one_hot @ values)


def _path_counts(
    encoded: EncodedPaths,
    n_deals: int,
    deal_account: np.ndarray,
    item: np.ndarray,
    path: np.ndarray,
    coefficient: np.ndarray,
    n_items: int,
    frame: _Frame,
) -> np.ndarray:
    """Compute counts linear in path weights, for every resample: (n_items, resamples).

    Entry ``(item[i], path[i])`` holds ``coefficient[i]``; a deal's path weighs its
    account's resample weight, any extra path weighs 1.
    """
    deal = path < n_deals
    by_account = sp.csr_matrix(
        (coefficient[deal], (item[deal], deal_account[path[deal]])),
        shape=(n_items, len(frame.accounts)),
    )
    fixed = np.bincount(item[~deal], weights=coefficient[~deal], minlength=n_items)
    return np.asarray(by_account @ frame.by_account) + fixed[:, None]


def _markov_weights(
    model: _Model, order: int, deal_account: np.ndarray, frame: _Frame
) -> np.ndarray:
    """Refit the chain on every resample: removal effects (resamples × channels)."""
    encoded = model.encoded
    assert encoded is not None and model.paths is not None
    chain = markov_model.prepare(encoded, order=order)
    full = markov_model.solve(
        chain,
        markov_model.count(chain, encoded.conversions, encoded.nulls, encoded.value),
        value=False,
    )
    n = chain.n_states
    lengths = np.diff(chain.offsets)
    has = lengths > 0
    paths = np.flatnonzero(has)
    path_of_step = np.repeat(np.arange(encoded.n_paths), lengths)
    weight = encoded.conversions + encoded.nulls
    within = np.ones(max(len(chain.steps) - 1, 0), dtype=bool)
    within[chain.offsets[1:][has][:-1] - 1] = False  # a path's last step leads nowhere
    key = chain.steps[:-1][within].astype(np.int64) * n + chain.steps[1:][within]
    pairs, pair_of = np.unique(key, return_inverse=True)
    n_pairs = len(pairs)
    first = chain.steps[chain.offsets[:-1][has]]
    last = chain.steps[chain.offsets[1:][has] - 1]
    step_path = path_of_step[:-1][within]
    item = np.concatenate([pair_of, n_pairs + first, n_pairs + n + last, n_pairs + 2 * n + last])
    path = np.concatenate([step_path, paths, paths, paths])
    coefficient = np.concatenate(
        [weight[step_path], weight[paths], encoded.conversions[paths], encoded.nulls[paths]]
    )
    counts = _path_counts(
        encoded,
        model.paths.encoded.n_paths,
        deal_account,
        item,
        path,
        coefficient,
        n_pairs + 3 * n,
        frame,
    )
    src, dst = pairs // n, (pairs % n).astype(np.int32)
    indptr = np.searchsorted(src, np.arange(n + 1))
    out = np.zeros((frame.weights.shape[0], len(encoded.channels)))
    zeros = np.zeros(n)
    for b in range(len(out)):
        resample = markov_model.Counts(
            transitions=sp.csr_matrix((counts[:n_pairs, b], dst, indptr), shape=(n, n)),
            start=counts[n_pairs : n_pairs + n, b],
            conversion=counts[n_pairs + n : n_pairs + 2 * n, b],
            null=counts[n_pairs + 2 * n :, b],
            value=zeros,
            total_conversions=0.0,
            total_value=0.0,
        )
        solution = markov_model.solve(chain, resample, value=False, guesses=full.systems)
        out[b] = solution.removal_effect
    return out


def _shapley_weights(
    model: _Model, value: str, deal_account: np.ndarray, frame: _Frame
) -> np.ndarray:
    """Shapley values (resamples × channels) of every resample at once."""
    encoded = model.encoded
    assert encoded is not None and model.paths is not None
    co = shapley_model.coalitions(encoded)
    m = len(co.members)
    paths = np.arange(encoded.n_paths)
    counts = _path_counts(
        encoded,
        model.paths.encoded.n_paths,
        deal_account,
        np.concatenate([co.index, m + co.index]),
        np.concatenate([paths, paths]),
        np.concatenate([encoded.conversions, encoded.nulls]),
        2 * m,
        frame,
    )
    conversions, nulls = counts[:m], counts[m:]
    if value == "conversions":
        dividend = conversions
    else:
        journeys = conversions + nulls
        dividend = np.divide(conversions, journeys, out=np.zeros_like(journeys), where=journeys > 0)
    size = co.members.sum(axis=1)[:, None]
    share = np.divide(dividend, size, out=np.zeros_like(dividend), where=size > 0)
    return np.asarray(co.members.T.astype(np.float64) @ share).T


def _boot(
    journeys: pl.DataFrame | pl.LazyFrame,
    done: _Pass,
    credits_of: dict[str, pl.DataFrame],
    frame: _Frame,
    groups: list[str],
) -> dict[str, np.ndarray]:
    """Revenue per group of every model under every resample: label -> (resamples, groups)."""
    deal_rows = frame.account_index(done.deals)  # deals are in DEAL order
    touches = done.touches.with_columns(
        pl.Series("_a", deal_rows[done.touches[DEAL].to_numpy()], dtype=pl.Int64),
        _codes(pl.col("_group"), groups).alias("_g"),
    )
    done = _Pass(touches=touches, deals=done.deals, models=done.models)
    amounts = done.deals[AMOUNT].cast(pl.Float64).to_numpy()
    no_touch = groups.index(NO_TOUCH)
    spreads: dict[tuple[str, ...], _Spread] = {}
    out = {}
    for i, m in enumerate(done.models):
        if m.weight is None:
            out[m.label] = _rule_boot(credits_of[m.label], frame, groups)
            continue
        untouched = ~done.deals[f"_k{i}"].to_numpy()
        if m.encoded is None:  # a rule model
            credited = done.touches[f"_k{i}"].to_numpy()
            rows = np.concatenate([touches["_a"].to_numpy()[credited], deal_rows[untouched]])
            cols = np.concatenate(
                [touches["_g"].to_numpy()[credited], np.full(untouched.sum(), no_touch)]
            )
            values = np.concatenate([touches[f"_r{i}"].to_numpy()[credited], amounts[untouched]])
            out[m.label] = _reweigh(rows, cols, values, frame, len(groups))
            continue
        assert m.paths is not None
        deal_account = frame.account_index(m.paths.deals)
        if m.name == "markov":
            order = markov_model.check_order(m.options.get("order", 1))
            weights = _markov_weights(m, order, deal_account, frame)
        else:
            value = shapley_model.check_value(m.options.get("value", "conversion_rate"))
            weights = _shapley_weights(m, value, deal_account, frame)
        channels = m.encoded.channels
        if channels not in spreads:
            spreads[channels] = _Spread(done, channels, frame, len(groups))
        boot = spreads[channels].revenue(weights)
        boot[:, no_touch] += frame.weights[:, deal_rows[untouched]] @ amounts[untouched]
        out[m.label] = boot
    return out


def _data_boot(
    journeys: pl.DataFrame | pl.LazyFrame,
    name: str,
    options: dict,
    team: str | None,
    frame: _Frame,
    groups: list[str],
) -> np.ndarray:
    """Bootstrap one Markov or Shapley model (as :func:`compare` does)."""
    models = _plan(journeys, [(name, name, options)], team)
    done = _one_pass(journeys, models, team, frame.by)
    return _boot(journeys, done, {}, frame, groups)[name]


def compare(
    journeys: Any,
    models: Sequence[str] | Mapping[str, Mapping[str, Any]] = DEFAULT_MODELS,
    *,
    by: By = "channel",
    team: str | None = None,
    level: float | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    engine: Engine = "polars",
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
    level
        Coverage of bootstrap intervals (e.g. 0.9), or ``None`` for none.
    draws
        Number of bootstrap resamples of accounts behind the intervals.
    seed
        Seed of the resampling.
    engine
        ``"polars"``, or ``"spark"`` for Spark journeys (a Spark DataFrame or table name):
        the table is then built by one Spark pass (:func:`attribution.spark.compare`);
        bootstrap intervals are not available there.

    Returns
    -------
    Comparison
        ``.table`` (wide: group, one column per model) and, with ``level``, ``.intervals``
        (long: ``model, <group>, revenue, ci_low, ci_high``).

    Examples
    --------
    >>> import attribution as at
    >>> j = at.journeys(at.demo.generate(n_accounts=300, seed=0))
    >>> cmp = at.compare(j, ["first_touch", "linear", "markov"], by="team", level=0.9, draws=20)
    >>> cmp.table.columns
    ['team', 'first_touch', 'linear', 'markov']
    >>> cmp.intervals.columns
    ['model', 'team', 'revenue', 'ci_low', 'ci_high']
    """
    if check_engine(engine) == "spark":
        return adapter("spark").compare(journeys, models, by=by, team=team, level=level)
    _check(by, level, draws)
    check_team(team)
    specs = _specs(models)
    plan = _plan(journeys, specs, team)
    done = _one_pass(journeys, plan, team, by)
    table, credits_of = _table(journeys, done, team, by)
    if level is None:
        return Comparison(table=table)

    groups = sorted({*table[by].to_list(), NO_TOUCH})
    frame = _Frame(journeys, by, draws, seed)
    boots = _boot(journeys, done, credits_of, frame, groups)
    lo_q, hi_q = quantiles(level)
    parts = []
    labels = [s[0] for s in specs]
    for label in labels:
        lo, hi = np.quantile(boots[label], [lo_q, hi_q], axis=0)
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
    return Comparison(table=table, intervals=intervals, level=float(level), draws=draws)
