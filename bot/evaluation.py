"""`python -m bot eval`: recall@1/@3, MRR and refusal figures for our retriever and two baselines.

A hit is correct when its text contains one of the question's gold strings (case and spacing
ignored). Baselines, in the same run:
- dense-only over fixed 500-character chunks (50 overlap), the usual quick RAG setup;
- BM25-only over our notes, with a plain lowercase word tokenizer.
Each system refuses below a score threshold (ours: the Answerer's confidence, calibrated by
benchmarks/calibrate_refusal.py); the baselines' thresholds are picked on the dev split
(most off-guide refusals with at most 5% of answerable questions refused) so the comparison is fair.
"""
from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.services import Services
from bot.settings import Settings
from index.chunk import chunk_corpus
from index.lexical import Bm25
from index.parse import corpus_files, read_guide

FIXED_CHUNK_CHARS = 500
FIXED_CHUNK_OVERLAP = 50
MAX_FALSE_REFUSAL = 0.05
RANK_DEPTH = 10


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answerable: bool
    gold: tuple[str, ...]
    style: str
    split: str


@dataclass(frozen=True)
class Ranked:
    """One system's output for one question: hit texts best first, and the top score."""

    texts: tuple[str, ...]
    top_score: float


@dataclass(frozen=True)
class Metrics:
    recall_at_1: float
    recall_at_3: float
    mrr: float
    refusal_accuracy: float  # share of off-guide questions refused
    false_refusal_rate: float  # share of answerable questions refused
    answerable: int
    offguide: int


class EvalError(ValueError):
    """A questions file the evaluation cannot use; the message says why."""


def load_questions(path: Path) -> list[Question]:
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
            out.append(Question(d["id"], d["question"], bool(d["answerable"]), tuple(d["gold"]), d["style"],
                                d["split"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise EvalError(f"{path}:{n}: not a question record ({exc})") from exc
    if not out:
        raise EvalError(f"{path} holds no questions")
    return out


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def first_correct_rank(q: Question, ranked: Ranked) -> int | None:
    golds = [_norm(g) for g in q.gold]
    for rank, text in enumerate(ranked.texts, 1):
        t = _norm(text)
        if any(g in t for g in golds):
            return rank
    return None


def score(questions: Sequence[Question], ranked: Sequence[Ranked], threshold: float) -> Metrics:
    ranks = [first_correct_rank(q, r) for q, r in zip(questions, ranked, strict=True) if q.answerable]
    answerable = [r for q, r in zip(questions, ranked, strict=True) if q.answerable]
    offguide = [r for q, r in zip(questions, ranked, strict=True) if not q.answerable]
    n = max(len(ranks), 1)
    return Metrics(
        recall_at_1=sum(1 for r in ranks if r == 1) / n,
        recall_at_3=sum(1 for r in ranks if r is not None and r <= 3) / n,
        mrr=sum(1 / r for r in ranks if r is not None) / n,
        refusal_accuracy=sum(1 for r in offguide if r.top_score < threshold) / max(len(offguide), 1),
        false_refusal_rate=sum(1 for r in answerable if r.top_score < threshold) / max(len(answerable), 1),
        answerable=len(answerable),
        offguide=len(offguide),
    )


def calibrate(questions: Sequence[Question], ranked: Sequence[Ranked], max_false: float = MAX_FALSE_REFUSAL
              ) -> float:
    """The threshold refusing the most off-guide questions while refusing <= max_false answerable."""
    candidates = sorted({r.top_score for r in ranked})
    best, best_refused = float("-inf"), -1.0
    for t in candidates:
        m = score(questions, ranked, t)
        if m.false_refusal_rate <= max_false and m.refusal_accuracy > best_refused:
            best, best_refused = t, m.refusal_accuracy
    return best


def fixed_size_chunks(corpus_dir: Path) -> list[str]:
    """The guides cut every 500 characters at a space, 50 characters overlapping."""
    out = []
    for path in corpus_files(corpus_dir):
        text = path.read_text(encoding="utf-8")
        start = 0
        while start < len(text):
            end = min(start + FIXED_CHUNK_CHARS, len(text))
            if end < len(text):
                space = text.rfind(" ", start + FIXED_CHUNK_CHARS // 2, end)
                end = space if space > 0 else end
            out.append(text[start:end])
            if end >= len(text):
                break
            start = max(end - FIXED_CHUNK_OVERLAP, start + 1)
    return out


def dense_baseline(corpus_dir: Path, encode: Callable[[list[str]], np.ndarray]) -> Callable[[str], Ranked]:
    import faiss

    texts = fixed_size_chunks(corpus_dir)
    vectors = encode(texts)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)

    def run(question: str) -> Ranked:
        scores, ids = index.search(encode([question]), min(RANK_DEPTH, len(texts)))
        return Ranked(tuple(texts[i] for i in ids[0] if i >= 0), float(scores[0][0]))

    return run


def bm25_baseline(corpus_dir: Path) -> Callable[[str], Ranked]:
    chunks = chunk_corpus(corpus_dir)
    plain = re.compile(r"[a-z0-9]+")
    bm25 = Bm25([plain.findall(" ".join((*c.heading_path, c.text)).lower()) for c in chunks])

    def run(question: str) -> Ranked:
        s = bm25.scores(plain.findall(question.lower()))
        order = np.argsort(-s)[:RANK_DEPTH]
        return Ranked(tuple(chunks[i].text for i in order), float(s[order[0]]) if len(order) else 0.0)

    return run


def ours(services: Services) -> Callable[[str], Ranked]:
    """Our ranking; its refusal score is the Answerer's confidence (score + term coverage)."""
    answerer = services.answerer

    def run(question: str) -> Ranked:
        hits = answerer.retriever.search(question, RANK_DEPTH)
        return Ranked(tuple(h.chunk.text for h in hits), answerer.confidence(question, hits[:3]))

    return run


def run_eval(settings: Settings, questions_path: Path, split: str) -> int:
    from index.embed import MiniLMEncoder

    services = Services.load(settings, quiz=False)
    encode = MiniLMEncoder().encode
    all_q = load_questions(questions_path)
    dev = [q for q in all_q if q.split == "dev"]
    systems = {
        "ours (hybrid)": ours(services),
        "dense, 500-char chunks": dense_baseline(settings.corpus_dir, encode),
        "bm25 only": bm25_baseline(settings.corpus_dir),
    }
    print(f"questions: {questions_path} ({len(all_q)}; dev {len(dev)}, test {len(all_q) - len(dev)}); "
          f"guides: {', '.join(p.name for p in corpus_files(settings.corpus_dir))} "
          f"({sum(len(read_guide(p).sections) for p in corpus_files(settings.corpus_dir))} sections)")
    header = f"{'system':26} {'split':5} {'R@1':>6} {'R@3':>6} {'MRR':>6} {'refused':>8} {'false-ref':>9} {'thresh':>7}"
    print(header)
    print("-" * len(header))
    ours_ranked: dict[str, Ranked] = {}
    for name, system in systems.items():
        started = time.perf_counter()
        ranked = {q.id: system(q.question) for q in all_q}
        if name.startswith("ours"):
            threshold = services.answerer.policy.min_confidence
        else:
            threshold = calibrate(dev, [ranked[q.id] for q in dev])
        for part in (("dev", "test") if split == "all" else (split,)):
            qs = [q for q in all_q if q.split == part]
            m = score(qs, [ranked[q.id] for q in qs], threshold)
            print(f"{name:26} {part:5} {m.recall_at_1:6.3f} {m.recall_at_3:6.3f} {m.mrr:6.3f} "
                  f"{m.refusal_accuracy:8.3f} {m.false_refusal_rate:9.3f} {threshold:7.3f}")
        per_q = (time.perf_counter() - started) / len(all_q) * 1000
        print(f"{'':26} ({per_q:.1f} ms a question)")
        if name.startswith("ours"):
            ours_ranked = ranked
    print("\nours by question style (dev + test):")
    for style in sorted({q.style for q in all_q if q.answerable}):
        qs = [q for q in all_q if q.style == style]
        m = score(qs, [ours_ranked[q.id] for q in qs], services.answerer.policy.min_confidence)
        print(f"  {style:11} n={m.answerable:3d}  R@1 {m.recall_at_1:.3f}  R@3 {m.recall_at_3:.3f}  "
              f"false-refusal {m.false_refusal_rate:.3f}")
    return 0
