"""Checks a question set of `eval/sets/` against its guide before it is used.

Each record: id, question, answerable, gold (exact strings of the guide's notes; each must occur in the
guide, whitespace-normalized and case-insensitive), shape, guide, split, and for option questions the
right `answer` letters, which must be options the parser finds. Off-guide questions have no gold.

Usage: python eval/check_set.py SET.jsonl GUIDE_FILE     (exit status 1 when a problem is found)
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.question import parse_question  # noqa: E402

SHAPES = {"chat", "typo", "exam_short", "exam", "exam_options"}
LENGTHS = {"chat": (15, 200), "typo": (15, 200), "exam_short": (60, 260), "exam": (180, 700),
           "exam_options": (180, 1400)}
FIELDS = {"id", "question", "answerable", "gold", "shape", "guide", "split", "answer"}


def norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def check(records: list[dict], guide_text: str) -> list[str]:
    guide = norm(guide_text)
    problems: list[str] = []
    seen: set[str] = set()
    for r in records:
        rid = r.get("id", "?")
        where = f"{rid}:"
        if set(r) - FIELDS or not {"id", "question", "answerable", "gold", "shape", "guide", "split"} <= set(r):
            problems.append(f"{where} fields {sorted(r)}")
            continue
        if rid in seen:
            problems.append(f"{where} repeated id")
        seen.add(rid)
        shape, q = r["shape"], r["question"]
        if shape not in SHAPES or r["split"] not in ("dev", "test", "outside"):
            problems.append(f"{where} shape {shape!r} / split {r['split']!r}")
            continue
        lo, hi = LENGTHS[shape]
        if not lo <= len(q) <= hi:
            problems.append(f"{where} {shape} question is {len(q)} characters, not {lo}-{hi}")
        if r["answerable"]:
            if not r["gold"]:
                problems.append(f"{where} answerable without gold")
            for g in r["gold"]:
                if len(g) < 12 or norm(g) not in guide:
                    problems.append(f"{where} gold not in the guide: {g!r}")
        elif r["gold"]:
            problems.append(f"{where} off-guide question with gold")
        parsed = parse_question(q)
        if shape == "exam_options":
            labels = {o.label for o in parsed.options}
            answer = r.get("answer", "")
            if len(parsed.options) < 3:
                problems.append(f"{where} the parser finds {len(parsed.options)} options")
            elif r["answerable"] and (not answer or not set(answer) <= labels):
                problems.append(f"{where} answer {answer!r} is not among the options {sorted(labels)}")
            elif r["answerable"] and len(answer) != parsed.choose:
                problems.append(f"{where} answer {answer!r} but the question asks for {parsed.choose}")
        elif parsed.has_options:
            problems.append(f"{where} a {shape} question that parses as options")
    return problems


def main() -> int:
    path, guide_path = Path(sys.argv[1]), Path(sys.argv[2])
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    problems = check(records, guide_path.read_text(encoding="utf-8"))
    for p in problems:
        print(p)
    counts = Counter((r.get("shape"), r.get("split"), bool(r.get("answerable"))) for r in records)
    for key in sorted(counts, key=str):
        print("  ", *key, counts[key])
    print(f"{len(records)} questions, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
