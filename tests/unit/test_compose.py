"""compose.yaml, read as Docker Compose would (no Docker on the test machines): its bot services start
with settings the bot accepts, their shards cover the whole bot once, and one of them pushes the commands."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.settings import Settings

COMPOSE = Path(__file__).resolve().parents[2] / "compose.yaml"
_DEFAULTED = re.compile(r"\$\{(\w+):-([^}]*)\}")


def _bot_settings() -> dict[str, Settings]:
    spec = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    bots = {name: svc for name, svc in spec["services"].items() if "build" in svc}
    out = {}
    for name, svc in bots.items():
        env = {k: _DEFAULTED.sub(lambda m: m.group(2), str(v)) for k, v in svc["environment"].items()}
        out[name] = Settings.from_env({"DISCORD_TOKEN": "from .env", **env}, dotenv=None)
    return out


def test_the_bot_services_run_every_shard_once_on_the_compose_database() -> None:
    spec = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    settings = _bot_settings()
    assert len(settings) >= 2
    counts = {s.shard_count for s in settings.values()}
    assert len(counts) == 1 and None not in counts
    [count] = counts
    assert count is not None
    shards = [i for s in settings.values() for i in (s.shard_ids or ())]
    assert sorted(shards) == list(range(count))  # each shard run by exactly one process
    assert sum(s.syncs_commands for s in settings.values()) == 1
    urls = {s.database_url for s in settings.values()}
    assert len(urls) == 1  # one PostgreSQL shared by all (SQLite cannot be shared by processes)
    [url] = urls
    assert url is not None and url.startswith("postgresql://")
    host = url.split("@", 1)[1].split(":", 1)[0]
    assert host in spec["services"] and spec["services"][host]["image"].startswith("postgres:")
    for svc in spec["services"].values():
        if "build" in svc:
            assert svc["depends_on"][host]["condition"] == "service_healthy"
