"""Fit the refusal policy on the dev split of every eval set (all shapes, both guides) and print it.

    python benchmarks/calibrate_refusal.py

Features per question: the best note's fused score, the IDF-weighted share of the question's
terms found in the best note / in the top 3, and whether it names something no note contains. A
logistic regression (plain NumPy) separates answerable from off-guide questions; its weights are
rescaled so the score's weight is 1, and the threshold is the one refusing the most off-guide dev
questions with at most 5% of answerable ones refused. The corpus is the evaluation's (corpus/ +
eval/guides/), the query what the Answerer searches with (an exam question's stem). Paste the printed
values into index/answer.py's RefusalPolicy; the held-out figures, per shape, are printed for the record only.
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.dataset import SHAPES, default_files, load_questions  # noqa: E402
from eval.report import eval_corpus, load_answerer  # noqa: E402
from index.answer import Answerer, RefusalPolicy  # noqa: E402
from index.question import parse_question  # noqa: E402

MAX_FALSE_REFUSAL = 0.05


def features(answerer: Answerer, question: str) -> list[float]:
    retriever = answerer.retriever
    question = parse_question(question).search_text()
    hits = retriever.search(question, 3)
    top, all_ = retriever.term_coverage(question, hits)
    return [hits[0].score, top, all_, float(retriever.names_unknown(question))]


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 0.01, steps: int = 5000) -> np.ndarray:
    z = np.c_[x, np.ones(len(x))]
    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-z @ w))
        w -= 0.1 * (z.T @ (p - y) / len(y) + l2 * np.r_[w[:-1], 0])
    return w


def rates(conf: np.ndarray, y: np.ndarray, t: float) -> tuple[float, float]:
    return float(np.mean(conf[~y] < t)), float(np.mean(conf[y] < t))


def main() -> int:
    work = ROOT / ".cache" / "eval"
    answerer = load_answerer(work / "index")(eval_corpus(ROOT / "corpus", work))
    questions = load_questions(default_files())
    x = np.array([features(answerer, q.question) for q in questions])
    y = np.array([q.answerable for q in questions])
    dev = np.array([q.split == "dev" for q in questions])
    mu, sd = x[dev].mean(0), x[dev].std(0) + 1e-9
    w = fit_logistic((x[dev] - mu) / sd, y[dev].astype(float))
    raw = w[:-1] / sd
    coef = raw / raw[0]  # score weight 1
    conf = x @ coef
    best_t, best_refused = None, -1.0
    for t in sorted(set(conf[dev])):
        refused, false = rates(conf[dev], y[dev], t)
        if false <= MAX_FALSE_REFUSAL and refused > best_refused:
            best_t, best_refused = t, refused
    policy = RefusalPolicy(round(float(coef[1]), 3), round(float(coef[2]), 3), round(float(coef[3]), 3),
                           math.floor(float(best_t) * 1000) / 1000)
    print(policy)
    named = x[:, 3] > 0
    print(f"dev   names something no note contains: off-guide {named[dev & ~y].mean():.2f}, "
          f"answerable {named[dev & y].mean():.2f}")
    for name, mask in (("dev", dev), ("test", ~dev)):
        refused, false = rates(conf[mask], y[mask], policy.min_confidence)
        print(f"{name:5} off-guide refused {refused:.3f}  answerable refused {false:.3f}  "
              f"({int((~y[mask]).sum())} off-guide, {int(y[mask].sum())} answerable)")
    shape = np.array([q.shape for q in questions])
    for name, mask in (("dev", dev), ("test", ~dev)):
        for sh in SHAPES:
            m = mask & (shape == sh)
            if m.any():
                refused, false = rates(conf[m], y[m], policy.min_confidence)
                print(f"  {name:5} {sh:13} off-guide refused {refused:.2f} ({int((~y[m]).sum())})  "
                      f"answerable refused {false:.2f} ({int(y[m].sum())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
