"""How often "The notes point to X" would be shown and right, per margin, on the dev option questions.

    python benchmarks/calibrate_pointer.py

For each single-answer option question of the dev split, the margin is the best option note's score
minus the second best's. index/answer.py's POINTER_MARGIN is the smallest margin at which the pointer
is right at least 90 % of the times it is shown. The held-out split is reported by `python -m bot eval`
and never used here.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from eval.dataset import default_files, load_questions  # noqa: E402
from eval.report import eval_corpus, load_answerer  # noqa: E402
from index.answer import _negated  # noqa: E402

MARGINS = (0.05, 0.075, 0.1, 0.125, 0.15, 0.175, 0.2, 0.25)


def main() -> int:
    work = ROOT / ".cache" / "eval"
    answerer = load_answerer(work / "index")(eval_corpus(ROOT / "corpus", work))
    questions = [q for q in load_questions(default_files())
                 if q.split == "dev" and len(q.answer) == 1 and not _negated(q.question)]
    margins: list[tuple[float, bool]] = []
    for q in questions:
        ranked = sorted(answerer.answer(q.question).options, key=lambda o: o.support, reverse=True)
        margins.append((ranked[0].support - ranked[1].support, ranked[0].label == q.answer))
    print(f"dev single-answer option questions: {len(margins)}; best option right on {sum(r for _, r in margins)}")
    for m in MARGINS:
        shown = [right for margin, right in margins if margin >= m]
        print(f"  margin {m:.3f}: shown {len(shown)}/{len(margins)}, right {sum(shown)}/{len(shown)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
