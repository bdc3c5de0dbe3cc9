"""Estimate warnings in a notebook become readable cautions, not stderr tracebacks."""

from __future__ import annotations

import types
import warnings

import pytest

import attribution as at
from attribution.report import notebook
from attribution.report.html import LOADER_KEY


def test_caution_reads_like_a_sentence() -> None:
    assert notebook.caution("sla_cost: no won deal has an amount").data == (
        "> **Caution (cost of late follow-up).** No won deal has an amount."
    )
    assert notebook.caution("my_step: something  odd\n happened!").data == (
        "> **Caution (my step).** Something odd happened!"
    )
    text = notebook.caution("797 of 842 won deals have no amount ($0)").data
    assert text == r"> **Caution.** 797 of 842 won deals have no amount (\$0)."


def _fake_kernel(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    shown: list[object] = []
    import IPython
    import IPython.display

    monkeypatch.setattr(IPython, "get_ipython", lambda: types.SimpleNamespace(kernel=object()))

    def display(obj: object, **kwargs: object) -> None:
        if not (kwargs.get("metadata") or {}).get(LOADER_KEY):  # the charts' Vega loader
            shown.append(obj)

    monkeypatch.setattr(IPython.display, "display", display)
    return shown


def test_in_a_kernel_estimate_warnings_are_shown_as_cautions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown = _fake_kernel(monkeypatch)
    passed_on: list[tuple[object, ...]] = []
    with warnings.catch_warnings():  # restores showwarning and the filters afterwards
        warnings.simplefilter("always")
        warnings.showwarning = lambda *args: passed_on.append(args)
        notebook.setup(currency="€")
        notebook.setup(currency="€")  # a second setup does not wrap the hook twice
        warnings.warn("funnel: no SQL dates in the data", at.EstimateWarning, stacklevel=1)
        assert [s.data for s in shown] == [  # type: ignore[attr-defined]
            "> **Caution (funnel).** No SQL dates in the data."
        ]
        routed = warnings.showwarning
        assert getattr(routed, "_attribution_routes_estimate_warnings", False)
        warnings.warn("not ours", UserWarning, stacklevel=1)  # other warnings: as before
        assert len(shown) == 1
        assert [(str(a[0]), a[1]) for a in passed_on] == [("not ours", UserWarning)]
    notebook.setup()


def test_outside_a_kernel_nothing_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    with warnings.catch_warnings():
        before = warnings.showwarning
        notebook.setup()
        assert warnings.showwarning is before
