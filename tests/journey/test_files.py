"""Journeys written in buckets of accounts equal the journeys built at once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import attribution as at


@pytest.fixture(scope="module")
def demo_lazy(tmp_path_factory: pytest.TempPathFactory) -> at.Dataset:
    folder = tmp_path_factory.mktemp("src") / "demo"
    at.demo.write(at.demo.generate(n_accounts=400, seed=8), folder)
    return at.load(folder, lazy=True)


@pytest.mark.parametrize("buckets", [1, 3, 7])
def test_the_buckets_hold_exactly_the_journeys(
    demo_lazy: at.Dataset, tmp_path: Path, buckets: int
) -> None:
    folder = at.write_journeys(demo_lazy, tmp_path / "j", lookback_days=90, buckets=buckets)
    parts = sorted(folder.iterdir())
    assert [p.name for p in parts] == [f"part-{i:04d}.parquet" for i in range(buckets)]
    got = pl.read_parquet(folder)
    want = at.journeys(demo_lazy, lookback_days=90)
    assert_frame_equal(got.sort("opportunity_id", "position"), want)
    # an account's journeys live in one part only, each part in journey order
    owners = pl.concat(
        [pl.read_parquet(p).select("account_id").unique().with_columns(part=i)
         for i, p in enumerate(parts)]
    )  # fmt: skip
    assert owners["account_id"].is_unique().all()
    for p in parts:
        part = pl.read_parquet(p)
        assert part.equals(part.sort("opportunity_id", "position"))


def test_as_of_is_shared_by_all_buckets(demo_lazy: at.Dataset, tmp_path: Path) -> None:
    as_of = datetime(2025, 3, 1)  # naive: read as UTC, like journeys()
    folder = at.write_journeys(demo_lazy, tmp_path / "j", as_of=as_of, buckets=4)
    want = at.journeys(demo_lazy, as_of=as_of.replace(tzinfo=UTC))
    assert_frame_equal(pl.read_parquet(folder).sort("opportunity_id", "position"), want)


def test_models_read_the_folder(demo_lazy: at.Dataset, tmp_path: Path) -> None:
    folder = at.write_journeys(demo_lazy, tmp_path / "j", buckets=3)
    j = at.journeys(demo_lazy)
    for model in ("linear", "markov"):
        got = at.attribute(pl.scan_parquet(folder), model)
        assert_frame_equal(got, at.attribute(j, model), check_exact=False, rel_tol=1e-12)


def test_an_older_folder_is_replaced_whole(demo_lazy: at.Dataset, tmp_path: Path) -> None:
    target = tmp_path / "j"
    target.mkdir()
    (target / "part-0009.parquet").write_text("an older run's part")
    at.write_journeys(demo_lazy, target, buckets=2)
    assert sorted(p.name for p in target.iterdir()) == ["part-0000.parquet", "part-0001.parquet"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["j"], "no temporary folder is left"


def test_a_failure_leaves_nothing_behind(demo_lazy: at.Dataset, tmp_path: Path) -> None:
    with pytest.raises(at.ParameterError, match="lookback_days"):
        at.write_journeys(demo_lazy, tmp_path / "j", lookback_days=-1)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("buckets", [0, -2, 1.5, True])
def test_bad_buckets_are_refused(demo_lazy: at.Dataset, tmp_path: Path, buckets: object) -> None:
    with pytest.raises(at.ParameterError, match="buckets must be a whole number"):
        at.write_journeys(demo_lazy, tmp_path / "j", buckets=buckets)  # type: ignore[arg-type]
