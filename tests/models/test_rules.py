"""Rule models: hand-worked credits (tests/results/rules_hand_worked.csv), options, registry."""

from __future__ import annotations

import polars as pl
import pytest
from helpers import ROOT, make_opportunities, make_touches

import attribution as at

HAND_WORKED = ROOT / "tests" / "results" / "rules_hand_worked.csv"

TOUCHES = [
    ("t1", "a1", "2024-01-01", "marketing", "paid_search"),
    ("t2", "a1", "2024-01-08", "marketing", "webinar"),
    ("t3", "a1", "2024-01-15", "marketing", "email"),
    ("t4", "a1", "2024-01-22", "sales", "sales_call"),
    ("t5", "a1", "2024-01-29", "sales", "demo"),
    ("t6", "a2", "2024-02-01", "marketing", "event"),
    ("t7", "a2", "2024-02-10", "sales", "meeting"),
    ("t8", "a3", "2024-03-01", "marketing", "content"),
    ("t9", "a5", "2024-03-01", "marketing", "email"),
]
OPPS = [
    ("o1", "a1", "2024-01-25", "true", "1000", "2024-01-29"),
    ("o2", "a2", "2024-02-15", "true", "500", "2024-02-20"),
    ("o3", "a3", "2024-03-05", "true", "200", "2024-03-10"),
    ("o4", "a4", "2024-03-01", "true", "300", "2024-03-20"),
    ("o5", "a5", "2024-03-02", "false", "50", "2024-03-15"),
]
CONTACTS = [("c1", "a1", "2024-01-10"), ("c2", "a2", "2024-02-02")]
CUSTOM = {"first": 1, "close": 1, "rest": 2}


@pytest.fixture(scope="module")
def hand_journeys() -> pl.DataFrame:
    ds = at.validate(
        {
            "touches": make_touches(TOUCHES),
            "opportunities": make_opportunities(OPPS),
            "contacts": pl.DataFrame(
                CONTACTS, orient="row", schema=["contact_id", "account_id", "created_at"]
            ),
        }
    )
    return at.journeys(ds)


def expected_cases() -> list[tuple[str, str | None, str, pl.DataFrame]]:
    ref = pl.read_csv(HAND_WORKED, schema_overrides={"team": pl.String})
    cases = []
    for (model, team, opp), rows in ref.group_by(
        "model", "team", "opportunity_id", maintain_order=True
    ):
        cases.append((str(model), team, str(opp), rows))
    return cases


@pytest.mark.parametrize(
    ("model", "team", "opportunity", "rows"),
    expected_cases(),
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_hand_worked_credits(
    hand_journeys: pl.DataFrame, model: str, team: str | None, opportunity: str, rows: pl.DataFrame
) -> None:
    options = {"weights": CUSTOM} if model == "custom" else {}
    credits = at.attribute(hand_journeys, model, team=team, **options)
    got = credits.filter(pl.col("opportunity_id") == opportunity)
    assert got["touch_id"].to_list() == rows["touch_id"].to_list()
    assert got["credit"].to_list() == pytest.approx(rows["credit"].to_list(), abs=1e-12)
    amount = dict(zip([o[0] for o in OPPS], [float(o[4]) for o in OPPS], strict=True))
    assert got["revenue"].sum() == pytest.approx(amount[opportunity])


def test_no_touch_row_and_lost_deals(hand_journeys: pl.DataFrame) -> None:
    credits = at.attribute(hand_journeys, "linear")
    no_touch = credits.filter(pl.col("opportunity_id") == "o4")
    assert no_touch.select("touch_id", "channel", "team", "credit", "revenue").rows() == [
        (None, "(no touch)", "(no touch)", 1.0, 300.0)
    ]
    assert "o5" not in credits["opportunity_id"].to_list()
    assert credits.columns[:6] == list(at.models.CREDIT_COLUMNS)
    assert credits["revenue"].sum() == pytest.approx(2000.0)


def test_time_decay_half_life_changes_the_split(hand_journeys: pl.DataFrame) -> None:
    fast = at.attribute(hand_journeys, "time_decay", half_life_days=1).filter(
        pl.col("opportunity_id") == "o1"
    )
    slow = at.attribute(hand_journeys, "time_decay", half_life_days=1e9).filter(
        pl.col("opportunity_id") == "o1"
    )
    assert fast["credit"][-1] > 0.99
    assert slow["credit"].to_list() == pytest.approx([0.2] * 5)


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"weights": {"first": -1}}, "must be finite and >= 0"),
        ({"weights": {"frist": 1}}, "unknown milestone"),
        ({"weights": {"first": 0, "rest": 0}}, "must not all be zero"),
        ({"weights": {"first": "a lot"}}, "must be a number"),
        ({}, "needs weights"),
    ],
)
def test_custom_weights_are_checked(hand_journeys: pl.DataFrame, options: dict, match: str) -> None:
    with pytest.raises(at.ParameterError, match=match):
        at.attribute(hand_journeys, "custom", **options)


@pytest.mark.parametrize("half_life", [0, -3, float("nan"), "7"])
def test_half_life_is_checked(hand_journeys: pl.DataFrame, half_life: object) -> None:
    with pytest.raises(at.ParameterError, match="half_life_days"):
        at.attribute(hand_journeys, "time_decay", half_life_days=half_life)


def test_registry_errors(hand_journeys: pl.DataFrame) -> None:
    with pytest.raises(at.ParameterError, match=r"'u_shapd'.*'u_shaped'.*Valid models: first"):
        at.attribute(hand_journeys, "u_shapd")
    with pytest.raises(at.ParameterError, match=r"'half_life'.*did you mean 'half_life_days'"):
        at.attribute(hand_journeys, "time_decay", half_life=3)
    with pytest.raises(at.ParameterError, match="its options are: none"):
        at.attribute(hand_journeys, "linear", order=2)
    with pytest.raises(at.ParameterError, match="team must be one of"):
        at.attribute(hand_journeys, "linear", team="Sales")


def test_journeys_missing_columns_are_named() -> None:
    with pytest.raises(at.SchemaError, match=r"missing column.*position"):
        at.attribute(pl.DataFrame({"opportunity_id": ["o"], "status": ["won"]}), "linear")


def test_every_registered_model_is_documented_and_keyword_only() -> None:
    import inspect

    assert set(at.MODELS) == {
        "first_touch", "last_touch", "linear", "time_decay", "u_shaped", "w_shaped",
        "full_path", "j_shaped", "inverse_j", "custom", "markov", "shapley", "incremental",
    }  # fmt: skip
    for name, fn in at.MODELS.items():
        params = list(inspect.signature(fn).parameters.values())
        assert params[0].name == "journeys"
        assert all(p.kind is p.KEYWORD_ONLY for p in params[1:]), name
        assert params[1].name == "team", name
        assert fn.__doc__ and "Examples" in fn.__doc__, name


CA_DATA = ROOT.parent / "shared" / "data" / "real" / "channelattribution_pathdata" / "Data.csv"
CA_HEURISTICS = ROOT / "tests" / "results" / "channelattribution_heuristics.csv"


@pytest.fixture(scope="module")
def ca_data() -> pl.DataFrame:
    return pl.read_csv(CA_DATA, separator=";")


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [("first_touch", "first_touch"), ("last_touch", "last_touch"), ("linear", "linear_touch")],
)
def test_rules_on_a_path_table_equal_channelattribution_heuristics(
    ca_data: pl.DataFrame, ours: str, theirs: str
) -> None:
    """ChannelAttribution 2.2.5 heuristic_models on its example table: deterministic."""
    ref = pl.read_csv(CA_HEURISTICS).rename({"channel_name": "channel"})
    got = at.models.attribute_paths(ca_data, ours).join(ref, on="channel", how="full")
    assert got.height == 12 and got["channel"].null_count() == 0
    assert got["conversions"].to_list() == pytest.approx(got[f"{theirs}_conversions"].to_list())
    assert got["value"].to_list() == pytest.approx(got[f"{theirs}_value"].to_list())


@pytest.mark.parametrize("model", sorted(at.MODELS))
def test_every_model_runs_on_the_example_path_table(ca_data: pl.DataFrame, model: str) -> None:
    options = {"custom": {"weights": {"first": 1, "close": 1, "rest": 1}}}.get(model, {})
    if model == "incremental":  # it fits a win model on deals: a path table has none
        with pytest.raises(at.ParameterError, match="needs journeys"):
            at.models.attribute_paths(ca_data, model)
        return
    result = at.models.attribute_paths(ca_data, model, **options)
    assert result.columns == ["channel", "conversions", "value"]
    assert result["conversions"].sum() == pytest.approx(ca_data["total_conversions"].sum())
    assert result["value"].sum() == pytest.approx(ca_data["total_conversion_value"].sum())
    assert (result["conversions"] >= 0).all()


def test_path_table_options_are_checked(ca_data: pl.DataFrame) -> None:
    with pytest.raises(at.ParameterError, match="include_open"):
        at.models.attribute_paths(ca_data, "markov", include_open=True)
    with pytest.raises(at.ParameterError, match="unknown attribution model"):
        at.models.attribute_paths(ca_data, "markow")
