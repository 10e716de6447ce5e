"""200 members answering the daily drills of 30 servers at once: two bot processes of two shards each (of 4)
on one real PostgreSQL, and the same script against one process on SQLite, side by side.

    python benchmarks/shard_clicks.py [--members 200] [--rounds 3] [--index-dir DIR]

Each setup: 30 servers' drills due; the processes post them; then each round MEMBERS new members click a
drill answer at once, member i in server i % 30 (its click reaches the process holding that server's
shard), the option by i // 30. Prints per setup: clicks, answers recorded (each member's totals read back:
every click exactly once), INTERACTION_CREATE to the reveal p50/p99, how late a heartbeat came on any
shard's gateway connection during the clicks and whether one had to reconnect. Then whether every member's
score (answered, correct, streak) and every server's leaderboard are identical in both setups. The fake
Discord runs in this process; the bots in their own (`python -m bot`, as deployed).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.discord_load import percentile  # noqa: E402
from benchmarks.shard_drills import embedded_postgres_server, index_once  # noqa: E402
from quiz.records import MemberStats  # noqa: E402
from quiz.store import QuizStore  # noqa: E402
from tests.e2e.fake_discord import FakeDiscord  # noqa: E402
from tests.e2e.test_main_process import TOKEN, interrupt, start_bot  # noqa: E402
from tests.e2e.test_shards import drill_message, drill_posts, make_drills_due, start  # noqa: E402

SERVERS = [(n << 22) | 7 for n in range(1, 31)]  # 30 servers, shard n % 4
HEARTBEAT_MS = 500


@dataclass(frozen=True)
class Outcome:
    line: str
    scores: dict[tuple[int, int, int], MemberStats]  # (round, member index, server) -> that member's stats
    boards: dict[int, list[tuple[int, int, int, int]]]  # server -> (round, member index, right, answered)


async def one_setup(index_dir: Path, target: str, work: Path, members: int, rounds: int) -> Outcome:
    sharded = target.startswith("postgresql://")
    fake = FakeDiscord(token=TOKEN, heartbeat_interval_ms=HEARTBEAT_MS, send_limit=10_000, global_limit=10_000)
    await fake.start()
    procs = []
    try:
        study = int(fake.channel_by_name("study")["id"])
        make_drills_due(target, study, SERVERS)
        if sharded:
            procs = [await start(fake, index_dir, work / "a", target, "0,1"),
                     await start(fake, index_dir, work / "b", target, "2,3")]
        else:
            procs = [await start_bot(fake, TOKEN, index_dir, work, DATABASE_PATH=target, DRILL_CHECK_SECONDS="0.2")]
        await fake.wait_for(lambda: len(set(drill_posts(fake, study))) >= len(SERVERS), timeout=180,
                            description="every drill")
        day = datetime.now(UTC).date()
        with QuizStore(target) as store:
            drills = [store.drill_for_day(g, day) for g in SERVERS]
        posted = [(d, drill_message(fake, d.id)) for d in drills if d]
        assert len(posted) == len(SERVERS)
        reveals: list[float] = []
        round_p99: list[float] = []
        late = 0.0
        people = []
        sessions = len(fake.identifies)
        for n in range(rounds):
            crowd = [fake.make_member(name=f"r{n}m{i}") for i in range(members)]
            people.append(crowd)
            await asyncio.sleep(1.2)  # a quiet heartbeat or two first
            began = fake.heartbeats[-1].at if fake.heartbeats else 0.0
            clicks = []
            for i, member in enumerate(crowd):
                drill, message = posted[i % len(SERVERS)]
                buttons = [c for c in message.custom_ids if c.startswith(f"sgb:drill:{drill.id}:0:")]
                choice = (i // len(SERVERS)) % 4
                clicks.append(fake.click_button(message, buttons[choice % len(buttons)],
                                                user=member, guild_id=drill.guild_id))
            recs = await asyncio.gather(*clicks)
            await fake.wait_for(lambda recs=recs: all(r.followups for r in recs), timeout=60,
                                description="every reveal")
            ended = max(r.followups[0].created_at for r in recs)
            reveals += [r.followups[0].created_at - r.dispatched_at for r in recs]
            round_p99.append(percentile(reveals[-len(recs):], 0.99) * 1000)
            await asyncio.sleep(1.2)  # the heartbeats that were due during the clicks
            late = max(late, fake.max_heartbeat_lateness(since=began, until=ended))
        sessions = len(fake.identifies) - sessions  # a connection dropped under the load would IDENTIFY again
    finally:
        for proc in procs:
            await interrupt(proc)
        await fake.stop()
    scores: dict[tuple[int, int, int], MemberStats] = {}
    boards: dict[int, list[tuple[int, int, int, int]]] = {}
    index_of = {int(m["user"]["id"]): (n, i) for n, crowd in enumerate(people) for i, m in enumerate(crowd)}
    with QuizStore(target) as store:
        now = datetime.now(UTC)
        for n, crowd in enumerate(people):
            for i, member in enumerate(crowd):
                guild = SERVERS[i % len(SERVERS)]
                scores[(n, i, guild)] = store.stats(guild, int(member["user"]["id"]), now)
        for guild in SERVERS:
            boards[guild] = [(*index_of[row.user_id], row.correct, row.answered)
                             for row in store.leaderboard(guild, 10, now)]
    recorded = sum(s.answered for s in scores.values())
    ms = [x * 1000 for x in reveals]
    line = (f"{'2 processes, PostgreSQL' if sharded else '1 process, SQLite':24}: {len(ms)} clicks, {recorded} "
            f"answers recorded; reveal p50 {statistics.median(ms):.0f} / p99 {percentile(ms, 0.99):.0f} ms "
            f"(target p99 <= 300 ms; by round {' / '.join(f'{x:.0f}' for x in round_p99)}); heartbeat at most "
            f"{late * 1000:.0f} ms late, {sessions} new gateway sessions")
    return Outcome(line, scores, boards)


async def main_async(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        index_dir = index_once(work, args.index_dir)
        with embedded_postgres_server(work) as new_database:
            sharded = await one_setup(index_dir, new_database("clicks"), work / "pg-run", args.members,
                                      args.rounds)
            print(sharded.line, flush=True)
        single = await one_setup(index_dir, str(work / "single" / "bot.db"), work / "single", args.members,
                                 args.rounds)
        print(single.line, flush=True)
        differ = [k for k in sharded.scores if sharded.scores[k] != single.scores.get(k)]
        boards = [g for g in SERVERS if sharded.boards[g] != single.boards[g]]
        print(f"scores identical: {not differ} ({len(sharded.scores)} members, {len(differ)} differ); "
              f"leaderboards identical: {not boards} ({len(SERVERS)} servers, {len(boards)} differ)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--index-dir", type=Path, default=None, help="an index cache already built")
    asyncio.run(main_async(parser.parse_args()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
