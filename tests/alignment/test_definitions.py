"""Agreed definitions: the file's checks, and MQL/SQL moments derived from hand-made contacts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from helpers import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st
from scorecard_data import SECOND, dataset, day

import attribution as at
from attribution.alignment.definitions import load_definitions

SCORE = {"points": {"webinar": 10, "email": 5}, "threshold": 20}


def moments(applied: at.AppliedDefinitions, column: str = "mql_at") -> dict[str, datetime | None]:
    return dict(applied.contacts.select("contact_id", column).iter_rows())


# ------------------------------------------------------------------------------ the file
def test_the_shipped_definitions_are_valid_and_describe_themselves() -> None:
    d = load_definitions(ROOT / "params" / "definitions.yaml")
    assert d.mql.score is not None and d.mql.score.threshold == 40
    assert d.sla.response_hours == 24 and d.sql.within_days == 30
    assert d.text == (ROOT / "params" / "definitions.yaml").read_text()
    text = d.describe()
    assert "at least 40 points" in text and "last 180 days" in text
    assert "within 24 hours for at least 60% of MQLs" in text
    assert load_definitions(None).text == d.text, "None reads the shipped example"


def test_malformed_definitions_list_every_problem_in_one_error() -> None:
    with pytest.raises(at.ParameterError) as info:
        load_definitions(
            {
                "mql": {
                    "score": {"points": {"webinar": "ten"}, "thresold": 20},
                    "behaviours": [{"channels": []}, {"name": "x", "channels": ["event"]}],
                    "combine": "both",
                },
                "sql": {"accepted_by": ["meeting"], "within_days": -1},
                "sla": {"within_sla_share": 1.5, "response_hours": 0},
                "owner": "me",
            }
        )
    message = str(info.value)
    for expected in (
        "mql.score.points.webinar: expected a number, got 'ten'",
        "mql.score.thresold: unknown key; did you mean 'threshold'?",
        "mql.combine: expected one of 'all', 'any', got 'both'",
        "sql.accepted_by[0]: expected one of 'sales_touch', 'opportunity', got 'meeting'",
        "sql.within_days: must be at least 0, got -1",
        "sla.within_sla_share: must be at most 1",
        "sla.response_hours: must be at least 0.01",
        "owner: unknown key",
        "mql.score.threshold: missing",
        "mql.behaviours[0].name: missing",
        "mql.behaviours[0]: give the channels or the activities",
    ):
        assert expected in message, expected
    assert message.startswith("11 problems in the definitions")
    assert len(info.value.problems) == 11


def test_a_definitions_file_with_a_duplicate_key_or_bad_yaml_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "d.yaml"
    f.write_text("mql: {behaviours: []}\nmql: {}\n")
    with pytest.raises(at.ParameterError, match="given twice"):
        load_definitions(f)
    with pytest.raises(at.ParameterError, match="does not exist"):
        load_definitions(tmp_path / "missing.yaml")


def test_a_crm_score_takes_no_points() -> None:
    with pytest.raises(at.ParameterError, match="applies to a score from touches only"):
        load_definitions({"mql": {"score": {"source": "crm", "points": {"a": 1}, "threshold": 5}}})


# ------------------------------------------------------------------------------ MQL moments
def test_the_score_reaches_the_threshold_exactly_and_fit_points_count_from_the_start() -> None:
    ds = dataset(
        [
            ("C-exact", "A1", day(0)),
            ("C-below", "A2", day(0)),
            ("C-fit", "A3", day(0)),
            ("C-none", "A4", day(0)),
        ],
        [
            ("T1", "C-exact", day(1), "marketing", "webinar"),
            ("T2", "C-exact", day(4), "marketing", "webinar"),  # 20 = threshold
            ("T3", "C-below", day(1), "marketing", "webinar"),
            ("T4", "C-below", day(2), "marketing", "email"),  # 15 < 20
            ("T5", "C-fit", day(1), "marketing", "email"),  # 5 + 5 fit
            ("T6", "C-fit", day(2), "marketing", "webinar"),  # 20
            ("T7", "C-none", day(1), "sales", "sales_call"),  # a sales touch scores 0
        ],
        segments={"A3": "Enterprise"},
    )
    applied = at.apply_definitions(
        ds, {"mql": {"score": {**SCORE, "fit_points": {"Enterprise": 5}}}}
    )
    assert moments(applied) == {
        "C-exact": day(4),
        "C-below": None,
        "C-fit": day(2),
        "C-none": None,
    }
    scores = dict(applied.contacts.select("contact_id", "score_at_mql").iter_rows())
    assert scores["C-exact"] == 20 and scores["C-fit"] == 20


def test_a_score_window_includes_its_edge_and_not_a_second_more() -> None:
    ds = dataset(
        [("C-edge", "A1", day(0)), ("C-out", "A2", day(0))],
        [
            ("T1", "C-edge", day(1), "marketing", "webinar"),
            ("T2", "C-edge", day(11), "marketing", "webinar"),  # exactly 10 days later
            ("T3", "C-out", day(1), "marketing", "webinar"),
            ("T4", "C-out", day(11) + SECOND, "marketing", "webinar"),
        ],
    )
    applied = at.apply_definitions(ds, {"mql": {"score": {**SCORE, "window_days": 10}}})
    assert moments(applied) == {"C-edge": day(11), "C-out": None}
    lifetime = at.apply_definitions(ds, {"mql": {"score": SCORE}})
    assert moments(lifetime) == {"C-edge": day(11), "C-out": day(11) + SECOND}


def test_a_behaviour_just_outside_its_window_does_not_count() -> None:
    ds = dataset(
        [
            ("C-in", "A1", day(0)),
            ("C-out", "A2", day(0)),
            ("C-no-behaviour", "A3", day(0)),
            ("C-later", "A4", day(0)),
        ],
        [
            ("T1", "C-in", day(1), "marketing", "event"),
            ("T2", "C-in", day(8), "marketing", "webinar"),
            ("T3", "C-in", day(8), "marketing", "webinar"),  # 20 at day 8: event 7 days ago
            ("T4", "C-out", day(1), "marketing", "event"),
            ("T5", "C-out", day(8) + SECOND, "marketing", "webinar"),
            ("T6", "C-out", day(8) + SECOND, "marketing", "webinar"),
            ("T7", "C-no-behaviour", day(2), "marketing", "webinar"),
            ("T8", "C-no-behaviour", day(3), "marketing", "webinar"),
            ("T9", "C-later", day(2), "marketing", "webinar"),
            ("T10", "C-later", day(3), "marketing", "webinar"),
            ("T11", "C-later", day(30), "marketing", "event"),  # behaviour comes last
        ],
    )
    rules = {
        "score": SCORE,
        "behaviours": [{"name": "came to an event", "channels": ["event"], "within_days": 7}],
    }
    applied = at.apply_definitions(ds, {"mql": rules})
    assert moments(applied) == {
        "C-in": day(8),
        "C-out": None,
        "C-no-behaviour": None,
        "C-later": day(30),
    }
    either = at.apply_definitions(ds, {"mql": {**rules, "combine": "any"}})
    assert moments(either) == {
        "C-in": day(1),
        "C-out": day(1),
        "C-no-behaviour": day(3),
        "C-later": day(3),
    }


def test_behaviours_alone_count_activities_and_need_their_count() -> None:
    ds = dataset(
        [("C1", "A1", day(0)), ("C2", "A2", day(0))],
        [
            ("T1", "C1", day(1), "marketing", "content", "form fill"),
            ("T2", "C1", day(5), "marketing", "content", "form fill"),
            ("T3", "C2", day(1), "marketing", "content", "form fill"),
            ("T4", "C2", day(2), "marketing", "content", "download"),
        ],
    )
    applied = at.apply_definitions(
        ds,
        {"mql": {"behaviours": [{"name": "two forms", "activities": ["form fill"], "count": 2}]}},
    )
    assert moments(applied) == {"C1": day(5), "C2": None}
    assert applied.contacts["max_score"].is_null().all(), "no score rule, no score"


def test_a_contact_cannot_qualify_before_it_was_created() -> None:
    ds = dataset(
        [("C1", "A1", day(10))],
        [
            ("T1", "C1", day(5), "marketing", "webinar"),
            ("T2", "C1", day(6), "marketing", "webinar"),
        ],
    )
    assert moments(at.apply_definitions(ds, {"mql": {"score": SCORE}})) == {"C1": day(10)}


def test_a_crm_score_qualifies_from_creation_or_when_the_behaviour_holds() -> None:
    ds = dataset(
        [
            ("C-high", "A1", day(0), None, None, 50.0),
            ("C-low", "A2", day(0), None, None, 10.0),
            ("C-event", "A3", day(0), None, None, 50.0),
        ],
        [("T1", "C-event", day(4), "marketing", "event")],
    )
    crm = {"source": "crm", "threshold": 40}
    assert moments(at.apply_definitions(ds, {"mql": {"score": crm}})) == {
        "C-high": day(0),
        "C-low": None,
        "C-event": day(0),
    }
    with_event = {"score": crm, "behaviours": [{"name": "event", "channels": ["event"]}]}
    assert moments(at.apply_definitions(ds, {"mql": with_event})) == {
        "C-high": None,
        "C-low": None,
        "C-event": day(4),
    }


# ------------------------------------------------------------------------------ SQL moments
def test_the_sql_window_includes_its_edge_and_ignores_earlier_or_other_events() -> None:
    contacts = [("C-edge", "A1", day(0)), ("C-late", "A2", day(0)), ("C-opp", "A3", day(0))]
    touches = [
        (f"T{i}", c, day(1), "marketing", "webinar") for i, (c, _, _) in enumerate(contacts)
    ] + [
        (f"U{i}", c, day(2), "marketing", "webinar") for i, (c, _, _) in enumerate(contacts)
    ]  # every contact is an MQL at day 2
    touches += [
        ("S1", "C-edge", day(7), "sales", "meeting"),  # exactly 5 days after the MQL
        ("S2", "C-late", day(7) + SECOND, "sales", "meeting"),
        ("S3", "C-late", day(3), "sales", "sales_call"),  # not an accepting channel
        ("S4", "C-opp", day(1), "sales", "meeting"),  # before the MQL
    ]
    opportunities = [
        ("O1", "A3", day(1), False, 10.0, None),  # before the MQL: does not accept
        ("O2", "A3", day(6), False, 10.0, None),
    ]
    ds = dataset(contacts, touches, opportunities=opportunities)
    rules = {
        "mql": {"score": SCORE},
        "sql": {"sales_channels": ["meeting"], "within_days": 5},
    }
    applied = at.apply_definitions(ds, rules)
    assert moments(applied) == {"C-edge": day(2), "C-late": day(2), "C-opp": day(2)}
    assert moments(applied, "sql_at") == {"C-edge": day(7), "C-late": None, "C-opp": day(6)}
    touch_only = at.apply_definitions(
        ds, {**rules, "sql": {**rules["sql"], "accepted_by": ["sales_touch"]}}
    )
    assert moments(touch_only, "sql_at")["C-opp"] is None


# ------------------------------------------------------------------------------ drift
def test_drift_counts_and_shows_where_the_crm_and_the_agreement_disagree() -> None:
    ds = dataset(
        [
            ("C-same", "A1", day(0), day(2)),
            ("C-crm-only", "A2", day(0), day(3)),
            ("C-agreed-only", "A3", day(0)),
            ("C-apart", "A4", day(0), day(9)),
            ("C-neither", "A5", day(0)),
        ],
        [
            ("T1", "C-same", day(1), "marketing", "webinar"),
            ("T2", "C-same", day(2), "marketing", "webinar"),
            ("T3", "C-crm-only", day(1), "marketing", "email"),
            ("T4", "C-agreed-only", day(1), "marketing", "webinar"),
            ("T5", "C-agreed-only", day(1), "marketing", "webinar"),
            ("T6", "C-apart", day(1), "marketing", "webinar"),
            ("T7", "C-apart", day(2), "marketing", "webinar"),
        ],
    )
    applied = at.apply_definitions(ds, {"mql": {"score": SCORE}})
    mql = applied.drift.filter(pl.col("stage") == "MQL")
    assert dict(mql.select("agreement", "contacts").iter_rows()) == {
        "both, same time": 1,
        "both, different time": 1,
        "CRM only": 1,
        "agreed only": 1,
    }
    assert applied.disagreement("MQL") == pytest.approx(0.75)
    assert applied.crm_labels == {"MQL": True, "SQL": False}
    assert applied.disagreement("SQL") is None
    examples = applied.examples
    assert set(examples["contact_id"]) == {"C-crm-only", "C-agreed-only", "C-apart"}
    apart = examples.filter(pl.col("contact_id") == "C-apart").row(0, named=True)
    assert apart["hours_apart"] == pytest.approx(7 * 24)
    text = applied.markdown()
    assert "disagree on **75.0%**" in text and "no CRM SQL dates" in text
    # the dataset now carries the agreed moments, and the CRM's beside them
    contacts = applied.dataset.contacts
    assert contacts.filter(pl.col("contact_id") == "C-apart")["mql_at"].item() == day(2)
    assert contacts.filter(pl.col("contact_id") == "C-apart")["crm_mql_at"].item() == day(9)
    wide = at.apply_definitions(ds, {"mql": {"score": SCORE}}, tolerance_hours=7 * 24)
    assert wide.disagreement("MQL") == pytest.approx(0.5)


def test_a_definition_mirroring_the_demo_crm_agrees_and_a_stricter_one_drifts(
    demo_small: at.Dataset,
) -> None:
    p = demo_small.truth.params
    mirror = {
        "points": dict(p.score_points),
        "threshold": p.mql_threshold,
        "fit_points": {"SMB": 5, "Mid-Market": 10, "Enterprise": 15},
    }
    same = at.apply_definitions(demo_small, {"mql": {"score": mirror}})
    assert same.disagreement("MQL") == 0.0
    crm = demo_small.contacts["mql_at"].is_not_null().sum()
    assert same.contacts["mql_at"].is_not_null().sum() == crm
    stricter = at.apply_definitions(
        demo_small, {"mql": {"score": {**mirror, "threshold": p.mql_threshold + 20}}}
    )
    rows = dict(
        stricter.drift.filter(pl.col("stage") == "MQL").select("agreement", "contacts").rows()
    )
    assert rows["CRM only"] > 0 and rows["agreed only"] == 0
    assert stricter.disagreement("MQL") > 0.2
    crm_only = stricter.examples.filter(
        (pl.col("stage") == "MQL") & (pl.col("agreement") == "CRM only")
    )
    assert 0 < crm_only.height <= 3
    assert (crm_only["max_score"] < p.mql_threshold + 20).all(), "the examples say why"


# ------------------------------------------------------------------------------ errors
def test_data_that_cannot_carry_the_definitions_is_a_clear_error(demo_small: at.Dataset) -> None:
    no_contacts = at.Dataset(touches=demo_small.touches, opportunities=demo_small.opportunities)
    with pytest.raises(at.ParameterError, match="needs the contacts table"):
        at.apply_definitions(no_contacts, {"mql": {"score": SCORE}})
    anonymous = at.Dataset(
        touches=demo_small.touches.with_columns(pl.lit(None, pl.String).alias("contact_id")),
        opportunities=demo_small.opportunities,
        contacts=demo_small.contacts,
    )
    with pytest.raises(at.ParameterError, match="no touch carries a contact_id"):
        at.apply_definitions(anonymous, {"mql": {"score": SCORE}})
    with pytest.raises(at.ParameterError) as info:
        at.apply_definitions(
            demo_small,
            {
                "mql": {"score": {"points": {"webinr": 10, "tradeshow": 5}, "threshold": 10}},
                "sql": {"sales_channels": ["demos"]},
            },
        )
    message = str(info.value)
    assert "mql.score.points: no touch has channel 'webinr'; did you mean 'webinar'?" in message
    assert "sql.sales_channels: no touch has sales channel 'demos'; did you mean 'demo'?" in message
    assert "tradeshow" not in message, "a name with no close match is only a note"
    noted = at.apply_definitions(
        demo_small, {"mql": {"score": {"points": {"webinar": 10, "tradeshow": 5}, "threshold": 10}}}
    )
    assert any("tradeshow" in n for n in noted.notes)


# ------------------------------------------------------------------------------ properties
@st.composite
def scored_contacts(draw: st.DrawFn) -> tuple[list[tuple], list[tuple]]:
    n = draw(st.integers(1, 4))
    contacts = [(f"C{i}", f"A{i}", day(draw(st.integers(0, 5)))) for i in range(n)]
    touches = []
    for k in range(draw(st.integers(0, 14))):
        c = draw(st.integers(0, n - 1))
        when = day(draw(st.integers(0, 30)))
        channel = draw(st.sampled_from(["webinar", "email", "event", "direct"]))
        touches.append((f"T{k:02d}", f"C{c}", when, "marketing", channel))
    return contacts, touches


EARLIEST = datetime.min.replace(tzinfo=UTC)


def brute_force(
    contacts: list[tuple],
    touches: list[tuple],
    points: dict[str, float],
    threshold: float,
    window: float | None,
    event_days: float | None,
) -> dict[str, datetime | None]:
    """The first moment every rule holds, by checking every candidate moment in turn."""
    out: dict[str, datetime | None] = {}
    for cid, _, created in contacts:
        own = [(when, ch) for _, c, when, _, ch in touches if c == cid]
        candidates = sorted({created} | {w for w, _ in own if w >= created})
        out[cid] = None
        for t in candidates:
            lo = t - timedelta(days=window) if window is not None else EARLIEST
            score = sum(points.get(ch, 0) for w, ch in own if lo <= w <= t)
            ev_lo = t - timedelta(days=event_days) if event_days is not None else EARLIEST
            events = sum(1 for w, ch in own if ch == "event" and ev_lo <= w <= t)
            if score >= threshold and events >= 1:
                out[cid] = t
                break
    return out


@settings(max_examples=40, deadline=None)
@given(
    scored_contacts(),
    st.integers(5, 40),
    st.one_of(st.none(), st.integers(0, 20)),
    st.one_of(st.none(), st.integers(0, 20)),
    st.randoms(use_true_random=False),
)
def test_mql_moments_match_a_brute_force_reference_in_any_row_order(
    case: tuple[list[tuple], list[tuple]],
    threshold: int,
    window: int | None,
    event_days: int | None,
    rnd,  # type: ignore[no-untyped-def]
) -> None:
    contacts, touches = case
    points = {"webinar": 10.0, "email": 5.0, "event": 15.0}
    rules = {
        "mql": {
            "score": {"points": points, "threshold": threshold, "window_days": window},
            "behaviours": [{"name": "an event", "channels": ["event"], "within_days": event_days}],
        }
    }
    expected = brute_force(contacts, touches, points, threshold, window, event_days)
    shuffled = list(touches)
    rnd.shuffle(shuffled)
    for rows in (touches, shuffled):
        ds = dataset(contacts, rows or [("T-none", "C0", day(0), "sales", "sales_call")])
        got = moments(at.apply_definitions(ds, rules))
        assert got == expected
    higher = dict(rules["mql"]["score"], threshold=threshold + 10)
    later = moments(at.apply_definitions(ds, {"mql": {**rules["mql"], "score": higher}}))
    for cid, moment in later.items():
        assert moment is None or (expected[cid] is not None and moment >= expected[cid])


def test_applied_definitions_keep_the_contacts_in_their_order(demo_medium: at.Dataset) -> None:
    """The agreed moments join onto the contacts without reordering them (run after run)."""
    applied = at.apply_definitions(demo_medium, at.load_definitions(None))
    contacts = applied.dataset.contacts
    assert contacts is not None and demo_medium.contacts is not None
    assert contacts["contact_id"].equals(demo_medium.contacts["contact_id"])
