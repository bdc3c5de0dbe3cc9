"""Passwords never reach an output, a log or a message, in any form a URL can hold them.

The unit tests cover every form (user information or ``password=`` parameter; plain,
percent-encoded or with raw special characters); the end-to-end tests run the reports on a
real PostgreSQL server whose login password is full of special characters, then search
every file the run wrote, every log line and every message for it.
"""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import quote

import dbload
import pgserver
import pytest
import yaml
from helpers import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

import attribution as at
from attribution._secrets import ambiguous, mask_text, mask_url, redact, scrub
from attribution.cli import main
from attribution.report import runner as report

PASSWORD = "Zq9:p@ss/w#rd?&x=1%ü'\" "
"""A password with every character that URL parsers split on, and then some."""
ROLE = "sec_analyst"
SCHEMA = "sec_crm"


def _forms(password: str) -> list[str]:
    """How a password can be written where it could leak: raw and percent-encoded."""
    return [f for f in {password, quote(password, safe=""), quote(password)} if f]


def _leaks(text: str, password: str = PASSWORD) -> list[str]:
    return [f for f in _forms(password) if f in text]


# ------------------------------------------------------------------------------ the forms
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://ann:s3cret@db:5432/crm", "postgresql://ann:***@db:5432/crm"),
        ("postgresql://ann:s%40cr%2Ft@db/crm", "postgresql://ann:***@db/crm"),
        ("postgresql://ann:p@ss:w/rd@db/crm", "postgresql://ann:***@db/crm"),
        ("postgresql://ann:pa#ss@db/crm", "postgresql://ann:***@db/crm"),
        ("postgresql://ann@db/crm?password=s3cret", "postgresql://ann@db/crm?password=***"),
        (
            "postgresql://ann@db/crm?sslmode=require&PASSWORD=s3&sslpassword=k3y",
            "postgresql://ann@db/crm?sslmode=require&PASSWORD=***&sslpassword=***",
        ),
        ("postgres+psycopg://ann:pw@[::1]:5432/crm", "postgres+psycopg://ann:***@[::1]:5432/crm"),
        ("host=db user=ann password=s3cret", "host=db user=ann password=***"),
        ("sqlite:///crm.db", "sqlite:///crm.db"),
    ],
)
def test_every_url_form_is_masked(url: str, expected: str) -> None:
    assert mask_url(url) == expected


@settings(max_examples=200, deadline=None)
@given(secret=st.text(min_size=1, max_size=24).map(lambda s: "Zq9" + s))
def test_no_password_survives_masking_in_any_form(secret: str) -> None:
    encoded = quote(secret, safe="")
    urls = [
        f"postgresql://ann:{encoded}@db.example.com:5432/crm",
        f"postgresql://ann@db.example.com/crm?sslmode=require&password={encoded}",
        f"postgresql://ann:{secret}@db.example.com/crm",  # raw: masked up to the last "@"
    ]
    for url in urls:
        masked = mask_url(url)
        assert secret not in masked and encoded not in masked, masked
        assert secret not in scrub(f"login failed for {secret}", url)
        if not any(c.isspace() for c in secret):  # raw spaces cannot be part of a URL in text
            assert secret not in mask_text(f"cannot connect to {url}: timeout")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_masking_never_fails(text: str) -> None:
    assert isinstance(mask_url(text), str) and isinstance(mask_text(text), str)
    assert isinstance(ambiguous("postgresql://" + text), str | type(None))


def test_nested_values_and_every_error_are_masked() -> None:
    assert redact({"a": ["postgresql://ann:pw@db/x"]}) == {"a": ["postgresql://ann:***@db/x"]}
    error = at.ParameterError("source.path: cannot read 'postgresql://ann:s3cret@db/crm'")
    assert "s3cret" not in str(error)


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://{ROLE}:p@ss@127.0.0.1:1/db",
        f"postgresql://{ROLE}:pa#ss@127.0.0.1:1/db",
        f"postgresql://{ROLE}@127.0.0.1:1/db?password=pa&ss",
    ],
)
def test_an_ambiguous_url_is_refused_without_quoting_its_password(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", url]) == 2
    err = capsys.readouterr().err
    assert "percent-encode" in err and "Traceback" not in err
    assert "ss@" not in err and "pa#" not in err and "pa&" not in err


# ------------------------------------------------------------------------------ end to end
@pytest.fixture(scope="module")
def server(postgres: pgserver.Server) -> pgserver.Server:
    """The demo in a schema of its own, readable by a role with a hostile password."""
    admin = postgres.url()
    literal = PASSWORD.replace("'", "''")
    dbload.execute(
        admin,
        f"DROP ROLE IF EXISTS {ROLE}",
        f"CREATE ROLE {ROLE} LOGIN PASSWORD '{literal}'",
        f"ALTER ROLE {ROLE} SET search_path = {SCHEMA}",
    )
    demo = at.demo.generate(n_accounts=400, seed=5)
    dbload.to_postgres(admin, demo.tables(), schema=SCHEMA, readers=(ROLE,))
    return postgres


def _urls(server: pgserver.Server) -> dict[str, str]:
    base = f"{server.host}:{server.port}/postgres"
    return {
        "userinfo": f"postgresql://{ROLE}:{quote(PASSWORD, safe='')}@{base}",
        "parameter": f"postgresql://{ROLE}@{base}?password={quote(PASSWORD, safe='')}",
    }


def _everything_written(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


@pytest.mark.slow
@pytest.mark.parametrize("form", ["userinfo", "parameter"])
def test_a_run_writes_the_password_nowhere(
    server: pgserver.Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    form: str,
) -> None:
    url = _urls(server)[form]
    if form == "userinfo":  # in the params file itself (discouraged, but masked)
        source: dict[str, object] = {"path": url}
    else:  # the recommended way: the URL in an environment variable
        monkeypatch.setenv("CRM_DB_URL", url)
        source = {"url_env": "CRM_DB_URL"}
    params = {
        "run_name": "pg",
        "source": source,
        "notebooks": ["00_summary", "01_data_health"],
        "notebooks_dir": str(ROOT / "notebooks"),
        "intervals": {"draws": 20},
    }
    file = tmp_path / "pg.yaml"
    file.write_text(yaml.safe_dump(params))
    log = io.StringIO()
    result = report.run(file, out=tmp_path / "out", progress=False, log=log)
    written = _everything_written(result.run_dir)
    assert len(written) > 20
    for path in written:
        text = path.read_bytes().decode("utf-8", errors="replace")
        assert _leaks(text) == [], f"{path.relative_to(result.run_dir)} holds the password"
    assert _leaks(log.getvalue()) == []
    assert "***" in result.manifest["inputs"]["source"]
    assert "***" in (result.run_dir / "index.html").read_text()
    assert main(["validate", url]) == 0  # the `source:` line and the summary
    out = capsys.readouterr()
    assert "source: postgresql://" in out.out and _leaks(out.out + out.err) == []


@pytest.mark.parametrize(
    "wrong",
    [
        lambda s: (
            f"postgresql://{ROLE}:{quote(PASSWORD[::-1], safe='')}@{s.host}:{s.port}/postgres"
        ),
        lambda s: (
            f"postgresql://{ROLE}@{s.host}:{s.port}/postgres?password={quote(PASSWORD[::-1])}"
        ),
        lambda s: f"postgresql://{ROLE}:{quote(PASSWORD[::-1], safe='')}@{s.host}:1/postgres",
    ],
    ids=["wrong password", "wrong password as a parameter", "nothing listening"],
)
def test_login_errors_do_not_quote_the_password(
    server: pgserver.Server, wrong: object, capsys: pytest.CaptureFixture[str]
) -> None:
    url = wrong(server)  # type: ignore[operator]
    assert main(["validate", url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert _leaks(err, PASSWORD[::-1]) == []
