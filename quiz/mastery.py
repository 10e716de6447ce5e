"""Per-section mastery: for each numbered section of the guide, what a member has seen, how often they were
right, and how likely they are to recall it now (FSRS retrievability averaged over the items seen), weakest
first, then the sections never touched."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from quiz.item import QuizItem
from quiz.records import ItemHistory
from quiz.schedule import ReviewState, recall_probability
from quiz.text import is_numbered


@dataclass(frozen=True)
class SectionMastery:
    section: str  # the deepest numbered heading above the items ("3.2 SageMaker built-in algorithms")
    items: int  # questions the section has
    seen: int  # of those, answered at least once by the member
    answered: int  # answers given, practice included
    correct: int
    recall: float | None  # mean predicted recall now over the seen items; None when none was seen

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answered if self.answered else None


def section_of(item: QuizItem) -> str:
    """The numbered section an item belongs to: the deepest numbered heading of its path."""
    return next((h for h in reversed(item.topic_path) if is_numbered(h)), item.topic_path[0] if item.topic_path
                else item.section)


def section_mastery(items: Sequence[QuizItem], history: Sequence[ItemHistory], now: datetime) -> list[SectionMastery]:
    """Seen sections by predicted recall, lowest first (ties: lower accuracy first), then the untouched ones
    in guide order. `items` are the questions served now; history of items no longer served is left out."""
    by_item = {h.item_id: h for h in history}
    order: dict[str, list[QuizItem]] = {}
    for item in items:
        order.setdefault(section_of(item), []).append(item)
    seen_rows: list[SectionMastery] = []
    untouched: list[SectionMastery] = []
    for section, members in order.items():
        mine = [by_item[it.id] for it in members if it.id in by_item]
        answered = sum(h.answered for h in mine)
        correct = sum(h.correct for h in mine)
        recalls = [recall_probability(ReviewState(h.card_json, h.due), now) for h in mine]
        row = SectionMastery(section, len(members), len(mine), answered, correct,
                             sum(recalls) / len(recalls) if recalls else None)
        (seen_rows if mine else untouched).append(row)
    seen_rows.sort(key=lambda r: (r.recall if r.recall is not None else 1.0, r.accuracy or 0.0, r.section))
    return seen_rows + untouched
