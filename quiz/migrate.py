"""Schema migrations: quiz/migrations/V<n>__<name>.sql, applied in order, all in one transaction."""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from importlib import resources

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


def apply_migrations(conn: sqlite3.Connection) -> int:
    """Bring the schema up to date; returns the schema version. The connection must be in autocommit
    mode (isolation_level=None): this function opens and closes the transaction itself."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
        current = row[0] or 0
        for migration in migrations():
            if migration.version <= current:
                continue
            for statement in statements(migration.sql):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (migration.version,))
            current = migration.version
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return current
