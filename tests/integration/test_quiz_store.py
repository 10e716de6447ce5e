"""QuizStore on a real SQLite file (tmp_path): exactly-once answers, restarts, retirement, drills, errors."""
from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from quiz.item import QuizItem
from quiz.records import GuildConfig, StoreError
from quiz.store import QuizStore, drill_nonce

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
GUILD, OTHER_GUILD, ALICE, BOB = 1111, 2222, 10, 20


def make_item(n: int, chunk: str = "") -> QuizItem:
    return QuizItem.create(
        chunk_id=chunk or f"chunk{n}",
        kind="which",
        question=f"Which one is number {n}?",
        options=(f"A{n}", f"B{n}", f"C{n}"),
        answer=f"A{n}",
        explanation=f"Note {n}: A{n} is the one.",
        section="1.1 Things",
        difficulty=0.5,
        topic_path=("1. Stuff", "1.1 Things"),
    )


ITEMS = [make_item(n) for n in range(6)]


@pytest.fixture
def store(store_target: Path | str) -> Iterator[QuizStore]:
    """A store on SQLite, then on PostgreSQL: every test that takes it runs on both."""
    with QuizStore(store_target) as s:
        s.sync_items(ITEMS, now=NOW)
        yield s


# --- opening ---------------------------------------------------------------------------------------


def test_missing_db_and_folder_are_created(tmp_path: Path) -> None:
    path = tmp_path / "data" / "nested" / "quiz.db"
    with QuizStore(path) as s:
        assert s.schema_version == 8
        assert s.active_items() == []
    assert path.exists()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(v,) for v in range(1, 9)]


def test_reopening_does_not_migrate_twice(tmp_path: Path) -> None:
    QuizStore(tmp_path / "q.db").close()
    with QuizStore(tmp_path / "q.db") as s:
        assert s.schema_version == 8
    with sqlite3.connect(tmp_path / "q.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == 8


def test_unwritable_path_raises_store_error_with_message(tmp_path: Path) -> None:
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(StoreError, match="cannot create its folder"):
        QuizStore(blocker / "quiz.db")


def test_a_folder_in_place_of_the_file_raises_store_error(tmp_path: Path) -> None:
    (tmp_path / "quiz.db").mkdir()
    with pytest.raises(StoreError, match="quiz.db"):
        QuizStore(tmp_path / "quiz.db")


def test_corrupt_db_raises_store_error_with_message(tmp_path: Path) -> None:
    path = tmp_path / "quiz.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a valid SQLite database"):
        QuizStore(path)


def test_locked_db_raises_store_error_with_message(tmp_path: Path) -> None:
    path = tmp_path / "quiz.db"
    QuizStore(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked by another process"):
            QuizStore(path, timeout=0.05)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# --- items -----------------------------------------------------------------------------------------


def test_sync_adds_then_retires_items_no_longer_produced(store: QuizStore) -> None:
    assert [i.id for i in store.active_items()] == [i.id for i in ITEMS]
    changed = make_item(99)
    result = store.sync_items([*ITEMS[:4], changed], now=NOW + timedelta(days=1))
    assert (result.added, result.retired, result.active) == (1, 2, 5)
    assert {i.id for i in store.active_items()} == {*(i.id for i in ITEMS[:4]), changed.id}
    gone = store.get_item(ITEMS[5].id)
    assert gone is not None and gone.retired  # still readable, flagged
    assert store.get_item(ITEMS[0].id) == ITEMS[0]
    assert store.get_item("nope") is None
    # an item produced again comes back
    again = store.sync_items(ITEMS, now=NOW + timedelta(days=2))
    assert (again.added, again.retired) == (0, 1)
    assert not store.get_item(ITEMS[5].id).retired


def test_retired_items_are_never_served(store: QuizStore) -> None:
    for item in ITEMS:
        store.record_answer(GUILD, ALICE, item.id, "B", False, "ctx", now=NOW)
    later = NOW + timedelta(days=1)
    assert len(store.due_items(GUILD, ALICE, now=later, limit=10)) == 6
    store.sync_items(ITEMS[:2], now=later)
    assert {i.id for i in store.due_items(GUILD, ALICE, now=later, limit=10)} == {ITEMS[0].id, ITEMS[1].id}
    assert all(not i.retired for i in store.drill_mix(GUILD, ALICE, later, 10, seed=1))
    assert {r.item_id for r in store.group_recall(GUILD, NOW, later)} <= {ITEMS[0].id, ITEMS[1].id}
    assert store.stats(GUILD, ALICE, now=later).due_count == 2
    # old attempts still refer to the retired items
    assert store.record_answer(GUILD, ALICE, ITEMS[5].id, "A", True, "ctx", now=later).recorded is False


# --- answers ---------------------------------------------------------------------------------------


def test_answer_is_recorded_exactly_once_per_context(store: QuizStore) -> None:
    item = ITEMS[0]
    first = store.record_answer(GUILD, ALICE, item.id, "B0", False, "msg-1", now=NOW)
    assert first.recorded and not first.correct and first.answered == 1
    again = store.record_answer(GUILD, ALICE, item.id, "A0", True, "msg-1", now=NOW + timedelta(seconds=1))
    assert not again.recorded
    assert not again.correct and again.first_attempt_answer == "B0"  # the FIRST verdict stands
    stats = store.stats(GUILD, ALICE, now=NOW)
    assert (stats.answered, stats.correct) == (1, 0)
    # another message, another member: separate attempts (the same day, only the first one scores)
    assert store.record_answer(GUILD, ALICE, item.id, "A0", True, "msg-2", now=NOW).recorded
    assert store.record_answer(GUILD, BOB, item.id, "A0", True, "msg-1", now=NOW).recorded
    assert store.stats(GUILD, ALICE, now=NOW).answered == 1 and store.stats(GUILD, BOB, now=NOW).answered == 1


def test_concurrent_double_clicks_record_once(store: QuizStore) -> None:
    results = []

    def click() -> None:
        results.append(store.record_answer(GUILD, ALICE, ITEMS[1].id, "A1", True, "msg-9", now=NOW))

    threads = [threading.Thread(target=click) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.recorded for r in results) == 1
    assert store.stats(GUILD, ALICE, now=NOW).answered == 1


def test_unknown_item_is_a_store_error(store: QuizStore) -> None:
    with pytest.raises(StoreError, match="sync the items first"):
        store.record_answer(GUILD, ALICE, "no-such-item", "x", True, "msg", now=NOW)


def test_streak_counts_consecutive_days(store: QuizStore) -> None:
    answers = [(ITEMS[0], 0), (ITEMS[1], 0), (ITEMS[2], 1), (ITEMS[3], 2)]  # two on day 0, then days 1, 2
    for item, offset in answers:
        result = store.record_answer(GUILD, ALICE, item.id, "A", True, "m", now=NOW + timedelta(days=offset))
    assert result.streak == 3
    assert store.stats(GUILD, ALICE, now=NOW + timedelta(days=3)).streak == 3  # yesterday: still alive
    assert store.stats(GUILD, ALICE, now=NOW + timedelta(days=4)).streak == 0  # a day missed
    gap = store.record_answer(GUILD, ALICE, ITEMS[4].id, "A", True, "late", now=NOW + timedelta(days=5))
    assert (gap.streak, gap.best_streak) == (1, 3)


def test_streak_can_follow_the_members_local_day(store: QuizStore) -> None:
    late_evening = datetime(2025, 3, 1, 23, 30, tzinfo=UTC)
    store.record_answer(GUILD, ALICE, ITEMS[0].id, "A", True, "a", now=late_evening, day=date(2025, 3, 2))
    an_hour_later = late_evening + timedelta(hours=1)
    nxt = store.record_answer(GUILD, ALICE, ITEMS[1].id, "A", True, "b", now=an_hour_later,
                              day=date(2025, 3, 3))
    assert nxt.streak == 2


def test_answers_schedule_reviews(store: QuizStore) -> None:
    right = store.record_answer(GUILD, ALICE, ITEMS[0].id, "A0", True, "m", now=NOW)
    wrong = store.record_answer(GUILD, ALICE, ITEMS[1].id, "B1", False, "m", now=NOW)
    assert right.next_due - NOW >= timedelta(days=1)
    assert wrong.next_due - NOW <= timedelta(hours=1)
    soon = NOW + timedelta(hours=2)
    assert [i.id for i in store.due_items(GUILD, ALICE, now=soon, limit=5)] == [ITEMS[1].id]
    assert store.due_items(GUILD, BOB, now=soon, limit=5) == []
    assert store.due_items(OTHER_GUILD, ALICE, now=soon, limit=5) == []


def test_leaderboard_is_per_server(store: QuizStore) -> None:
    store.record_answer(GUILD, ALICE, ITEMS[0].id, "A", True, "m1", now=NOW)
    store.record_answer(GUILD, ALICE, ITEMS[1].id, "A", True, "m1", now=NOW)
    store.record_answer(GUILD, BOB, ITEMS[0].id, "A", True, "m1", now=NOW)
    store.record_answer(GUILD, BOB, ITEMS[1].id, "B", False, "m1", now=NOW)
    store.record_answer(OTHER_GUILD, BOB, ITEMS[2].id, "A", True, "m2", now=NOW)
    board = store.leaderboard(GUILD, limit=10, now=NOW)
    assert [(r.rank, r.user_id, r.correct, r.answered) for r in board] == [(1, ALICE, 2, 2), (2, BOB, 1, 2)]
    assert [r.user_id for r in store.leaderboard(OTHER_GUILD, 10, now=NOW)] == [BOB]
    assert store.leaderboard(GUILD, limit=1, now=NOW)[0].user_id == ALICE


def test_drill_mix_puts_due_items_first_then_new_ones(store: QuizStore) -> None:
    store.record_answer(GUILD, ALICE, ITEMS[3].id, "B", False, "m", now=NOW)
    later = NOW + timedelta(hours=1)
    mix = store.drill_mix(GUILD, ALICE, later, 4, seed=7)
    assert mix[0].id == ITEMS[3].id
    assert len(mix) == 4 and len({i.id for i in mix}) == 4
    assert mix == store.drill_mix(GUILD, ALICE, later, 4, seed=7)  # the seed fixes the choice
    assert len(store.drill_mix(GUILD, ALICE, later, 50, seed=1)) == 6  # no more than there are


# --- restart ---------------------------------------------------------------------------------------


def test_everything_persists_across_a_restart(store_target: Path | str) -> None:
    path = store_target
    s = QuizStore(path)
    s.sync_items(ITEMS, now=NOW)
    s.record_answer(GUILD, ALICE, ITEMS[0].id, "B0", False, "msg-1", now=NOW)
    drill = s.claim_drill(GUILD, date(2025, 3, 1), [ITEMS[1].id], now=NOW)
    s.set_config(GuildConfig(GUILD, drill_channel_id=55, drill_time="07:30", timezone="Europe/Paris"))
    s.record_feedback(GUILD, BOB, "what is pipe mode?", ["c1"], True, message_id=777, now=NOW)
    s.close()  # the process dies here

    with QuizStore(path) as s2:
        assert [i.id for i in s2.active_items()] == [i.id for i in ITEMS]
        retry = s2.record_answer(GUILD, ALICE, ITEMS[0].id, "A0", True, "msg-1", now=NOW)
        assert not retry.recorded and retry.first_attempt_answer == "B0"
        assert s2.stats(GUILD, ALICE, now=NOW).answered == 1
        assert s2.claim_drill(GUILD, date(2025, 3, 1), [ITEMS[2].id]) is None
        assert s2.unposted_drills() == [drill]
        assert s2.get_config(GUILD).drill_time == "07:30"
        assert s2.record_feedback(GUILD, BOB, "what is pipe mode?", ["c1"], False, 777).not_helpful == 1


# --- drills, config, feedback ----------------------------------------------------------------------


def test_drill_is_claimed_once_per_server_and_day(store: QuizStore) -> None:
    day = date(2025, 3, 1)
    drill = store.claim_drill(GUILD, day, [ITEMS[0].id, ITEMS[1].id], now=NOW)
    assert drill is not None and not drill.posted
    assert drill.item_ids == (ITEMS[0].id, ITEMS[1].id)
    assert len(drill.nonce) <= 25 and drill.nonce == drill_nonce(GUILD, day)
    assert store.claim_drill(GUILD, day, [ITEMS[2].id], now=NOW) is None
    assert store.claim_drill(OTHER_GUILD, day, [ITEMS[2].id], now=NOW) is not None
    assert store.claim_drill(GUILD, day + timedelta(days=1), [ITEMS[2].id], now=NOW) is not None
    assert drill_nonce(GUILD, day) != drill_nonce(GUILD, day + timedelta(days=1))
    assert {d.guild_id for d in store.unposted_drills()} == {GUILD, OTHER_GUILD}

    posted = store.mark_drill_posted(drill.id, channel_id=55, message_id=999, now=NOW)
    assert posted.posted and posted.message_id == 999 and posted.channel_id == 55
    assert store.drill_for_day(GUILD, day) == posted
    assert drill.id not in {d.id for d in store.unposted_drills()}
    assert store.drill_for_day(GUILD, date(2030, 1, 1)) is None
    with pytest.raises(StoreError, match="no drill"):
        store.mark_drill_posted(12345, 1, 2)


def test_concurrent_claims_give_one_drill(store: QuizStore) -> None:
    got = []
    threads = [threading.Thread(target=lambda: got.append(store.claim_drill(GUILD, date(2025, 5, 5), ["x"])))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(d is not None for d in got) == 1


def test_config_defaults_validation_and_round_trip(store: QuizStore) -> None:
    assert store.get_config(GUILD) == GuildConfig(GUILD)
    config = GuildConfig(GUILD, drill_channel_id=42, drill_time="18:05", timezone="America/New_York",
                         drill_count=4, paused=True, qa_channel_ids=(1, 2, 3))
    store.set_config(config)
    assert store.get_config(GUILD) == config
    assert store.configs() == [config]
    for bad in ({"drill_time": "25:00"}, {"drill_time": "9am"}, {"timezone": "Mars/Olympus"},
                {"drill_count": 0}, {"drill_count": 6}):
        with pytest.raises(ValueError):
            GuildConfig(GUILD, **bad)


def test_feedback_is_one_changeable_vote_per_member(store: QuizStore) -> None:
    tally = store.record_feedback(GUILD, ALICE, "q", ["c1", "c2"], True, message_id=5, now=NOW)
    assert (tally.helpful, tally.not_helpful) == (1, 0)
    tally = store.record_feedback(GUILD, ALICE, "q", ["c1", "c2"], True, message_id=5, now=NOW)
    assert (tally.helpful, tally.not_helpful) == (1, 0)  # a double click is not a second vote
    tally = store.record_feedback(GUILD, BOB, "q", ["c1"], False, message_id=5, now=NOW)
    assert (tally.helpful, tally.not_helpful) == (1, 1)
    tally = store.record_feedback(GUILD, ALICE, "q", ["c1", "c2"], False, message_id=5, now=NOW)
    assert (tally.helpful, tally.not_helpful) == (0, 2)  # changed vote
    assert store.record_feedback(None, ALICE, "dm q", [], True, message_id=6).helpful == 1


def test_naive_times_are_refused(store: QuizStore) -> None:
    with pytest.raises(ValueError):
        store.record_answer(GUILD, ALICE, ITEMS[0].id, "A", True, "m", now=datetime(2025, 1, 1))


def test_update_config_changes_one_thing_and_keeps_the_rest(store: QuizStore) -> None:
    import dataclasses

    store.set_config(GuildConfig(GUILD, drill_channel_id=42, qa_channel_ids=(7,)))
    paused = store.update_config(GUILD, lambda c: dataclasses.replace(c, paused=True))
    assert paused == GuildConfig(GUILD, drill_channel_id=42, paused=True, qa_channel_ids=(7,))
    added = store.update_config(GUILD, lambda c: dataclasses.replace(c, qa_channel_ids=(*c.qa_channel_ids, 8)))
    assert added.paused and added.qa_channel_ids == (7, 8)

    def refuse(c: GuildConfig) -> GuildConfig:
        raise ValueError("At most 10 Q&A channels.")

    with pytest.raises(ValueError, match="At most"):
        store.update_config(GUILD, refuse)
    assert store.get_config(GUILD) == added  # nothing half-written


# --- members' reports -------------------------------------------------------------------------------


def test_a_report_counts_once_per_member_and_two_withdraw_the_item_in_that_server(store: QuizStore) -> None:
    item = ITEMS[0]
    first = store.report_item(GUILD, ALICE, item.id, "  two options are right  ", now=NOW)
    again = store.report_item(GUILD, ALICE, item.id, "changed my mind", now=NOW)
    assert first.recorded and (first.reports, first.withdrawn) == (1, False)
    assert not again.recorded and (again.reports, again.withdrawn) == (1, False)
    assert store.has_reported(GUILD, ALICE, item.id) and not store.has_reported(GUILD, BOB, item.id)
    assert store.withdrawn_items(GUILD) == frozenset()

    second = store.report_item(GUILD, BOB, item.id, now=NOW + timedelta(minutes=1))
    assert second.recorded and (second.reports, second.withdrawn) == (2, True)
    assert store.withdrawn_items(GUILD) == {item.id}
    assert store.withdrawn_items(OTHER_GUILD) == frozenset()  # another server judges for itself
    (listed,) = store.reported_items(GUILD)
    assert (listed.item_id, listed.reports, listed.withdrawn, listed.by_manager) == (item.id, 2, True, False)
    assert listed.reasons == ("two options are right",)  # trimmed; the second, empty reason is not listed


def test_one_report_by_a_manager_withdraws_the_item(store: QuizStore) -> None:
    result = store.report_item(GUILD, ALICE, ITEMS[1].id, by_manager=True, now=NOW)
    assert result.withdrawn and store.withdrawn_items(GUILD) == {ITEMS[1].id}
    store.report_item(GUILD, BOB, ITEMS[2].id, now=NOW)
    assert [r.item_id for r in store.reported_items(GUILD)] == [ITEMS[1].id, ITEMS[2].id]  # withdrawn first


def test_withdrawn_items_are_not_served_for_review_drills_or_counted_due(store: QuizStore) -> None:
    item = ITEMS[0]
    store.record_answer(GUILD, ALICE, item.id, "B0", False, "ctx", now=NOW)
    later = NOW + timedelta(days=3)
    assert item in store.due_items(GUILD, ALICE, later) and store.stats(GUILD, ALICE, later).due_count == 1
    store.report_item(GUILD, ALICE, item.id, by_manager=True, now=NOW)
    assert item not in store.due_items(GUILD, ALICE, later)
    assert store.stats(GUILD, ALICE, later).due_count == 0
    assert item not in store.drill_mix(GUILD, ALICE, later, count=len(ITEMS), seed=1)
    assert item.id not in {r.item_id for r in store.group_recall(GUILD, NOW, later)}  # nor in the group drill
    assert item in store.drill_mix(OTHER_GUILD, ALICE, later, count=len(ITEMS), seed=1)


def test_reports_survive_a_restart(store_target: Path | str) -> None:
    with QuizStore(store_target) as s:
        s.sync_items(ITEMS, now=NOW)
        s.report_item(GUILD, ALICE, ITEMS[3].id, "the note says otherwise", now=NOW)
    with QuizStore(store_target) as s:
        assert s.has_reported(GUILD, ALICE, ITEMS[3].id)
        assert s.report_item(GUILD, BOB, ITEMS[3].id, now=NOW).withdrawn


# --- score farming -----------------------------------------------------------------------------------


def test_the_same_item_answered_again_in_a_new_message_scores_once_a_day(store: QuizStore) -> None:
    item = ITEMS[0]
    results = [store.record_answer(GUILD, ALICE, item.id, "A0", True, f"msg:{n}", now=NOW + timedelta(minutes=n))
               for n in range(21)]
    assert results[0].recorded and results[0].scored
    assert all(r.recorded and not r.scored for r in results[1:])  # still an answer: it reschedules the review
    stats = store.stats(GUILD, ALICE, NOW)
    assert (stats.answered, stats.correct) == (1, 1)
    assert [(row.user_id, row.correct, row.answered) for row in store.leaderboard(GUILD, now=NOW)] == [(ALICE, 1, 1)]
    # the next day it counts again, once
    tomorrow = NOW + timedelta(days=1)
    again = store.record_answer(GUILD, ALICE, item.id, "B0", False, "msg:next", now=tomorrow)
    twice = store.record_answer(GUILD, ALICE, item.id, "A0", True, "msg:next2", now=tomorrow)
    assert again.scored and not twice.scored
    stats = store.stats(GUILD, ALICE, tomorrow)
    assert (stats.answered, stats.correct, stats.streak) == (2, 1, 2)


def test_every_answer_still_updates_the_review_schedule(store: QuizStore) -> None:
    item = ITEMS[1]
    first = store.record_answer(GUILD, ALICE, item.id, "A1", True, "msg:1", now=NOW)
    wrong = store.record_answer(GUILD, ALICE, item.id, "B1", False, "msg:2", now=NOW + timedelta(minutes=1))
    assert not wrong.scored and wrong.next_due is not None and first.next_due is not None
    assert wrong.next_due < first.next_due  # a lapse brings it back sooner, even unscored


def test_an_empty_database_file_is_not_adopted_silently(tmp_path: Path, caplog) -> None:
    import logging

    path = tmp_path / "quiz.db"
    path.write_bytes(b"")  # a truncated copy, a failed restore...
    with caplog.at_level(logging.WARNING), QuizStore(path) as s:
        assert s.active_items() == []
    assert "is an empty file" in caplog.text and str(path) in caplog.text


def test_mistakes_are_the_items_last_answered_wrong_until_answered_right(store: QuizStore) -> None:
    a, b, c = ITEMS[0], ITEMS[1], ITEMS[2]
    store.record_answer(GUILD, ALICE, a.id, "B0", False, "m1", now=NOW)
    store.record_answer(GUILD, ALICE, b.id, "B1", False, "m2", now=NOW + timedelta(minutes=1))
    store.record_answer(GUILD, ALICE, c.id, "A2", True, "m3", now=NOW + timedelta(minutes=2))
    store.record_answer(GUILD, BOB, c.id, "B2", False, "m3", now=NOW)  # another member's mistake
    assert store.mistakes(GUILD, ALICE) == [b, a]  # the most recent first
    store.record_answer(GUILD, ALICE, b.id, "A1", True, "m4", now=NOW + timedelta(minutes=3))
    assert store.mistakes(GUILD, ALICE) == [a]
    store.record_answer(GUILD, ALICE, a.id, "A0", True, "m5", now=NOW + timedelta(minutes=4))
    assert store.mistakes(GUILD, ALICE) == [] and store.mistakes(GUILD, BOB) == [c]


def test_the_weeks_leaderboard_counts_only_the_past_seven_days(store: QuizStore) -> None:
    old, recent = NOW - timedelta(days=10), NOW - timedelta(days=2)
    for n in range(3):  # Alice: three right answers ten days ago
        store.record_answer(GUILD, ALICE, ITEMS[n].id, f"A{n}", True, f"old{n}", now=old)
    store.record_answer(GUILD, BOB, ITEMS[0].id, "A0", True, "r1", now=recent)  # Bob: one right, one wrong
    store.record_answer(GUILD, BOB, ITEMS[1].id, "B1", False, "r2", now=recent)
    store.record_answer(GUILD, BOB, ITEMS[0].id, "A0", True, "r3", now=recent)  # practice: not scored
    all_time = store.leaderboard(GUILD, now=NOW)
    week = store.leaderboard(GUILD, now=NOW, since=(NOW - timedelta(days=6)).date())
    assert [(r.user_id, r.correct, r.answered) for r in all_time] == [(ALICE, 3, 3), (BOB, 1, 2)]
    assert [(r.user_id, r.correct, r.answered) for r in week] == [(BOB, 1, 2)]


def test_a_members_exam_date_overrides_the_servers(store: QuizStore) -> None:
    assert store.exam_date(GUILD, ALICE) is None
    store.set_exam_date(GUILD, QuizStore.SERVER_DEFAULT, date(2025, 6, 1))
    assert store.exam_date(GUILD, ALICE) == date(2025, 6, 1) and store.exam_date(OTHER_GUILD, ALICE) is None
    store.set_exam_date(GUILD, ALICE, date(2025, 5, 20))
    assert store.exam_date(GUILD, ALICE) == date(2025, 5, 20) and store.exam_date(GUILD, BOB) == date(2025, 6, 1)
    store.set_exam_date(GUILD, ALICE, None)
    assert store.exam_date(GUILD, ALICE) == date(2025, 6, 1)


def test_the_store_runs_on_the_backend_asked_for(store: QuizStore, store_target: Path | str) -> None:
    assert store.dialect == ("postgresql" if isinstance(store_target, str) else "sqlite")
    assert store.schema_version == 8
