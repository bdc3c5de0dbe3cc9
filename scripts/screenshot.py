"""Screenshot a rendered report with headless Chromium (for the README).

    python scripts/screenshot.py outputs/demo/00_summary.html docs/screenshots/00_summary.png

Every request that is not a local file is blocked, as a reviewer without internet would see
it. Uses Debian's chromium through Playwright (never Playwright's own browser download).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

from attribution.report.exports import CHROMIUM_FLAGS

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", *CHROMIUM_FLAGS]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path, help="HTML report to open")
    parser.add_argument("png", type=Path, help="PNG to write")
    parser.add_argument("--width", type=int, default=1100)
    parser.add_argument("--height", type=int, default=1400, help="clip height (0: full page)")
    args = parser.parse_args()
    if not args.page.is_file():
        raise SystemExit(f"{args.page} does not exist: run `make report` first")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(
            viewport={"width": args.width, "height": max(args.height, 600)}, device_scale_factor=1
        )
        page.route(
            "**/*",
            lambda r: (
                r.continue_()
                if r.request.url.startswith(("file:", "data:", "blob:"))
                else r.abort()
            ),
        )
        page.goto(args.page.resolve().as_uri())
        charts = page.locator(".vega-embed").count()
        page.wait_for_function(
            f"document.querySelectorAll('.vega-embed svg.marks').length >= {charts}"
        )
        args.png.parent.mkdir(parents=True, exist_ok=True)
        if args.height:
            page.screenshot(
                path=str(args.png),
                clip={"x": 0, "y": 0, "width": args.width, "height": args.height},
            )
        else:
            page.screenshot(path=str(args.png), full_page=True)
        browser.close()
    print(f"wrote {args.png}")


if __name__ == "__main__":
    main()
