"""Which process runs which shard: a lease in the shared database, claimed before connecting, renewed while
running. Discord itself lets two processes identify on the same shard, and both would then answer every
member of its servers; the lease makes the second one stop with one line, while a process taking a
killed one's shards over waits for the lapsed lease instead."""
from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from collections.abc import Callable

from bot.settings import Settings
from quiz.store import QuizStore

log = logging.getLogger(__name__)


class ShardLeaseError(RuntimeError):
    """Another live process runs these shards; the message says which and what to do."""


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def my_shards(settings: Settings) -> list[int]:
    count = settings.shard_count or 1
    return list(settings.shard_ids or range(count))


def claim_shards(store: QuizStore, settings: Settings, holder: str, *, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep) -> None:
    """Claim this process's shards, waiting up to two lease periods for a killed holder's lease to lapse."""
    count, lease = settings.shard_count or 1, settings.shard_lease_seconds
    ids = my_shards(settings)
    deadline = clock() + 2 * lease
    waited = False
    while held := store.claim_shards(count, ids, holder, clock(), lease):
        shards = ", ".join(str(h.shard_id) for h in held)
        age = clock() - max(h.renewed_at for h in held)
        if clock() >= deadline:
            raise ShardLeaseError(
                f"shard(s) {shards} of {count} are run by another process ({held[0].holder}, lease renewed "
                f"{age:.0f} s ago): give each process its own SHARD_IDS")
        if not waited:
            log.warning("shard(s) %s of %d were run by %s until %.0f s ago; waiting for its lease to lapse "
                        "(SHARD_LEASE_SECONDS=%g)", shards, count, held[0].holder, age, lease)
            waited = True
        sleep(min(1.0, lease / 4))
    log.info("running shard(s) %s of %d as %s", ", ".join(map(str, ids)), count, holder)
