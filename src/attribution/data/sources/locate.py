"""From a folder path or a database URL to the :class:`Source` that reads it.

With no source at all, the URL in the ``ATTRIBUTION_DB_URL`` environment variable is used,
so that credentials stay out of parameter files.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from attribution._secrets import ambiguous, mask_url
from attribution.data.sources.base import Source
from attribution.data.sources.duckdb_file import DuckDBSource
from attribution.data.sources.folder import FolderSource
from attribution.data.sources.postgres import PostgresSource
from attribution.data.sources.sqlite_file import SQLiteSource
from attribution.errors import ParameterError, SourceError

__all__ = ["ENV_URL", "db_kind", "env_url", "is_url", "open_source"]

ENV_URL = "ATTRIBUTION_DB_URL"
"""Environment variable holding the database URL used when no source is given."""

_DB_SCHEMES = {"sqlite", "duckdb", "postgresql", "postgres"}
_SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")


def is_url(source: str) -> bool:
    """Whether ``source`` is a URL (``scheme://...``) rather than a path.

    Examples
    --------
    >>> is_url("sqlite:///crm.db"), is_url("data/crm")
    (True, False)
    """
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", source))


def db_kind(source: str) -> tuple[str, str]:
    """Return (kind, location) for a database URL; the location of a file is its path.

    Examples
    --------
    >>> db_kind("sqlite:///data/crm.db")
    ('sqlite', 'data/crm.db')
    >>> db_kind("duckdb:////abs/crm.duckdb")
    ('duckdb', '/abs/crm.duckdb')
    """
    parts = urlsplit(source)
    scheme = parts.scheme.split("+")[0].lower()
    if scheme not in _DB_SCHEMES:
        raise SourceError(
            f"cannot read {mask_url(source)!r}: unsupported URL scheme {parts.scheme!r}; "
            "use a folder path or one of: postgresql://, sqlite:///, duckdb:///"
        )
    if scheme in ("postgresql", "postgres"):
        return "postgresql", source
    # sqlite:///relative.db and sqlite:////abs/path.db, as SQLAlchemy writes them
    location = source.split("://", 1)[1]
    location = location[1:] if location.startswith("/") else location
    return scheme, location


def env_url(name: str = ENV_URL) -> str:
    """Return the database URL held by the environment variable ``name``.

    Raises
    ------
    SourceError
        The variable is not set (or empty).

    Examples
    --------
    >>> import os
    >>> os.environ["CRM_DB_URL"] = "sqlite:///crm.db"
    >>> env_url("CRM_DB_URL")
    'sqlite:///crm.db'
    """
    text = os.environ.get(name, "").strip()
    if not text:
        raise SourceError(
            f"the environment variable {name} is not set; set it to the database URL (such "
            "as postgresql://user@host/database), or give a folder path or a URL"
        )
    return text


def _given(source: str | os.PathLike[str] | None) -> str:
    """Return the source as text, from ``ATTRIBUTION_DB_URL`` when none is given."""
    if source is not None:
        return os.fspath(source)
    return env_url(ENV_URL)


def _open_url(url: str, schema: str | None) -> Source:
    kind, location = db_kind(url)
    unclear = ambiguous(url)
    if unclear is not None:
        raise SourceError(
            f"cannot read {mask_url(url)!r}: {unclear}, which drivers and URL parsers read "
            "differently; percent-encode it (@ as %40, # as %23, / as %2F, ? as %3F, & as "
            "%26), or leave the password out of the URL and use PGPASSWORD or ~/.pgpass"
        )
    if kind == "postgresql":
        return PostgresSource(url, schema=schema)
    if kind == "duckdb":
        return DuckDBSource(Path(location), url, schema=schema)
    return SQLiteSource(Path(location), url, schema=schema)


def _open_file(path: Path, schema: str | None) -> Source:
    suffix = path.suffix.lower()
    if suffix in _SQLITE_SUFFIXES:
        return SQLiteSource(path, f"sqlite:///{path.resolve()}", schema=schema)
    if suffix == ".duckdb":
        return DuckDBSource(path, f"duckdb:///{path.resolve()}", schema=schema)
    raise SourceError(
        f"{path} is a file; a source is a folder of <table>.parquet/.csv files or a "
        "database (.db, .sqlite, .duckdb, or a postgresql:// URL)"
    )


def open_source(
    source: str | os.PathLike[str] | None = None, *, schema: str | None = None
) -> Source:
    """Open a folder path or database URL as a :class:`Source`.

    Parameters
    ----------
    source
        A folder; a file ending in ``.db``/``.sqlite``/``.sqlite3`` or ``.duckdb``; a URL
        ``postgresql://...``, ``sqlite:///...`` or ``duckdb:///...``; or None for the URL in
        the ``ATTRIBUTION_DB_URL`` environment variable.
    schema
        For databases: the schema whose tables are found by plain name.

    Raises
    ------
    SourceError
        The source does not exist, cannot be reached, or the login fails (the message shows
        the URL with its password masked).
    ParameterError
        ``schema`` is given for a folder.

    Examples
    --------
    >>> import tempfile
    >>> open_source(tempfile.mkdtemp()).names()
    []
    """
    text = _given(source)
    if is_url(text):
        return _open_url(text, schema)
    path = Path(text)
    if path.is_file():
        return _open_file(path, schema)
    if schema is not None:
        raise ParameterError(f"schema={schema!r} applies to databases; {path} is a folder")
    return FolderSource(path)
