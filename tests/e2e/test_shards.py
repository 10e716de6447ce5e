"""Several bot processes on Discord shards, sharing one real PostgreSQL: each server's daily drill is
posted once, by the process holding its shard, also when a process is killed -9 mid-run and another
takes its shards over; only the process with shard 0 pushes the slash commands.

The fake Discord has one real server; the 16 "servers" of the drills are ids spread over the shards
((id >> 22) % 4), whose drill channel is a channel of that server.
"""
from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest

from quiz.records import GuildConfig
from quiz.store import QuizStore

from .fake_discord import BotMessage, FakeDiscord
from .test_main_process import TOKEN, interrupt, start_bot

SHARDS = 4
SERVERS = [(n << 22) | 7 for n in range(1, 17)]  # shard n % 4 (benchmarks/shard_drills.py runs 30)


@pytest.fixture
async def fake():
    # Discord's per-channel send limit, tighter: the drills trickle out, so a kill lands mid-run.
    server = FakeDiscord(token=TOKEN, send_limit=2, send_window=1.0, global_limit=1000)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def start(fake: FakeDiscord, index_cache: Path, data: Path, url: str, shard_ids: str
                ) -> asyncio.subprocess.Process:
    return await start_bot(fake, TOKEN, index_cache, data, DATABASE_URL=url, SHARD_COUNT=str(SHARDS),
                           SHARD_IDS=shard_ids, SHARD_LEASE_SECONDS="2", DRILL_CHECK_SECONDS="0.2")


def make_drills_due(url: str, channel_id: int, servers: list[int]) -> None:
    """Each server's daily drill, of one question, due since midnight UTC, in that channel."""
    with QuizStore(url) as store:
        for guild in servers:
            store.set_config(GuildConfig(guild, drill_channel_id=channel_id, drill_time="00:00", drill_count=1))


def drill_message(fake: FakeDiscord, drill_id: int) -> BotMessage:
    """The message of a drill (its buttons carry the drill's id)."""
    prefix = f"sgb:drill:{drill_id}:"
    return next(m for m in fake.bot_messages if any(c.startswith(prefix) for c in m.custom_ids))


def drill_posts(fake: FakeDiscord, channel_id: int) -> list[str]:
    """The drill id of each drill message in the channel (its buttons say which)."""
    return [next(c for c in m.custom_ids if c.startswith("sgb:drill:")).split(":")[2]
            for m in fake.bot_messages
            if m.channel_id == channel_id and any(c.startswith("sgb:drill:") for c in m.custom_ids)]


@pytest.mark.e2e
async def test_two_shard_processes_post_each_drill_once_across_a_kill(fake, index_cache, tmp_path,
                                                                      postgres_url) -> None:
    study = int(fake.channel_by_name("study")["id"])
    make_drills_due(postgres_url, study, SERVERS)
    first = await start(fake, index_cache, tmp_path / "a", postgres_url, "0,1")
    second = await start(fake, index_cache, tmp_path / "b", postgres_url, "2,3")
    logs = []
    try:
        # kill -9 the first process as soon as the drills start coming
        await fake.wait_for(lambda: len(drill_posts(fake, study)) >= 3, timeout=90, description="first drills")
        first.send_signal(signal.SIGKILL)
        await first.wait()
        killed_at = datetime.now(UTC)
        takeover = await start(fake, index_cache, tmp_path / "a", postgres_url, "0,1")  # waits out the lease
        # meanwhile, a process started by mistake with the shards of the live second one
        duplicate = await start(fake, index_cache, tmp_path / "c", postgres_url, "2,3")
        try:
            # sent and marked: a drill sent just before the kill is found by the takeover (its nonce makes
            # the re-send the same message) and marked then
            with QuizStore(postgres_url) as watch:
                for _ in range(450):
                    if all(d is not None and d.posted for d in (watch.drill_for_day(g, killed_at.date())
                                                                 for g in SERVERS)):
                        break
                    await asyncio.sleep(0.2)
            await asyncio.sleep(1.0)  # a second post would come within a few scheduler ticks
            _, said = await asyncio.wait_for(duplicate.communicate(), 60)  # it stops with one line
            assert duplicate.returncode == 2, said.decode()
            assert ("error: shard(s) 2, 3 of 4 are run by another process" in said.decode()
                    and "give each process its own SHARD_IDS" in said.decode() and "Traceback" not in said.decode())
            # members answer the drills of servers on both processes' shards: each click reaches the process
            # holding its server, is revealed, and counts once, in that server only
            with QuizStore(postgres_url) as watch:
                picked = [watch.drill_for_day(g, killed_at.date()) for g in (SERVERS[1], SERVERS[2])]  # shards 2, 3
                picked.append(watch.drill_for_day(SERVERS[3], killed_at.date()))  # shard 0: the takeover's
            members = [fake.make_member(name=f"m{n}") for n in range(len(picked))]
            clicks = [await fake.click_button(drill_message(fake, d.id), f"sgb:drill:{d.id}:0:0", user=m,
                                              guild_id=d.guild_id) for d, m in zip(picked, members, strict=True) if d]
            await fake.wait_for(lambda: all(c.followups for c in clicks), timeout=20, description="the reveals")
            assert all(c.followups[0].content.startswith("**Q1**") for c in clicks), [c.followups for c in clicks]
        finally:
            logs.append(await interrupt(takeover))
    finally:
        logs.append(await interrupt(second))
    posts = drill_posts(fake, study)
    assert len(posts) == len(set(posts)) == len(SERVERS), posts  # one message per drill, no second one
    with QuizStore(postgres_url) as store:
        drills = {guild: store.drill_for_day(guild, killed_at.date()) for guild in SERVERS}
    assert all(d is not None and d.posted for d in drills.values())
    assert sorted(str(d.id) for d in drills.values() if d) == sorted(posts)
    taken_over = [g for g, d in drills.items() if (g >> 22) % SHARDS in (0, 1) and d and d.posted_at
                  and d.posted_at > killed_at]
    assert taken_over, "the kill landed after the first process had posted all its drills"
    # only processes holding shard 0 pushed the slash commands (the first one, once)
    assert len(fake.command_syncs) == 1
    shards_identified = sorted(tuple(i["shard"]) for i in fake.identifies)
    assert shards_identified.count((2, 4)) == 1 and shards_identified.count((0, 4)) == 2  # not the duplicate
    assert all("Traceback" not in log for log in logs), logs
    with QuizStore(postgres_url) as store:
        for drill, member in zip(picked, members, strict=True):
            assert drill is not None
            uid = int(member["user"]["id"])
            assert store.stats(drill.guild_id, uid).answered == 1
            assert store.stats(SERVERS[0], uid).answered == 0

