"""FSRS wrapper: right answers push the due date out and keep stretching; wrong ones bring it back soon."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from quiz.schedule import ReviewState, is_due, new_state, review

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def test_new_card_is_due_now() -> None:
    state = new_state(NOW)
    assert is_due(state, NOW)
    assert not state.reviewed


def test_correct_answer_pushes_due_date_to_days_later() -> None:
    state = review(new_state(NOW), True, NOW)
    assert state.due - NOW >= timedelta(days=1)
    assert not is_due(state, NOW + timedelta(hours=12))
    assert is_due(state, state.due)
    assert not state.learning


def test_wrong_answer_brings_it_back_within_the_hour() -> None:
    state = review(new_state(NOW), False, NOW)
    assert timedelta(0) < state.due - NOW <= timedelta(hours=1)
    assert state.learning


def test_repeated_correct_answers_grow_the_interval() -> None:
    state, now, intervals = new_state(NOW), NOW, []
    for _ in range(5):
        state = review(state, True, now)
        intervals.append(state.due - now)
        now = state.due  # answered when due
    assert intervals == sorted(intervals)
    assert intervals[-1] > intervals[0] * 4


def test_a_lapse_after_successes_brings_the_card_back_soon() -> None:
    state, now = new_state(NOW), NOW
    for _ in range(3):
        state = review(state, True, now)
        now = state.due
    lapsed = review(state, False, now)
    assert lapsed.due - now <= timedelta(hours=1)
    relearned = review(lapsed, True, lapsed.due)
    assert relearned.due > lapsed.due + timedelta(hours=12)


def test_same_answers_give_the_same_schedule() -> None:
    a = review(review(new_state(NOW), True, NOW), True, NOW + timedelta(days=3))
    b = review(review(new_state(NOW), True, NOW), True, NOW + timedelta(days=3))
    assert a == b


def test_state_survives_a_json_round_trip() -> None:
    state = review(new_state(NOW), True, NOW)
    again = ReviewState(state.card_json, state.due)
    assert review(again, True, state.due) == review(state, True, state.due)


def test_other_timezones_are_converted_and_naive_times_refused() -> None:
    paris = timezone(timedelta(hours=1))
    state = review(new_state(NOW), True, NOW.astimezone(paris))
    assert state.due.tzinfo == UTC
    with pytest.raises(ValueError):
        review(state, True, datetime(2025, 3, 1, 12, 0))
