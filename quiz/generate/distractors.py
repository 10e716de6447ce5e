"""Wrong options that are plausible but not right: numbers of the same kind, names of the same kind,
picked from the notes nearest the question's note (by embedding, or by words without vectors)."""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process, utils

from quiz.generate.catalog import Catalog, Note
from quiz.generate.spans import Span, find_numbers
from quiz.text import content_stems, initials, mentions, same_shape, stem, words

_TO_BASE = {  # unit -> factor to seconds / bytes, so "900s" and "1h" compare by size
    "ms": 0.001, "s": 1, "sec": 1, "min": 60, "mins": 60, "minute": 60, "minutes": 60, "h": 3600, "hr": 3600,
    "hrs": 3600, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400, "week": 604800, "weeks": 604800,
    "month": 2.6e6, "months": 2.6e6, "year": 3.15e7, "years": 3.15e7, "kb": 1e3, "mb": 1e6, "gb": 1e9,
    "tb": 1e12, "kb/s": 1e3, "mb/s": 1e6, "gb/s": 1e9,
}
_UNIT_NAMES = {  # spellings of one unit: options in other units than the answer's stand out
    "sec": "s", "mins": "min", "minute": "min", "minutes": "min", "hr": "h", "hrs": "h", "hour": "h",
    "hours": "h", "days": "day", "weeks": "week", "months": "month", "years": "year", "percent": "%",
}
YEARS = (1900, 2100)  # a plain number in this range is read as a year: it moves by a few years
# Percentages are a bounded scale: one far from the answer is another quantity, 99.9% (uptime) offered for
# "4% of worldwide turnover" (strict reads 5402, 5502). Other units spread by powers of ten (1h beside 24h).
MAX_PERCENT_SPREAD = 50.0  # percentage points
SMALL_COUNT = 12  # a plain count up to this moves by one in a false statement: "layer 20" is no fact to judge
_RANGE = re.compile(r"^(\d+(?:\.\d+)?)(\s*[-–]\s*)(\d+(?:\.\d+)?)(.*)$")
_NUMBER_TEXT = re.compile(r"^(?P<value>\d+(?:[.,]\d+)?|\.\d+)\s?(?P<unit>[^\d\s].*)?$")


@dataclass(frozen=True)
class Neighbours:
    """For each note, the other notes nearest first."""

    order: tuple[tuple[int, ...], ...]
    similarity: np.ndarray  # (n, n), 0..1


@dataclass
class TermSimilarity:
    """How alike two short names read to the embedding model ("authentication" and "identification"), each
    name encoded once. Without an encoder nothing counts as alike."""

    encode: Callable[[list[str]], np.ndarray] | None = None
    _vectors: dict[str, np.ndarray] = field(default_factory=dict)

    def __call__(self, a: str, b: str) -> float:
        if self.encode is None:
            return 0.0
        missing = [t for t in dict.fromkeys((a, b)) if t not in self._vectors]
        if missing:
            self._vectors.update(zip(missing, self.encode(missing), strict=True))
        return float(self._vectors[a] @ self._vectors[b])


def neighbours(notes: tuple[Note, ...], vectors: np.ndarray | None) -> Neighbours:
    n = len(notes)
    if vectors is not None:
        if vectors.shape[0] != n:
            raise ValueError(f"vectors has {vectors.shape[0]} rows for {n} chunks; they must match 1:1")
        sim = np.clip(vectors.astype(np.float32) @ vectors.astype(np.float32).T, 0.0, 1.0)
    else:
        texts = [note.text for note in notes]
        sim = process.cdist(texts, texts, scorer=fuzz.token_sort_ratio, processor=utils.default_process,
                            dtype=np.float32) / 100.0
    order = []
    for i in range(n):
        row = [(float(sim[i, j]), -j) for j in range(n) if j != i]
        order.append(tuple(-j for _, j in sorted(row, reverse=True)))
    return Neighbours(tuple(order), sim)


def parse_number(text: str) -> tuple[float, str] | None:
    """'900s' -> (900.0, 's'); '1,000' -> (1000.0, ''); None for ranges and other shapes."""
    match = _NUMBER_TEXT.match(text.strip())
    if not match or re.match(r"\s*[-–]\s*\d", match.group("unit") or ""):
        return None  # a range ("2-15"): its "unit" would be "-15"
    raw = match.group("value")
    value = raw.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", raw) else raw.replace(",", ".")
    return float(value), (match.group("unit") or "").strip()


def unit_name(unit: str) -> str:
    return _UNIT_NAMES.get(unit.lower(), unit.lower())


def _magnitude(value: float, unit: str) -> float:
    return max(value * _TO_BASE.get(unit.lower(), 1.0), 1e-9)


def number_distractors(span: Span, note: Note, catalog: Catalog, k: int = 3) -> list[str]:
    """Other numbers of the guide in the answer's unit, closest in size first; [] for plain counts and
    ranges: among made-up numbers any value reads as plausible. A strict read found "398 days" among
    "3 months", "12 months" and "4 years": the only day count stood out."""
    parsed = parse_number(span.text)
    if parsed is None or span.cls == "count":
        return []
    value, unit = parsed
    target = math.log10(_magnitude(value, unit))
    in_note = {p for s in _note_numbers(note) if (p := parse_number(s.text))}
    pool: dict[str, float] = {}
    for other in catalog.notes:
        if other.index == note.index or other.code:
            continue
        for s in _note_numbers(other):
            candidate = parse_number(s.text)
            if s.cls != span.cls or candidate is None or unit_name(candidate[1]) != unit_name(unit):
                continue
            size = _magnitude(*candidate)
            if any(abs(size - _magnitude(*p)) < 1e-9 for p in (parsed, *in_note)):
                continue  # same quantity written differently ("60 min" vs "1h") is not a wrong answer
            if any(abs(size - _magnitude(*known)) < 1e-9 for t in pool if (known := parse_number(t)) is not None):
                continue
            if unit_name(unit) == "%" and abs(candidate[0] - value) > MAX_PERCENT_SPREAD:
                continue
            pool[s.text] = abs(math.log10(size) - target)
    return [text for text, _ in sorted(pool.items(), key=lambda kv: (kv[1], kv[0]))][:k]


def number_variant(span: Span, seed: int) -> str:
    """A made-up wrong value in the answer's own unit (x2, /2 or x10): fine for a false statement,
    where the member only has to know the real value, not pick it among plausible ones."""
    ranged = _RANGE.match(span.text.strip())
    if ranged:  # "5-30FPS" -> "10-60FPS": both ends, so the range stays a range
        low, dash, high, unit = ranged.groups()
        factor = (2.0, 0.5, 10.0)[seed % 3]
        return f"{_scaled(float(low), factor)}{dash}{_scaled(float(high), factor)}{unit}"
    parsed = parse_number(span.text)
    if parsed is None:
        return ""
    value, unit = parsed
    if span.cls == "count" and not unit and value == int(value) and 1 <= value <= SMALL_COUNT:
        # never down to 1: "at least 1 subnets" shows the edit by its grammar (strict read, seed 5001)
        return str(int(value) + (1 if value <= 2 or seed % 2 else -1))
    if span.cls == "count" and not unit and value == int(value) and YEARS[0] <= value <= YEARS[1]:
        return str(int(value) + (-3, -2, -1, 1, 2, 3)[seed % 6])  # "published in 4034" is False to anyone
    factors = (2.0, 0.5, 10.0) if value >= 2 else (2.0, 10.0, 5.0)
    factor = factors[seed % len(factors)]
    if value == int(value) and value * factor != int(value * factor):
        factor = 2.0  # a whole number stays whole: "TCP 71.5" for port 143 is nonsense, not a wrong fact
    if value > 1 and value * factor == 1 and unit:
        factor = 2.0  # "the last 1 weeks" shows the edit by its grammar (strict read, seed 5201)
    text = _scaled(value, factor)
    spacer = " " if re.search(r"\d\s", span.text) else ""
    return f"{text}{spacer}{unit}" if unit else text


def _scaled(value: float, factor: float) -> str:
    new = value * factor
    return f"{new:g}" if new != int(new) or new < 1e6 else str(int(new))


def _note_numbers(note: Note) -> list[Span]:
    return [s for line in note.lines for s in find_numbers(line)]


def same_thing(a: str, b: str) -> bool:
    """Synonyms or spellings of one name: never offered as a wrong option for the other."""
    la, lb = a.lower().strip(), b.lower().strip()
    if la == lb or not la or not lb:
        return True
    ta, tb = {stem(w) for w in words(a)}, {stem(w) for w in words(b)}
    if ta and tb and (ta <= tb or tb <= ta):
        return True
    if " " not in la and " " not in lb and fuzz.ratio(la, lb) >= 85:
        return True  # one word spelt two ways; "Kinesis data streams" vs "Kinesis Video Stream" differ
    if " " not in la and " " not in lb and _abbreviated_prefix(la, lb):
        return True
    return la == initials(b) or lb == initials(a)


def _abbreviated_prefix(a: str, b: str) -> bool:
    """'sgestimator' and 'sagemakerestimator': one name, its prefix written short ('sg' for 'sagemaker',
    its letters in order) before the same tail of at least four letters."""
    tail = 0
    while tail < min(len(a), len(b)) and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    short, long = sorted((a[: len(a) - tail], b[: len(b) - tail]), key=len)
    if tail < 4 or not short or len(short) == len(long) or short[0] != long[0]:
        return False
    letters = iter(long)
    return all(ch in letters for ch in short)


def name_distractors(
    answer: Span, note: Note, catalog: Catalog, near: Neighbours, k: int = 3, avoid: str = "",
    family_only: bool = False,
) -> list[str]:
    """Names (or formats) of the same kind and shape as the answer that the note does not mention.
    A heading's or term's name gets its siblings; other names get their family (Catalog.families),
    then, unless family_only, names from the nearest notes. `avoid` is more text the options must not
    appear in."""
    own = "\n".join((note.text, note.chunk.context, " ".join(note.chunk.heading_path), avoid))
    chosen: list[str] = []

    def consider(candidate: str) -> None:
        if len(chosen) >= k or mentions(own, candidate):
            return
        if answer.kind == "format" and candidate.lower() == "json":
            # Nearly every service takes JSON somewhere (endpoints at inference, Firehose after a Lambda), so
            # "not JSON" is rarely a fact: JSON offered for "Input: recordIO-protobuf or ____" read two-right 4
            # times in the v25-v28 reads, and "Input: JSON or csv" false-true once. It can still be the answer.
            return
        if same_thing(candidate, answer.text) or any(same_thing(candidate, c) for c in chosen):
            return
        chosen.append(candidate)

    if answer.kind == "phrase":
        for peer in catalog.phrase_peers(answer.text):
            if same_shape(peer, answer.text):
                consider(peer.split(" (")[0])
        return chosen
    if answer.cls == "acronyms":
        return []  # "GPUs", "PIIs": no plural acronym to offer beside it; not asked
    family = catalog.family(answer.text)
    for index in (note.index, *near.order[note.index]):
        other = catalog.notes[index]
        for li in range(len(other.lines)):
            for span in catalog.line_spans(index, li):
                if span.text.lower() in family and (answer.kind != "format" or span.cls == answer.cls):
                    consider(span.text)  # a list may mix kinds ("JSON format in Gzip or Parquet")
    if family_only or family:
        # A listed name's only plausible wrong options are its list mates ("C5, M5, M4"); names from nearby
        # notes would be of another kind ("CPU" for "M5", "jpg" for "ONNX"). Too few: it is not asked.
        return chosen
    for index in near.order[note.index]:
        other = catalog.notes[index]
        if other.code:
            continue
        for li in range(len(other.lines)):
            for span in catalog.line_spans(index, li):
                if span.kind == answer.kind and span.cls == answer.cls:
                    consider(span.text)
        if len(chosen) >= k:
            break
    return chosen


# Another subject fits a description: the description's claim and the other's notes share this share of words.
FIT_OVERLAP = 0.75
RARE_NOTES = 3
_ASIDE = re.compile(r"\([^)]*\)")
_COUNT_WORDS = {"one": "one", "single": "one", "multiple": "many", "several": "many", "many": "many"}


def _claim(text: str) -> frozenset[str]:
    """The words of what a line claims: asides in parentheses left out, and "single" read as "one" (a
    strict read found "Can only be trained on a single machine (CPU or GPU)" keyed Object2vec, while of
    Seq2seq the guide says "Training can only be done in one machine")."""
    plain = _ASIDE.sub(" ", text)
    counts = {_COUNT_WORDS[w.lower()] for w in re.findall(r"[A-Za-z]+", plain) if w.lower() in _COUNT_WORDS}
    return content_stems(plain) | counts


def fits(description: str, other_text: str, similarity: float, overlap: float = FIT_OVERLAP) -> bool:
    """Whether a description could as well describe another subject: nearly the same words. The other's
    asides count: "Precision - AUC: for imbalanced datasets, ... positive class" fits "ROC / AUC: ... the
    positive class performance (good for imbalanced datasets)", two-right in three strict reads."""
    mine = _claim(description)
    if not mine:
        return True
    shared = len(mine & (_claim(other_text) | content_stems(other_text))) / len(mine)
    return shared >= overlap or similarity >= 0.92


def rare_words(catalog: Catalog) -> frozenset[str]:
    """Words found in at most RARE_NOTES notes: a sibling that shares one with a description ("retries"
    in both Data pipelines and Step functions) may fit it too, so it is no fair wrong option."""
    counts: Counter[str] = Counter()
    for note in catalog.notes:
        counts.update(content_stems(note.text))
    return frozenset(word for word, n in counts.items() if n <= RARE_NOTES and len(word) >= 5)
