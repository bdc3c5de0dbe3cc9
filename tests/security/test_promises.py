"""The README's security and reliability promises each name a test that exists."""

from __future__ import annotations

import re

from helpers import ROOT


def _defined_tests() -> set[str]:
    names: set[str] = set()
    for file in (ROOT / "tests").rglob("test_*.py"):
        names |= set(re.findall(r"^def (test_\w+)\(", file.read_text(), re.M))
    return names


def test_every_test_the_readme_names_exists() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Security and reliability", 1)[1].split("\n**", 1)[0]
    named = set(re.findall(r"\b(test_\w+)\b(?!\.py)", section))
    named |= set(re.findall(r"`(?:[\w/]+\.py::)?(test_\w+)`", readme))
    files = set(re.findall(r"\b((?:tests/[\w/]+/)?test_\w+\.py)", readme))
    for file in files:
        assert list(ROOT.glob(f"tests/**/{file.split('/')[-1]}")), f"no test file {file}"
    assert len(named) >= 15
    missing = sorted(named - _defined_tests())
    assert missing == [], f"the README names tests that do not exist: {missing}"
    for promise in ("script a page", "formula", "Passwords", "Atomic runs", "half-written"):
        assert promise in section, f"the README no longer promises: {promise}"
