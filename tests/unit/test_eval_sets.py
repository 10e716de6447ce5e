"""The evaluation's question sets: every gold string is in its guide, and the three splits load apart."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.check_set import check
from eval.dataset import SPLITS, EvalError, default_files, load_questions

ROOT = Path(__file__).resolve().parents[2]
GUIDES = {"aws": ROOT / "corpus" / "aws_machine_learning_specialty.txt",
          "security": ROOT / "eval" / "guides" / "security_plus.md"}


@pytest.mark.parametrize("path", sorted((ROOT / "eval" / "sets").glob("*.jsonl")), ids=lambda p: p.name)
def test_every_set_checks_against_its_guide(path: Path) -> None:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    guide = {r["guide"] for r in records}
    assert len(guide) == 1, guide
    assert check(records, GUIDES[guide.pop()].read_text(encoding="utf-8")) == []


def test_the_outside_sets_are_held_out_apart_from_the_teams_own_questions() -> None:
    questions = load_questions(default_files())
    by_split = {split: [q for q in questions if q.split == split] for split in SPLITS}
    assert len(by_split["outside"]) == 82 and all(q.id.startswith(("oa", "os")) for q in by_split["outside"])
    assert not any(q.id.startswith(("oa", "os")) for q in by_split["dev"] + by_split["test"])
    assert {q.guide for q in by_split["outside"]} == {"aws", "security"}


def test_an_unknown_split_is_refused_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x1", "question": "What is Kinesis?", "answerable": True, "gold": ["Kinesis"],
                               "shape": "chat", "guide": "aws", "split": "train"}) + "\n", encoding="utf-8")
    with pytest.raises(EvalError, match=r"bad\.jsonl:1: .*'train'"):
        load_questions([bad])
