"""Shared fixtures: small demo datasets and hand-made tables."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pgserver
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


@pytest.fixture(scope="session")
def postgres() -> Iterator[pgserver.Server]:
    """A throwaway PostgreSQL server on 127.0.0.1 (see tests/pgserver.py), stopped at the end."""
    if os.environ.get(pgserver.SKIP_ENV) == "1":
        pytest.skip(f"{pgserver.SKIP_ENV}=1: PostgreSQL tests skipped")
    with pgserver.running() as server:
        yield server
