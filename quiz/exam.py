"""A member's exam date: the countdown, and in the last week the cram order for /review (the weakest
sections first, whatever is due)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from quiz.item import QuizItem
from quiz.mastery import section_mastery, section_of
from quiz.records import ItemHistory
from quiz.schedule import ReviewState, recall_probability

CRAM_DAYS = 7  # within this many days of the exam, /review serves the weakest sections first
MAX_AHEAD_DAYS = 2 * 366  # a date further away is taken for a typo in the year


class ExamDateError(ValueError):
    """An exam date that cannot be right; the message says why, in one line."""


def parse_exam_date(text: str, today: date) -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ExamDateError(f"“{text.strip()[:40]}” is not a date: write it as YYYY-MM-DD, e.g. "
                            f"{today.replace(day=1).isoformat()}.") from None
    if day < today:
        raise ExamDateError(f"{day.isoformat()} has already passed; give the date of your next exam.")
    if (day - today).days > MAX_AHEAD_DAYS:
        raise ExamDateError(f"{day.isoformat()} is more than two years away: check the year.")
    return day


def countdown(exam: date | None, today: date) -> str:
    """One line for /stats and drills; "" without a date or once it has passed."""
    if exam is None or exam < today:
        return ""
    days = (exam - today).days
    if days == 0:
        return f"📅 Exam today ({exam.isoformat()}): good luck!"
    return f"📅 Exam in {days} day{'s' if days != 1 else ''} ({exam.isoformat()})"


def cramming(exam: date | None, today: date) -> bool:
    return exam is not None and 0 <= (exam - today).days < CRAM_DAYS


def cram_items(items: Sequence[QuizItem], history: Sequence[ItemHistory], now: datetime,
               limit: int) -> list[QuizItem]:
    """The member's seen items of their weakest sections first (by predicted recall of the section, then of
    the item), due or not."""
    rank = {row.section: n for n, row in enumerate(section_mastery(items, history, now)) if row.seen}
    seen = {h.item_id: h for h in history}
    candidates = [it for it in items if it.id in seen and section_of(it) in rank]

    def weakness(item: QuizItem) -> tuple[int, float]:
        h = seen[item.id]
        return rank[section_of(item)], recall_probability(ReviewState(h.card_json, h.due), now)

    return sorted(candidates, key=weakness)[:limit]
