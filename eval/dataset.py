"""The evaluation questions: every shape members send, on more than one guide, split dev / held-out test.

Two formats are read. `eval/questions.jsonl` (the first set: short questions on the AWS guide) has a
`style`; it maps to a shape. The sets in `eval/sets/` name their `shape`, `guide` and, for option
questions, the right `answer` letters. No weight, threshold or rule is fitted on the `test` split.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Shape = Literal["chat", "typo", "exam_short", "exam", "exam_options"]
# "outside": held out too, and written by a helper session that saw only the guides, never this project's
# questions or code (eval/sets/*_outside.jsonl): a check on what the team's own questions share.
Split = Literal["dev", "test", "outside"]
SPLITS: tuple[Split, ...] = ("dev", "test", "outside")
SHAPES: tuple[Shape, ...] = ("chat", "typo", "exam_short", "exam", "exam_options")
_STYLE_SHAPE: dict[str, Shape] = {"paraphrase": "chat", "chat": "chat", "acronym": "chat", "typo": "typo",
                                  "exam": "exam_short", "offguide": "chat"}

ROOT = Path(__file__).resolve().parent
FIRST_SET = ROOT / "questions.jsonl"
SETS_DIR = ROOT / "sets"
GUIDES_DIR = ROOT / "guides"  # guides of other fields, added to the corpus for the evaluation


class EvalError(ValueError):
    """A questions file the evaluation cannot use; the message says why."""


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answerable: bool
    gold: tuple[str, ...]  # strings of the notes that decide it (any one counts)
    shape: Shape
    guide: str  # "aws", "security", ...
    split: Split
    answer: str = ""  # the right option letters of an option question ("B", "BD"); "" otherwise


def default_files() -> list[Path]:
    return [FIRST_SET, *sorted(SETS_DIR.glob("*.jsonl"))]


def load_questions(paths: list[Path]) -> list[Question]:
    out: list[Question] = []
    for path in paths:
        out.extend(_load_file(path))
    ids = [q.id for q in out]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise EvalError(f"question ids repeat across the files: {', '.join(dup)}")
    if not out:
        raise EvalError("no questions in " + ", ".join(str(p) for p in paths))
    return out


def _load_file(path: Path) -> list[Question]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalError(f"cannot read the questions file {path}: {exc}") from exc
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            shape = d["shape"] if "shape" in d else _STYLE_SHAPE[d["style"]]
            if shape not in SHAPES or d["split"] not in SPLITS:
                raise ValueError(f"shape {shape!r} / split {d['split']!r}")
            out.append(Question(str(d["id"]), str(d["question"]), bool(d["answerable"]), tuple(d["gold"]), shape,
                                str(d.get("guide", "aws")), d["split"], str(d.get("answer") or "")))
        except (ValueError, KeyError, TypeError) as exc:
            raise EvalError(f"{path}:{n}: not a question record ({exc})") from exc
    return out
