"""`python -m bot eval`: recall@1/@3, MRR, refusals, the useful rate and the option pointer, per question
shape and per guide, for ours and the two baselines, dev and held-out test side by side, in one run.

The corpus evaluated is `corpus/` plus the guides of other fields in `eval/guides/`, dropped in as a group
would drop its notes: the same code, no setting changed. A hit is correct when its text contains one of
the question's gold strings (case and spacing ignored). "useful" is the share of answerable questions
answered (not refused) with a deciding note among the three shown.
"""
from __future__ import annotations

import json
import shutil
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from eval.dataset import GUIDES_DIR, SHAPES, SPLITS, Question, Split, default_files, load_questions
from eval.systems import Bm25Notes, DenseFixedChunks, Ours, Result, SearchSystem
from index.answer import Answerer
from index.embed import MiniLMEncoder, SentenceTransformerEmbedder
from index.parse import corpus_files
from index.retrieve import Retriever
from index.store import load_or_build

MAX_FALSE_REFUSAL = 0.05


@dataclass(frozen=True)
class Metrics:
    answerable: int
    offguide: int
    recall_at_1: float
    recall_at_3: float
    mrr: float
    offguide_refused: float
    answerable_refused: float
    useful: float


@dataclass(frozen=True)
class Scored:
    question: Question
    result: Result
    rank: int | None  # of the first deciding note among the question's notes
    answered: bool


def first_correct_rank(q: Question, texts: Sequence[str]) -> int | None:
    golds = [_norm(g) for g in q.gold]
    for rank, text in enumerate(texts, 1):
        t = _norm(text)
        if any(g in t for g in golds):
            return rank
    return None


def metrics(rows: Sequence[Scored]) -> Metrics:
    ans = [r for r in rows if r.question.answerable]
    off = [r for r in rows if not r.question.answerable]
    n = max(len(ans), 1)
    return Metrics(
        answerable=len(ans), offguide=len(off),
        recall_at_1=sum(r.rank == 1 for r in ans) / n,
        recall_at_3=sum(r.rank is not None and r.rank <= 3 for r in ans) / n,
        mrr=sum(1 / r.rank for r in ans if r.rank) / n,
        offguide_refused=sum(not r.answered for r in off) / max(len(off), 1),
        answerable_refused=sum(not r.answered for r in ans) / n,
        useful=sum(r.answered and r.rank is not None and r.rank <= 3 for r in ans) / n,
    )


def calibrate(questions: Sequence[Question], results: Sequence[Result], max_false: float = MAX_FALSE_REFUSAL
              ) -> float:
    """The threshold refusing the most off-guide questions while refusing <= max_false answerable ones."""
    ans = sorted(r.confidence for q, r in zip(questions, results, strict=True) if q.answerable)
    off = [r.confidence for q, r in zip(questions, results, strict=True) if not q.answerable]
    if not ans:
        return float("-inf")
    allowed = int(max_false * len(ans))  # answerable questions that may fall below the threshold
    threshold = ans[allowed]
    return threshold if off else float("-inf")


def eval_corpus(corpus_dir: Path, work: Path) -> Path:
    """corpus/ with the other fields' guides of eval/guides/ added, as a group adds its notes."""
    dest = work / "corpus"
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(corpus_dir, dest)
    for guide in sorted(GUIDES_DIR.glob("*.md")):
        shutil.copy(guide, dest / guide.name)
    return dest


def load_answerer(index_dir: Path) -> Callable[[Path], Answerer]:
    def load(corpus_dir: Path) -> Answerer:
        embedder = SentenceTransformerEmbedder()
        index, _ = load_or_build(corpus_dir, index_dir, lambda: embedder.encode)
        return Answerer(Retriever(index, MiniLMEncoder().encode))

    return load


def run_eval(corpus_dir: Path, work_dir: Path, files: list[Path] | None = None, dump: Path | None = None) -> int:
    questions = load_questions(files or default_files())
    corpus = eval_corpus(corpus_dir, work_dir)
    encode = MiniLMEncoder().encode
    systems: list[SearchSystem] = [Ours(load_answerer(work_dir / "index")), DenseFixedChunks(encode), Bm25Notes()]
    print(f"corpus: {', '.join(p.name for p in corpus_files(corpus))}")
    print(f"questions: {len(questions)} ({sum(q.split == 'dev' for q in questions)} dev, "
          f"{sum(q.split == 'test' for q in questions)} held-out test; "
          f"{sum(not q.answerable for q in questions)} off-guide)\n")
    scored: dict[str, list[Scored]] = {}
    timings: dict[str, list[float]] = {}
    for system in systems:
        system.fit(corpus)
        results, times = [], []
        for q in questions:
            started = time.perf_counter()
            results.append(system.search(q.question))
            times.append((time.perf_counter() - started) * 1000)
        if system.name == "ours":
            answered = [bool(r.answered) for r in results]
        else:
            dev = [i for i, q in enumerate(questions) if q.split == "dev"]
            threshold = calibrate([questions[i] for i in dev], [results[i] for i in dev])
            answered = [r.confidence >= threshold for r in results]
        scored[system.name] = [Scored(q, r, first_correct_rank(q, r.texts), a)
                               for q, r, a in zip(questions, results, answered, strict=True)]
        timings[system.name] = times
    _print_overall(scored)
    _print_by_group(scored)
    _print_pointer(scored["ours"])
    t = timings["ours"]
    print(f"\nours: median {statistics.median(t):.1f} ms a question in this run "
          f"(p99 {sorted(t)[int(0.99 * (len(t) - 1))]:.1f} ms; latency figures: benchmarks/latency.py and "
          "benchmarks/shape_latency.py)")
    if dump is not None:
        with open(dump, "w", encoding="utf-8") as f:
            for row in scored["ours"]:
                f.write(json.dumps({"id": row.question.id, "split": row.question.split, "shape": row.question.shape,
                                    "guide": row.question.guide, "answerable": row.question.answerable,
                                    "rank": row.rank, "answered": row.answered,
                                    "confidence": round(row.result.confidence, 4),
                                    "points_to": row.result.points_to, "answer": row.question.answer}) + "\n")
    return 0


HEADER = f"{'R@1':>5} {'R@3':>5} {'MRR':>5} {'off-ref':>7} {'ans-ref':>7} {'useful':>6}"


def _cells(m: Metrics) -> str:
    if not m.answerable and not m.offguide:
        return f"{'-':>5} {'-':>5} {'-':>5} {'-':>7} {'-':>7} {'-':>6}"
    if not m.answerable:
        return f"{'':>5} {'':>5} {'':>5} {m.offguide_refused:7.2f} {'':>7} {'':>6}"
    off = f"{m.offguide_refused:7.2f}" if m.offguide else f"{'-':>7}"
    return (f"{m.recall_at_1:5.2f} {m.recall_at_3:5.2f} {m.mrr:5.2f} {off} "
            f"{m.answerable_refused:7.2f} {m.useful:6.2f}")


def _split(rows: Sequence[Scored], split: Split) -> list[Scored]:
    return [r for r in rows if r.question.split == split]


def _print_overall(scored: dict[str, list[Scored]]) -> None:
    print(f"{'system':24} {'n':>12} | " + " | ".join(f"{split:7} {HEADER}" for split in SPLITS))
    for name, rows in scored.items():
        parts = [metrics(_split(rows, split)) for split in SPLITS]
        n = "/".join(str(m.answerable + m.offguide) for m in parts)
        print(f"{name:24} {n:>12} | " + " | ".join(f"{'':7} {_cells(m)}" for m in parts))


def _print_by_group(scored: dict[str, list[Scored]]) -> None:
    guides = sorted({r.question.guide for r in next(iter(scored.values()))})
    for name, rows in scored.items():
        print(f"\n{name}, by guide and shape (n = answerable + off-guide, for {'/'.join(SPLITS)})")
        print(f"{'guide':9} {'shape':13} " + " ".join(f"{'n ' + split:>9}" for split in SPLITS) + " | "
              + " | ".join(f"{split:7} {HEADER}" for split in SPLITS))
        for guide in guides:
            for shape in SHAPES:
                group = [r for r in rows if r.question.guide == guide and r.question.shape == shape]
                if not group:
                    continue
                parts = [metrics(_split(group, split)) for split in SPLITS]
                counts = " ".join(f"{f'{m.answerable}+{m.offguide}':>9}" for m in parts)
                print(f"{guide:9} {shape:13} {counts} | " + " | ".join(f"{'':7} {_cells(m)}" for m in parts))


def _print_pointer(rows: Sequence[Scored]) -> None:
    print("\nours, \"The notes point to\" on answerable option questions:")
    for split in SPLITS:
        group = [r for r in _split(rows, split) if r.question.answerable and r.question.answer]
        shown = [r for r in group if r.result.points_to]
        right = sum(r.result.points_to == r.question.answer for r in shown)
        share = len(shown) / max(len(group), 1)
        precision = right / max(len(shown), 1)
        print(f"  {split:7} shown on {len(shown)}/{len(group)} ({share:.0%}), right {right}/{len(shown)} "
              f"({precision:.0%})")


def _norm(text: str) -> str:
    # Notes are quoted without the guide's markdown emphasis; gold strings are copied with it.
    return " ".join(text.replace("**", "").replace("`", "").split()).casefold()
