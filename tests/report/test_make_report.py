"""`make report` runs the report set; `make test` installs the browser the HTML test needs."""

from __future__ import annotations

import re

from helpers import ROOT


def test_make_report_runs_the_default_params() -> None:
    text = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^report:.*\n((?:\t.*\n)+)", text, re.M)
    assert recipe, "the Makefile has a report target"
    assert "attribution run params/default.yaml" in recipe.group(1)


def test_make_test_installs_chromium_for_the_browser_test() -> None:
    script = (ROOT / "scripts" / "system-packages.sh").read_text()
    assert "chromium" in script and "playwright install" not in script


def test_the_readme_shows_the_summary_screenshot() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "![The summary report on the demo data](docs/screenshots/00_summary.png)" in readme
    png = (ROOT / "docs" / "screenshots" / "00_summary.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
    assert "## Reports" in readme and "manifest.json" in readme
