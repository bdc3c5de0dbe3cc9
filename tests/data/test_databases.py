"""Databases as sources: PostgreSQL (a real server), SQLite and DuckDB files.

Each database holds the same demo data as a Parquet folder; what comes back through
``attribution.load`` must equal the Parquet source exactly: tables, journeys, and (once the
models land) credits. Loading one period must send the date conditions to the database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dbload
import pgserver
import polars as pl
import pytest

import attribution as at
from attribution.data.load import read_tables
from attribution.data.sources.base import Fetch, Source
from attribution.data.sources.locate import open_source
from attribution.data.sources.period import Window

UTC = dt.UTC
LOOKBACK = 120
START, END = "2026-01-01", "2026-04-01"
ANALYST = "analyst"
ANALYST_PW = "an@lyst:pw/1 s3cr3t"  # needs percent-encoding in a URL


@pytest.fixture(scope="module")
def demo() -> at.Dataset:
    return at.demo.generate(n_accounts=600, seed=21)


@pytest.fixture(scope="module")
def parquet(demo: at.Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return at.demo.write(demo, tmp_path_factory.mktemp("parquet") / "src")


@pytest.fixture(scope="module")
def reference(parquet: Path) -> at.Dataset:
    return at.load(parquet)


@pytest.fixture(scope="module")
def pg(postgres: pgserver.Server, demo: at.Dataset) -> pgserver.Server:
    """The demo in schema ``crm``, readable by a login role with a password."""
    admin = postgres.url()
    dbload.execute(
        admin,
        f"DROP ROLE IF EXISTS {ANALYST}",
        f"CREATE ROLE {ANALYST} LOGIN PASSWORD '{ANALYST_PW}'",
    )
    dbload.to_postgres(admin, demo.tables(), schema="crm", readers=(ANALYST,))
    return postgres


@pytest.fixture(scope="module", params=["postgresql", "sqlite", "duckdb"])
def backend(
    request: pytest.FixtureRequest, demo: at.Dataset, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(source, load options) of one database holding the demo."""
    kind = request.param
    if kind == "postgresql":
        server = request.getfixturevalue("pg")
        yield server.url(ANALYST, ANALYST_PW), {"schema": "crm"}
    elif kind == "sqlite":
        path = dbload.to_sqlite(tmp_path_factory.mktemp("sqlite") / "crm.db", demo.tables())
        yield f"sqlite:///{path}", {}
    else:
        path = dbload.to_duckdb(tmp_path_factory.mktemp("duckdb") / "crm.duckdb", demo.tables())
        yield f"duckdb:///{path}", {}


def assert_same(a: at.Dataset, b: at.Dataset) -> None:
    """Same tables, columns, types and rows (a database table has no row order)."""
    assert set(a.tables()) == set(b.tables())
    for name, frame in a.tables().items():
        expected = frame.lazy().collect()
        got = b.lazy(name).collect()
        assert got.schema == expected.schema, name
        assert got.sort(pl.all()).equals(expected.sort(pl.all())), name


def selected(reference: at.Dataset, start: str, end: str, by: str = "closed_at") -> list[str]:
    lo = dt.datetime.fromisoformat(start).replace(tzinfo=UTC)
    hi = dt.datetime.fromisoformat(end).replace(tzinfo=UTC)
    opps = reference.lazy("opportunities").collect()
    return opps.filter((pl.col(by) >= lo) & (pl.col(by) < hi))["opportunity_id"].to_list()


# ---------------------------------------------------------------------------- equality
def test_tables_equal_the_parquet_source(
    backend: tuple[str, dict[str, Any]], reference: at.Dataset
) -> None:
    url, options = backend
    assert_same(reference, at.load(url, **options))


def test_journeys_equal_the_parquet_source(
    backend: tuple[str, dict[str, Any]], reference: at.Dataset
) -> None:
    url, options = backend
    ds = at.load(url, **options)
    expected = at.journeys(reference, lookback_days=LOOKBACK)
    assert expected.height > 1000
    assert at.journeys(ds, lookback_days=LOOKBACK).equals(expected)


@pytest.mark.skipif(
    not hasattr(at, "attribute"), reason="at.attribute arrives with the models (issue 3)"
)
def test_credits_equal_the_parquet_source(
    backend: tuple[str, dict[str, Any]], reference: at.Dataset
) -> None:
    url, options = backend
    ds = at.load(url, **options)
    attribute: Any = at.attribute  # type: ignore[attr-defined]
    for model in ("linear", "u_shaped", "markov"):
        expected = attribute(at.journeys(reference, lookback_days=LOOKBACK), model)
        got = attribute(at.journeys(ds, lookback_days=LOOKBACK), model)
        assert got.equals(expected), model


# ---------------------------------------------------------------------------- pushdown
def fetches(src: Source, table: str) -> list[Fetch]:
    pattern = re.compile(rf'FROM (?:"crm"\.)?"{table}"')
    return [f for f in src.log if pattern.search(f.sql) and "LIMIT 0" not in f.sql]


@pytest.mark.parametrize("by", ["closed_at", "created_at"])
def test_a_window_is_pushed_down_and_keeps_journeys_exact(
    backend: tuple[str, dict[str, Any]], reference: at.Dataset, by: str
) -> None:
    url, options = backend
    start, end = (START, END) if by == "closed_at" else ("2026-03-01", "2026-07-01")
    with open_source(url, **options) as src:
        ds = at.load(src, start=start, end=end, lookback_days=LOOKBACK, opportunities_by=by)
        (opps,) = fetches(src, "opportunities")
        (touches,) = fetches(src, "touches")
    # the conditions travelled with the SQL, and fewer rows came back
    assert f'"{by}"' in opps.sql.split("WHERE", 1)[1]
    assert '"occurred_at"' in touches.sql.split("WHERE", 1)[1]
    total = reference.row_counts()
    assert opps.rows < total["opportunities"]
    assert touches.rows < 0.9 * total["touches"]

    ids = selected(reference, start, end, by)
    assert sorted(ds.opportunities["opportunity_id"].to_list()) == sorted(ids)
    if by == "created_at":  # open deals run to the end of the data: see the same end
        as_of = reference.as_of
        assert ds.opportunities["closed_at"].null_count() > 0
    else:
        as_of = None
    expected = at.journeys(reference, lookback_days=LOOKBACK, as_of=as_of).filter(
        pl.col("opportunity_id").is_in(ids)
    )
    assert at.journeys(ds, lookback_days=LOOKBACK, as_of=as_of).equals(expected)
    stages = ds.stage_history["opportunity_id"].unique()
    assert stages.is_in(ids).all() and stages.len() > 0


def test_the_server_received_the_window_conditions(pg: pgserver.Server) -> None:
    with open_source(pg.url(ANALYST, ANALYST_PW), schema="crm") as src:
        at.load(src, start=START, end=END, lookback_days=LOOKBACK)
        sent = [f.sql for f in src.log]
    logged = pg.statements()
    for sql in sent:
        assert sql in logged
    assert any('WHERE ("closed_at" >= TIMESTAMPTZ' in s for s in sent)


def test_a_mapping_query_is_wrapped_so_the_window_still_applies(
    pg: pgserver.Server, reference: at.Dataset
) -> None:
    same = {"keep_other_columns": True}
    mapping = {
        "schema": "crm",
        "tables": {
            **{t: {"from": t, **same} for t in ("opportunities", "contacts", "accounts")},
            "stage_history": {"from": "stage_history", **same},
            "touches": {
                "sql": 'SELECT t.*, t.occurred_at AS "When" FROM touches t',
                "keep_other_columns": True,
                "columns": {"occurred_at": "When"},
            },
        },
    }
    with open_source(pg.url(ANALYST, ANALYST_PW), schema="crm") as src:
        ds = at.load(src, mapping=mapping, start=START, end=END, lookback_days=LOOKBACK)
        (touches,) = [f for f in src.log if "_attribution_q" in f.sql and "LIMIT 0" not in f.sql]
    assert 'AS _attribution_q WHERE (_attribution_q."When" IS NULL OR' in touches.sql
    ids = selected(reference, START, END)
    expected = at.journeys(reference, lookback_days=LOOKBACK).filter(
        pl.col("opportunity_id").is_in(ids)
    )
    got = at.journeys(ds, lookback_days=LOOKBACK)
    assert got.select(expected.columns).equals(expected)


def test_naive_and_text_timestamps_in_a_local_zone(
    postgres: pgserver.Server, demo: at.Dataset, reference: at.Dataset
) -> None:
    """A warehouse keeping local wall-clock time: naive timestamps and ISO text."""
    zone = "Asia/Kolkata"  # UTC+05:30 all year: no ambiguous wall-clock hours
    local = {
        name: frame.with_columns(
            pl.selectors.datetime().dt.convert_time_zone(zone).dt.replace_time_zone(None)
        )
        for name, frame in demo.tables().items()
    }
    local["opportunities"] = local["opportunities"].with_columns(
        pl.col("closed_at").dt.strftime("%Y-%m-%d %H:%M:%S%.6f")
    )
    dbload.to_postgres(postgres.url(), local, schema="local")
    with open_source(postgres.url(), schema="local") as src:
        ds = at.load(src, time_zone=zone, start=START, end=END, lookback_days=LOOKBACK)
        (opps,) = fetches(src, "opportunities")
    # text: the ISO date prefix is compared, with a day to spare
    assert "left(\"closed_at\", 10) >= '2025-12-30'" in opps.sql
    ids = selected(reference, "2025-12-31T18:30:00", "2026-03-31T18:30:00")  # local midnights
    expected = at.journeys(reference, lookback_days=LOOKBACK).filter(
        pl.col("opportunity_id").is_in(ids)
    )
    assert at.journeys(ds, lookback_days=LOOKBACK).equals(expected)


def test_parquet_scans_receive_the_window_as_a_predicate(parquet: Path) -> None:
    window = Window.make(start=START, end=END, lookback_days=LOOKBACK)
    raw = read_tables(parquet, window=window)
    plan = raw["touches"].explain()
    scan = plan[plan.index("Parquet SCAN") :]
    assert "SELECTION" in scan and "occurred_at" in scan.split("SELECTION", 1)[1]


def test_sqlite_columns_typed_by_their_values_alone(demo: at.Dataset, tmp_path: Path) -> None:
    """SQLite types values, not columns: long empty stretches and mixed types still load."""
    import sqlite3

    touches = demo.touches.sort(pl.col("campaign").is_not_null(), "touch_id")
    assert touches["campaign"].head(1100).null_count() == 1100  # more than a batch of nothing
    opps = demo.opportunities.with_columns(  # an extra column mixing numbers and text
        pl.when(pl.int_range(pl.len()) % 2 == 0).then(pl.lit("n/a")).alias("probability")
    )
    path = tmp_path / "typeless.db"
    with sqlite3.connect(path) as con:
        for name, frame in {"opportunities": opps, "touches": touches}.items():
            text = dbload.iso_text(frame).with_columns(pl.selectors.boolean().cast(pl.Int8))
            rows = [
                tuple(
                    0.5 if c == "probability" and v is None else v
                    for c, v in zip(text.columns, row, strict=True)
                )
                for row in text.rows()
            ]
            con.execute(f"CREATE TABLE {name} ({', '.join(text.columns)})")
            marks = ", ".join("?" * len(text.columns))
            con.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)
        con.execute("CREATE TABLE empty_col AS SELECT touch_id, NULL AS blank FROM touches")
    ds = at.load(path)
    for name, frame in {"touches": demo.touches, "opportunities": demo.opportunities}.items():
        got = ds.lazy(name).collect().select(frame.columns)
        assert got.sort(pl.all()).equals(frame.sort(pl.all())), name
    probability = ds.opportunities["probability"]
    assert probability.dtype == pl.String  # numbers and text: read as text
    assert set(probability.unique()) == {"n/a", "0.5"}
    with open_source(path) as src:
        assert src.table("empty_col").collect_schema()["blank"] == pl.Null


# ---------------------------------------------------------------------------- credentials
def test_password_from_the_environment(
    pg: pgserver.Server, reference: at.Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGPASSWORD", ANALYST_PW)
    ds = at.load(pg.url(ANALYST, password=None), schema="crm")
    assert ds.row_counts() == reference.row_counts()

    monkeypatch.delenv("PGPASSWORD")
    monkeypatch.setenv("ATTRIBUTION_DB_URL", pg.url(ANALYST, ANALYST_PW))
    ds = at.load(schema="crm")
    assert ANALYST_PW not in ds.source and "***" in ds.source
    assert ds.row_counts() == reference.row_counts()


def test_the_password_never_reaches_outputs_or_logs(
    pg: pgserver.Server, caplog: pytest.LogCaptureFixture
) -> None:
    url = pg.url(ANALYST, ANALYST_PW)
    with caplog.at_level("DEBUG", logger="attribution"):
        ds = at.load(url, schema="crm", start=START, end=END)
    encoded = url.split(":")[2].split("@")[0]
    text = " ".join([ds.source, repr(ds), caplog.text])
    assert "SELECT" in caplog.text
    for secret in (ANALYST_PW, encoded, "s3cr3t"):
        assert secret not in text
    assert ds.source == f"postgresql://{ANALYST}:***@127.0.0.1:{pg.port}/postgres"


# ---------------------------------------------------------------------------- errors
def test_wrong_password_is_a_clear_error_with_the_password_masked(pg: pgserver.Server) -> None:
    url = pg.url(ANALYST, "wrong-s3cret")
    with pytest.raises(at.SourceError) as excinfo:
        at.load(url, schema="crm")
    message = str(excinfo.value)
    assert message.startswith(f"cannot connect to postgresql://{ANALYST}:***@127.0.0.1:")
    assert f'password authentication failed for user "{ANALYST}"' in message
    assert "PGPASSWORD" in message
    assert "wrong-s3cret" not in message


def test_an_unreachable_server_fails_fast(tmp_path: Path) -> None:
    import socket
    import time

    # a port that accepts connections but never answers: libpq waits for connect_timeout
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        began = time.perf_counter()
        with pytest.raises(at.SourceError) as excinfo:
            at.load(f"postgresql://ann:pw@127.0.0.1:{port}/crm?connect_timeout=2")
        took = time.perf_counter() - began
    assert took < 10
    message = str(excinfo.value)
    assert "cannot connect to postgresql://ann:***@127.0.0.1" in message
    assert "connect_timeout" in message

    with pytest.raises(at.SourceError, match="cannot connect to postgresql://ann:\\*\\*\\*@"):
        at.load("postgresql://ann:pw@no-such-host.invalid/crm")


def test_views_and_materialized_views_are_tables_too(
    pg: pgserver.Server, reference: at.Dataset
) -> None:
    url = pg.url()
    dbload.execute(
        url,
        "DROP SCHEMA IF EXISTS marts CASCADE",
        "CREATE SCHEMA marts",
        "CREATE VIEW marts.deals AS SELECT * FROM crm.opportunities",
        "CREATE MATERIALIZED VIEW marts.activity AS SELECT * FROM crm.touches",
    )
    ds = at.load(url, schema="marts", tables={"opportunities": "deals", "touches": "activity"})
    assert ds.row_counts() == {
        "touches": reference.row_counts()["touches"],
        "opportunities": reference.row_counts()["opportunities"],
    }


def test_missing_schema_and_missing_tables(pg: pgserver.Server, demo: at.Dataset) -> None:
    url = pg.url()
    with pytest.raises(at.SourceError, match=r"has no schema 'nope'; it has: .*crm"):
        at.load(url, schema="nope")
    dbload.to_postgres(url, {"touches": demo.touches}, schema="partial")
    with pytest.raises(at.SchemaError, match="opportunities: required table is missing"):
        at.load(url, schema="partial")
    mapping = {"tables": {"opportunities": {"from": "partial.Opportunity"}}}
    with pytest.raises(at.SchemaError, match=r"reads 'partial\.Opportunity', which the source"):
        at.load(url, mapping=mapping)


def test_wrong_column_types_are_listed(pg: pgserver.Server, demo: at.Dataset) -> None:
    url = pg.url()
    bad = {
        "touches": demo.touches.with_columns(pl.lit(True).alias("occurred_at")),
        "opportunities": demo.opportunities.with_columns(
            pl.col("created_at").dt.date().alias("amount")
        ),
    }
    dbload.to_postgres(url, bad, schema="badtypes")
    with pytest.raises(at.SchemaError) as excinfo:
        at.load(url, schema="badtypes")
    message = str(excinfo.value)
    assert "touches.occurred_at: has type Boolean, which cannot be read as an ISO 8601" in message
    assert "opportunities.amount: has type Date, which cannot be read as a number" in message


def test_empty_results(pg: pgserver.Server, demo: at.Dataset) -> None:
    url = pg.url()
    dbload.to_postgres(
        url, {"touches": demo.touches, "opportunities": demo.opportunities.clear()}, schema="empty"
    )
    with pytest.raises(at.DataError, match="opportunities: table is empty"):
        at.load(url, schema="empty")
    with pytest.raises(at.DataError, match="no opportunities with closed_at in \\[2030-01-01"):
        at.load(url, schema="crm", start="2030-01-01", end="2030-02-01")


def test_numeric_columns_arrive_as_numbers(pg: pgserver.Server, demo: at.Dataset) -> None:
    url = pg.url()
    dbload.to_postgres(url, demo.tables(), schema="money")
    dbload.execute(
        url,
        "ALTER TABLE money.opportunities ALTER COLUMN amount TYPE numeric(14, 2) "
        "USING round(amount::numeric, 2)",
    )
    ds = at.load(url, schema="money")
    expected = demo.opportunities["amount"].round(2)
    assert ds.opportunities["amount"].dtype == pl.Float64
    assert ds.opportunities["amount"].equals(expected)
