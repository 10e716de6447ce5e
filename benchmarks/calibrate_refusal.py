"""Fit the refusal policy on the dev split of eval/questions.jsonl and print it, with test figures.

    python benchmarks/calibrate_refusal.py

Features per question: the best note's fused score and the IDF-weighted share of the question's
terms found in the best note / in the top 3. A logistic regression (plain NumPy) separates
answerable from off-guide questions; its weights are rescaled so the score's weight is 1, and the
threshold is the one refusing the most off-guide dev questions with at most 5% of answerable ones
refused. Paste the printed values into index/answer.py's RefusalPolicy.
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.services import Services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from eval.dataset import FIRST_SET, load_questions  # noqa: E402
from index.answer import RefusalPolicy  # noqa: E402

MAX_FALSE_REFUSAL = 0.05


def features(services: Services, question: str) -> list[float]:
    retriever = services.answerer.retriever
    hits = retriever.search(question, 3)
    top, all_ = retriever.term_coverage(question, hits)
    return [hits[0].score, top, all_]


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
    services = Services.load(Settings.from_env(), quiz=False)
    questions = load_questions([FIRST_SET])
    x = np.array([features(services, q.question) for q in questions])
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
    policy = RefusalPolicy(round(float(coef[1]), 3), round(float(coef[2]), 3), math.floor(float(best_t) * 1000) / 1000)
    print(policy)
    for name, mask in (("dev", dev), ("test", ~dev)):
        refused, false = rates(conf[mask], y[mask], policy.min_confidence)
        print(f"{name:5} off-guide refused {refused:.3f}  answerable refused {false:.3f}  "
              f"({int((~y[mask]).sum())} off-guide, {int(y[mask].sum())} answerable)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
