"""``attribution init``: from a source to a params file that runs, with draft agreements.

:func:`init` reads and validates the source (with the mapping it is given), and writes
into a folder of the user's:

* ``params.yaml``: the run's parameters, every key explained on its line, with the source,
  mapping, time zone and currency filled in where they can be known (from the mapping or
  the data) and said to be guessed where they cannot;
* ``definitions.yaml`` and ``targets.yaml``: DRAFT agreements built from the data's own
  channels and periods (:mod:`attribution.report.drafts`). The params file does not name
  them: the scorecard explains how to agree and name them, so no draft is mistaken for an
  agreement.

It writes nothing when the source has problems (the caller prints them) and never
replaces files it did not write unless told to (``force``). When the source holds none
of the contract's tables, :func:`suggest_mappings` names the shipped mappings whose files
it does hold.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from attribution.data.dataset import Dataset
from attribution.data.inspection import Inspection, inspect_source
from attribution.data.mapping import load_mapping, presets
from attribution.data.sources.locate import is_url, open_source
from attribution.errors import ParameterError
from attribution.report.drafts import Drafts, drafts, one_line
from attribution.report.params import load_params
from attribution.report.readiness import Readiness, readiness

__all__ = ["FILES", "Started", "init", "suggest_mappings"]

FILES = ("params.yaml", "definitions.yaml", "targets.yaml")
"""The files ``attribution init`` writes into its folder."""


@dataclass(frozen=True)
class Started:
    """What :func:`init` found and wrote (``written`` is empty when the source had problems)."""

    found: Inspection
    folder: Path
    written: list[Path]
    readiness: Readiness | None
    drafts: Drafts | None
    currency: str
    currency_from: str
    time_zone_from: str


def suggest_mappings(source: str | os.PathLike[str]) -> list[str]:
    r"""Return the shipped mappings whose every source file or table ``source`` holds.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "B2B_dataset.csv").write_text("Status\nWon\n")
    >>> suggest_mappings(folder)
    ['salvirt']
    """
    with open_source(source) as src:
        have = set(src.names())
    fits = []
    for name in presets():
        rules = load_mapping(name).tables.values()
        needed = {r.from_ for block in rules for r in block if r.from_ is not None}
        if needed and needed <= have:
            fits.append(name)
    return fits


def _plain_url(text: str) -> str:
    """Return a database URL without its password (never to be written to a file)."""
    parts = urlsplit(text)
    if parts.password is None:
        return text
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit(parts._replace(netloc=f"{user}{host}{port}"))


def _relative(target: str, folder: Path) -> str:
    """Return ``target`` as a params file in ``folder`` names it (relative when nearby)."""
    if is_url(target):
        return _plain_url(target)
    absolute = Path(target).resolve()
    relative = os.path.relpath(absolute, folder.resolve())
    return relative if relative.count("..") <= 2 else str(absolute)


def _line(code: str, comment: str) -> str:
    """One line of the params file: the key and its value, then what it means."""
    return f"{code.ljust(32)} # {comment}"


def _mapping_entry(mapping: str | None, folder: Path) -> str | None:
    if mapping is None:
        return None
    if mapping in presets() and not Path(mapping).is_file():
        return mapping
    return _relative(mapping, folder)


def _quote(text: str) -> str:
    r"""Return one YAML scalar, quoted: a JSON string is one (and may hold anything).

    Examples
    --------
    >>> print(_quote('evil"\nkey: x'))
    "evil\"\nkey: x"
    """
    return json.dumps(text, ensure_ascii=False)


def _run_name(source: str) -> str:
    stem = Path(urlsplit(source).path if is_url(source) else source).resolve().name
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-.") or "report"
    return name[:60]


def _params_text(found: Inspection, started: dict[str, str]) -> str:
    """Return the params file's text, every key explained on its line."""
    s = started
    mapping = (
        _line(f"  mapping: {_quote(s['mapping'])}", "how its files become the contract's tables")
        if s["mapping"]
        else _line("  # mapping: crm.yaml", "a mapping file, or a shipped name (hubspot...)")
    )
    return "\n".join(
        [
            f"# Written by `attribution init` on {s['today']} from {one_line(s['source_shown'])}.",
            "# Every key is explained on its line; paths are relative to this file.",
            f"# Run it with:  attribution run {one_line(s['params_shown'])}",
            "",
            _line(f"run_name: {_quote(s['run_name'])}", "the run folder: <output_dir>/<run_name>/"),
            _line(f"title: {_quote(s['title'])}", "shown on the index page of the run"),
            "",
            _line("source:", "where the data is, and how to read it"),
            _line(f"  path: {_quote(s['path'])}", "the exports (or a database URL, no password)"),
            mapping,
            _line(
                f"  time_zone: {_quote(found.time_zone)}",
                f"zone of timestamps without an offset ({s['time_zone_from']})",
            ),
            _line("  lazy: false", "true: validate as lazy scans (larger than memory)"),
            "",
            _line("window:", "how each deal's journey is cut"),
            _line("  lookback_days: 180", "a deal's journey starts this many days before it"),
            _line("  as_of: null", "null: see the data as of its latest timestamp"),
            "",
            _line("report:", "how results are shown"),
            _line(
                f"  currency: {_quote(s['currency'])}",
                f"symbol before money amounts ({s['currency_from']})",
            ),
            _line("  top_paths: 10", "most frequent journeys of won deals to list"),
            "",
            _line("models:", "the attribution models set side by side"),
            "  models: [first_touch, last_touch, linear, time_decay, u_shaped, w_shaped, "
            "markov, shapley]",
            _line("  markov_order: 1", "previous channels a Markov state remembers"),
            _line("  half_life_days: 7", "time_decay: a touch's weight halves every 7 days"),
            _line("  top_campaigns: 10", "campaigns with the most credited revenue to show"),
            "",
            _line("goals:", "the team split, the hand-off and lead scores"),
            _line("  sla_hours: 24", "hours to answer an MQL (until definitions say)"),
            _line("  response_bins_hours: [1, 4, 24, 72]", "response-time bins compared"),
            _line("  interval: simulation", "simulation (fast) or bootstrap (refits)"),
            _line("  channel_groups: {}", "e.g. {paid: [paid_search, paid_social]}"),
            _line("  score_outcome: opportunity", "lead scores predict an opportunity (or: won)"),
            "",
            _line("intervals:", "every interval of the run"),
            _line("  level: 0.9", "coverage (0.9: 90% intervals)"),
            _line("  draws: 500", "resamples or coefficient draws behind each"),
            "",
            "# The shared scorecard: `attribution init` drafted definitions.yaml and targets.yaml",
            "# next to this file from the data. They are DRAFTS: agree them with both teams,",
            "# then remove goals.sla_hours above (the definitions own the SLA) and uncomment:",
            "# scorecard:",
            "#   definitions: definitions.yaml",
            "#   targets: targets.yaml",
            "",
            _line("notebooks: null", "null: every report page; or [00_summary, ...]"),
            _line("output_dir: reports", "the run goes to reports/<run_name>/ (or, with"),
            _line("", "`attribution run --out DIR`, to DIR/<run_name>/)"),
            "",
        ]
    )


def _check_free(folder: Path, force: bool) -> None:
    taken = [folder / f for f in FILES if (folder / f).exists()]
    if taken and not force:
        names = ", ".join(str(t) for t in taken)
        raise ParameterError(
            f"{names} already exist{'s' if len(taken) == 1 else ''}; choose another --out "
            "folder, or pass --force to replace them"
        )


def _write_all(texts: dict[Path, str]) -> None:
    """Write every file under a temporary name, check the params, then rename them all."""
    temporary = {path: path.with_name(f".{path.name}.tmp") for path in texts}
    try:
        for path, text in texts.items():
            temporary[path].write_text(text, encoding="utf-8")
        params = next(iter(texts))
        load_params(temporary[params])  # what init writes must run
        for path, tmp in temporary.items():
            os.replace(tmp, path)
    finally:
        for tmp in temporary.values():
            tmp.unlink(missing_ok=True)


def _currency(found: Inspection, given: str | None) -> tuple[str, str]:
    if given:
        return given, "as given"
    dataset = found.dataset
    if dataset is not None and dataset.count_only:
        return "$", "unused: the data has no amounts, the pages count won deals"
    if found.mapping is not None and found.mapping.currency:
        return found.mapping.currency, f"from the mapping {found.mapping.name}"
    return "$", "guessed: the data does not say; set your deals' currency"


def _zone_from(found: Inspection, given: str | None) -> str:
    if given:
        return "as given"
    if found.mapping is not None and found.mapping.time_zone:
        return f"from the mapping {found.mapping.name}"
    return "guessed: set your CRM's zone if its exports have no offsets"


def init(
    source: str,
    *,
    mapping: str | None = None,
    out: str | os.PathLike[str] | None = None,
    time_zone: str | None = None,
    currency: str | None = None,
    force: bool = False,
) -> Started:
    """Inspect ``source`` and write a params file and draft agreements into ``out``.

    Parameters
    ----------
    source
        A folder of exports or a database URL.
    mapping
        A mapping file or a shipped name (``salesforce``, ``hubspot``, ``maven``...).
    out
        The folder to write (default: ``<source name>-report`` in the working directory).
    time_zone, currency
        Given instead of guessed.
    force
        Replace files of these names in ``out``.

    Returns
    -------
    Started
        What was found and written; ``written`` is empty when the source has problems
        (``found.problems``).
    """
    folder = Path(out) if out is not None else Path(f"{_run_name(source)}-report")
    _check_free(folder, force)
    found = inspect_source(source, mapping=mapping, time_zone=time_zone)
    symbol, symbol_from = _currency(found, currency)
    zone_from = _zone_from(found, time_zone)
    if found.problems or found.dataset is None:
        return Started(found, folder, [], None, None, symbol, symbol_from, zone_from)
    dataset: Dataset = found.dataset
    ready = readiness(dataset, agreed=False)
    drafted = drafts(dataset, origin=found.source)
    folder.mkdir(parents=True, exist_ok=True)
    params = folder / FILES[0]
    started = {
        "today": f"{datetime.now(UTC):%Y-%m-%d}",
        "source_shown": found.source,
        "params_shown": str(params),
        "run_name": _run_name(source),
        "title": f"Where our revenue came from ({_run_name(source)})",
        "path": _relative(source, folder),
        "mapping": _mapping_entry(mapping, folder) or "",
        "time_zone_from": zone_from,
        "currency": symbol,
        "currency_from": symbol_from,
    }
    texts = {
        params: _params_text(found, started),
        folder / FILES[1]: drafted.definitions,
        folder / FILES[2]: drafted.targets,
    }
    _write_all(texts)
    return Started(found, folder, list(texts), ready, drafted, symbol, symbol_from, zone_from)
