"""Sanity checks for eval/questions.jsonl against the study guide.

Verifies that ids are unique, fields are well formed, each gold substring occurs in the guide
(whitespace-normalized, case-insensitive) on exactly one line, and off-guide questions have no gold.
Prints counts by style / split / answerability and which guide section each gold line falls under.

Usage: python eval/check_questions.py [questions.jsonl] [guide.txt]
Exit status is 1 when a problem is found.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_QUESTIONS = ROOT / "eval" / "questions.jsonl"
DEFAULT_GUIDE = ROOT / "corpus" / "aws_machine_learning_specialty.txt"

STYLES = {"paraphrase", "typo", "exam", "chat", "acronym", "offguide"}
SPLITS = {"dev", "test"}
FIELDS = {"id", "question", "answerable", "gold", "style", "split"}
MIN_LEN, MAX_LEN = 20, 70

# "1. Data engineering", "1.1 S3", "6.2.1 Elastic inference" (not "667 lines (538 loc)")
NUMBERED = re.compile(r"^\d+\.(\d+\.?)*\s+\S")
BULLET = re.compile(r"^(\s*)•\s?")
# unnumbered sub-headings / lead-ins: "Batch size:", "Graphs", "Amazon Lex Automated Chatbot Designer"
SUBHEADING = re.compile(r"^([A-Z].*:|[A-Z][a-z]*( [A-Za-z][A-Za-z-]*){0,6})$")


def norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def strip_marker(line: str) -> str:
    return BULLET.sub("", line).strip()


class Guide:
    """The guide's lines with, for each, its numbered section and unnumbered sub-section."""

    def __init__(self, path: Path) -> None:
        self.lines = path.read_text(encoding="utf-8").splitlines()
        self.norm_lines = [norm(strip_marker(line)) for line in self.lines]
        self.section: list[str] = []
        self.subsection: list[str] = []
        self.subheadings: list[tuple[str, str]] = []  # (section, sub-heading), in guide order
        self.has_notes: dict[str, bool] = {}  # False for a heading whose only content is sub-headings
        section, subheading, top_bullet = "(preamble)", "", ""
        in_block = False  # still inside the bullet block that directly follows the sub-heading
        seen_bullet = False
        for line in self.lines:
            stripped = line.strip()
            bullet = BULLET.match(line)
            if NUMBERED.match(line):
                section, subheading, top_bullet, in_block, seen_bullet = stripped, "", "", False, False
                self.has_notes[section] = False
            elif bullet:
                if not bullet.group(1).strip(" ") and len(bullet.group(1)) <= 2:
                    top_bullet = strip_marker(line)
                seen_bullet = True
            elif stripped and section != "(preamble)" and SUBHEADING.match(stripped) and "/" not in stripped:
                subheading, top_bullet, in_block, seen_bullet = stripped, "", True, False
                self.subheadings.append((section, subheading))
            elif not stripped:
                if in_block and seen_bullet:
                    in_block = False
            else:
                top_bullet = ""
            if in_block and subheading:
                sub = subheading
            elif bullet and len(bullet.group(1)) > 2 and top_bullet:
                sub = f"[{top_bullet[:40]}]"  # nested note: label by its top-level bullet
            else:
                sub = ""
            if stripped and section in self.has_notes and not NUMBERED.match(line):
                self.has_notes[section] = True
            self.section.append(section)
            self.subsection.append(sub)

    def find(self, gold: str) -> list[int]:
        needle = norm(gold)
        return [i for i, line in enumerate(self.norm_lines) if needle in line]


def main(argv: list[str]) -> int:
    qpath = Path(argv[1]) if len(argv) > 1 else DEFAULT_QUESTIONS
    gpath = Path(argv[2]) if len(argv) > 2 else DEFAULT_GUIDE
    guide = Guide(gpath)
    problems: list[str] = []
    warnings: list[str] = []

    rows = []
    for n, raw in enumerate(qpath.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            continue
        try:
            rows.append(json.loads(raw))
        except json.JSONDecodeError as exc:
            problems.append(f"line {n}: invalid JSON ({exc})")

    ids = Counter(row.get("id") for row in rows)
    problems += [f"duplicate id {qid!r} ({c}x)" for qid, c in ids.items() if c > 1]
    questions = Counter(norm(row.get("question", "")) for row in rows)
    problems += [f"duplicate question {q!r}" for q, c in questions.items() if c > 1]

    section_hits: Counter[str] = Counter()
    subsection_hits: Counter[tuple[str, str]] = Counter()
    gold_lines: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        qid = row.get("id", "?")
        if set(row) != FIELDS:
            problems.append(f"{qid}: fields {sorted(row)} != {sorted(FIELDS)}")
            continue
        if row["style"] not in STYLES:
            problems.append(f"{qid}: unknown style {row['style']!r}")
        if row["split"] not in SPLITS:
            problems.append(f"{qid}: unknown split {row['split']!r}")
        if not isinstance(row["gold"], list):
            problems.append(f"{qid}: gold is not a list")
            continue
        if not row["answerable"]:
            if row["gold"]:
                problems.append(f"{qid}: off-guide question has gold {row['gold']}")
            if row["style"] != "offguide":
                problems.append(f"{qid}: off-guide question has style {row['style']!r}")
            continue
        if row["style"] == "offguide":
            problems.append(f"{qid}: answerable question has style 'offguide'")
        if not 1 <= len(row["gold"]) <= 3:
            problems.append(f"{qid}: {len(row['gold'])} gold strings (want 1-3)")
        for gold in row["gold"]:
            where = guide.find(gold)
            if not where:
                problems.append(f"{qid}: gold not in guide: {gold!r}")
                continue
            if len(where) > 1:
                problems.append(f"{qid}: gold on {len(where)} lines {[i + 1 for i in where]}: {gold!r}")
            line_no = where[0]
            whole_line = norm(gold) == guide.norm_lines[line_no]
            if not MIN_LEN <= len(gold) <= MAX_LEN and not whole_line:
                warnings.append(f"{qid}: gold is {len(gold)} chars (want {MIN_LEN}-{MAX_LEN}): {gold!r}")
            if "\n" in gold:
                problems.append(f"{qid}: gold spans lines: {gold!r}")
            gold_lines[line_no].append(qid)
            section_hits[guide.section[line_no]] += 1
            if guide.subsection[line_no]:
                subsection_hits[(guide.section[line_no], guide.subsection[line_no])] += 1

    answerable = [r for r in rows if r.get("answerable")]
    print(f"questions: {len(rows)}  answerable: {len(answerable)}  off-guide: {len(rows) - len(answerable)}")
    print("\nby style (answerable share in %):")
    style_counts = Counter(r.get("style") for r in rows)
    for style in sorted(STYLES, key=lambda s: (s == "offguide", s)):
        pct = 100 * style_counts[style] / max(len(answerable), 1)
        share = "" if style == "offguide" else f"  ({pct:.0f}%)"
        split_counts = Counter(r["split"] for r in rows if r.get("style") == style)
        print(
            f"  {style:<11}{style_counts[style]:>4}{share:<8}  dev {split_counts['dev']:>3}"
            f"  test {split_counts['test']:>3}"
        )
    split_counts = Counter(r.get("split") for r in rows)
    print("\nby split:")
    for split in sorted(SPLITS):
        ans = sum(1 for r in rows if r.get("split") == split and r.get("answerable"))
        print(
            f"  {split:<5}{split_counts[split]:>4}  ({100 * split_counts[split] / max(len(rows), 1):.0f}%)"
            f"  answerable {ans}  off-guide {split_counts[split] - ans}"
        )

    print("\nby numbered section: gold strings, questions (dev/test); indented: sub-heading or [parent note]")
    sections = list(dict.fromkeys(s for s in guide.section if s != "(preamble)"))
    section_splits: dict[str, Counter[str]] = defaultdict(Counter)
    for row in answerable:
        for sec in {guide.section[guide.find(g)[0]] for g in row["gold"] if guide.find(g)}:
            section_splits[sec][row["split"]] += 1
    for sec in sections:
        sp = section_splits[sec]
        if not guide.has_notes[sec] and not section_hits[sec]:
            print(f"  {sec:<36}   -   (heading only, no notes of its own)")
            continue
        mark = "" if section_hits[sec] else "   <-- NOT COVERED"
        n_questions = sp["dev"] + sp["test"]
        print(f"  {sec:<36}{section_hits[sec]:>4}  {n_questions:>3} ({sp['dev']:>2}/{sp['test']:>2}){mark}")
        for (s, sub), count in sorted(subsection_hits.items(), key=lambda kv: guide_order(guide, kv[0])):
            if s == sec:
                print(f"      {sub[:60]:<62}{count:>3}")
    uncovered = [f"{s} / {h}" for s, h in guide.subheadings if not subsection_hits[(s, h)]]
    problems += [f"section not covered: {s}" for s in sections if guide.has_notes[s] and not section_hits[s]]
    if uncovered:
        print("\nunnumbered sub-headings without a gold line directly under them:")
        for item in uncovered:
            print(f"  {item}")
    shared = {line: qids for line, qids in gold_lines.items() if len(set(qids)) > 1}
    if shared:
        print(f"\n{len(shared)} guide lines are gold for several questions:")
        for line, qids in sorted(shared.items()):
            print(f"  line {line + 1}: {', '.join(sorted(set(qids)))}")

    for warning in warnings:
        print(f"WARNING: {warning}")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print("\nOK" if not problems else f"\n{len(problems)} problem(s)")
    return 1 if problems else 0


def guide_order(guide: Guide, key: tuple[str, str]) -> int:
    section, sub = key
    for i, (s, sb) in enumerate(zip(guide.section, guide.subsection, strict=True)):
        if s == section and sb == sub:
            return i
    return len(guide.lines)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
