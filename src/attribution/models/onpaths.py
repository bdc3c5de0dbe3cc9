"""Every model on a path table: what each credits to each channel, in conversions and value.

Path tables (ChannelAttribution's form, :func:`attribution.paths`) carry no timestamps,
contacts or opportunity dates. Markov and Shapley work on them directly; the rule models
see each row's converted journeys as one won deal whose touches are the path's steps, in
order, one day apart up to the close. So on a path table:

* first touch, last touch (= close), linear, J-shaped and inverse J are exactly as usual;
* time decay counts one day per step back from the last one;
* lead creation and opportunity creation have no touch, so their weight is shared by the
  other milestones, as for any deal without them (U-shaped becomes first touch plus the
  rest, W-shaped first touch, rest and close shares renormalised, and so on).

A row's conversions and value are credited with the same shares, so the results can be set
beside other packages' (e.g. ChannelAttribution's ``heuristic_models``) on one table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np
import polars as pl

from attribution.data.schema import (
    ACCOUNT_ID,
    AMOUNT,
    CHANNEL,
    CLOSED_AT,
    OCCURRED_AT,
    OPPORTUNITY_ID,
    TEAM,
    TIMESTAMP,
    TOUCH_ID,
)
from attribution.errors import DataError, ParameterError
from attribution.journey.columns import (
    CONVERSIONS,
    DAYS_BEFORE_CLOSE,
    LEAD_CREATED_AT,
    N_TOUCHES,
    OPPORTUNITY_CREATED_AT,
    PATH,
    POSITION,
    STATUS,
    VALUE,
)
from attribution.models.compare.specs import Spec, label_specs
from attribution.models.credits import CREDIT, check_options
from attribution.models.markov import check_order, markov
from attribution.models.markov import fit as markov_fit
from attribution.models.pathtable import (
    EncodedPaths,
    as_path_table,
    check_table,
    encode,
    path_separator,
    path_table,
)
from attribution.models.registry import attribute, lookup, model_options
from attribution.models.rules import RULE_MODELS
from attribution.models.shapley import check_value
from attribution.models.shapley import fit as shapley_fit

__all__ = ["PathMeasure", "attribute_paths", "compare_paths", "journeys_from_paths"]

_CLOSE = datetime(2000, 1, 1, tzinfo=UTC)


def journeys_from_paths(paths: pl.DataFrame, *, separator: str = " > ") -> pl.DataFrame:
    """Build a journeys frame with one won deal per converting path-table row.

    ``opportunity_id`` is the row number (zero-padded), ``amount`` the row's conversions;
    touches are one day apart, the last one at the close. Rows without conversions are left
    out (rule models credit won deals only).

    Examples
    --------
    >>> import polars as pl
    >>> t = pl.DataFrame({"path": ["a > b", "c"], "conversions": [2, 0]})
    >>> journeys_from_paths(t).select("opportunity_id", "channel", "days_before_close").rows()
    [('000000000000', 'a', 1.0), ('000000000000', 'b', 0.0)]
    """
    table = path_table(paths, separator=separator)
    close = pl.lit(_CLOSE).cast(TIMESTAMP)
    return (
        table.with_row_index("_row")
        .filter(pl.col(CONVERSIONS) > 0)
        .with_columns(
            pl.col("_row").cast(pl.String).str.zfill(12).alias(OPPORTUNITY_ID),
            pl.col(PATH).list.len().cast(pl.Int32).alias(N_TOUCHES),
        )
        .explode(PATH)
        .with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int32).over("_row").alias(POSITION))
        .select(
            OPPORTUNITY_ID,
            pl.col(OPPORTUNITY_ID).alias(ACCOUNT_ID),
            pl.lit("won").alias(STATUS),
            pl.col(CONVERSIONS).alias(AMOUNT),
            close.alias(CLOSED_AT),
            (pl.col(OPPORTUNITY_ID) + "-" + pl.col(POSITION).cast(pl.String)).alias(TOUCH_ID),
            (close - pl.duration(days=pl.col(N_TOUCHES) - pl.col(POSITION))).alias(OCCURRED_AT),
            pl.lit(None, dtype=pl.String).alias(TEAM),
            pl.col(PATH).alias(CHANNEL),
            POSITION,
            N_TOUCHES,
            (pl.col(N_TOUCHES) - pl.col(POSITION)).cast(pl.Float64).alias(DAYS_BEFORE_CLOSE),
            pl.lit(None, dtype=TIMESTAMP).alias(LEAD_CREATED_AT),
            pl.lit(None, dtype=TIMESTAMP).alias(OPPORTUNITY_CREATED_AT),
            pl.col(VALUE).alias("_value"),
        )
    )


def _length_credits(lengths: np.ndarray, model: str, options: dict[str, Any]) -> np.ndarray:
    """Credit of every step of a converting path of each length, ``lengths`` in order.

    On a path table a rule model's credit of a step only depends on the path's length and
    the step's position, so the model is run (with the shared allocation step) on one deal
    per distinct length, built as :func:`journeys_from_paths` builds every row.
    """
    steps = pl.DataFrame(
        {PATH: [["x"] * int(n) for n in lengths], CONVERSIONS: np.ones(len(lengths))},
        schema={PATH: pl.List(pl.String), CONVERSIONS: pl.Float64},
    )
    journeys = journeys_from_paths(steps)
    credits = attribute(journeys, model, **options).select(OPPORTUNITY_ID, POSITION, CREDIT)
    return (
        journeys.select(OPPORTUNITY_ID, POSITION)
        .join(credits, on=[OPPORTUNITY_ID, POSITION], how="left", maintain_order="left")
        .get_column(CREDIT)
        .fill_null(0.0)
        .to_numpy()
    )


_STEP_CHUNK = 4_000_000  # path steps handled at once: bounds the memory of the counts


def _rule_channels(encoded: EncodedPaths, rules: list[Spec]) -> dict[str, pl.DataFrame]:
    """Conversions and value per channel of every rule model, from one pass over the steps.

    Steps are counted once per (channel, path length, position): their conversions and
    value (rows without conversions left out, as for :func:`journeys_from_paths`). Each
    model then needs only its credit per (length, position).
    """
    lengths = encoded.lengths
    converting = (encoded.conversions > 0) & (lengths > 0)
    distinct = np.unique(lengths[converting])
    base = np.concatenate([[0], np.cumsum(distinct)]).astype(np.int64)
    n_cells = int(base[-1])
    n_channels = len(encoded.channels)
    conv = np.zeros(n_channels * n_cells)
    value = np.zeros(n_channels * n_cells)
    seen = np.zeros(n_channels * n_cells, dtype=bool)
    rows = np.flatnonzero(converting)
    # chunks of rows holding about _STEP_CHUNK steps each
    cuts = np.searchsorted(
        np.cumsum(lengths[rows]), np.arange(_STEP_CHUNK, lengths.sum() + 1, _STEP_CHUNK)
    )
    for part in np.split(rows, cuts):
        if not len(part):
            continue
        n = lengths[part]
        path = np.repeat(np.arange(len(part)), n)
        first = np.repeat(encoded.offsets[part], n)
        step = first + np.arange(len(path)) - np.repeat(np.cumsum(n) - n, n)
        cell = base[np.searchsorted(distinct, n)][path] + (step - first)
        key = encoded.codes[step].astype(np.int64) * n_cells + cell
        conv += np.bincount(key, weights=encoded.conversions[part][path], minlength=len(conv))
        value += np.bincount(key, weights=encoded.value[part][path], minlength=len(value))
        seen[key] = True
    conv_by = conv.reshape(n_channels, n_cells)
    value_by = value.reshape(n_channels, n_cells)
    seen_by = seen.reshape(n_channels, n_cells)
    out = {}
    for label, name, options in rules:
        credit = _length_credits(distinct, name, options) if n_cells else np.zeros(0)
        credited = (seen_by & (credit > 0)).any(axis=1)
        out[label] = pl.DataFrame(
            {
                CHANNEL: list(encoded.channels),
                CONVERSIONS: conv_by @ credit,
                VALUE: value_by @ credit,
            },
            schema={CHANNEL: pl.String, CONVERSIONS: pl.Float64, VALUE: pl.Float64},
        ).filter(pl.Series(credited))
    return out


def _checked_specs(models: Any) -> list[Spec]:
    specs = label_specs(models)
    for _, name, options in specs:
        lookup(name)
        check_options(name, options, model_options(name))
        if name in ("markov", "shapley"):
            allowed = ("order", "extra_nulls") if name == "markov" else ("value",)
            check_options(f"{name} on a path table", options, allowed)
        elif name not in RULE_MODELS:
            raise ParameterError(
                f"model {name!r} cannot run on a path table: it needs journeys (each deal's "
                "touches, amount and whether it was won or lost)"
            )
    return specs


def _on_paths(paths: Any, specs: list[Spec], separator: str | None) -> dict[str, pl.DataFrame]:
    """Channel, conversions and value of every model (label -> frame)."""
    table = as_path_table(paths)
    separator = path_separator(table, separator)
    rules = [s for s in specs if s[1] in RULE_MODELS]
    fitted = [s for s in specs if s[1] not in RULE_MODELS]
    out: dict[str, pl.DataFrame] = {}
    shared = None
    if fitted:
        shared = encode(table, separator=separator, merge_repeats=True)
    if rules:
        checked = check_table(table, separator)
        stray = checked.select(((pl.col(CONVERSIONS) == 0) & (pl.col(VALUE) != 0)).any()).item()
        if stray or shared is None:  # value without conversions is not credited by rules
            clean = checked.with_columns(
                pl.when(pl.col(CONVERSIONS) > 0).then(pl.col(VALUE)).otherwise(0.0).alias(VALUE)
            )
            encoded = encode(clean, separator=separator, merge_repeats=True)
        else:
            encoded = shared
        out.update(_rule_channels(encoded, rules))
    for label, name, options in fitted:
        assert shared is not None
        if shared.n_paths == 0 or not shared.channels:
            raise DataError(f"{name}: the path table has no paths")
        if name == "markov" and options.get("extra_nulls") is not None:
            result = markov(table, separator=separator, transition_matrix=False, **options)
            channels = result.table
        elif name == "markov":
            order = check_order(options.get("order", 1))
            channels = markov_fit(shared, order=order, transition_matrix=False).table
        else:
            value = check_value(options.get("value", "conversion_rate"))
            channels = shapley_fit(shared, value=value).table
        out[label] = channels.select(CHANNEL, CONVERSIONS, VALUE)
    return out


def attribute_paths(
    paths: Any, model: str, *, separator: str | None = None, **options: Any
) -> pl.DataFrame:
    """Conversions and value that ``model`` credits to each channel of a path table.

    Parameters
    ----------
    paths
        A path table (ours or ChannelAttribution's column names), or a CSV or Parquet file
        holding one.
    model
        Any name in :data:`attribution.MODELS`.
    separator
        Joins channels in string paths (default ``" > "``, or the one the paths use, with a
        :class:`~attribution.DataWarning`).
    **options
        The model's options (``order=`` for Markov, ``half_life_days=`` ...).

    Returns
    -------
    polars.DataFrame
        ``channel``, ``conversions``, ``value``, sorted by channel.

    Examples
    --------
    >>> import polars as pl
    >>> t = pl.DataFrame({"path": ["a > b", "b"], "conversions": [2, 1],
    ...     "value": [10.0, 4.0]})
    >>> attribute_paths(t, "linear").rows()
    [('a', 1.0, 5.0), ('b', 2.0, 9.0)]
    """
    specs = _checked_specs({model: {**options, "model": model}})
    return _on_paths(paths, specs, separator)[model].sort(CHANNEL)


PathMeasure = Literal["conversions", "value"]
# every rule model but ``custom`` (which needs weights), and Markov
DEFAULT_PATH_MODELS: tuple[str, ...] = (*(m for m in RULE_MODELS if m != "custom"), "markov")


def compare_paths(
    paths: pl.DataFrame,
    models: Sequence[str] | Mapping[str, Mapping[str, Any]] = DEFAULT_PATH_MODELS,
    *,
    measure: PathMeasure = "conversions",
    separator: str | None = None,
) -> pl.DataFrame:
    """Several models on one path table, side by side: what each credits to each channel.

    The path-table counterpart of :func:`attribution.compare`, for setting our models
    beside other packages' on their own input. Rule models share one encoding of the table
    and one pass over its steps (see :func:`attribute_paths` for what they mean on a path
    table); Markov and Shapley fit the same encoding.

    Parameters
    ----------
    paths
        A path table (ours or ChannelAttribution's column names).
    models
        Model names, or a mapping of column label to the model's options (``"model"``
        names the registry entry when the label is not a model name), as for
        :func:`attribution.compare`. Default: every rule model but ``custom``, and Markov.
    measure
        ``"conversions"`` or ``"value"`` credited.
    separator
        Joins channels in string paths.

    Returns
    -------
    polars.DataFrame
        ``channel`` and one Float64 column per model, sorted by the first model, descending.

    Examples
    --------
    >>> import polars as pl
    >>> t = pl.DataFrame({"path": ["a > b", "b"], "conversions": [2, 1],
    ...     "nulls": [1, 3]})
    >>> table = compare_paths(t, ["first_touch", "linear", "markov"])
    >>> table.with_columns(pl.col("markov").round(6)).rows()
    [('a', 2.0, 1.0, 0.9), ('b', 1.0, 2.0, 2.1)]
    """
    if measure not in ("conversions", "value"):
        raise ParameterError(f"measure must be 'conversions' or 'value', got {measure!r}")
    specs = _checked_specs(models)
    results = _on_paths(paths, specs, separator)
    labels = [label for label, _, _ in specs]
    table = None
    for label in labels:
        part = results[label].select(CHANNEL, pl.col(measure).alias(label))
        table = part if table is None else table.join(part, on=CHANNEL, how="full", coalesce=True)
    assert table is not None
    return table.with_columns(pl.col(labels).fill_null(0.0)).sort(
        [labels[0], CHANNEL], descending=[True, False]
    )
