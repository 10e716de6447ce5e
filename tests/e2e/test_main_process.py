"""`python -m bot` with DISCORD_TOKEN set, as a real process: settings from the environment, the index
loaded, the Discord bot connected to the fake server, and stopped with Ctrl-C. Only Discord's two
addresses are changed, by a two-line launcher, since the bot has no setting for them."""
from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ..conftest import CORPUS, ROOT
from .fake_discord import FakeDiscord

TOKEN = "MTIz.right-token.for-the-fake"
LAUNCHER = (
    "import sys, yarl\n"
    "from discord.gateway import DiscordWebSocket\n"
    "from discord.http import Route\n"
    "Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = sys.argv[1], yarl.URL(sys.argv[2])\n"
    "from bot.__main__ import main\n"
    "sys.exit(main([]))\n"
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(token=TOKEN)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def start_bot(fake: FakeDiscord, token: str, index_cache: Path, data: Path, **settings: str
                    ) -> asyncio.subprocess.Process:
    """`python -m bot` against the fake; `settings`: more environment variables (SHARD_IDS="0,1" ...)."""
    env = {**os.environ, "DISCORD_TOKEN": token, "CORPUS_DIR": str(CORPUS), "INDEX_DIR": str(index_cache),
           "DATABASE_PATH": str(data / "bot.db"), "HF_HUB_OFFLINE": "1", "DEV_GUILD_ID": "", "LOG_LEVEL": "INFO",
           **settings}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", LAUNCHER, fake.api_base, fake.gateway_url, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def interrupt(proc: asyncio.subprocess.Process) -> str:
    """Ctrl-C, as a member stopping the bot would; killed if it does not stop. Returns its log."""
    if proc.returncode is None:
        proc.send_signal(signal.SIGINT)
    try:
        _, stderr = await asyncio.wait_for(proc.communicate(), 30)
    except TimeoutError:
        proc.kill()
        _, stderr = await proc.communicate()
    return stderr.decode()


async def test_the_main_command_runs_the_discord_bot_until_ctrl_c(fake, index_cache, tmp_path) -> None:
    proc = await start_bot(fake, TOKEN, index_cache, tmp_path)
    try:
        await fake.wait_for(lambda: fake.command_syncs and fake.connected, timeout=60,
                            description="the bot's command sync and gateway session")
        await fake.settle()
        alice = fake.make_member(name="alice")
        rec = await fake.send_slash_command("ask", {"question": "firehose max buffer interval"}, user=alice)
        await fake.wait_for(lambda: rec.followups and rec.followups[-1].custom_ids, timeout=10,
                            description="the answer")
        assert "1.4 Kinesis data firehose" in rec.followups[0].content
        # The Docker health check sees the connected bot (ready once no more servers arrive, ~2 s).
        await fake.wait_for(lambda: (tmp_path / "heartbeat").exists(), timeout=10, description="the heartbeat")
        health = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "health", cwd=ROOT,
            env={**os.environ, "DATABASE_PATH": str(tmp_path / "bot.db"), "DISCORD_TOKEN": ""})
        assert await health.wait() == 0
    finally:
        log = await interrupt(proc)
    assert proc.returncode == 130, log
    assert "Traceback" not in log
    assert "index loaded: 285 notes" in log
    assert TOKEN not in log  # the secret is never logged
    assert not fake.connected


async def test_a_rejected_token_is_one_clear_line(fake, index_cache, tmp_path) -> None:
    wrong = "MTIz.wrong-token.never-printed"
    proc = await start_bot(fake, wrong, index_cache, tmp_path)
    try:
        _, stderr = await asyncio.wait_for(proc.communicate(), 60)
        log = stderr.decode()
    except TimeoutError:
        log = await interrupt(proc)
    assert proc.returncode == 2, log
    assert "Discord rejected DISCORD_TOKEN: check the bot token in your environment" in log
    assert "Traceback" not in log and wrong not in log
    assert fake.command_syncs == []
