"""Sources: folders of Parquet/CSV, Parquet part folders, SQLite and DuckDB files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import duckdb
import polars as pl
import pytest

import attribution as at
from attribution._secrets import mask_url
from attribution.data.load import read_tables, write_tables


def assert_same(a: at.Dataset, b: at.Dataset) -> None:
    assert set(a.tables()) == set(b.tables())
    for name, frame in a.tables().items():
        other = b.lazy(name).collect()
        assert frame.lazy().collect().equals(other.select(frame.columns)), name


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_folder_round_trip(demo_small: at.Dataset, tmp_path: Path, fmt: str) -> None:
    folder = at.demo.write(demo_small, tmp_path / "src", fmt=fmt)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{t}.{fmt}" for t in demo_small.tables()
    )
    assert_same(demo_small, at.load(folder))


def test_lazy_load_keeps_scans(demo_small: at.Dataset, tmp_path: Path) -> None:
    folder = at.demo.write(demo_small, tmp_path / "src")
    ds = at.load(folder, lazy=True)
    assert ds.is_lazy
    assert_same(demo_small, ds.collect())


def test_parquet_part_folders(tmp_path: Path) -> None:
    info = at.demo.write_large(tmp_path / "big", n_accounts=300, seed=2, chunk_accounts=100)
    assert (tmp_path / "big" / "touches" / "part-00002.parquet").is_file()
    ds = at.load(tmp_path / "big")
    assert ds.row_counts() == info["rows"]
    chunks = list(at.demo.iter_chunks(n_accounts=300, seed=2, chunk_accounts=100))
    expected = pl.concat([t["touches"] for t, _ in chunks])
    assert ds.touches.equals(expected)


def test_sqlite_and_duckdb_files(demo_small: at.Dataset, tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    with sqlite3.connect(db) as con:
        for name, frame in demo_small.tables().items():
            # SQLite has no timestamp type: store ISO text, as CRM exports do
            text = frame.with_columns(pl.selectors.datetime().dt.strftime("%Y-%m-%dT%H:%M:%S%z"))
            cols = ", ".join(f'"{c}"' for c in text.columns)
            marks = ", ".join("?" for _ in text.columns)
            con.execute(f'create table "{name}" ({cols})')
            con.executemany(f'insert into "{name}" values ({marks})', text.rows())
    assert_same(demo_small, at.load(f"sqlite:///{db}"))
    assert_same(demo_small, at.load(db))  # a path with a database suffix works too

    ddb = tmp_path / "crm.duckdb"
    with duckdb.connect(str(ddb)) as con:
        for name, frame in demo_small.tables().items():
            con.register("frame", frame.to_arrow())
            con.execute(f'create table "{name}" as select * from frame')
            con.unregister("frame")
    assert_same(demo_small, at.load(f"duckdb:///{ddb}"))


def test_column_and_table_mapping(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    pl.DataFrame(
        {
            "Id": ["t1"],
            "AccountId": ["a1"],
            "ActivityDate": ["2024-01-05 10:00"],
            "Team": ["sales"],
            "Type": ["sales_call"],
        }
    ).write_csv(tmp_path / "src" / "activities.csv")
    pl.DataFrame(
        {
            "opportunity_id": ["o1"],
            "account_id": ["a1"],
            "created_at": ["2024-01-10"],
            "is_won": ["false"],
            "amount": ["5"],
            "closed_at": [""],
        }
    ).write_csv(tmp_path / "src" / "opportunities.csv")
    columns = {
        "touches": {
            "Id": "touch_id",
            "AccountId": "account_id",
            "ActivityDate": "occurred_at",
            "Team": "team",
            "Type": "channel",
        }
    }
    ds = at.load(tmp_path / "src", columns=columns, tables={"touches": "activities"})
    assert ds.touches["channel"].to_list() == ["sales_call"]
    assert ds.opportunities["closed_at"].to_list() == [None]

    bad = {"touches": {**columns["touches"], "ActivityDat": "occurred_at"}}
    with pytest.raises(at.SchemaError) as excinfo:
        at.load(tmp_path / "src", columns=bad, tables={"touches": "activities"})
    message = str(excinfo.value)
    assert "touches (from activities.csv).ActivityDat: " in message
    assert "reads column 'ActivityDat' (for column occurred_at), which activities.csv" in message
    assert "did you mean 'ActivityDate'?" in message and "mapping " not in message.split(":", 1)[1]


def test_csv_with_byte_order_mark_and_padded_header(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "touches.csv").write_bytes(
        "\ufefftouch_id, account_id ,occurred_at,team,channel\r\n"
        "t1,a1,2024-01-05 10:00,marketing,email\r\n".encode()
    )
    (tmp_path / "src" / "opportunities.csv").write_text(
        "opportunity_id,account_id,created_at,is_won,amount,closed_at\no1,a1,2024-01-10,0,5,\n"
    )
    ds = at.load(tmp_path / "src")
    assert ds.touches.columns[:2] == ["touch_id", "account_id"]


def test_source_errors(tmp_path: Path) -> None:
    with pytest.raises(at.SourceError, match="does not exist"):
        at.load(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(at.SourceError, match="holds none of the contract's tables"):
        at.load(tmp_path / "empty")
    with pytest.raises(at.SourceError, match="unsupported URL scheme 'ftp'"):
        at.load("ftp://user:pw@host/x")
    with pytest.raises(at.SourceError, match="does not exist"):
        at.load(f"sqlite:///{tmp_path}/missing.db")


def test_two_files_for_one_table_is_ambiguous(demo_small: at.Dataset, tmp_path: Path) -> None:
    folder = at.demo.write(demo_small, tmp_path / "src")
    demo_small.touches.write_csv(folder / "touches.csv")
    with pytest.raises(at.SchemaError, match="more than one file for this table"):
        read_tables(folder)


def test_missing_required_table_in_folder(demo_small: at.Dataset, tmp_path: Path) -> None:
    folder = at.demo.write(demo_small, tmp_path / "src")
    (folder / "opportunities.parquet").unlink()
    with pytest.raises(at.SchemaError, match="opportunities: required table is missing"):
        at.load(folder)


def test_write_is_atomic_and_replaces(
    demo_small: at.Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "src"
    write_tables(demo_small, dest)
    before = sorted(p.name for p in dest.iterdir())

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(pl.LazyFrame, "sink_csv", boom)
    with pytest.raises(OSError, match="disk full"):
        write_tables(demo_small, dest, fmt="csv", overwrite=True)
    assert sorted(p.name for p in dest.iterdir()) == before  # previous source intact
    assert [p.name for p in tmp_path.iterdir()] == ["src"]  # no temporary leftovers
    with pytest.raises(at.ParameterError, match="was not written by attribution"):
        write_tables(demo_small, dest, fmt="csv")  # a folder that holds something stays
    monkeypatch.undo()
    write_tables(demo_small, dest, fmt="csv", overwrite=True)
    assert sorted(p.name for p in dest.iterdir()) == [n.replace(".parquet", ".csv") for n in before]


def test_user_errors_are_attribution_errors(demo_small: at.Dataset, tmp_path: Path) -> None:
    with pytest.raises(at.ParameterError, match="fmt must be 'parquet' or 'csv'"):
        write_tables(demo_small, tmp_path / "src", fmt="xlsx")
    assert not (tmp_path / "src").exists()
    with pytest.raises(at.ParameterError, match="applies to databases"):
        at.load(tmp_path, schema="crm")
    with pytest.raises(at.ParameterError, match="either a mapping or the columns="):
        read_tables(tmp_path, mapping={"tables": {}}, columns={"touches": {"a": "b"}})
    no_contacts = at.Dataset(touches=demo_small.touches, opportunities=demo_small.opportunities)
    with pytest.raises(at.SchemaError, match="has no 'contacts' table"):
        no_contacts.lazy("contacts")
    with pytest.raises(at.SchemaError, match=r"no 'touchs' table \(it has: touches, opport"):
        no_contacts.lazy("touchs")


def test_mask_url() -> None:
    assert mask_url("postgresql://ann:s3cret@db:5432/crm") == "postgresql://ann:***@db:5432/crm"
    assert mask_url("sqlite:///tmp/x.db") == "sqlite:///tmp/x.db"
