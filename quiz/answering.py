"""One member answers one item: grade it, record it once, return what to reveal. Shared by the Discord
cogs and the terminal playground so both score the same way."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from quiz.grade import grade_typed
from quiz.item import QuizItem
from quiz.records import AnswerResult
from quiz.store import QuizStore

MAX_TYPED = 200  # characters of a typed answer that are graded and stored


class AnswerError(ValueError):
    """An answer that does not fit the item (a choice out of range, an empty typed answer)."""


@dataclass(frozen=True)
class Verdict:
    item: QuizItem
    given: str  # what the member answered, as text
    result: AnswerResult  # result.correct is the verdict of the member's FIRST answer here
    reason: str  # why a typed answer counts or not; "" for choices


def answer_item(store: QuizStore, item: QuizItem, guild_id: int, user_id: int, *, context: str,
                choice: int | None = None, typed: str | None = None, now: datetime | None = None) -> Verdict:
    if choice is not None:
        if not item.options or not 0 <= choice < len(item.options):
            raise AnswerError("That choice is not one of this question's options.")
        given, correct, reason = item.options[choice], item.options[choice] == item.answer, ""
    else:
        given = (typed or "").strip()[:MAX_TYPED]
        if not given:
            raise AnswerError("Type an answer first.")
        grade = grade_typed(item.answer, given)
        correct, reason = grade.correct, grade.reason
    result = store.record_answer(guild_id, user_id, item.id, given, correct, context, now=now)
    return Verdict(item, given, result, reason)
