"""Fixtures of the security battery: the hostile run (once per session) and a browser."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import ARGS, CHROMIUM
from security.hostile import HostileRun, write_hostile_project

from attribution.report import runner as report


@pytest.fixture(scope="session")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> HostileRun:
    """Every report notebook run once on the hostile project (two at a time)."""
    root = tmp_path_factory.mktemp("hostile")
    params, maps = write_hostile_project(root)
    log = io.StringIO()
    result = report.run(params, jobs=2, progress=False, log=log)
    return HostileRun(result=result, out=root / "outputs", log=log.getvalue(), maps=maps)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's headless Chromium driven by Playwright (never a downloaded browser).

    Closed with its module: a Playwright sync session left open would make every later
    test that drives Chromium fail ("Sync API inside the asyncio loop").
    """
    if os.environ.get("ATTRIBUTION_SKIP_BROWSER") == "1":  # pragma: no cover - opt-out only
        pytest.skip("ATTRIBUTION_SKIP_BROWSER=1")
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).is_file(), f"{CHROMIUM} is missing: apt-get install chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
