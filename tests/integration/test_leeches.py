"""Leeches and the items a group keeps missing, on a simulated history in a real SQLite store."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.messages import render_leech, render_reports
from quiz.item import QuizItem
from quiz.records import LEECH_MISSES
from quiz.store import QuizStore

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
GUILD, OTHER_GUILD = 1, 2


def item(n: int) -> QuizItem:
    return QuizItem.create(chunk_id=f"c{n}", kind="which", question=f"Which one is {n}?", options=(f"A{n}", f"B{n}"),
                           answer=f"A{n}", explanation=f"Note {n} says A{n}", section=f"1.{n} Section",
                           difficulty=0.5, topic_path=("1. Data", f"1.{n} Section"))


ITEMS = [item(1), item(2), item(3), item(4)]


def answer(store: QuizStore, user: int, it: QuizItem, right: bool, n: int, guild: int = GUILD) -> None:
    store.record_answer(guild, user, it.id, it.answer if right else it.options[1], right, f"m{user}-{n}",
                        now=NOW + timedelta(days=n))


def test_an_item_becomes_a_leech_at_the_fourth_miss_for_that_member_only(store_target: Path | str) -> None:
    first = ITEMS[0]
    with QuizStore(store_target) as store:
        store.sync_items(ITEMS, now=NOW)
        for n in range(LEECH_MISSES - 1):
            answer(store, 10, first, False, n)
        answer(store, 10, first, True, 10)  # a right answer in between does not clear the misses
        assert store.leeches(GUILD, 10, [first.id, ITEMS[1].id]) == {}
        answer(store, 10, first, False, 11)
        assert store.leeches(GUILD, 10, [first.id, ITEMS[1].id]) == {first.id: 4}
        assert store.leeches(GUILD, 20, [first.id]) == {}  # another member
        assert store.leeches(OTHER_GUILD, 10, [first.id]) == {}  # another server
        assert store.leeches(GUILD, 10, []) == {}
    note = render_leech(first, 4)
    assert "missed the next question 4 times" in note and "> Note 1 says A1" in note and "1.1 Section" in note


def test_the_group_suspects_are_items_most_answering_members_missed_twice(store_target: Path | str) -> None:
    hard, one_misser, too_few, withdrawn = ITEMS
    with QuizStore(store_target) as store:
        store.sync_items(ITEMS, now=NOW)
        for user in (10, 20, 30):
            right_twice = user == 30  # two of the three members missed `hard` twice
            for n in range(2):
                answer(store, user, hard, right_twice, n)
                answer(store, user, one_misser, user != 10, n)  # one of three missed it twice
                answer(store, user, withdrawn, False, n)
        for user in (10, 20):  # missed by all who answered, but only two members
            for n in range(2):
                answer(store, user, too_few, False, n)
        store.report_item(GUILD, 99, withdrawn.id, "two right", by_manager=True, now=NOW)
        suspects = store.group_suspects(GUILD)
        assert [s.item_id for s in suspects] == [hard.id]
        assert (suspects[0].members, suspects[0].missing) == (3, 2)
        assert abs(suspects[0].accuracy - 2 / 6) < 1e-9
        assert store.group_suspects(OTHER_GUILD) == []
        reports = store.reported_items(GUILD)
    text = render_reports(reports, {i.id: i for i in ITEMS}, suspects)
    assert "Questions most of the group keeps missing" in text and "2 of 3 members missed it 2+ times" in text
    assert "Reported questions" in text
    alone = render_reports([], {hard.id: hard}, suspects)
    assert alone.startswith("No question has been reported") and "Which one is 1?" in alone
    assert render_reports([], {}, []).startswith("No question has been reported in this server, and none")
