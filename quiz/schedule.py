"""Spaced repetition with FSRS, as pure functions over a ReviewState (the card as JSON + its due time).

A right answer counts as FSRS "Good", a wrong one as "Again". One learning step of 10 minutes: a wrong
answer comes back soon; a first right answer moves the card straight to review, a couple of days out,
and each further right answer stretches the interval. Fuzzing is off so the same answers always give
the same schedule (testable, and two members in step stay in step).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fsrs import Card, Rating, Scheduler, State

_STEP = timedelta(minutes=10)
_SCHEDULER = Scheduler(learning_steps=(_STEP,), relearning_steps=(_STEP,), enable_fuzzing=False)


@dataclass(frozen=True)
class ReviewState:
    card_json: str  # fsrs.Card.to_json(): stability, difficulty, step, last review
    due: datetime  # UTC; the same as the card's own due, kept apart so the store can index it

    @property
    def stability(self) -> float | None:
        return Card.from_json(self.card_json).stability

    @property
    def last_review(self) -> datetime | None:
        return Card.from_json(self.card_json).last_review

    @property
    def reviewed(self) -> bool:
        return Card.from_json(self.card_json).last_review is not None

    @property
    def learning(self) -> bool:
        """Still in (re)learning steps: recently wrong or never right."""
        return Card.from_json(self.card_json).state != State.Review


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("review times must be timezone-aware")
    return moment.astimezone(UTC)


def new_state(now: datetime) -> ReviewState:
    """A card never answered: due right away."""
    when = _utc(now)
    card = Card(card_id=0, due=when)  # the id is FSRS bookkeeping; the store keys cards by item
    return ReviewState(card.to_json(), when)


def review(state: ReviewState, correct: bool, now: datetime) -> ReviewState:
    card, _ = _SCHEDULER.review_card(
        Card.from_json(state.card_json), Rating.Good if correct else Rating.Again, _utc(now)
    )
    return ReviewState(card.to_json(), _utc(card.due))


def is_due(state: ReviewState, now: datetime) -> bool:
    return state.due <= _utc(now)


def recall_probability(state: ReviewState, now: datetime) -> float:
    """FSRS retrievability: the chance the member would answer the item right now (0..1). FSRS's own
    function counts whole days, so an item reviewed 23 hours ago read 100 %; this one counts hours too."""
    card = Card.from_json(state.card_json)
    reviewed = card.last_review.timestamp() if card.last_review else None
    return recall_at(card.stability, reviewed, _utc(now).timestamp())


RECALL_DECAY = -_SCHEDULER.parameters[20]
RECALL_FACTOR = 0.9 ** (1 / RECALL_DECAY) - 1


def recall_at(stability: float | None, reviewed_at: float | None, now: float) -> float:
    """Predicted recall from unix times; the store runs it inside SQLite to average a group's cards."""
    if reviewed_at is None or not stability:
        return 0.0
    elapsed = max(0.0, (now - reviewed_at) / 86400)
    return float((1 + RECALL_FACTOR * elapsed / stability) ** RECALL_DECAY)
