"""Buying roles from job titles: the default rules, given roles, and the mapping rule."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import attribution as at
from attribution.data.mapping import load_mapping
from attribution.data.roles import ROLE_PATTERNS, ROLES, USER, first_match, role_expr


@pytest.mark.parametrize(
    ("title", "role"),
    [
        ("Chief Executive Officer", "decision_maker"),
        ("VP, Sales", "decision_maker"),
        ("Head of Operations", "decision_maker"),
        ("Finance Director", "finance"),  # finance is tried first
        ("CFO", "finance"),
        ("Procurement Lead", "finance"),
        ("Marketing Manager", "champion"),
        ("Team Lead, Support", "champion"),
        ("Data Analyst", "user"),
        ("", "user"),
        ("supervisor", "user"),  # 'vp' inside a word does not match
    ],
)
def test_default_rules_give_the_role_of_a_title(title: str, role: str) -> None:
    frame = pl.DataFrame({"title": [title]})
    assert frame.select(role_expr(frame.columns))["role"].item() == role


def test_a_given_role_wins_over_the_title_and_is_normalised() -> None:
    frame = pl.DataFrame(
        {"title": ["Analyst", "CEO", None, None], "role": ["Decision-Maker", None, " User ", None]}
    )
    got = frame.select(role_expr(frame.columns))["role"].to_list()
    assert got == ["decision_maker", "decision_maker", "user", None]


def test_without_title_or_role_there_is_no_role() -> None:
    frame = pl.DataFrame({"contact_id": ["c1"]})
    assert frame.select(role_expr(frame.columns))["role"].to_list() == [None]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=30) | st.none(), max_size=20))
def test_every_title_gets_one_known_role_or_none_when_empty(titles: list[str | None]) -> None:
    frame = pl.DataFrame({"title": titles}, schema={"title": pl.String})
    roles = frame.select(first_match(pl.col("title"), ROLE_PATTERNS, USER).alias("r"))["r"]
    assert roles.len() == len(titles)
    for title, role in zip(titles, roles.to_list(), strict=True):
        assert (role is None) == (title is None)
        assert role is None or role in ROLES


def test_a_mapping_derives_the_role_from_the_title_with_patterns(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "touches.csv").write_text(
        "touch_id,account_id,occurred_at,team,channel\nt1,a1,2024-01-02,sales,call\n"
    )
    (folder / "opportunities.csv").write_text(
        "opportunity_id,account_id,created_at,is_won,amount,closed_at\n"
        "o1,a1,2024-01-05,no,0,2024-02-01\n"
    )
    (folder / "People.csv").write_text(
        "Id,Company,Created,Title\np1,a1,2024-01-01,Chief Revenue Officer\n"
        "p2,a1,2024-01-01,Buyer\np3,a1,2024-01-01,Intern\n"
    )
    mapping = {
        "tables": {
            "touches": {"from": "touches", "keep_other_columns": True},
            "opportunities": {"from": "opportunities", "keep_other_columns": True},
            "contacts": {
                "from": "People",
                "columns": {
                    "contact_id": "Id",
                    "account_id": "Company",
                    "created_at": "Created",
                    "title": "Title",
                    "role": {
                        "column": "Title",
                        "patterns": {"chief|vp": "decision_maker", "buyer": "finance"},
                        "default": "user",
                    },
                },
            },
        }
    }
    contacts = at.load(folder, mapping=mapping).contacts
    assert isinstance(contacts, pl.DataFrame)
    assert contacts.sort("contact_id")["role"].to_list() == ["decision_maker", "finance", "user"]


def test_bad_patterns_are_listed_with_the_other_problems() -> None:
    with pytest.raises(at.AttributionError) as info:
        load_mapping(
            {
                "tables": {
                    "contacts": {
                        "from": "c",
                        "columns": {
                            "role": {"column": "Title", "patterns": {"(cfo": "finance"}},
                            "title": {"column": "T", "patterns": {"x": 1}, "values": {"a": 1}},
                        },
                    }
                }
            }
        )
    message = str(info.value)
    assert "columns.role.patterns: '(cfo' is not a regular expression" in message
    assert "columns.title: give 'values' or 'patterns', not both" in message
