"""The daily drill aimed at the group: the items its active members are most likely to have forgotten
(lowest mean predicted recall over members who answered in the last ACTIVE_DAYS days, among items at least
MIN_SEEN of them have seen), mixed with new items, from sections nobody has practised first."""
from __future__ import annotations

import random
from collections.abc import Sequence

from quiz.item import QuizItem
from quiz.mastery import section_of
from quiz.records import ItemRecall

ACTIVE_DAYS = 14
MIN_SEEN = 2


def forgotten_first(items: Sequence[QuizItem], recalls: Sequence[ItemRecall]) -> list[QuizItem]:
    """Items seen by at least MIN_SEEN active members, lowest mean predicted recall first."""
    by_id = {it.id: it for it in items}
    ranked = sorted((r.recall, r.item_id) for r in recalls if r.members >= MIN_SEEN and r.item_id in by_id)
    return [by_id[item_id] for _, item_id in ranked]


def new_items(items: Sequence[QuizItem], answered_ids: set[str], seed: int) -> list[QuizItem]:
    """Items nobody in the server answered: from sections nobody practised first, shuffled by `seed`."""
    practised = {section_of(it) for it in items if it.id in answered_ids}
    fresh = [it for it in items if it.id not in answered_ids]
    rng = random.Random(seed)
    rng.shuffle(fresh)
    fresh.sort(key=lambda it: section_of(it) in practised)  # stable: untouched sections first, still shuffled
    return fresh


def group_drill(items: Sequence[QuizItem], recalls: Sequence[ItemRecall], answered_ids: set[str],
                count: int, new_count: int, seed: int) -> list[QuizItem]:
    """`count` items: up to count - new_count forgotten ones, the rest new; one per note where possible."""
    forgotten = forgotten_first(items, recalls)
    fresh = new_items(items, answered_ids, seed)
    wanted_old = max(0, count - new_count)
    picked: list[QuizItem] = []
    notes: set[str] = set()

    def take(pool: list[QuizItem], limit: int) -> None:
        for item in pool:
            if len(picked) >= limit:
                return
            if item not in picked and item.chunk_id not in notes:
                picked.append(item)
                notes.add(item.chunk_id)

    take(forgotten, wanted_old)
    take(fresh, count)
    take(forgotten, count)  # too few new ones: more of the forgotten
    return picked
