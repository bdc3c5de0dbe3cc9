"""Every result explains itself: a headline, a short table, what it means, the whole table."""

from __future__ import annotations

import polars as pl
import pytest

import attribution as at
from attribution.estimates.diagnostics import Diagnostics
from attribution.estimates.result import Estimate
from attribution.results import Result


def test_a_long_table_says_where_the_rest_is() -> None:
    r = Result(table=pl.DataFrame({"channel": [f"c{i}" for i in range(30)]}), note="Credits.")
    text, html = repr(r), r._repr_html_()
    assert text.splitlines()[0] == "Result: 30 rows, 1 column"
    assert "(first 8 of 30 rows; all in .table)" in text and "all in .table" in html
    assert text.endswith("Credits.") and r.to_frame().height == 30
    short = Result(table=pl.DataFrame({"a": [1]}))
    assert "all in .table" not in repr(short)


def test_a_hostile_value_is_escaped_in_the_html_repr() -> None:
    hostile = "<img src=x onerror=alert(1)>"
    r = Result(table=pl.DataFrame({"campaign": [hostile]}), note=hostile)
    assert hostile not in r._repr_html_() and "&lt;img" in r._repr_html_()


def test_an_unsupported_estimate_says_why_instead_of_raising() -> None:
    with pytest.warns(at.EstimateWarning, match="only 3 won deals"):
        e = Estimate.not_supported(
            ["only 3 won deals"], n=10, events=3, table=pl.DataFrame({"share": [None]})
        )
    assert not e.supported and e.model is None and e.reason == "only 3 won deals"
    assert str(e.summary()) == "Not estimated: only 3 won deals"
    assert "not estimated: only 3 won deals" in repr(e).splitlines()[0]
    assert "not estimated: only 3 won deals" in e._repr_html_()


def test_diagnostics_read_as_a_table_with_their_warnings() -> None:
    d = Diagnostics(n=120, events=30, parameters=4, warnings=("<b>few</b> events",))
    assert repr(d).startswith("Diagnostics: n=120, events=30")
    assert d.to_frame().equals(d.table())
    assert "&lt;b&gt;few&lt;/b&gt; events" in d._repr_html_()


def test_every_public_result_has_the_vocabulary() -> None:
    for cls in (at.Comparison, at.ContributionResult, at.SlaCost, at.Scorecard):
        assert issubclass(cls, Result)
