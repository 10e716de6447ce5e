"""/stats and drill selection on a busy server's database.

    python benchmarks/stats_load.py [--members 200] [--attempts 50000] [--samples 200]

Builds a real SQLite quiz store (in a temporary folder) with the AWS guide's items and MEMBERS members
answering ATTEMPTS questions in all (each answer through QuizStore.record_answer, spread over 60 days,
70 % right), then times, in-process, what /stats does off the event loop for one member (totals, the
member's history, per-section mastery, the PNG chart) and the daily drill's selection (the group's
review cards and answered items read, then quiz.group_drill), over SAMPLES random members. Prints
p50/p99 of each; the issue's targets are /stats p99 <= 300 ms and drill selection <= 100 ms.
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
from index.chunk import chunk_corpus  # noqa: E402
from quiz.generate import generate_items  # noqa: E402
from quiz.group_drill import ACTIVE_DAYS, group_drill  # noqa: E402
from quiz.mastery import section_mastery  # noqa: E402
from quiz.store import QuizStore  # noqa: E402

GUILD = 1
START = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--attempts", type=int, default=50_000)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(11)
    items = generate_items([c for c in chunk_corpus(ROOT / "corpus") if c.guide.startswith("aws")])
    with tempfile.TemporaryDirectory() as tmp, QuizStore(Path(tmp) / "bot.db") as store:
        store.sync_items(items)
        started = time.perf_counter()
        for n in range(args.attempts):
            member = rng.randrange(args.members)
            item = items[rng.randrange(len(items))]
            when = START + timedelta(minutes=n * 60 * 24 * 60 / args.attempts)
            right = rng.random() < 0.7
            given = item.answer if right else next(o for o in item.options if o != item.answer)
            store.record_answer(GUILD, member, item.id, given, right, f"msg:{n}", now=when)
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
