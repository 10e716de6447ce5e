"""The systems compared, behind one small shape: `fit(corpus_dir)` once, then `search(question) -> Result`.

- `Ours`: the bot's Answerer over the real index (question shapes, per-option notes, its own refusal).
- `DenseFixedChunks`: dense only over fixed 500-character chunks (50 overlap), the usual quick RAG setup.
- `Bm25Notes`: BM25 only over our notes, with a plain lowercase word tokenizer.
The baselines refuse below a score threshold that the report picks on the dev split.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from index.answer import Answerer
from index.chunk import chunk_corpus
from index.lexical import Bm25
from index.parse import corpus_files

FIXED_CHUNK_CHARS = 500
FIXED_CHUNK_OVERLAP = 50
RANK_DEPTH = 10


@dataclass(frozen=True)
class Result:
    texts: tuple[str, ...]  # the question's notes, best first
    confidence: float  # the refusal score
    answered: bool | None  # the system's own decision, or None: refused below a calibrated threshold
    points_to: str = ""  # option letters the answer points to, "" for none


class SearchSystem(Protocol):
    name: str

    def fit(self, corpus_dir: Path) -> None: ...

    def search(self, question: str) -> Result: ...


class Ours:
    name = "ours"

    def __init__(self, load: Callable[[Path], Answerer]) -> None:
        self._load = load
        self.answerer: Answerer | None = None

    def fit(self, corpus_dir: Path) -> None:
        self.answerer = self._load(corpus_dir)

    def search(self, question: str) -> Result:
        assert self.answerer is not None, "fit first"
        answer = self.answerer.answer(question, RANK_DEPTH)
        texts = tuple(h.chunk.text for h in answer.hits)
        return Result(texts, answer.confidence, answer.answerable, points_to=answer.points_to or "")


class DenseFixedChunks:
    name = "dense, 500-char chunks"

    def __init__(self, encode: Callable[[list[str]], np.ndarray]) -> None:
        self._encode = encode
        self._texts: list[str] = []
        self._index: Any = None  # a faiss index once fitted

    def fit(self, corpus_dir: Path) -> None:
        import faiss

        self._texts = fixed_size_chunks(corpus_dir)
        vectors = self._encode(self._texts)
        self._index = faiss.IndexFlatIP(vectors.shape[1])
        self._index.add(vectors)

    def search(self, question: str) -> Result:
        assert self._index is not None, "fit first"
        scores, ids = self._index.search(self._encode([question]), min(RANK_DEPTH, len(self._texts)))
        texts = tuple(self._texts[i] for i in ids[0] if i >= 0)
        return Result(texts, float(scores[0][0]), None)


class Bm25Notes:
    name = "bm25 only"
    _plain = re.compile(r"[a-z0-9]+")

    def __init__(self) -> None:
        self._texts: list[str] = []
        self._bm25: Bm25 | None = None

    def fit(self, corpus_dir: Path) -> None:
        chunks = chunk_corpus(corpus_dir)
        self._texts = [c.text for c in chunks]
        self._bm25 = Bm25([self._plain.findall(" ".join((*c.heading_path, c.text)).lower()) for c in chunks])

    def search(self, question: str) -> Result:
        assert self._bm25 is not None, "fit first"
        s = self._bm25.scores(self._plain.findall(question.lower()))
        order = np.argsort(-s, kind="stable")[:RANK_DEPTH]
        texts = tuple(self._texts[i] for i in order)
        return Result(texts, float(s[order[0]]) if len(order) else 0.0, None)


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
