"""Question -> ranked Hits: dense FAISS scores fused with BM25 and typo-tolerant term matching."""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import faiss
import numpy as np

from index.chunk import Chunk
from index.lexical import Bm25, Tokenizer
from index.question import named_words
from index.store import IndexStore, search_text

MAX_QUESTION_CHARS = 1000  # longer questions are cut: the model reads 256 tokens anyway
VECTOR_CACHE = 256  # texts whose vectors are kept: a question's stem and options, a few hundred questions
QUERY_CACHE = 16  # searches kept whole (BM25 over every note): enough for the stem and options of one question


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # fused, what the ranking uses
    dense: float  # cosine similarity of question and note
    lexical: float  # BM25 over the note and its heading path, squashed to 0..1


@dataclass(frozen=True)
class FusionWeights:
    """How the signals combine; tuned on eval/questions.jsonl's dev split (benchmarks/README.md)."""

    # Refit 2026-12-04 on the 398 dev questions (with the second writer's exam stems): lexical 1.0 / half 6.0
    # gave R@1 0.810, R@3 0.943 (exam shapes 0.711 / 0.914); 1.3 / 15 gives 0.833 / 0.952 (0.750 / 0.930).
    # Grid 0.6-2.5 x 3-25: R@3 peaks at 1.3 (0.952) and falls from 2.5; more weight on the long stems' rare
    # words, squashed less. (First set only: R@1 peaked at 0.9-1.2 with half 6; a heading field added nothing.)
    lexical: float = 1.3
    bm25_half: float = 15.0  # BM25 score that maps to 0.5 after squashing
    candidates: int = 60
    # A pasted exam question's notes are ranked by stem score + this x the best option's score for the note:
    # the deciding note is about one of the options. Dev option questions (34): R@1 0.76 -> 0.85, R@3 0.88 ->
    # 0.94 at 0.4 (grid 0.2-1.5: 0.2-0.5 within a question of it, 1.0 and over worse than none).
    option: float = 0.4


@dataclass(frozen=True)
class OptionSearch:
    """A pasted exam question's notes, and how well each option fits the question's best note for it."""

    hits: list[Hit]  # best first by stem + option-weighted score
    support: list[float]  # per option, in order: max over notes of stem score + support_weight x option score


@dataclass(frozen=True)
class _Query:
    vector: np.ndarray
    body: np.ndarray  # BM25 score of every note
    candidates: np.ndarray  # rows of the notes worth fusing


@dataclass(frozen=True)
class _Scores:
    """Fused, dense and lexical scores of some notes (`rows`), as arrays: Hits are made for the top only."""

    chunks: list[Chunk]
    rows: np.ndarray
    fused: np.ndarray
    dense: np.ndarray
    lexical: np.ndarray

    def hits(self, order: np.ndarray) -> list[Hit]:
        return [Hit(self.chunks[self.rows[i]], float(self.fused[i]), float(self.dense[i]), float(self.lexical[i]))
                for i in order]


class Retriever:
    """Hybrid retrieval over one built index. Thread-safe for concurrent reads."""

    def __init__(self, store: IndexStore, encode: Callable[[list[str]], np.ndarray],
                 weights: FusionWeights | None = None) -> None:
        # One question at a time: FAISS's OpenMP threads would save little on a flat search of one vector
        # and, left spinning, they take the cores from the encoder's BLAS threads (p99 x2.5 at 100x notes).
        faiss.omp_set_num_threads(1)
        self.store = store
        self.chunks = store.chunks
        self.tokenizer: Tokenizer = store.tokenizer
        self.weights = weights or FusionWeights()
        self._encode = encode
        # An exam question's stem is searched for the refusal and again with its options, and each option
        # for the question's notes and for its own: a text is encoded once.
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._vectors_lock = threading.Lock()
        self._queries: OrderedDict[tuple[str, int], _Query] = OrderedDict()  # the last few, same reason
        doc_terms = [self.tokenizer.tokenize(search_text(c)) for c in self.chunks]
        self._bm25 = Bm25(doc_terms)
        self._terms = {c.id: frozenset(t) for c, t in zip(self.chunks, doc_terms, strict=True)}
        self._vocabulary = frozenset(t for terms in doc_terms for t in terms)
        self._row = {c.id: i for i, c in enumerate(self.chunks)}

    def search(self, question: str, k: int = 3) -> list[Hit]:
        question = question.strip()[:MAX_QUESTION_CHARS]
        k = max(0, min(k, len(self.chunks)))
        if not question or k == 0:
            return []
        query = self._query(question, k)
        scores = self._fuse(query.candidates, query)
        return scores.hits(np.argsort(-scores.fused, kind="stable")[:k])

    def search_with_options(self, stem: str, options: list[str], k: int, support_weight: float) -> OptionSearch:
        """The notes of a pasted exam question, ranked by the stem and by the option each note fits best."""
        stem = stem.strip()[:MAX_QUESTION_CHARS]
        texts = [o.strip()[:MAX_QUESTION_CHARS] for o in options]
        k = max(0, min(k, len(self.chunks)))
        if not stem or k == 0:
            return OptionSearch([], [0.0] * len(options))
        stem_query = self._query(stem, k)
        option_queries = [self._query(t, k) if t else None for t in texts]
        rows = np.unique(np.concatenate([stem_query.candidates,
                                         *(q.candidates for q in option_queries if q is not None)]))
        stem_scores = self._fuse(rows, stem_query)
        option_scores = np.array([np.zeros(len(rows)) if q is None else self._fuse(rows, q).fused
                                  for q in option_queries]).reshape(len(options), len(rows))
        best_option = option_scores.max(axis=0) if len(options) else np.zeros(len(rows))
        joint = stem_scores.fused + self.weights.option * best_option
        order = np.argsort(-joint, kind="stable")[:k]
        hits = [Hit(h.chunk, float(joint[i]), h.dense, h.lexical)
                for i, h in zip(order, stem_scores.hits(order), strict=True)]
        support = [float((stem_scores.fused + support_weight * scores).max()) if q is not None else 0.0
                   for q, scores in zip(option_queries, option_scores, strict=True)]
        return OptionSearch(hits, support)

    def encode(self, texts: list[str]) -> np.ndarray:
        """The texts' vectors, those not encoded lately in one forward pass (a pasted question's stem and
        options together cost about what the stem alone does)."""
        keys = [t.strip()[:MAX_QUESTION_CHARS] for t in texts]
        with self._vectors_lock:
            missing = list(dict.fromkeys(k for k in keys if k not in self._vectors))
        fresh = dict(zip(missing, self._encode(missing), strict=True)) if missing else {}
        with self._vectors_lock:
            out = [fresh[k] if k in fresh else self._vectors[k] for k in keys]
            for key, vector in zip(keys, out, strict=True):
                self._vectors[key] = vector
                self._vectors.move_to_end(key)
            while len(self._vectors) > VECTOR_CACHE:
                self._vectors.popitem(last=False)
        return np.array(out).reshape(len(keys), -1)

    def _query(self, question: str, k: int) -> _Query:
        """The question's vector, BM25 scores over every note, and the notes either signal ranks high."""
        n = len(self.chunks)
        pool = min(n, max(self.weights.candidates, k))
        with self._vectors_lock:
            known = self._queries.get((question, pool))
        if known is not None:
            return known
        qvec = self.encode([question])[0]
        _, dense_ids = self.store.dense.search(qvec[None, :], pool)
        body = self._bm25.scores(self.tokenizer.tokenize(question, correct=True))
        lexical_ids = np.argpartition(-body, pool - 1)[:pool] if pool < n else np.arange(n)
        query = _Query(qvec, body, np.unique(np.concatenate([dense_ids[0][dense_ids[0] >= 0], lexical_ids])))
        with self._vectors_lock:
            self._queries[(question, pool)] = query
            while len(self._queries) > QUERY_CACHE:
                self._queries.popitem(last=False)
        return query

    def _fuse(self, rows: np.ndarray, query: _Query) -> _Scores:
        """The notes of `rows` scored: cosine with the question + weighted, squashed BM25."""
        dense = self.store.vectors[rows] @ query.vector
        lex = _squash(query.body[rows], self.weights.bm25_half)
        return _Scores(self.chunks, rows, dense + self.weights.lexical * lex, dense, lex)

    def term_coverage(self, question: str, hits: list[Hit]) -> tuple[float, float]:
        """IDF-weighted share of the question's terms found in the top note, and in all the hits.

        Off-guide questions name things the notes never mention ("Snowball", "Braket"): their
        terms stay uncovered even when a note about a neighbouring topic scores well.
        """
        terms = list(dict.fromkeys(self.tokenizer.tokenize(question, correct=True)))
        if not terms or not hits:
            return 0.0, 0.0
        weights = [self._bm25.idf(t) for t in terms]
        total = sum(weights)
        top = self._terms[hits[0].chunk.id]
        union = frozenset().union(*(self._terms[h.chunk.id] for h in hits))
        return (sum(w for t, w in zip(terms, weights, strict=True) if t in top) / total,
                sum(w for t, w in zip(terms, weights, strict=True) if t in union) / total)


    def names_unknown(self, question: str) -> bool:
        """Whether the question names something no note contains ("Amazon Athena", "Wireshark"): of the
        dev questions, 52 % of the off-guide ones do, 7 % of the answerable ones (Sundays, HR, Dockerfile).
        Spelt as written: a corrected typo would match a name the guide has, and on dev the uncorrected
        form separates better (off-guide refused 79 % against 71 %, at 5 % of answerable ones)."""
        return any(terms and not any(t in self._vocabulary for t in terms)
                   for terms in (self.tokenizer.tokenize(w) for w in named_words(question)))


def _squash(x: np.ndarray, half: float) -> np.ndarray:
    return x / (x + half)
