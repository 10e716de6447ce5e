"""QuizItem: one question about one note, with its answer and the note that explains it."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields, replace
from typing import Literal, cast, get_args

ItemKind = Literal["which", "cloze", "truefalse"]
KINDS: tuple[ItemKind, ...] = get_args(ItemKind)
TRUE, FALSE = "True", "False"
ID_LENGTH = 12  # hex chars: fits "sgb:quiz:<item_id>:<choice>" in a 100-char custom_id with room to spare


def item_id(chunk_id: str, kind: str, question: str) -> str:
    """Stable id: the same note asked the same way keeps its id across rebuilds (old buttons still work)."""
    digest = hashlib.sha1("\x1f".join((chunk_id, kind, question)).encode("utf-8"))
    return digest.hexdigest()[:ID_LENGTH]


@dataclass(frozen=True)
class QuizItem:
    """A question on one note, answered by choosing one of its options. (A stored body may have none: a typed
    question from before typed questions were retired; such items are never served again.)"""

    id: str
    chunk_id: str
    kind: ItemKind
    question: str
    options: tuple[str, ...]
    answer: str
    explanation: str  # the note's own text: what the member reads after answering
    section: str  # Chunk.section, e.g. "3.2 SageMaker built-in algorithms > XGBoost"
    difficulty: float  # 0 (easy) .. 1 (hard), an estimate from the item's shape
    topic_path: tuple[str, ...]  # Chunk.heading_path
    retired: bool = False  # set by the store when a guide update no longer produces the item

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown quiz item kind {self.kind!r}; expected one of {KINDS}")
        if self.options and self.answer not in self.options:
            raise ValueError(f"item {self.id}: the answer {self.answer!r} is not among its options")
        if not 0.0 <= self.difficulty <= 1.0:
            raise ValueError(f"item {self.id}: difficulty {self.difficulty} is outside 0..1")

    @classmethod
    def create(
        cls,
        *,
        chunk_id: str,
        kind: ItemKind,
        question: str,
        options: tuple[str, ...],
        answer: str,
        explanation: str,
        section: str,
        difficulty: float,
        topic_path: tuple[str, ...],
    ) -> QuizItem:
        """Build an item whose id is derived from what it asks (see item_id)."""
        return cls(
            id=item_id(chunk_id, kind, question),
            chunk_id=chunk_id,
            kind=kind,
            question=question,
            options=options,
            answer=answer,
            explanation=explanation,
            section=section,
            difficulty=round(min(1.0, max(0.0, difficulty)), 3),
            topic_path=topic_path,
        )

    def choice_index(self) -> int:
        """Position of the right answer among the options (the <choice> in a button's custom_id)."""
        return self.options.index(self.answer)

    def as_retired(self, retired: bool = True) -> QuizItem:
        return replace(self, retired=retired)

    def to_json(self) -> str:
        record = {f.name: getattr(self, f.name) for f in fields(self)}
        record["options"] = list(self.options)
        record["topic_path"] = list(self.topic_path)
        return json.dumps(record, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> QuizItem:
        record = json.loads(text)
        if not isinstance(record, dict):
            raise ValueError("a quiz item's JSON must be an object")
        names = {f.name for f in fields(cls)}
        unknown = set(record) - names
        if unknown:
            raise ValueError(f"unknown quiz item fields: {sorted(unknown)}")
        return cls(
            id=str(record["id"]),
            chunk_id=str(record["chunk_id"]),
            kind=cast(ItemKind, str(record["kind"])),  # checked in __post_init__
            question=str(record["question"]),
            options=tuple(str(o) for o in record["options"]),
            answer=str(record["answer"]),
            explanation=str(record["explanation"]),
            section=str(record["section"]),
            difficulty=float(record["difficulty"]),
            topic_path=tuple(str(p) for p in record["topic_path"]),
            retired=bool(record.get("retired", False)),
        )
