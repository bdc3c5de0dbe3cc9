"""Snapshots of validated data, and the hashes a run records."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import polars as pl

import attribution as at
from attribution.data.snapshot import file_sha256, read_snapshot, source_files, write_snapshot


def test_round_trip_keeps_tables_and_demo_truth(tmp_path: Path, demo_small: at.Dataset) -> None:
    info = write_snapshot(demo_small, tmp_path / "data")
    back = read_snapshot(tmp_path / "data")
    for name, frame in demo_small.tables().items():
        assert back.tables()[name].equals(frame), name
        entry = info["tables"][name]
        assert entry["rows"] == frame.height
        assert entry["sha256"] == file_sha256(tmp_path / "data" / entry["file"])
    assert back.source == demo_small.source
    assert back.truth.shares == demo_small.truth.shares
    assert back.truth.params == demo_small.truth.params
    assert json.loads((tmp_path / "data" / "dataset.json").read_text()) == info


def test_lazy_sources_are_streamed(tmp_path: Path, demo_small: at.Dataset) -> None:
    at.demo.write(demo_small, tmp_path / "src")
    lazy = at.load(tmp_path / "src", lazy=True)
    info = write_snapshot(lazy, tmp_path / "data")
    assert info["tables"]["touches"]["rows"] == demo_small.touches.height
    assert info["truth"] is False
    back = read_snapshot(tmp_path / "data", lazy=True)
    assert isinstance(back.touches, pl.LazyFrame)


def test_hashes_change_with_content(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"x" * 3_000_000)
    b.write_bytes(b"x" * 2_999_999 + b"y")
    assert file_sha256(a) != file_sha256(b)


def test_source_files_lists_what_a_source_reads(tmp_path: Path, demo_small: at.Dataset) -> None:
    at.demo.write(demo_small, tmp_path / "src", fmt="csv")
    (tmp_path / "src" / "notes.csv").write_text("not a table\n")
    files = source_files(str(tmp_path / "src"))
    names = sorted(Path(f["path"]).name for f in files)
    assert names == sorted(f"{t}.csv" for t in demo_small.tables())
    renamed = source_files(str(tmp_path / "src"), tables={"touches": "notes"})
    assert "notes.csv" in [Path(f["path"]).name for f in renamed]
    db = tmp_path / "crm.db"
    sqlite3.connect(db).close()
    (entry,) = source_files(f"sqlite:///{db}")
    assert entry["sha256"] == file_sha256(db)
    assert source_files("postgresql://db.example/crm") == []
    assert source_files(str(tmp_path / "missing")) == []
