"""The one reader of environment variables. Everything else receives a Settings."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class SettingsError(ValueError):
    """A setting with a value the bot cannot use; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    discord_token: str | None = field(default=None, repr=False)  # never logged or printed
    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path(".cache/index")
    database_path: Path = Path("data/studybot.db")
    # postgresql://user:password@host/db: the quiz store lives there instead of DATABASE_PATH (which still
    # holds the bot's local files: the command-sync stamp, the heartbeat). Never logged whole.
    database_url: str | None = field(default=None, repr=False)
    log_level: str = "INFO"
    dev_guild_id: int | None = None  # sync commands to this guild only (instant) while developing
    ask_cooldown_seconds: float = 5.0
    answer_hits: int = 3
    drill_check_seconds: float = 30.0  # how often the drill scheduler looks for due drills
    drill_new_items: int = 2  # of a daily drill's questions, how many are new (the rest: what the group forgot)
    drill_close_hours: int = 0  # 1-23: the drill closes and its results are posted this long after; 0: next drill
    # Discord sharding (several processes sharing one PostgreSQL): of SHARD_COUNT shards, this process runs
    # SHARD_IDS (all of them when unset). None: one unsharded connection, as a single group's bot runs.
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    shard_lease_seconds: float = 30.0  # a killed process's shards are taken over this long after its last renewal

    @property
    def sharded(self) -> bool:
        return self.shard_count is not None

    def holds_guild(self, guild_id: int) -> bool:
        """Whether this process runs the shard Discord puts that server on ((id >> 22) % shard count)."""
        if self.shard_count is None:
            return True
        return (guild_id >> 22) % self.shard_count in (self.shard_ids or range(self.shard_count))

    @property
    def syncs_commands(self) -> bool:
        """One process pushes the slash commands: the one running shard 0 (or the only one)."""
        return self.shard_count is None or 0 in (self.shard_ids or (0,))

    @property
    def quiz_database(self) -> Path | str:
        """Where the quiz store is: the PostgreSQL URL when one is set, else the SQLite file."""
        return self.database_url or self.database_path

    @property
    def heartbeat_path(self) -> Path:
        """Refreshed by the running Discord bot; `python -m bot health` (the Docker health check) reads it."""
        return self.database_path.parent / "heartbeat"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")) -> Settings:
        """From the environment; a .env file fills in what the environment does not set."""
        if env is None:
            env = {**read_dotenv(dotenv), **os.environ} if dotenv is not None else dict(os.environ)
        return cls(
            discord_token=env.get("DISCORD_TOKEN") or None,
            corpus_dir=Path(env.get("CORPUS_DIR", "corpus")),
            index_dir=Path(env.get("INDEX_DIR", ".cache/index")),
            database_path=Path(env.get("DATABASE_PATH", "data/studybot.db")),
            database_url=_database_url(env),
            log_level=_choice(env, "LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR")),
            dev_guild_id=_int(env, "DEV_GUILD_ID", None),
            ask_cooldown_seconds=_float(env, "ASK_COOLDOWN_SECONDS", 5.0),
            answer_hits=_count(env, "ANSWER_HITS", 3),
            drill_check_seconds=_positive(env, "DRILL_CHECK_SECONDS", 30.0),
            drill_new_items=_between(env, "DRILL_NEW_ITEMS", 2, 0, 5),
            drill_close_hours=_between(env, "DRILL_CLOSE_HOURS", 0, 0, 23),
            shard_lease_seconds=_positive(env, "SHARD_LEASE_SECONDS", 30.0),
            **_shards(env),
        )


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; blank lines, comments and malformed lines are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    values = {}
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip().removeprefix("export ").strip()] = value
    return values


def _int(env: Mapping[str, str], name: str, default: int | None) -> int | None:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if value < 0:
        raise SettingsError(f"{name} must not be negative, got {raw!r}")
    return value


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value is None or value < 1:
        raise SettingsError(f"{name} must be a whole number of at least 1, got {value}")
    return value


def _shards(env: Mapping[str, str]) -> dict[str, Any]:
    count = _int(env, "SHARD_COUNT", None)
    raw = (env.get("SHARD_IDS") or "").strip()
    if count is None:
        if raw:
            raise SettingsError("SHARD_IDS needs SHARD_COUNT (e.g. SHARD_COUNT=4 SHARD_IDS=0,1)")
        return {}
    if count < 1:
        raise SettingsError(f"SHARD_COUNT must be 1 or more, got {count}")
    if not raw:
        return {"shard_count": count, "shard_ids": None}
    try:
        ids = tuple(int(part) for part in raw.split(","))
    except ValueError:
        raise SettingsError(f"SHARD_IDS must be shard numbers separated by commas (e.g. 0,1), got {raw!r}") from None
    if len(set(ids)) != len(ids) or any(not 0 <= i < count for i in ids):
        raise SettingsError(f"SHARD_IDS must be distinct numbers from 0 to {count - 1} (SHARD_COUNT={count}), "
                            f"got {raw!r}")
    if len(ids) < count and not (env.get("DATABASE_URL") or "").strip():
        raise SettingsError("SHARD_IDS runs part of the shards, so other processes run the rest: they must share "
                            "one PostgreSQL (set DATABASE_URL); a SQLite file is for one process")
    return {"shard_count": count, "shard_ids": tuple(sorted(ids))}


def _database_url(env: Mapping[str, str]) -> str | None:
    from urllib.parse import urlsplit

    url = (env.get("DATABASE_URL") or "").strip()
    if not url:
        return None
    if not url.startswith(("postgresql://", "postgres://")):
        raise SettingsError("DATABASE_URL must be a PostgreSQL URL (postgresql://user:password@host:5432/db); "
                            "leave it unset to use the SQLite file DATABASE_PATH")
    try:
        urlsplit(url).port  # noqa: B018 - parsing the port raises on "host:abc"
    except ValueError as exc:
        raise SettingsError(f"DATABASE_URL is malformed: {exc}") from None
    return url


def _between(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    value = _int(env, name, default)
    if value is None or not low <= value <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}, got {value}")
    return value


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    value = _float(env, name, default)
    if value <= 0:
        raise SettingsError(f"{name} must be above zero, got {value:g}")
    return value


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = env.get(name, "").strip().upper() or default
    if raw not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw
