"""Hostile data for the security battery: every text a report shows, made an attack.

:func:`hostile_run` builds the demo data (1,000 accounts) with every label the reports show
turned into a script or markup injection (channels, campaigns, activities, reps, stages,
sources, lead sources, segments, industries, contact and deal ids), some also starting like a
spreadsheet formula; an agreement and targets whose names, signatories, behaviours, labels
and notes are injections too; a params file whose title, currency and channel groups are;
and a source folder whose path is one. ``conftest.py`` runs every report notebook on it
once per session.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
import yaml
from helpers import ROOT

import attribution as at
from attribution.report import runner as report

FORMULA_PREFIXES = ("", "=", "+", "-", "@")
"""Some values start like a spreadsheet formula (the i-th distinct value gets the i-th)."""


def attack(where: str) -> str:
    """An injection that tries every way out: end a script, an attribute, markdown."""
    return (
        f"</script><script>alert('{where}')</script><img src=x onerror=alert('{where}')>"
        f"\"><svg onload=alert('{where}')>[link](javascript:alert('{where}'))"
    )


def poisoned(value: str, where: str, i: int) -> str:
    """``value`` made hostile, keeping it distinct (values stay one-to-one)."""
    prefix = FORMULA_PREFIXES[i % len(FORMULA_PREFIXES)]
    return f"{prefix}{value}{attack(where)}"


LABELS = {  # table -> columns whose values a report shows
    "touches": ("channel", "campaign", "activity", "rep", "contact_id", "opportunity_id"),
    "opportunities": ("opportunity_id", "stage", "source", "rep", "lost_reason"),
    "contacts": ("lead_source", "contact_id", "disqualified_reason"),
    "accounts": ("segment", "industry", "region"),
    "stage_history": ("opportunity_id", "stage"),
    "spend": ("channel", "campaign"),
}


def _mapping(values: list[str], where: str) -> dict[str, str]:
    return {v: poisoned(v, where, i) for i, v in enumerate(sorted(values))}


def hostile_dataset(accounts: int = 1000, seed: int = 3) -> tuple[at.Dataset, dict[str, dict]]:
    """The demo data with every shown label poisoned; also the value maps used."""
    ds = at.demo.generate(n_accounts=accounts, seed=seed)
    tables = ds.tables()
    columns = dict.fromkeys(c for cols in LABELS.values() for c in cols)
    maps = {
        column: _mapping(
            sorted(
                {
                    v
                    for t, cols in LABELS.items()
                    if column in cols
                    for v in tables[t][column].drop_nulls().unique().to_list()
                }
            ),
            column,
        )
        for column in columns
    }
    out = {
        name: frame.with_columns(
            pl.col(c).replace_strict(maps[c], default=None) for c in LABELS.get(name, ())
        )
        for name, frame in tables.items()
    }
    return at.Dataset(**out, source="hostile"), maps


def _agreements(folder: Path, maps: dict[str, dict[str, str]]) -> tuple[Path, Path]:
    channel = maps["channel"]
    segment = maps["segment"]
    definitions = {
        "name": attack("agreement name"),
        "agreed_on": "2025-01-06",
        "agreed_by": [attack("agreed by"), "=SUM(1+1)*cmd|' /C calc'!A0"],
        "mql": {
            "score": {
                "source": "touches",
                "points_by": "channel",
                "points": {
                    channel[c]: p
                    for c, p in {
                        "paid_social": 3,
                        "email": 3,
                        "webinar": 12,
                        "content": 8,
                        "event": 15,
                        "review_site": 6,
                        "organic_search": 4,
                        "direct": 2,
                    }.items()
                },
                "fit_points": {segment[s]: p for s, p in {"SMB": 5, "Enterprise": 15}.items()},
                "threshold": 40,
                "window_days": 180,
            },
            "behaviours": [
                {
                    "name": attack("behaviour"),
                    "channels": [channel["webinar"], channel["event"]],
                    "count": 1,
                    "within_days": 365,
                }
            ],
            "combine": "any",
        },
        "sql": {
            "accepted_by": ["sales_touch", "opportunity"],
            "sales_channels": [channel["meeting"], channel["demo"]],
            "within_days": 30,
        },
        "sla": {"response_hours": 24, "within_sla_share": 0.6, "mqls_per_month": 30},
    }
    targets = {
        "name": attack("targets name"),
        "targets": [
            {"kpi": "mqls", "target": 30, "owner": "marketing", "due": "2026-06-30",
             "label": attack("target label"), "note": attack("target note")},
            {"kpi": "followed_up_within_sla", "target": 0.6, "owner": "sales",
             "due": "2026-06-30", "label": "=HYPERLINK(\"http://example.invalid\",\"click\")"},
            {"kpi": "win_rate", "target": 0.9, "owner": "joint", "period": "quarter",
             "due": "2026-06-30"},
            {"kpi": "marketing_contribution", "target": 0.2, "owner": "marketing",
             "period": "quarter", "due": "2026-06-30", "note": attack("estimate note")},
        ],
    }  # fmt: skip
    d, t = folder / "definitions.yaml", folder / "targets.yaml"
    d.write_text(yaml.safe_dump(definitions, allow_unicode=True, sort_keys=False))
    t.write_text(yaml.safe_dump(targets, allow_unicode=True, sort_keys=False))
    return d, t


@dataclass(frozen=True)
class HostileRun:
    """The report set built from hostile data, and what went into it."""

    result: report.RunResult
    out: Path
    log: str
    maps: dict[str, dict[str, str]]


def write_hostile_project(root: Path) -> tuple[Path, dict[str, dict[str, str]]]:
    """Write the hostile source folder, agreements and params file; return the params."""
    ds, maps = hostile_dataset()
    source = root / "crm<img src=x onerror=alert('path')>"
    at.demo.write(ds, source, fmt="parquet")
    definitions, targets = _agreements(root, maps)
    channel = maps["channel"]
    params = {
        "run_name": "hostile",
        "title": attack("title"),
        "source": {"path": source.name},
        "window": {"lookback_days": 120},
        "report": {"currency": "<i>€", "top_paths": 5},
        "models": {"models": ["first_touch", "last_touch", "linear", "markov", "shapley"]},
        "intervals": {"draws": 30},
        "goals": {"channel_groups": {attack("group"): [channel["webinar"], channel["event"]]}},
        "scorecard": {"definitions": definitions.name, "targets": targets.name},
        "notebooks_dir": str(ROOT / "notebooks"),
        "output_dir": "outputs",
    }
    file = root / "hostile.yaml"
    file.write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False))
    return file, maps
