"""The scorecard: KPIs against targets on hand-made and demo data, the SLA view, the report."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from conftest import CiRun
from helpers import REAL_DATA, ROOT
from scorecard_data import dataset

import attribution as at
from attribution import charts
from attribution._markdown import unescape
from attribution.alignment.target_status import STATUSES
from attribution.report.params import load_params, parse_params

AS_OF = datetime(2026, 6, 16, tzinfo=UTC)
HOUR = timedelta(hours=1)
RULES = {
    "mql": {"score": {"points": {"webinar": 10}, "threshold": 20}},
    "sla": {"response_hours": 24, "within_sla_share": 0.7, "mqls_per_month": 10},
}


def when(month: int, d: int, hours: float = 0) -> datetime:
    return datetime(2026, month, d, tzinfo=UTC) + hours * HOUR


@pytest.fixture(scope="module")
def handmade() -> at.Dataset:
    """8 MQLs in May, 5 in June (3 answered within a day, 1 after 30 h, 1 never); two deals."""
    contacts, touches = [], []
    mql_days = [(5, 10)] * 8 + [(6, 3), (6, 4), (6, 5), (6, 6), (6, 7)]
    for i, (m, d) in enumerate(mql_days):
        cid = f"C{i:02d}"
        contacts.append((cid, f"A{i:02d}", when(5, 1)))
        touches += [
            (f"{cid}-w1", cid, when(m, d, 0), "marketing", "webinar"),
            (f"{cid}-w2", cid, when(m, d, 1), "marketing", "webinar"),  # MQL at hour 1
        ]
    follow = {"C08": 3, "C09": 3, "C10": 3, "C11": 31}
    touches += [
        (f"{cid}-s", cid, when(6, 3 + int(cid[1:]) - 8, hours), "sales", "sales_call")
        for cid, hours in follow.items()
    ]
    opportunities = [
        ("O1", "A08", when(6, 4), True, 1000.0, when(6, 10)),
        ("O2", "A09", when(6, 5), False, 3000.0, when(6, 12)),
    ]
    return dataset(contacts, touches, opportunities=opportunities)


def target(kpi: str, value: float, **more: object) -> dict:
    return {"kpi": kpi, "target": value, "owner": "joint", "due": "2026-06-30", **more}


def row(sc: at.Scorecard, kpi: str) -> dict:
    return sc.table.filter(pl.col("kpi") == kpi).row(0, named=True)


# ------------------------------------------------------------------------------ hand-made
def test_counts_are_pro_rated_to_the_as_of_moment_and_rates_compared_directly(
    handmade: at.Dataset,
) -> None:
    targets = {
        "history": 2,
        "targets": [
            target("mqls", 10, owner="marketing"),
            target("followed_up_within_sla", 0.7, owner="sales"),
            target("followed_up", 0.8, owner="sales"),
            target("median_response_hours", 2.5, owner="sales"),
            target("pipeline_created", 4000, period="quarter"),
            target("win_rate", 0.5, owner="sales"),
            target("revenue_won", 1000, due="2026-05-31"),
            target("mqls", 10, owner="marketing", due="2026-08-31"),
        ],
    }
    sc = at.scorecard(handmade, targets, RULES, as_of=AS_OF)
    mqls = row(sc, "mqls")
    assert (mqls["actual"], mqls["elapsed"], mqls["expected"]) == (5.0, 0.5, 5.0)
    assert mqls["status"] == "on track" and mqls["progress"] == 1.0
    assert mqls["previous"] == 8.0 and mqls["trend"] == "improving", "pace 10 a month vs 8"
    answered = row(sc, "followed_up_within_sla")
    assert (answered["actual"], answered["n"], answered["status"]) == (0.6, 5, "behind")
    assert (
        row(sc, "followed_up")["actual"] == 0.8 and row(sc, "followed_up")["status"] == "on track"
    )
    median = row(sc, "median_response_hours")
    assert median["actual"] == pytest.approx(2.0) and median["status"] == "on track"
    pipeline = row(sc, "pipeline_created")
    assert pipeline["period_label"] == "2026-Q2" and pipeline["actual"] == 4000.0
    assert pipeline["status"] == "met", "a count that reached the whole target is met"
    assert row(sc, "win_rate")["actual"] == 0.5 and row(sc, "win_rate")["status"] == "on track"
    revenue = row(sc, "revenue_won")
    assert (revenue["period_label"], revenue["actual"], revenue["status"]) == (
        "2026-05",
        0.0,
        "missed",
    )
    later = sc.table.filter(pl.col("kpi") == "mqls").row(1, named=True)
    assert later["period_label"] == "2026-08" and later["status"] == "not started"
    assert later["actual"] is None
    # the history holds the earlier periods; those before the data say so
    history = sc.history.filter(pl.col("target_id") == 0)
    assert history["period_label"].to_list() == ["2026-04", "2026-05", "2026-06"]
    assert history["status"].to_list() == ["no data", "missed", "on track"]
    assert history["note"][0] == "the period ends before the data begins"


def test_owners_are_ordered_and_the_summary_names_what_is_behind(handmade: at.Dataset) -> None:
    targets = {
        "targets": [
            target("win_rate", 0.5, owner="sales"),
            target("mqls", 10, owner="marketing"),
            target("followed_up_within_sla", 0.7, owner="sales"),
        ]
    }
    sc = at.scorecard(handmade, targets, RULES, as_of=AS_OF)
    assert sc.table["owner"].to_list() == ["marketing", "sales", "sales"]
    brief = sc.summary(currency="€")
    assert brief.table.columns == ["label", "owner", "period", "target", "actual", "status"]
    assert brief.markdown.startswith("**2 of 3** shared targets met or on track")
    assert "MQLs answered in time (sales, 2026-06: 60.0% vs 70.0%)" in unescape(brief.markdown)
    shown = sc.display()
    assert shown.row(0, named=True)["target"] == "10" and shown["progress_shown"].max() <= 1.5
    assert repr(sc).startswith("Scorecard(3 targets") and sc.to_frame() is sc.table
    assert "agreed definitions" in sc.note and "Scorecard(3 targets" in sc._repr_html_()


def test_the_sla_view_puts_both_sides_of_each_month_together(handmade: at.Dataset) -> None:
    sc = at.scorecard(handmade, {"targets": [target("mqls", 10)]}, RULES, as_of=AS_OF)
    june = sc.sla.filter(pl.col("month") == "2026-06").row(0, named=True)
    assert (june["mqls"], june["agreed_mqls"], june["mqls_status"]) == (5, 10.0, "on track")
    assert (june["within_sla_share"], june["within_sla_status"]) == (0.6, "behind")
    assert june["followed_up_share"] == 0.8 and june["followed_up_status"] is None, "not agreed"
    assert june["never_followed_up"] == 1 and june["pending"] == 0
    may = sc.sla.filter(pl.col("month") == "2026-05").row(0, named=True)
    assert may["mqls_status"] == "missed" and may["within_sla_share"] == 0.0
    long = sc.sla_long(unit="share")
    assert set(long["measure"]) == {"MQL to SQL rate", "Answered within 24 h", "Followed up at all"}
    assert "not agreed" in set(long["status"])
    assert sc.sla_table().columns[:3] == ["month", "MQLs", "MQLs_vs_agreed"]


def test_reps_are_ranked_against_the_sla(handmade: at.Dataset) -> None:
    sc = at.scorecard(handmade, {"targets": [target("mqls", 10)]}, RULES, as_of=AS_OF, min_mqls=1)
    assert sc.reps.is_empty(), "the hand-made touches name no rep"
    with pytest.raises(at.ParameterError, match="min_mqls"):
        at.scorecard(handmade, {"targets": [target("mqls", 10)]}, RULES, min_mqls=0)


def test_missing_data_says_so_and_the_rest_is_measured(handmade: at.Dataset) -> None:
    no_contacts = at.Dataset(touches=handmade.touches, opportunities=handmade.opportunities)
    targets = {"targets": [target("mqls", 10), target("win_rate", 0.5)]}
    sc = at.scorecard(no_contacts, targets, RULES, as_of=AS_OF)
    mqls = row(sc, "mqls")
    assert mqls["status"] == "no data" and mqls["actual"] is None
    assert mqls["note"].startswith("needs the contacts table")
    assert row(sc, "win_rate")["status"] == "on track"
    assert sc.applied is None and sc.sla.is_empty() and sc.drift().is_empty()
    assert "not measurable: needs the contacts table" in unescape(sc.notes_markdown())
    assert "no contacts table" in sc.drift_markdown()


def test_the_disqualification_rate_of_marketing_sourced_leads_has_an_interval(
    handmade: at.Dataset,
) -> None:
    """May: 2 of 8 MQLs disqualified by the as-of moment; June's SQL windows are still open."""
    from statsmodels.stats.proportion import proportion_confint

    contacts = handmade.lazy("contacts").collect()
    ids = contacts["contact_id"].to_list()
    status = {"C00": "Disqualified", "C02": "Working", "C12": "Unqualified"}
    reason = {"C01": "No budget"}
    later = {"C03": when(6, 20)}  # disqualified after the as-of moment: not yet counted
    disposed = contacts.with_columns(
        pl.Series("status", [status.get(c) for c in ids], pl.String),
        pl.Series("disqualified_reason", [reason.get(c) for c in ids], pl.String),
        pl.Series("disqualified_at", [later.get(c) for c in ids], pl.Datetime("us", "UTC")),
    )
    ds = at.validate({**handmade.tables(), "contacts": disposed})
    targets = {
        "targets": [
            target("mql_disqualification_rate", 0.3, owner="marketing", due="2026-05-31"),
            target("mql_disqualification_rate", 0.3, owner="marketing"),
        ],
    }
    sc = at.scorecard(ds, targets, RULES, as_of=AS_OF, level=0.8)
    may, june = sc.table.filter(pl.col("kpi") == "mql_disqualification_rate").iter_rows(named=True)
    assert (may["period_label"], may["actual"], may["n"], may["unit"]) == (
        "2026-05",
        0.25,
        8,
        "share",
    )
    low, high = proportion_confint(2, 8, alpha=0.2, method="wilson")
    assert (may["ci_low"], may["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert may["status"] == "unclear", "lower is better; the interval holds the target"
    assert "(" in sc.display().filter(pl.col("period") == "2026-05")["actual"].item()
    # June's MQLs are judged once their SQL window has closed, as the MQL-to-SQL rate is
    assert june["actual"] is None and june["note"] == "nothing to measure in the period yet"
    # data without any disposition says what it needs
    bare = row(at.scorecard(handmade, targets, RULES, as_of=AS_OF), "mql_disqualification_rate")
    assert bare["status"] == "no data" and bare["actual"] is None
    assert bare["note"].startswith("needs how sales disposed of each lead")
    with pytest.raises(at.ParameterError, match="level"):
        at.scorecard(ds, targets, RULES, as_of=AS_OF, level=2.0)


def test_a_target_due_before_the_data_begins_is_an_error(handmade: at.Dataset) -> None:
    targets = {
        "targets": [
            target("mqls", 10, due="2025-12-31"),
            target("win_rate", 0.5, due="2026-04-30", period="month"),
            target("revenue_won", 10, due="2026-05-01"),
        ]
    }
    with pytest.raises(at.ParameterError) as info:
        at.scorecard(handmade, targets, RULES, as_of=AS_OF)
    message = str(info.value)
    assert message.startswith("2 problems in the targets for data from 2026-05-01")
    assert "targets[0] (mqls, due 2025-12-31): its period 2025-12-01 to 2025-12-31 ends" in message
    assert "targets[1] (win_rate" in message and "targets[2]" not in message


# ------------------------------------------------------------------------------ demo data
@pytest.fixture(scope="module")
def demo_card(demo_medium: at.Dataset) -> at.Scorecard:
    return at.scorecard(demo_medium, draws=100)


def test_the_shipped_agreements_run_on_the_demo_data(demo_card: at.Scorecard) -> None:
    assert demo_card.table.height == 13
    assert set(demo_card.table["status"]) <= set(STATUSES)
    assert set(demo_card.table["owner"]) == {"marketing", "joint", "sales"}
    estimates = demo_card.table.filter(pl.col("kpi").str.ends_with("_contribution"))
    assert (
        estimates["ci_low"].null_count() == 0 and (estimates["ci_low"] <= estimates["actual"]).all()
    )
    assert demo_card.contributions is not None and demo_card.contributions.supported
    assert "estimates" in demo_card.estimates_markdown()
    text = demo_card.agreements_markdown()
    assert "`definitions.yaml`, verbatim:" in text and "window_days: 180" in text


def test_follow_up_kpis_agree_with_speed_to_lead_on_the_agreed_mqls(
    demo_card: at.Scorecard,
) -> None:
    assert demo_card.applied is not None
    by_month = at.speed_to_lead(
        demo_card.applied.dataset, sla_hours=24, by="month", as_of=demo_card.as_of
    )
    june = by_month.filter(pl.col("month") == "2026-06").row(0, named=True)
    answered = row(demo_card, "followed_up_within_sla")
    assert answered["actual"] == pytest.approx(june["share_within_sla"])
    assert answered["n"] == june["mqls"] - june["pending"]
    sla = demo_card.sla.filter(pl.col("month") == "2026-06").row(0, named=True)
    assert sla["mqls"] == june["mqls"] == row(demo_card, "mqls")["actual"]
    assert sla["followed_up_share"] == pytest.approx(1 - june["share_never_followed_up"])


def test_the_rankings_list_who_did_best_this_month(demo_card: at.Scorecard) -> None:
    reps = demo_card.ranking("reps")
    ranked = reps.filter(pl.col("rank").is_not_null())
    assert ranked["rank"].to_list() == list(range(1, ranked.height + 1))
    assert ranked["share_within_sla"].is_sorted(descending=True)
    assert (ranked["mqls"] >= 3).all() and "(no response)" not in reps["rep"].to_list()
    campaigns = demo_card.ranking("campaigns", ranked_only=True)
    assert campaigns["sqls"].is_sorted(descending=True)
    assert campaigns["rank"].null_count() == 0
    earlier = demo_card.ranking("campaigns", month="2026-01")
    assert earlier.height > 0 and set(earlier["status"].drop_nulls()) <= {"met", "missed"}
    with pytest.raises(at.ParameterError, match="who must be"):
        demo_card.ranking("teams")  # type: ignore[arg-type]


def test_scorecard_charts_colour_every_status_and_label_it(demo_card: at.Scorecard) -> None:
    spec = charts.target_progress(demo_card.display()).to_dict()
    layers = spec["spec"]["layer"]
    scale = layers[0]["encoding"]["color"]["scale"]
    assert all(
        charts.SCORECARD_COLORS[s] == c
        for s, c in zip(scale["domain"], scale["range"], strict=True)
    )
    assert layers[2]["encoding"]["text"]["field"] == "status", "statuses are written out too"
    assert spec["facet"]["column"]["sort"] == ["marketing", "joint", "sales"]
    sla = charts.sla_months(demo_card.sla_long(unit="count"), kind="count").to_dict()
    assert sla["spec"]["layer"][1]["mark"]["type"] == "rule"


# ------------------------------------------------------------------------------ real data
def test_real_data_without_follow_up_records_says_what_cannot_be_measured() -> None:
    """Olist records sales work only for won deals, one marketing touch per lead."""
    ds = at.load(
        REAL_DATA / "olist_marketing_funnel", mapping=ROOT / "params" / "mappings" / "olist.yaml"
    )
    origins = ds.touches.filter(pl.col("team") == "marketing")["channel"].unique().to_list()
    rules = {
        "mql": {"behaviours": [{"name": "signed up on a landing page", "channels": origins}]},
        "sql": {"accepted_by": ["sales_touch"], "within_days": None},
    }
    targets = {
        "targets": [
            target("mqls", 600, owner="marketing", due="2018-05-31"),
            target("followed_up_within_sla", 0.5, owner="sales", due="2018-05-31"),
            target("sales_contribution", 0.1, owner="sales", due="2018-05-31"),
        ]
    }
    sc = at.scorecard(ds, targets, rules)
    assert row(sc, "mqls")["status"] == "met" and row(sc, "mqls")["actual"] > 600
    follow = row(sc, "followed_up_within_sla")
    assert follow["status"] == "no data" and "only for accounts that won" in follow["note"]
    assert row(sc, "sales_contribution")["status"] == "no data"
    assert sc.reps.is_empty() and sc.sla["within_sla_share"].null_count() == sc.sla.height
    assert sc.applied is not None and sc.applied.disagreement("MQL") == 0.0, (
        "a lead is an MQL at sign-up, as the CRM says"
    )


# ------------------------------------------------------------------------------ params
def test_the_params_name_the_agreement_files_relative_to_themselves(tmp_path: Path) -> None:
    p = load_params(ROOT / "params" / "default.yaml")
    assert p.scorecard.definitions == str(ROOT / "params" / "definitions.yaml")
    assert p.scorecard.targets == str(ROOT / "params" / "targets.yaml")
    shipped = parse_params({}).scorecard.definitions
    assert shipped is not None and shipped.endswith("examples/definitions.yaml"), (
        "the demo data takes the shipped example"
    )
    own = parse_params({"source": {"path": "exports/"}}).scorecard
    assert own.definitions is None and own.targets is None, "other data: none agreed"
    bad = tmp_path / "targets.yaml"
    bad.write_text("targets: [{kpi: mqls, target: -1, owner: marketing, due: 2026-06-30}]\n")
    (tmp_path / "run.yaml").write_text(
        "source: {demo: {}}\nscorecard: {targets: targets.yaml, definitions: nowhere.yaml}\n"
    )
    with pytest.raises(at.ParameterError) as info:
        load_params(tmp_path / "run.yaml")
    message = str(info.value)
    assert f"definitions file {tmp_path / 'nowhere.yaml'} does not exist" in message
    assert "targets[0].target: must not be negative" in message
    with pytest.raises(
        at.ParameterError, match=r"scorecard\.definitons: unknown key; did you mean"
    ):
        parse_params({"scorecard": {"definitons": "x.yaml"}})


# ------------------------------------------------------------------------------ the report
def test_the_scorecard_report_ran_with_the_ci_params(ci_run: CiRun) -> None:
    run_dir = ci_run.result.run_dir
    settings = json.loads((run_dir / "data" / "run.json").read_text())
    assert settings["scorecard"]["definitions"] == str(ROOT / "params" / "definitions.yaml")
    saved = pl.read_parquet(run_dir / "tables" / "04_scorecard" / "scorecard.parquet")
    assert saved.height == 13 and set(saved["status"]) <= set(STATUSES)
    page = re.sub(r"<[^>]+>", "", (run_dir / "04_scorecard.html").read_text())
    assert "window_days: 180" in page, "the definitions are printed verbatim"
    assert "disagree on" in page and "Who did best against our agreement" in page
