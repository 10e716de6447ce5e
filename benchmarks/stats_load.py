"""/stats and drill selection on a busy server's database.

    python benchmarks/stats_load.py [--members 200] [--attempts 50000] [--samples 200] [--discord 200]

Builds a real SQLite quiz store (in a temporary folder) with the AWS guide's items and MEMBERS members
answering ATTEMPTS questions in all (each answer through QuizStore.record_answer, spread over 60 days,
70 % right), then times, in-process, what /stats does off the event loop for one member (totals, the
member's history, per-section mastery, the PNG chart) and the daily drill's selection (the group's
review cards and answered items read, then quiz.group_drill), over SAMPLES random members. Prints
p50/p99 of each; the issue's targets are /stats p99 <= 300 ms and drill selection <= 100 ms.

With --discord N, the same database is then served by the real StudyBot against the in-repo fake Discord
server (real discord.py, websocket heartbeat every 500 ms): N members send /stats, 20 at once, and the
time from INTERACTION_CREATE to the follow-up carrying the chart is measured, with the heartbeat's lateness.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bot.charts import mastery_png  # noqa: E402
from bot.messages import render_mastery, render_stats  # noqa: E402
from bot.services import Services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from index.chunk import chunk_corpus  # noqa: E402
from quiz.generate import generate_items  # noqa: E402
from quiz.group_drill import ACTIVE_DAYS, group_drill  # noqa: E402
from quiz.mastery import section_mastery  # noqa: E402
from quiz.store import QuizStore  # noqa: E402

GUILD = 1
START = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
HEARTBEAT_MS = 500
AT_ONCE = 20


def fill(store: QuizStore, items: list, guild: int, members: list[int], attempts: int, rng: random.Random) -> None:
    for n in range(attempts):
        member = members[rng.randrange(len(members))]
        item = items[rng.randrange(len(items))]
        when = START + timedelta(minutes=n * 60 * 24 * 60 / attempts)
        right = rng.random() < 0.7
        given = item.answer if right else next(o for o in item.options if o != item.answer)
        store.record_answer(guild, member, item.id, given, right, f"msg:{n}", now=when)


async def stats_over_discord(members: int, attempts: int, count: int, workdir: Path) -> None:
    import asyncio
    import itertools

    from tests.e2e.bot_harness import BotWorld, FakeClock
    from tests.e2e.fake_discord import FakeDiscord, patch_discord

    settings = Settings(corpus_dir=ROOT / "corpus", index_dir=workdir / "index", database_path=workdir / "base.db")
    base = await asyncio.to_thread(Services.load, settings)
    fake = FakeDiscord(heartbeat_interval_ms=HEARTBEAT_MS)
    await fake.start()
    ids = [900_000 + m for m in range(members)]
    with QuizStore(workdir / "bot.db") as store:
        store.sync_items(base.items)
        await asyncio.to_thread(fill, store, base.items, fake.guild_id, ids, attempts, random.Random(12))
    latencies: list[float] = []
    try:
        with patch_discord(fake):
            world = BotWorld(fake, base, workdir / "bot.db", FakeClock(START + timedelta(days=61)))
            async with world.run():
                people = [fake.make_member(user_id=i, name=f"m{i}") for i in ids]
                await fake.wait_for_heartbeats(len(fake.heartbeats) + 2, timeout=10)
                beats_before = len(fake.heartbeats)
                for start in range(0, count, AT_ONCE):
                    batch = [people[n % members] for n in range(start, min(count, start + AT_ONCE))]
                    recs = await asyncio.gather(*(fake.send_slash_command("stats", user=m) for m in batch))
                    charts = await asyncio.gather(*(fake.wait_for(
                        lambda r=r: next((f for f in r.followups if "mastery.png" in f.files), None), timeout=30,
                        description="the chart") for r in recs))
                    latencies += [c.created_at - r.dispatched_at for c, r in zip(charts, recs, strict=True)]
                end = len(fake.heartbeats)
                await fake.wait_for(lambda: len(fake.heartbeats) > end, timeout=5)
                beats = fake.heartbeats[beats_before - 1:]
                late = max(b.at - a.at - b.interval for a, b in itertools.pairwise(beats))
    finally:
        await fake.stop()
        base.close()
    ms = [x * 1000 for x in latencies]
    print(f"/stats over Discord, {len(ms)} members, {AT_ONCE} at once: INTERACTION_CREATE to the chart's "
          f"follow-up p50 {statistics.median(ms):.0f} ms, p99 {percentile(ms, 0.99):.0f} ms (target p99 <= 300 ms); "
          f"heartbeat at most {late * 1000:.0f} ms late (interval {HEARTBEAT_MS} ms)")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--attempts", type=int, default=50_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--discord", type=int, default=0, help="members sending /stats to the bot over the fake")
    args = parser.parse_args()
    rng = random.Random(11)
    items = generate_items([c for c in chunk_corpus(ROOT / "corpus") if c.guide.startswith("aws")])
    with tempfile.TemporaryDirectory() as tmp, QuizStore(Path(tmp) / "bot.db") as store:
        store.sync_items(items)
        started = time.perf_counter()
        fill(store, items, GUILD, list(range(args.members)), args.attempts, rng)
        filled = time.perf_counter() - started
        now = START + timedelta(days=61)

        def stats_for(member: int) -> None:
            stats = store.stats(GUILD, member, now)
            rows = section_mastery(items, store.member_history(GUILD, member), now)
            render_stats(str(member), stats) + render_mastery(rows)
            mastery_png(rows)

        stats_ms, drill_ms = [], []
        for _ in range(args.samples):
            member = rng.randrange(args.members)
            t = time.perf_counter()
            stats_for(member)
            stats_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            group_drill(items, store.group_recall(GUILD, now - timedelta(days=ACTIVE_DAYS), now),
                        store.answered_item_ids(GUILD), 5, 2, rng.randrange(1 << 20))
            drill_ms.append((time.perf_counter() - t) * 1000)
    print(f"{args.members} members, {args.attempts} attempts on {len(items)} items (filled in {filled:.0f} s)")
    print(f"/stats work (totals, history, mastery, chart): p50 {statistics.median(stats_ms):.1f} ms, "
          f"p99 {percentile(stats_ms, 0.99):.1f} ms over {args.samples} members (target p99 <= 300 ms)")
    print(f"drill selection (group drill for the server): p50 {statistics.median(drill_ms):.1f} ms, "
          f"p99 {percentile(drill_ms, 0.99):.1f} ms (target <= 100 ms)")
    if args.discord:
        import asyncio

        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(stats_over_discord(args.members, args.attempts, args.discord, Path(tmp)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
