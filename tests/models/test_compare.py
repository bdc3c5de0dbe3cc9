"""compare(): the wide table, the bootstrap intervals, and their checks."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

import attribution as at
from attribution.models.compare.bootstrap import data_boot, rule_boot
from attribution.models.compare.resample import Resamples


@pytest.fixture(scope="module")
def j(demo_small: at.Dataset) -> pl.DataFrame:
    return at.journeys(demo_small)


def test_table_has_a_column_per_model_and_reconciles(j: pl.DataFrame) -> None:
    result = at.compare(j, ["linear", "markov", "shapley", "w_shaped"])
    assert result.table.columns == ["channel", "linear", "markov", "shapley", "w_shaped"]
    booked = j.filter(pl.col("status") == "won").unique("opportunity_id")["amount"].sum()
    for model in ("linear", "markov", "shapley", "w_shaped"):
        assert result.table[model].sum() == pytest.approx(booked)
    assert result.intervals is None and result.draws == 0
    linear = at.attribute(j, "linear").group_by("channel").agg(pl.col("revenue").sum())
    joined = result.table.join(linear, on="channel")
    assert joined["linear"].to_list() == pytest.approx(joined["revenue"].to_list())


def test_labels_with_options_and_groups(j: pl.DataFrame) -> None:
    result = at.compare(
        j,
        {
            "markov": {},
            "markov_3": {"model": "markov", "order": 3},
            "decay": {"model": "time_decay"},
        },
        by="team",
    )
    assert result.table.columns == ["team", "markov", "markov_3", "decay"]
    assert set(result.table["team"]) <= {"marketing", "sales", "(no touch)"}
    campaigns = at.compare(j, ["linear"], by="campaign").table
    assert "(none)" in campaigns["campaign"].to_list()


def test_intervals_are_seeded_and_bracket_the_estimate(j: pl.DataFrame) -> None:
    models = ["first_touch", "linear", "markov", "shapley"]
    a = at.compare(j, models, by="team", level=0.9, draws=60, seed=1)
    b = at.compare(j, models, by="team", level=0.9, draws=60, seed=1)
    assert a.intervals is not None and b.intervals is not None
    assert a.intervals.equals(b.intervals)
    assert a.intervals.columns == ["model", "team", "revenue", "ci_low", "ci_high"]
    assert (a.intervals["ci_low"] <= a.intervals["ci_high"]).all()
    assert (a.intervals["ci_low"] < a.intervals["revenue"]).all()
    assert (a.intervals["revenue"] < a.intervals["ci_high"]).all()
    c = at.compare(j, models, by="team", level=0.9, draws=60, seed=2)
    assert c.intervals is not None and not c.intervals.equals(a.intervals)
    wider = at.compare(j, ["linear"], by="team", level=0.99, draws=60, seed=1).intervals
    assert wider is not None
    narrow = a.intervals.filter(pl.col("model") == "linear")
    assert ((wider["ci_high"] - wider["ci_low"]) >= (narrow["ci_high"] - narrow["ci_low"])).all()


@pytest.mark.parametrize("model", ["linear", "u_shaped", "markov", "shapley"])
@pytest.mark.parametrize("by", ["channel", "campaign"])
def test_unit_weights_reproduce_the_point_estimate(j: pl.DataFrame, model: str, by: str) -> None:
    """A 'resample' that keeps every account once must give back the estimate exactly."""
    table = at.compare(j, [model], by=by).table
    groups = sorted({*table[by].to_list(), "(no touch)"})
    frame = Resamples(j, by, 2, 0)
    frame.weights = np.ones_like(frame.weights)
    if model in ("markov", "shapley"):
        boot = data_boot(j, model, {}, None, frame, groups)
    else:
        boot = rule_boot(at.attribute(j, model), frame, groups)
    expected = dict(table.select(by, model).rows())
    for i, g in enumerate(groups):
        assert boot[0, i] == pytest.approx(expected.get(g, 0.0), rel=1e-9, abs=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"by": "segmnet"}, "no column .segmnet.*include="),
        ({"level": 1.5}, "level must be"),
        ({"level": 0.9, "draws": 1}, "draws"),
        ({"models": []}, "at least one"),
        ({"models": ["linear", "lineer"]}, "unknown attribution model"),
    ],
)
def test_bad_arguments(j: pl.DataFrame, kwargs: dict, match: str) -> None:
    with pytest.raises(at.ParameterError, match=match):
        at.compare(j, **kwargs)


@pytest.fixture(scope="module")
def j_segment(demo_small: at.Dataset) -> pl.DataFrame:
    return at.journeys(demo_small, include=["segment", "industry", "owner"])


@pytest.mark.parametrize("by", ["segment", "industry", "owner", "rep", "activity"])
def test_any_journey_column_groups_the_same_revenue(j_segment: pl.DataFrame, by: str) -> None:
    models = ["first_touch", "linear", "markov", "shapley"]
    by_channel = at.compare(j_segment, models).table
    grouped = at.compare(j_segment, models, by=by, level=0.9, draws=30)
    assert grouped.table.columns == [by, *models]
    for model in models:  # every model conserves won revenue whatever the grouping
        assert grouped.table[model].sum() == pytest.approx(by_channel[model].sum())
    assert grouped.intervals is not None
    assert (grouped.intervals["ci_low"] <= grouped.intervals["ci_high"]).all()


def test_a_deal_attribute_splits_its_deals_revenue(j_segment: pl.DataFrame) -> None:
    table = at.compare(j_segment, ["linear"], by="segment").table
    won = j_segment.filter(pl.col("status") == "won").unique("opportunity_id")
    touched = won.filter(pl.col("n_touches") > 0).group_by("segment").agg(pl.col("amount").sum())
    for segment, amount in touched.rows():
        assert dict(table.rows())[segment] == pytest.approx(amount)


def test_where_compares_the_kept_deals_only(j_segment: pl.DataFrame) -> None:
    smb = pl.col("segment") == "SMB"
    kept = at.compare(j_segment, ["linear", "markov"], by="team", where=smb, level=0.9, draws=20)
    alone = at.compare(j_segment.filter(smb), ["linear", "markov"], by="team", level=0.9, draws=20)
    assert kept.table.equals(alone.table)
    assert kept.intervals is not None and kept.intervals.equals(alone.intervals)


def test_incremental_intervals_hold_their_estimate_on_small_data() -> None:
    # re-estimating the priors on a resample shrinks less than on the data, which on a
    # few hundred deals once put every resample's baseline below the estimate
    ds = at.demo.generate(n_accounts=3_000, seed=0)
    cmp = at.compare(at.journeys(ds), {"incremental": {"controls": ds}}, level=0.9, draws=20)
    rows = cmp.intervals
    assert rows.height > 3
    assert (rows["ci_low"] <= rows["revenue"] + 1e-6).all()
    assert (rows["revenue"] <= rows["ci_high"] + 1e-6).all()
    assert (rows["ci_low"] >= 0).all()
