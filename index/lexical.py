"""Lexical side of retrieval: one Tokenizer for notes and questions, BM25 over its tokens.

Members type service names, acronyms and typos ("xgbost", "SG", "kinesis video"), so the tokenizer
expands acronyms (from the guide's own "Long name (ACR)" pairs plus corpus/aliases.json) and
corrects an unknown question word to the nearest word of the guide's vocabulary with rapidfuzz.
The same saved instance tokenizes notes at build time and questions at query time (bm25s#91).
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

_WORD = re.compile(r"[a-z0-9]+")
_MAX_CORRECTIONS = 50_000
_ACRONYM_AFTER = re.compile(r"([A-Za-z][A-Za-z0-9 /&-]{3,80}?)\s*\(([A-Z][A-Za-z0-9-]{1,7})\)")
_ACRONYM_BEFORE = re.compile(r"\b([A-Z][A-Z0-9-]{1,7})\s*\(([a-z][a-z0-9 -]{3,80})\)")

STOPWORDS = frozenset({
    "a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "by", "for", "with", "from", "as",
    "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those", "there",
    "their", "they", "them", "we", "you", "your", "i", "me", "my", "our", "do", "does", "did", "doing", "done",
    "can", "could", "should", "would", "will", "shall", "may", "might", "must", "what", "which", "who", "whom",
    "whose", "when", "where", "why", "how", "than", "then", "so", "such", "not", "no", "nor", "only", "own", "same",
    "too", "very", "just", "also", "into", "over", "under", "about", "after", "before", "between", "both", "each",
    "few", "more", "most", "other", "some", "any", "all", "up", "down", "out", "off", "again", "further", "once",
    "here", "s", "t", "use", "used", "using", "vs", "via", "per", "im", "whats", "get",
    "got", "want", "need", "needs", "know", "tell", "like", "one",
})


def _stem(word: str) -> str:
    """Light suffix stripping; enough to match plurals and -ing/-ed forms of the same word."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, repl, min_len in (("ies", "y", 4), ("sses", "ss", 4), ("ing", "", 5), ("ed", "", 5),
                                  ("es", "", 5), ("s", "", 4)):
        if word.endswith(suffix) and len(word) - len(suffix) + len(repl) >= min_len - 1:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            return word[: len(word) - len(suffix)] + repl
    return word


@dataclass
class Tokenizer:
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "kds" -> ("kinesis", "data", ...)
    vocabulary: list[str] = field(default_factory=list)  # raw words of the notes, for typo correction
    _vocab_set: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False)
    _corrections: dict[str, str | None] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._vocab_set = frozenset(self.vocabulary)

    @classmethod
    def fit(cls, texts: Iterable[str], extra_aliases: dict[str, str] | None = None) -> Tokenizer:
        texts = list(texts)
        aliases: dict[str, tuple[str, ...]] = {}
        for text in texts:
            for long, short in _ACRONYM_AFTER.findall(text):
                _add_alias(aliases, short, long)
            for short, long in _ACRONYM_BEFORE.findall(text):
                _add_alias(aliases, short, long)
        for short, long in (extra_aliases or {}).items():
            _add_alias(aliases, short, long, replace=True)
        vocabulary = sorted({w for text in texts for w in _WORD.findall(text.lower())})
        return cls(aliases=aliases, vocabulary=vocabulary)

    def tokenize(self, text: str, *, correct: bool = False) -> list[str]:
        """Stemmed content words, acronyms expanded. `correct` fixes typos (questions only)."""
        tokens: list[str] = []
        for word in _WORD.findall(text.lower()):
            # Stopwords first: "could" is not in the guide but must not be "corrected" to "cold".
            if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
                continue
            if correct and word not in self._vocab_set:
                word = self.correct(word) or word
                if word in STOPWORDS:
                    continue
            tokens.append(_stem(word))
            for extra in self.aliases.get(word, ()):
                tokens.append(_stem(extra))
        return tokens

    def correct(self, word: str) -> str | None:
        """The guide's word nearest to an unknown one ("xgbost" -> "xgboost"), or None."""
        if len(word) < 4 or word.isdigit() or not self.vocabulary:
            return None
        if word not in self._corrections:
            if len(self._corrections) >= _MAX_CORRECTIONS:  # members' typos are unbounded; the cache is not
                self._corrections.clear()
            match = process.extractOne(word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=80)
            self._corrections[word] = match[0] if match else None
        return self._corrections[word]

    def to_json(self) -> dict:
        return {"aliases": {k: list(v) for k, v in self.aliases.items()}, "vocabulary": self.vocabulary}

    @classmethod
    def from_json(cls, data: dict) -> Tokenizer:
        return cls(aliases={k: tuple(v) for k, v in data["aliases"].items()},
                   vocabulary=list(data["vocabulary"]))


def _add_alias(aliases: dict[str, tuple[str, ...]], short: str, long: str, *, replace: bool = False) -> None:
    key = short.lower().replace("-", "")
    words = tuple(w for w in _WORD.findall(long.lower()) if w not in STOPWORDS)
    if not words or key in words or len(key) < 2:
        return
    # An acronym should be the initials of its long form; this keeps "Parquet (not CSV)" out.
    initials = "".join(w[0] for w in words)
    if not replace and not (initials.startswith(key[:2]) or key.startswith(initials[:2])):
        return
    if replace or key not in aliases:
        aliases[key] = words


class Bm25:
    """Okapi BM25 over pre-tokenized documents, scored through an inverted index."""

    def __init__(self, docs: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.n = len(docs)
        self.k1, self.b = k1, b
        lengths = np.array([len(d) for d in docs], dtype=np.float32)
        self._avg = float(lengths.mean()) if self.n else 0.0
        self._norm = k1 * (1 - b + b * lengths / max(self._avg, 1e-9)) if self.n else lengths
        postings: dict[str, list[tuple[int, int]]] = {}
        for i, doc in enumerate(docs):
            for term, tf in Counter(doc).items():
                postings.setdefault(term, []).append((i, tf))
        self._postings = {
            term: (np.array([p[0] for p in plist], dtype=np.int64), np.array([p[1] for p in plist], dtype=np.float32))
            for term, plist in postings.items()
        }
        self._idf = {term: math.log(1 + (self.n - len(p) + 0.5) / (len(p) + 0.5)) for term, p in postings.items()}

    def scores(self, query: Sequence[str]) -> np.ndarray:
        out = np.zeros(self.n, dtype=np.float32)
        for term in set(query):
            if term not in self._postings:
                continue
            ids, tfs = self._postings[term]
            out[ids] += self._idf[term] * tfs * (self.k1 + 1) / (tfs + self._norm[ids])
        return out

    def idf(self, term: str) -> float:
        """A term no document has gets the highest idf: the rarest thing there is."""
        return self._idf.get(term) or math.log(1 + (self.n + 0.5) / 0.5)
