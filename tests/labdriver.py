"""JupyterLab driven as an analyst drives it: a server on 127.0.0.1, headless Chromium, Run All.

The server is started with the command ``make lab`` runs
(:func:`attribution.report.lab.lab_command`), with its own config, data, runtime and
settings folders, so nothing of the machine's own JupyterLab setup leaks in or out. The
browser may only talk to that server: every other request is aborted and recorded.

Used by ``tests/report/test_lab.py``, ``benchmarks/lab_charts.py`` and
``scripts/screenshot_lab.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers import ARGS, CHROMIUM, ROOT

from attribution.report.lab import free_port, lab_command, lab_url, write_settings

NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"
"""The notebook on show (selectors never reach into another open notebook)."""
CHART_CALL = re.compile(r"^charts\.\w+\(", re.M)
"""A code cell that shows a chart calls a builder of attribution.charts at a line start."""
TIMELINES_CALL = re.compile(r"^show_deal_timelines\(", re.M)
"""The money page's cell that shows one time line per largest deal, each after its heading."""


@dataclass(frozen=True)
class Lab:
    """A running JupyterLab server."""

    port: int
    token: str
    root: Path
    log: Path

    def url(self, path: str = "") -> str:
        return lab_url(self.port, self.token, path)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def running_lab(root: Path, state: Path, *, timeout: float = 120.0) -> Iterator[Lab]:
    """Start JupyterLab on ``root`` (its private folders under ``state``); stop it after."""
    state.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH", "")) if p
        ),
        "JUPYTER_CONFIG_DIR": str(state / "config"),
        "JUPYTER_DATA_DIR": str(state / "data"),
        "JUPYTER_RUNTIME_DIR": str(state / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(state / "user-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(state / "workspaces"),
    }
    port, token = free_port(0), secrets.token_hex(16)
    command = lab_command(
        root, port=port, token=token, settings_dir=write_settings(state / "app-settings")
    )
    log = state / "lab.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    lab = Lab(port=port, token=token, root=root, log=log)
    try:
        _wait_until_up(lab, proc, timeout)
        yield lab
    finally:
        proc.terminate()  # the server shuts its kernels down
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the session this test started
            proc.wait(10)


def _wait_until_up(lab: Lab, proc: subprocess.Popen[bytes], timeout: float) -> None:
    status = f"http://127.0.0.1:{lab.port}/api/status?token={lab.token}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited ({proc.returncode}):\n{lab.log_tail()}")
        with contextlib.suppress(OSError), urllib.request.urlopen(status, timeout=2) as answer:
            if answer.status == 200:
                return
        time.sleep(0.25)
    raise RuntimeError(f"JupyterLab did not answer in {timeout:.0f} s:\n{lab.log_tail()}")


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Debian's headless Chromium under Playwright (never Playwright's own download)."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).is_file(), f"{CHROMIUM} is missing: apt-get install chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Opened:
    """A notebook open in JupyterLab, and what the page tried and said."""

    page: Any
    name: str
    root: Path
    blocked: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)


def open_notebook(browser: Any, lab: Lab, name: str, *, width: int = 1400) -> Opened:
    """Open notebook ``name`` in a new page, the network limited to the server."""
    page = browser.new_page(viewport={"width": width, "height": 1000})
    opened = Opened(page=page, name=name, root=lab.root)
    local = (f"http://127.0.0.1:{lab.port}/", f"ws://127.0.0.1:{lab.port}/")

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(("data:", "blob:", *local)):
            r.continue_()
        else:
            opened.blocked.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: opened.console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: opened.console.append(str(e)))
    page.goto(lab.url(name) + "&reset")  # a fresh workspace: only this notebook open
    page.locator(f"{NOTEBOOK} .jp-Cell").first.wait_for(timeout=60_000)
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=120_000)
    return opened


def close(opened: Opened, lab: Lab) -> None:
    """Close the page and shut the server's kernels down (each holds its data in memory)."""
    opened.page.close()
    base = f"http://127.0.0.1:{lab.port}/api/kernels"
    headers = {"Authorization": f"token {lab.token}"}
    with urllib.request.urlopen(urllib.request.Request(base, headers=headers)) as answer:
        kernels = json.load(answer)
    for kernel in kernels:
        request = urllib.request.Request(f"{base}/{kernel['id']}", method="DELETE", headers=headers)
        with contextlib.suppress(OSError), urllib.request.urlopen(request):
            pass


def set_cell_source(opened: Opened, index: int, text: str) -> None:
    """Replace the source of cell ``index`` as a user does: click, select all, type."""
    editor = opened.page.locator(f"{NOTEBOOK} .jp-Cell").nth(index).locator(".cm-content")
    editor.click()
    opened.page.keyboard.press("Control+A")
    opened.page.keyboard.insert_text(text)
    opened.page.keyboard.press("Escape")


def run_new_cell(opened: Opened, text: str, *, timeout: float = 180.0) -> str:
    """Add a code cell below the last one, type ``text``, run it; return its output text."""
    page = opened.page
    cells = page.locator(f"{NOTEBOOK} .jp-Cell")
    before = cells.count()
    cells.nth(before - 1).locator(".jp-InputPrompt").click()  # select it, command mode
    page.keyboard.press("Escape")
    page.keyboard.press("b")  # insert a cell below
    cells.nth(before).wait_for(timeout=10_000)
    page.keyboard.press("Enter")  # edit it
    page.keyboard.insert_text(text)
    page.keyboard.press("Shift+Enter")
    prompt = cells.nth(before).locator(".jp-InputPrompt")
    page.wait_for_function(
        "(el) => /\\[\\d+\\]/.test(el.textContent)",
        arg=prompt.element_handle(),
        timeout=timeout * 1000,
    )
    output: str = cells.nth(before).locator(".jp-OutputArea").text_content() or ""
    return output


def code_cells(root: Path, name: str) -> list[str]:
    """The sources of the notebook's code cells, as saved."""
    cells = json.loads((root / name).read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


_DONE = """(n) => {
  const prompts = [...document.querySelectorAll('NB .jp-CodeCell .jp-InputPrompt')].map(
    p => p.textContent);
  return prompts.length === n && /\\[\\d+\\]/.test(prompts[0]) && !prompts.some(
    p => p.includes('*'));
}""".replace("NB", NOTEBOOK)
"""Every cell ran, or the run stopped at a failing cell (the cells after it are not run)."""
_DRAWN = """() => [...document.querySelectorAll('NB .attribution-chart-area')].every(
  el => el.querySelector('.error') ||
        el.querySelectorAll('svg.marks .role-mark > *').length > 0 ||
        el.querySelector('canvas.marks'))""".replace("NB", NOTEBOOK)
_STATE = """() => ({
  charts: document.querySelectorAll('NB .jp-OutputArea-output .attribution-chart-area').length,
  drawn: [...document.querySelectorAll('NB .jp-OutputArea-output .attribution-chart-area')].filter(
    el => el.querySelectorAll('svg.marks .role-mark > *').length > 0 ||
          el.querySelector('canvas.marks')).length,
  chart_errors: [...document.querySelectorAll('NB .jp-OutputArea-output .error')].map(
    e => e.textContent.slice(0, 300)),
  cell_errors: [...document.querySelectorAll(
    'NB .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')].map(
    e => e.textContent.slice(0, 600)),
  text: document.querySelector('NB').textContent,
  deals: [...document.querySelectorAll('NB .jp-OutputArea-output')].filter(
    o => !o.querySelector('.attribution-chart-area') &&
         /^(Won|Lost) deal /.test(o.innerText.trim())).length,
})""".replace("NB", NOTEBOOK)


@dataclass(frozen=True)
class RunAll:
    """What Run All left on the page."""

    expected: int  # code cells that show a chart (and one per deal heading of the time lines)
    charts: int  # chart outputs on the page
    drawn: int  # ... with marks drawn (SVG or canvas)
    chart_errors: list[str]
    cell_errors: list[str]
    text: str
    seconds: float  # from Run All to the last chart drawn


def run_all(opened: Opened, *, timeout: float = 300.0) -> RunAll:
    """Click Run > Run All Cells; wait until every cell ran and every chart is drawn."""
    page = opened.page
    sources = code_cells(opened.root, opened.name)  # as saved; an edited cell shows no chart
    started = time.perf_counter()
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    try:
        page.wait_for_function(_DONE, arg=len(sources), timeout=timeout * 1000)
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=timeout * 1000)
        page.wait_for_function(_DRAWN, timeout=60_000)
    except Exception:
        shot = opened.root.parent / f"{Path(opened.name).stem}-failed.png"
        page.screenshot(path=str(shot))
        state = page.evaluate(_STATE)
        raise AssertionError(
            f"{opened.name}: Run All did not finish (screenshot: {shot}); errors: "
            f"{state['cell_errors'] + state['chart_errors']}"
        ) from None
    seconds = time.perf_counter() - started
    state = page.evaluate(_STATE)
    return RunAll(
        expected=sum(bool(CHART_CALL.search(s)) for s in sources)
        + (state["deals"] if any(TIMELINES_CALL.search(s) for s in sources) else 0),
        charts=state["charts"],
        drawn=state["drawn"],
        chart_errors=state["chart_errors"],
        cell_errors=state["cell_errors"],
        text=state["text"],
        seconds=seconds,
    )
