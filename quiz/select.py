"""Picking items for a quiz: N distinct items, optionally on one topic matched loosely by name."""
from __future__ import annotations

import random
from collections.abc import Collection, Sequence

from rapidfuzz import fuzz, process, utils

from quiz.item import QuizItem
from quiz.text import clean, is_numbered, mentions, strip_number

TOPIC_MATCH = 85  # rapidfuzz score (0..100) for "xgboost" ~ "XGBoost", "kinesis" ~ "Kinesis data streams"


def _labels(item: QuizItem) -> list[str]:
    """The names a member may use for an item's topic: each heading of its path, with and without number."""
    labels = []
    for heading in item.topic_path:
        labels.append(heading)
        if is_numbered(heading):
            labels.append(strip_number(heading))
    return labels


def _closeness(topic: str, label: str) -> float:
    """How nearly a heading is the topic as written, to pick among the headings that match it: the word sets
    of "sagemaker tools" and "Sagemaker" overlap fully, yet "3.7 Sagemaker tools" is the one meant."""
    query = utils.default_process(topic)
    target = utils.default_process(label)
    if not query or not target:
        return 0.0
    if label.split()[0].rstrip(".") == topic.strip().rstrip("."):
        return 100.0  # "3.2" names a numbered section exactly
    score = fuzz.ratio(query, target)
    if 4 <= len(query) <= len(target):  # a short query inside a long heading: "kinesis" in "Kinesis data streams"
        score = max(score, fuzz.partial_ratio(query, target))
    return score


def _topic_score(topic: str, label: str) -> float:
    """Whether a heading matches the topic at all: as close, or with the same words in another order."""
    score = _closeness(topic, label)
    query = utils.default_process(topic)
    if len(query) >= 4 and score < 100.0:
        score = max(score, fuzz.token_set_ratio(query, utils.default_process(label)))
    return score


def matches_topic(item: QuizItem, topic: str) -> bool:
    return any(_topic_score(topic, label) >= TOPIC_MATCH for label in _labels(item))


def select_items(
    items: Sequence[QuizItem], count: int, seed: int, topic: str | None = None, withdrawn: Collection[str] = ()
) -> list[QuizItem]:
    """Up to `count` distinct items, retired and `withdrawn` ones (ids reported in this server) left out; with
    a topic, only items under a heading that matches it. Items on different notes, none showing what another
    asks, come first, so one quiz neither asks the same note twice nor answers its own questions."""
    pool = [it for it in items if not it.retired and it.id not in withdrawn]
    if topic and clean(topic):
        # The closest headings only: "sagemaker tools" names "3.7 Sagemaker tools" exactly, and "3. Sagemaker"
        # above it matches loosely too (90), which served every SageMaker item for it.
        pool = [it for it in pool if matches_topic(it, topic)]
        closeness = [max(_closeness(topic, label) for label in _labels(it)) for it in pool]
        best = max(closeness, default=0.0)
        pool = [it for it, close in zip(pool, closeness, strict=True) if close >= best]
    unique = list({it.id: it for it in pool}.values())
    rng = random.Random(seed)
    rng.shuffle(unique)
    picked: list[QuizItem] = []
    notes: set[str] = set()
    for item in unique:
        if len(picked) < count and item.chunk_id not in notes and not any(_tips(item, p) for p in picked):
            picked.append(item)
            notes.add(item.chunk_id)
    for item in unique:
        if len(picked) < count and item not in picked:
            picked.append(item)
    return picked


def _tips(one: QuizItem, other: QuizItem) -> bool:
    """Whether either item's question names what the other asks for: "Keylogger: records keystrokes" above
    "Which term matches: collects information about the user ..." with Keylogger among the options (strict
    reads, seeds 6702, 6802: items of one quiz giving each other away). Options do not count: a name offered
    beside another's answer says nothing about which description is whose. Two items with the same options
    do: each answer rules itself out of the other (seed 6722)."""
    if one.kind != "truefalse" and set(one.options) == set(other.options):
        return True
    return any(asked.kind != "truefalse" and mentions(shown.question.split("\n", 1)[-1], asked.answer)
               for asked, shown in ((one, other), (other, one)))


def suggest_topics(items: Sequence[QuizItem], topic: str, limit: int = 5) -> list[str]:
    """The topic names nearest to one that matched nothing, best first (for "did you mean ...?")."""
    names: list[str] = []
    for item in items:
        for heading in item.topic_path:
            name = strip_number(heading)
            if name not in names:
                names.append(name)
    if not names or not clean(topic):
        return names[:limit]
    found = process.extract(topic, names, scorer=fuzz.WRatio, processor=utils.default_process, limit=limit)
    return [name for name, _, _ in found]
