"""Per-section mastery from a simulated history in a real SQLite store (hand-checked counts and order)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from quiz.item import QuizItem
from quiz.mastery import section_mastery
from quiz.store import QuizStore

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
GUILD, ALICE, BOB = 1, 10, 20


def item(n: int, section: str) -> QuizItem:
    return QuizItem.create(chunk_id=f"c{n}", kind="which", question=f"Which one is {n}?", options=(f"A{n}", f"B{n}"),
                           answer=f"A{n}", explanation=f"Note {n}", section=section, difficulty=0.5,
                           topic_path=("1. Data", section, f"Thing {n}"))


ITEMS = [item(1, "1.1 Kinesis"), item(2, "1.1 Kinesis"), item(3, "1.2 Glue"), item(4, "1.2 Glue"),
         item(5, "1.3 Athena")]


def test_sections_weakest_first_then_untouched(store_target: Path | str) -> None:
    with QuizStore(store_target) as store:
        store.sync_items(ITEMS, now=NOW)
        # Kinesis: item 1 right, item 2 right (2 of 2). Glue: item 3 wrong, then right in a later message the
        # same day (practice: still an answer), item 4 never. Athena: never.
        store.record_answer(GUILD, ALICE, ITEMS[0].id, "A1", True, "m1", now=NOW)
        store.record_answer(GUILD, ALICE, ITEMS[1].id, "A2", True, "m2", now=NOW)
        store.record_answer(GUILD, ALICE, ITEMS[2].id, "B3", False, "m3", now=NOW)
        store.record_answer(GUILD, ALICE, ITEMS[2].id, "A3", True, "m4", now=NOW + timedelta(minutes=11))
        store.record_answer(GUILD, BOB, ITEMS[4].id, "A5", True, "m5", now=NOW)  # another member's
        history = store.member_history(GUILD, ALICE)
    rows = section_mastery(ITEMS, history, NOW + timedelta(days=3))  # FSRS counts whole days since the review
    assert [r.section for r in rows] == ["1.2 Glue", "1.1 Kinesis", "1.3 Athena"]  # the lapse makes Glue weakest
    glue, kinesis, athena = rows
    assert (glue.items, glue.seen, glue.answered, glue.correct) == (2, 1, 2, 1) and glue.accuracy == 0.5
    assert (kinesis.items, kinesis.seen, kinesis.answered, kinesis.correct) == (2, 2, 2, 2)
    assert (athena.seen, athena.recall, athena.accuracy) == (0, None, None)
    assert glue.recall is not None and kinesis.recall is not None
    assert 0 < glue.recall < kinesis.recall < 1
    # a month later recall has decayed, never grown, without answers
    later = section_mastery(ITEMS, history, NOW + timedelta(days=30))
    assert later[1].recall is not None and later[1].recall < kinesis.recall


def test_no_answers_gives_every_section_untouched(store_target: Path | str) -> None:
    with QuizStore(store_target) as store:
        store.sync_items(ITEMS, now=NOW)
        rows = section_mastery(ITEMS, store.member_history(GUILD, ALICE), NOW)
    assert [(r.section, r.seen) for r in rows] == [("1.1 Kinesis", 0), ("1.2 Glue", 0), ("1.3 Athena", 0)]
