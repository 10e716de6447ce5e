from datetime import UTC, date, datetime, timedelta

import pytest

from quiz.exam import ExamDateError, countdown, cram_items, cramming, parse_exam_date
from quiz.item import QuizItem
from quiz.records import ItemHistory
from quiz.schedule import new_state, review

TODAY = date(2026, 12, 3)
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def test_exam_dates_are_checked_in_one_line():
    assert parse_exam_date(" 2026-12-20 ", TODAY) == date(2026, 12, 20)
    with pytest.raises(ExamDateError, match="is not a date: write it as YYYY-MM-DD"):
        parse_exam_date("next friday", TODAY)
    with pytest.raises(ExamDateError, match="has already passed"):
        parse_exam_date("2026-12-02", TODAY)
    with pytest.raises(ExamDateError, match="more than two years away"):
        parse_exam_date("2046-12-20", TODAY)


def test_countdown_and_the_cram_week():
    assert countdown(date(2026, 12, 20), TODAY) == "📅 Exam in 17 days (2026-12-20)"
    assert countdown(date(2026, 12, 4), TODAY) == "📅 Exam in 1 day (2026-12-04)"
    assert countdown(TODAY, TODAY).startswith("📅 Exam today")
    assert countdown(date(2026, 12, 1), TODAY) == "" and countdown(None, TODAY) == ""
    assert cramming(date(2026, 12, 9), TODAY) and not cramming(date(2026, 12, 10), TODAY)


def _item(n: int, section: str) -> QuizItem:
    return QuizItem.create(chunk_id=f"c{n}", kind="which", question=f"Q{n}?", options=(f"A{n}", f"B{n}"),
                           answer=f"A{n}", explanation="note", section=section, difficulty=0.5,
                           topic_path=(section,))


def test_cram_order_is_the_weakest_sections_first_due_or_not():
    strong, weak, unseen = _item(1, "1.1 Kinesis"), _item(2, "1.2 Glue"), _item(3, "1.3 Athena")
    start = NOW - timedelta(days=5)
    good = review(new_state(start), True, start)  # reviewed right: recall stays high
    bad = review(new_state(start), False, start)  # a lapse: recall falls fast
    history = [ItemHistory(strong.id, 1, 1, good.card_json, good.due),
               ItemHistory(weak.id, 1, 0, bad.card_json, bad.due)]
    assert cram_items([strong, weak, unseen], history, NOW, 5) == [weak, strong]  # only seen items
