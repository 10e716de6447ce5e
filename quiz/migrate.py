"""Schema migrations: quiz/migrations/V<n>__<name>.sql, applied in order, all in one transaction."""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from importlib import resources

from quiz.backend import Backend, BackendError, for_dialect

_NAME = re.compile(r"^V(\d+)__([\w-]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    found = []
    for entry in resources.files("quiz").joinpath("migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"quiz migrations must be numbered V1, V2, ... without gaps; found {versions}")
    return found


def statements(sql: str) -> list[str]:
    """Split a script into statements. Not executescript(): it commits first, which would break the
    single transaction a failed migration must roll back."""
    out, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                out.append(buffer.strip())
            buffer = ""
    leftover = [ln for ln in buffer.splitlines() if ln.strip() and not ln.strip().startswith("--")]
    if leftover:
        raise ValueError(f"unterminated SQL statement: {buffer.strip()[:80]}")
    return out


def apply_migrations(backend: Backend) -> int:
    """Bring the schema up to date, in one transaction; returns the schema version. A database made by a
    newer version of the bot is refused: its schema may mean what this code does not know."""
    with backend.transaction():
        if backend.dialect == "postgresql":  # two processes starting at once migrate one after the other
            backend.execute("SELECT pg_advisory_xact_lock(7277301)")
        backend.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = backend.execute("SELECT MAX(version) FROM schema_version").fetchone()
        current = int(row[0] or 0)
        known = migrations()
        if known and current > known[-1].version:
            raise BackendError(f"the database's schema is version {current}, newer than this bot knows "
                               f"({known[-1].version}); run the newer bot, or restore a matching backup")
        for migration in known:
            if migration.version <= current:
                continue
            for statement in statements(migration.sql):
                translated = for_dialect(statement, backend.dialect)
                if translated is not None:
                    backend.execute(translated)
            backend.execute("INSERT INTO schema_version (version) VALUES (?)", (migration.version,))
            current = migration.version
    return current
