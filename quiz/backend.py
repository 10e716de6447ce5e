"""Where the quiz store's SQL runs: one SQLite file (the default) or a PostgreSQL server (DATABASE_URL).

The store writes its SQL once, with `?` placeholders and only what both dialects share; a backend runs
it. SQLite serialises writers with BEGIN IMMEDIATE. On PostgreSQL, several processes write at once: the
UNIQUE constraints (an answer once per context, a drill once per server and day) make inserts safe, and
`lock` (a transaction-scoped advisory lock) guards each read-modify-write, such as a member's totals.
"""
from __future__ import annotations

import math
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit, urlunsplit

Dialect = Literal["sqlite", "postgresql"]
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


class BackendError(RuntimeError):
    """The database cannot be reached or used; the message says why, in one line."""


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    @property
    def description(self) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Backend(Protocol):
    label: str  # for messages: the SQLite path, or the URL without its password
    dialect: Dialect

    def execute(self, sql: str, params: Sequence[object] = ()) -> Cursor: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None: ...

    def transaction(self) -> AbstractContextManager[None]: ...

    def lock(self, key: str) -> None:
        """Inside a transaction: wait until no other transaction holds `key`, then hold it to the end."""
        ...

    def failure(self, exc: BaseException) -> str | None:
        """One line saying what went wrong, when `exc` is this database's error; else None."""
        ...

    def close(self) -> None: ...


def is_postgres_url(target: str | Path) -> bool:
    return isinstance(target, str) and target.startswith(POSTGRES_SCHEMES)


def redact(url: str) -> str:
    """The URL without its password, for logs and error lines."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        host = parts.hostname or ""
        netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    except ValueError:  # a malformed port: say nothing of what follows the scheme
        return url.split("://", 1)[0] + "://***"
    return urlunsplit(parts._replace(netloc=netloc))


def open_backend(target: str | Path, timeout: float = 5.0) -> Backend:
    if is_postgres_url(target):
        return PostgresBackend(str(target), timeout)
    return SqliteBackend(Path(target), timeout)


# --- SQLite ----------------------------------------------------------------------------------------


class SqliteBackend:
    dialect: Dialect = "sqlite"

    def __init__(self, path: Path, timeout: float) -> None:
        self.path = path
        self.label = str(path)
        try:
            self._conn = sqlite3.connect(path, timeout=timeout, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as exc:
            raise BackendError(f"cannot open: {_sqlite_reason(exc)}") from exc
        try:
            mode = self._conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise BackendError(f"cannot switch to WAL mode (got {mode!r})")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            try:
                self._conn.execute("SELECT pow(2, 0.5)")
            except sqlite3.OperationalError:  # a build without SQLite's math functions: Python's stands in
                self._conn.create_function("pow", 2, math.pow, deterministic=True)
        except sqlite3.Error as exc:
            self._conn.close()
            raise BackendError(f"cannot prepare the database: {_sqlite_reason(exc)}") from exc
        except BackendError:
            self._conn.close()
            raise

    def execute(self, sql: str, params: Sequence[object] = ()) -> Cursor:
        return self._conn.execute(sql, tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        self._conn.executemany(sql, rows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Taken with the write lock up front, so two processes cannot interleave."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._conn.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise

    def lock(self, key: str) -> None:
        pass  # BEGIN IMMEDIATE already holds the whole database's write lock

    def failure(self, exc: BaseException) -> str | None:
        return _sqlite_reason(exc) if isinstance(exc, sqlite3.Error) else None

    def close(self) -> None:
        self._conn.close()


def _sqlite_reason(exc: sqlite3.Error) -> str:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return "the database is locked by another process (is a second copy of the bot running?)"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return "the file is not a valid SQLite database (corrupt?); move it aside to start a new one"
    if "unable to open" in text or "readonly" in text or "read-only" in text or "disk i/o" in text:
        return "the file cannot be opened for writing (check the path and its folder's permissions)"
    if "foreign key" in text:
        return "it refers to a quiz item the store does not have (sync the items first)"
    return str(exc)


# --- PostgreSQL ------------------------------------------------------------------------------------


class PostgresBackend:
    """One psycopg 3 connection, used under the store's lock like the SQLite one. A connection lost (the
    server restarted) is opened again at the next call; the call that saw it fails with a StoreError and
    the member is told, nothing half-written (each write is one transaction)."""

    dialect: Dialect = "postgresql"

    def __init__(self, url: str, timeout: float) -> None:
        import psycopg

        self._psycopg = psycopg
        self.url = url
        self.label = redact(url)
        self._timeout = timeout
        self._lock = threading.RLock()
        self._conn = self._connect()

    def _connect(self) -> Any:
        psycopg = self._psycopg
        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=max(1, round(self._timeout)))
        except psycopg.ProgrammingError as exc:  # a URL psycopg cannot parse
            raise BackendError(f"DATABASE_URL is not a valid PostgreSQL URL ({_first_line(exc)})") from exc
        except psycopg.OperationalError as exc:
            raise BackendError(_postgres_reason(exc)) from exc
        # A statement waiting on another transaction's lock gives up like SQLite's busy timeout.
        conn.execute(f"SET lock_timeout = {int(self._timeout * 1000)}")
        return conn

    def _live(self) -> Any:
        if self._conn.closed or self._conn.broken:
            try:
                self._conn.close()
            finally:
                self._conn = self._connect()
        return self._conn

    def execute(self, sql: str, params: Sequence[object] = ()) -> Cursor:
        with self._lock:
            if not params:  # no placeholders: psycopg then sends the text as it is, `%` included
                return self._live().execute(sql)
            return self._live().execute(_placeholders(sql), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        with self._lock:
            if rows:
                self._live().cursor().executemany(_placeholders(sql), [tuple(r) for r in rows])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock, self._live().transaction():
            yield

    def lock(self, key: str) -> None:
        # Read-modify-write of one member's totals from two processes: without it, both read 5 and write 6
        # (tests/integration/test_store_backends.py lost 6 of 16 answers).
        self.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (key,))

    def failure(self, exc: BaseException) -> str | None:
        if isinstance(exc, BackendError):
            return str(exc)
        if not isinstance(exc, self._psycopg.Error):
            return None
        if isinstance(exc, self._psycopg.errors.LockNotAvailable):
            return "the database is locked by another transaction (is a migration or a backup running?)"
        if isinstance(exc, self._psycopg.errors.ForeignKeyViolation):
            return "it refers to a quiz item the store does not have (sync the items first)"
        if isinstance(exc, self._psycopg.OperationalError | self._psycopg.InterfaceError):
            return _postgres_reason(exc)
        return _first_line(exc)

    def close(self) -> None:
        with self._lock:
            self._conn.close()


@lru_cache(maxsize=512)
def _placeholders(sql: str) -> str:
    """`?` to psycopg's `%s` (the store's SQL has no `?` or `%` inside literals)."""
    return sql.replace("%", "%%").replace("?", "%s")


def _postgres_reason(exc: BaseException) -> str:
    text = str(exc).lower()
    if "password authentication failed" in text or "no password supplied" in text:
        return "PostgreSQL refused the user name or password in DATABASE_URL"
    if "does not exist" in text and "database" in text:
        return "the database named in DATABASE_URL does not exist on that server (create it first)"
    if ("connection refused" in text or "could not connect" in text or "timeout" in text
            or "no such file" in text or "could not translate host" in text or "server closed" in text
            or "terminating connection" in text or "connection is lost" in text or "is closed" in text):
        return f"cannot reach the PostgreSQL server ({_first_line(exc)}); is it running, and is DATABASE_URL right?"
    return _first_line(exc)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


# --- migrations in either dialect ------------------------------------------------------------------

_SQLITE_ONLY = "-- sqlite only"


def for_dialect(statement: str, dialect: Dialect) -> str | None:
    """A migration statement (written for SQLite) as the dialect runs it; None to skip it there.

    PostgreSQL: an `id INTEGER PRIMARY KEY` becomes an identity column, INTEGER BIGINT (Discord ids are
    64-bit), REAL DOUBLE PRECISION; a statement marked `-- sqlite only` (a backfill from JSON, only ever
    needed by an old SQLite file) is skipped: a PostgreSQL schema always starts new.
    """
    if dialect == "sqlite":
        return statement
    if statement.lstrip().lower().startswith(_SQLITE_ONLY):
        return None
    out = re.sub(r"\bid INTEGER PRIMARY KEY\b", "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
                 statement)
    out = re.sub(r"\bINTEGER\b", "BIGINT", out)
    return re.sub(r"\bREAL\b", "DOUBLE PRECISION", out)
