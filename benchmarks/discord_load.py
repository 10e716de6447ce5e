"""Many members asking at once: the real StudyBot (real index, model and SQLite) against the in-repo fake
Discord server (real discord.py over HTTP and a websocket gateway on 127.0.0.1).

    python benchmarks/discord_load.py [--members 50] [--rounds 5] [--workdir DIR]

Each round, MEMBERS members send /ask at once (distinct questions from eval/questions.jsonl) while one
member answers a quiz button. Prints per round and overall: time from INTERACTION_CREATE to the
interaction callback (p50/p99), time until all answers are posted, how late the gateway heartbeat was
(interval 500 ms), the quiz click's latency, and the longest full garbage collection seen.
Without --workdir the index is built in a temporary folder first (the bot process then also holds
torch, as after a first start that built the index).
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bot.services import Services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.e2e.bot_harness import BotWorld, FakeClock  # noqa: E402
from tests.e2e.fake_discord import FakeDiscord, patch_discord  # noqa: E402

HEARTBEAT_MS = 500


class FullCollections:
    """Durations of generation-2 garbage collections (they stop the event loop)."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._started = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append(time.perf_counter() - self._started)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def burst(world: BotWorld, questions: list[str], round_no: int) -> dict:
    fake = world.fake
    members = [fake.make_member(name=f"r{round_no}m{i}") for i in range(len(questions))]
    for _ in range(50):  # draws are random: one with answer buttons
        quiz = await world.respond(await fake.send_slash_command("quiz", user=members[0]))
        buttons = [c for c in quiz.custom_ids if c.startswith("sgb:quiz:")]
        if buttons:
            break
    await fake.wait_for_heartbeats(len(fake.heartbeats) + 2, timeout=10)
    beats_before = len(fake.heartbeats)
    started = time.perf_counter()
    recs = await asyncio.gather(*(fake.send_slash_command("ask", {"question": q}, user=m)
                                  for q, m in zip(questions, members, strict=True)))
    await asyncio.sleep(0.2)
    click = await fake.click_button(quiz, buttons[0], user=members[1])
    await click.wait_response(10)
    await fake.wait_for(lambda: all(r.followups and r.followups[-1].custom_ids for r in recs), timeout=60,
                        description="all answers")
    done = time.perf_counter() - started
    beats_at_end = len(fake.heartbeats)
    await fake.wait_for(lambda: len(fake.heartbeats) > beats_at_end, timeout=5)
    beats = fake.heartbeats[beats_before - 1:]
    return {
        "latencies": [r.latency for r in recs],
        "done": done,
        "late": max(b.at - a.at - b.interval for a, b in itertools.pairwise(beats)),
        "click": click.latency,
    }


async def run(args: argparse.Namespace, workdir: Path) -> None:
    settings = Settings(corpus_dir=ROOT / "corpus", index_dir=workdir / "index", database_path=workdir / "base.db")
    started = time.perf_counter()
    base = await asyncio.to_thread(Services.load, settings)
    print(f"services loaded in {time.perf_counter() - started:.1f} s "
          f"({base.index.manifest.chunk_count} notes, {len(base.items)} quiz items)")
    lines = (ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    pool = list(dict.fromkeys(json.loads(line)["question"] for line in lines))
    collections = FullCollections()
    gc.callbacks.append(collections)
    fake = FakeDiscord(heartbeat_interval_ms=HEARTBEAT_MS)
    await fake.start()
    rounds = []
    try:
        with patch_discord(fake):
            world = BotWorld(fake, base, workdir / "bot.db", FakeClock(datetime.now(UTC)))
            async with world.run():
                print(f"objects tracked by the GC: {len(gc.get_objects()):,}; frozen at bot start: "
                      f"{gc.get_freeze_count():,}")
                for n in range(args.rounds):
                    start = n * args.members % max(1, len(pool) - args.members)
                    result = await burst(world, pool[start:start + args.members], n)
                    rounds.append(result)
                    lat = result["latencies"]
                    print(f"round {n + 1}: callback p50 {statistics.median(lat) * 1000:.0f} ms, "
                          f"p99 {percentile(lat, 0.99) * 1000:.0f} ms; all {len(lat)} answered in "
                          f"{result['done']:.2f} s; heartbeat at most {result['late'] * 1000:.0f} ms late; "
                          f"quiz click {result['click'] * 1000:.0f} ms")
    finally:
        gc.callbacks.remove(collections)
        await fake.stop()
        base.close()
    lat = [x for r in rounds for x in r["latencies"]]
    print(f"\nall {len(lat)} /ask: callback p50 {statistics.median(lat) * 1000:.0f} ms, "
          f"p99 {percentile(lat, 0.99) * 1000:.0f} ms, max {max(lat) * 1000:.0f} ms (target p99 <= 300 ms)")
    print(f"heartbeat: at most {max(r['late'] for r in rounds) * 1000:.0f} ms late "
          f"(interval {HEARTBEAT_MS} ms)")
    pauses = collections.pauses
    print(f"full garbage collections during the run: {len(pauses)}, longest "
          f"{max(pauses, default=0) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=None, help="keeps the index between runs")
    args = parser.parse_args()
    run_in_workdir(run, args)


def run_in_workdir(run: Callable[[argparse.Namespace, Path], Coroutine[Any, Any, None]],
                   args: argparse.Namespace) -> None:
    """`run(args, folder)` in --workdir (kept, with its index, for the next run) or a temporary folder."""
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
        asyncio.run(run(args, args.workdir))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(run(args, Path(tmp)))


if __name__ == "__main__":
    main()
