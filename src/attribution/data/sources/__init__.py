"""Sources: where raw tables are read from (files, databases), and what is pushed down.

A folder of files is :class:`~attribution.data.sources.folder.FolderSource`; a URL or a
file is opened by :func:`~attribution.data.sources.locate.open_source`.

**Databases**: PostgreSQL, SQLite and DuckDB, read as Arrow, never row by row.

* **PostgreSQL** (:mod:`~attribution.data.sources.postgres`):
  ``postgresql://user[:password]@host[:port]/database[?sslmode=...]`` through the ADBC
  PostgreSQL driver (libpq's binary ``COPY``, straight into Arrow). A password not in the URL
  comes from the driver's usual places: ``PGPASSWORD``, ``~/.pgpass``; the other ``PG*``
  variables (``PGHOST``, ``PGUSER``...) work too. The whole URL may come from
  ``ATTRIBUTION_DB_URL`` instead (see :func:`attribution.data.load.open_source`). A connection
  gives up after ``connect_timeout`` seconds (default 10; set it in the URL to change it).
* **SQLite** files (``sqlite:///path.db``, :mod:`~attribution.data.sources.sqlite_file`),
  opened read-only through ADBC.
* **DuckDB** files (``duckdb:///path.duckdb``, :mod:`~attribution.data.sources.duckdb_file`),
  opened read-only.

``schema=`` names the schema whose tables carry the contract's (or the mapping's) names,
e.g. ``"crm"``; a mapping may also name tables schema-qualified (``from: crm.Opportunity``).

A :class:`~attribution.data.sources.base.TimeRange` becomes a ``WHERE`` clause in the SQL
sent: typed timestamp and date columns are compared directly; text columns in a way that
cannot fail (an ISO date prefix compared as text in PostgreSQL and SQLite, ``TRY_CAST`` in DuckDB),
keeping values that do not look like timestamps so that validation reports them. Bounds on
naive timestamps, dates and text are widened by a day, so the rows fetched are always a
superset of the rows wanted (see :mod:`~attribution.data.sources.sql`).

Passwords never appear in :attr:`description`, in messages or in :attr:`log`.
"""
