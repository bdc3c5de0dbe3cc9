"""A run per segment: its parameters, its folders, numbers that add up, links that resolve."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import polars as pl
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import attribution as at
from attribution.data.snapshot import read_snapshot
from attribution.report import runner
from attribution.report.params import parse_params
from attribution.report.segments import plan_segments, slug

PARAMS = {
    "run_name": "seg",
    "source": {"demo": {"accounts": 1000, "seed": 3}},
    "window": {"lookback_days": 120},
    "models": {"models": ["w_shaped", "linear"], "refit_draws": 20},
    "intervals": {"draws": 40},
    "notebooks": ["01_data_health"],
    "by": "segment",
    "by_min_won": 15,  # SMB has 15 won deals, Mid-Market 16, Enterprise 14
}


# ------------------------------------------------------------------------------ parameters
def test_by_values_need_by() -> None:
    with pytest.raises(at.ParameterError, match=r"by_values: picks values of 'by'"):
        parse_params({"by_values": ["SMB"]})


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"by": "segmnet"}, r"by: no attribute 'segmnet'; did you mean 'segment'\?"),
        ({"by": "employees"}, r"by: 'employees' has [\d,]+ values .* by_values: \[\.\.\.\]"),
        (
            {"by": "segment", "by_values": ["SMB", "Mid Market"]},
            r"by_values: 'segment' has no value 'Mid Market' \(did you mean 'Mid-Market'\?\)",
        ),
    ],
)
def test_a_bad_by_is_one_error_before_anything_is_written(
    tmp_path: Path, given: dict[str, object], message: str
) -> None:
    ds = at.demo.generate(n_accounts=300, seed=3)
    with pytest.raises(at.ParameterError, match=message):
        plan_segments(ds, parse_params(given))
    file = tmp_path / "p.yaml"
    file.write_text(yaml.safe_dump({**PARAMS, "source": {"demo": {"accounts": 300}}, **given}))
    with pytest.raises(at.ParameterError, match=message):
        runner.run(file, out=tmp_path / "out", progress=False, log=io.StringIO())
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_without_by_there_is_no_plan() -> None:
    assert plan_segments(at.demo.generate(n_accounts=50, seed=0), parse_params({})) is None


@given(st.lists(st.text(max_size=60), min_size=1, max_size=12, unique=True))
def test_slugs_are_safe_file_names_and_never_shared(values: list[str]) -> None:
    taken: set[str] = set()
    for value in values:
        name = slug(value, frozenset(taken))
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]{0,47}", name), name
        assert name not in taken
        taken.add(name)


# ------------------------------------------------------------------------------ a run
@pytest.fixture(scope="module")
def seg_run(tmp_path_factory: pytest.TempPathFactory) -> runner.RunResult:
    root = tmp_path_factory.mktemp("segments")
    file = root / "seg.yaml"
    file.write_text(yaml.safe_dump(PARAMS))
    return runner.run(file, jobs=2, out=root / "out", progress=False, log=io.StringIO())


@pytest.mark.slow
def test_each_value_with_enough_data_has_its_pages(seg_run: runner.RunResult) -> None:
    run = seg_run.run_dir
    record = seg_run.manifest["segments"]
    assert record["by"] == "segment" and record["comparison"] == "by/segment/index.html"
    status = {v["value"]: v["status"] for v in record["values"]}
    assert status == {"SMB": "ok", "Mid-Market": "ok", "Enterprise": "too little data"}
    for folder in ("smb", "mid-market"):
        for name in ("01_data_health.html", "01_data_health.ipynb", "index.html", "manifest.json"):
            assert (run / "by" / "segment" / folder / name).is_file(), (folder, name)
        sub = json.loads((run / "by" / "segment" / folder / "manifest.json").read_text())
        assert sub["segment"]["by"] == "segment" and sub["status"] == "ok"
    assert not (run / "by" / "segment" / "enterprise").exists()
    page = (run / "by" / "segment" / "index.html").read_text()
    assert "too little data for pages: 14 won deals" in page
    assert (run / "by" / "segment" / "tables" / "segments.csv").is_file()


@pytest.mark.slow
def test_the_comparison_adds_up_to_the_whole_and_to_each_values_pages(
    seg_run: runner.RunResult,
) -> None:
    run = seg_run.run_dir
    table = pl.read_parquet(run / "by" / "segment" / "tables" / "segments.parquet")
    whole = read_snapshot(run / "data")
    credits = at.attribute(at.journeys(whole, lookback_days=120), "w_shaped")
    assert table["revenue"].sum() == pytest.approx(credits["revenue"].sum())
    assert table["won"].sum() == credits["opportunity_id"].n_unique()
    assert table["opportunities"].sum() == whole.opportunities.height
    assert table["accounts"].sum() == whole.accounts.height
    for value, folder in (("SMB", "smb"), ("Mid-Market", "mid-market")):
        part = read_snapshot(run / "by" / "segment" / folder / "data")
        mine = at.attribute(at.journeys(part, lookback_days=120), "w_shaped")
        row = table.filter(pl.col("value") == value)
        assert row["revenue"].item() == pytest.approx(mine["revenue"].sum())
        assert row["opportunities"].item() == part.opportunities.height


_HREF = re.compile(r'href="([^"#:]+)"')


@pytest.mark.slow
def test_every_link_between_the_runs_pages_resolves(seg_run: runner.RunResult) -> None:
    run = seg_run.run_dir
    pages = [p for p in run.rglob("*.html") if "tables" not in p.parts]
    assert len(pages) >= 8
    checked = 0
    for page in pages:
        for href in _HREF.findall(page.read_text(encoding="utf-8")):
            assert (page.parent / href).exists(), f"{page.relative_to(run)} links {href}"
            checked += 1
    assert checked > 30
    index = (run / "index.html").read_text()
    assert 'href="by/segment/smb/index.html"' in index
    assert 'href="by/segment/index.html"' in index
    smb = (run / "by" / "segment" / "smb" / "01_data_health.html").read_text()
    assert "Per segment:" in smb and 'href="../mid-market/index.html"' in smb
    assert 'href="../../../index.html"' in smb and "seg · segment: SMB" in smb
