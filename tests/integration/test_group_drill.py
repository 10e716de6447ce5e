"""The group drill on a simulated history in a real SQLite store: what the group forgot comes first."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from quiz.group_drill import ACTIVE_DAYS, group_drill
from quiz.item import QuizItem
from quiz.store import QuizStore

NOW = datetime(2025, 3, 30, 9, 0, tzinfo=UTC)
GUILD = 1


def item(n: int, section: str) -> QuizItem:
    return QuizItem.create(chunk_id=f"c{n}", kind="which", question=f"Which one is {n}?", options=(f"A{n}", f"B{n}"),
                           answer=f"A{n}", explanation=f"Note {n}", section=section, difficulty=0.5,
                           topic_path=("1. Data", section))


FORGOTTEN, REMEMBERED, ONE_SEEN, NEW_PRACTISED, NEW_UNTOUCHED = (
    item(1, "1.1 Kinesis"), item(2, "1.1 Kinesis"), item(3, "1.2 Glue"), item(4, "1.2 Glue"), item(5, "1.3 Athena"))
ITEMS = [FORGOTTEN, REMEMBERED, ONE_SEEN, NEW_PRACTISED, NEW_UNTOUCHED]


def test_the_group_drill_asks_what_the_active_members_forgot_then_new_sections(store_target: Path | str) -> None:
    with QuizStore(store_target) as store:
        store.sync_items(ITEMS, now=NOW - timedelta(days=40))
        long_ago, yesterday = NOW - timedelta(days=20), NOW - timedelta(days=1)
        for member in (10, 20):
            # both missed FORGOTTEN long ago and never saw it again; both got REMEMBERED right yesterday
            store.record_answer(GUILD, member, FORGOTTEN.id, "B1", False, f"a{member}", now=long_ago)
            store.record_answer(GUILD, member, REMEMBERED.id, "A2", True, f"b{member}", now=yesterday)
        store.record_answer(GUILD, 10, ONE_SEEN.id, "B3", False, "c", now=yesterday)  # seen by one member only
        store.record_answer(GUILD, 30, REMEMBERED.id, "B2", False, "d", now=long_ago)  # 30 is not active
        recalls = store.group_recall(GUILD, NOW - timedelta(days=ACTIVE_DAYS), NOW)
        answered = store.answered_item_ids(GUILD)
    members = {r.item_id: r.members for r in recalls}  # member 30, not active in 14 days, is left out
    assert members == {FORGOTTEN.id: 2, REMEMBERED.id: 2, ONE_SEEN.id: 1}
    by_id = {r.item_id: r.recall for r in recalls}
    assert 0 < by_id[FORGOTTEN.id] < by_id[REMEMBERED.id] < 1
    picked = group_drill(ITEMS, recalls, answered, count=3, new_count=1, seed=1)
    # two forgotten-first slots: FORGOTTEN (lowest recall) then REMEMBERED; ONE_SEEN does not qualify; the new
    # slot goes to the section nobody practised (Athena) before the practised one (Glue)
    assert picked == [FORGOTTEN, REMEMBERED, NEW_UNTOUCHED]
    assert group_drill(ITEMS, recalls, answered, count=3, new_count=3, seed=1)[:2] == [NEW_UNTOUCHED,
                                                                                          NEW_PRACTISED]


def test_the_groups_recall_in_sql_is_the_schedulers_recall(store_target: Path | str) -> None:
    from quiz.schedule import ReviewState, recall_probability

    with QuizStore(store_target) as store:
        store.sync_items(ITEMS, now=NOW - timedelta(days=40))
        for member, days, right in ((10, 9, False), (20, 3, True), (30, 0.5, True)):
            store.record_answer(GUILD, member, FORGOTTEN.id, "A1" if right else "B1", right, f"x{member}",
                                now=NOW - timedelta(days=days))
        (row,) = store.group_recall(GUILD, NOW - timedelta(days=ACTIVE_DAYS), NOW)
        expected = [recall_probability(ReviewState(h.card_json, h.due), NOW) for m in (10, 20, 30)
                    for h in store.member_history(GUILD, m)]
    assert len(expected) == 3 and abs(row.recall - sum(expected) / 3) < 1e-9
