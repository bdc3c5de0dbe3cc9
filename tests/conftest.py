"""Shared fixtures: small demo datasets and hand-made tables."""

from __future__ import annotations

import pytest

import attribution as at


@pytest.fixture(scope="session")
def demo_small() -> at.Dataset:
    """A small demo dataset (400 accounts), generated once per session."""
    return at.demo.generate(n_accounts=400, seed=11)


@pytest.fixture(scope="session")
def demo_medium() -> at.Dataset:
    """A medium demo dataset (3,000 accounts) for plausibility checks."""
    return at.demo.generate(n_accounts=3_000, seed=5)
