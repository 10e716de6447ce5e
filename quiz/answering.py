"""One member answers one item: grade the choice, record it once, return what to reveal. Shared by the
Discord cogs and the terminal playground so both score the same way."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from quiz.item import QuizItem
from quiz.records import AnswerResult
from quiz.store import QuizStore


class AnswerError(ValueError):
    """An answer that does not fit the item (a choice out of range)."""


@dataclass(frozen=True)
class Verdict:
    item: QuizItem
    given: str  # the option the member chose
    result: AnswerResult  # result.correct is the verdict of the member's FIRST answer here


def answer_item(store: QuizStore, item: QuizItem, guild_id: int, user_id: int, *, context: str,
                choice: int, now: datetime | None = None) -> Verdict:
    if not 0 <= choice < len(item.options):
        raise AnswerError("That choice is not one of this question's options.")
    given = item.options[choice]
    result = store.record_answer(guild_id, user_id, item.id, given, given == item.answer, context, now=now)
    return Verdict(item, given, result)
