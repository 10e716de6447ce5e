"""Hits -> an Answer: the notes to quote, or an honest "not in the notes" with the nearest sections."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from index.lexical import Tokenizer
from index.question import ParsedQuestion, parse_question
from index.retrieve import Hit, Retriever

MAX_HITS = 10
# "The notes point to B" when B's support beats every other option's by this margin. Off (None): 0.125,
# the smallest margin right on >= 90 % of the dev option questions shown (15 of 16;
# python benchmarks/calibrate_pointer.py), was right on 8 of the 13 held-out questions it was shown on
# (an earlier support, the option's own note scored by the stem, went 10/11 dev, 5/7 held-out). Again on
# 2026-12-04 with the 398 dev questions and the refit fusion: 0.2, right on 24 of 26 dev questions shown,
# was right on 6 of 11 test and 9 of 13 outside ones. A wrong pointer misleads a member more than none
# helps. Never for "choose two" or a "which is NOT" stem.
POINTER_MARGIN: float | None = None
# An option's support: the best, over the notes, of stem score + this x option score (dev grid 0.75-1.25).
POINTER_OPTION_WEIGHT = 1.0


class BadQuestionError(ValueError):
    """A question the bot cannot search for; the message says why, for the member."""


@dataclass(frozen=True)
class RefusalPolicy:
    """When the best note is too far from the question to count as an answer.

    confidence = fused score of the best note + weighted shares of the question's terms that the
    best note / all hits contain + a weight (negative) when the question names something no note
    contains. A logistic fit on the dev split of every eval set (all shapes, both guides), rescaled so
    the score's weight is 1, with the threshold that refuses the most off-guide dev questions while
    refusing at most 5% of answerable ones: `python benchmarks/calibrate_refusal.py` prints them.
    """

    top_coverage: float = 0.469
    all_coverage: float = 0.121
    unknown_name: float = -0.425
    min_confidence: float = 1.03
    # Fitted 2026-12-04 on the 398 dev questions, with FusionWeights' lexical 1.3 / half 15: off-guide refused
    # 81 %, answerable 4.5 %. Without the unknown name, the same fit (with the weights before) refused 55 %
    # of the off-guide dev questions at 5 % of answerable ones; with it, 79 %. The policy before (fitted on
    # the first set's short questions: 0.704 / 0.172 / 1.255) refused 68 % and 7 %.

    def confidence(self, score: float, top_coverage: float, all_coverage: float, names_unknown: bool) -> float:
        return (score + self.top_coverage * top_coverage + self.all_coverage * all_coverage
                + self.unknown_name * names_unknown)


@dataclass(frozen=True)
class QuotedHit:
    hit: Hit
    best_line: int  # index into hit.chunk.text.split("\n") of the line that matches best


@dataclass(frozen=True)
class OptionNotes:
    """What the notes say about one option of a pasted exam question."""

    label: str  # "A"
    text: str
    quotes: tuple[QuotedHit, ...]  # the note the option's own words find (none when nothing does)
    support: float  # how well that note fits the stem, comparable across the question's options


@dataclass(frozen=True)
class Answer:
    question: str
    answerable: bool
    quotes: tuple[QuotedHit, ...]  # best first; when not answerable, the nearest notes
    confidence: float
    nearest_sections: tuple[str, ...]  # distinct sections of the hits, best first
    options: tuple[OptionNotes, ...] = ()  # for a pasted exam question with options
    points_to: str | None = None  # option letter(s) the notes clearly favour, else None

    @property
    def hits(self) -> tuple[Hit, ...]:
        return tuple(q.hit for q in self.quotes)


def plain_text(text: str) -> str:
    """NFKC, without combining marks: zalgo ("f̶̖i̶̖r̶̖e̶̖") split every word into unknown pieces for both the
    tokenizer and the model, so marked questions found other notes than their plain text."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c) != "Me")
    return unicodedata.normalize("NFKC", kept)


def clean_question(question: str) -> str:
    """Normalize a member's question, or raise BadQuestionError with the reason."""
    text = re.sub(r"\s+", " ", plain_text(question)).strip()
    if not text:
        raise BadQuestionError("Ask me something: the question is empty.")
    if not re.search(r"\w", text):
        raise BadQuestionError("I need words to search the notes with; that question has none.")
    return text


class Answerer:
    def __init__(self, retriever: Retriever, policy: RefusalPolicy | None = None) -> None:
        self.retriever = retriever
        self.policy = policy or RefusalPolicy()

    def answer(self, question: str, k: int = 3) -> Answer:
        question = plain_text(question)
        text = clean_question(question)
        parsed = parse_question(question)
        k = max(1, min(k, MAX_HITS))
        query = parsed.search_text()
        if parsed.has_options:
            self.retriever.encode([query, *(o.text for o in parsed.options)])  # one forward pass for all
        # The decision looks at the top 3 of the question's own search whatever k is, so asking for fewer
        # notes never flips it; for a question with options it is the stem's, as the refusal was fitted.
        hits = self.retriever.search(query, max(k, 3))
        confidence = self.confidence(query, hits)
        answerable = confidence >= self.policy.min_confidence
        options: tuple[OptionNotes, ...] = ()
        if parsed.has_options:
            found = self.retriever.search_with_options(parsed.stem, [o.text for o in parsed.options], k,
                                                       POINTER_OPTION_WEIGHT)
            hits = found.hits
            options = self._options(parsed, found.support)
        hits = hits[:k]
        quotes = self._quotes(query, hits)
        sections = tuple(dict.fromkeys(h.chunk.section for h in hits))
        points_to = _pointer(options) if answerable and parsed.choose == 1 and not _negated(parsed.stem) else None
        return Answer(text, answerable, quotes, confidence, sections, options, points_to)

    def _quotes(self, query: str, hits: list[Hit]) -> tuple[QuotedHit, ...]:
        tokens = set(self.retriever.tokenizer.tokenize(query, correct=True))
        return tuple(QuotedHit(h, _best_line(h, tokens, self.retriever.tokenizer)) for h in hits)

    def _options(self, parsed: ParsedQuestion, support: list[float]) -> tuple[OptionNotes, ...]:
        """Each option's own note, found by the option's words (the note that fits stem and option best
        is, for most questions, the stem's note for every option), with the option's support."""
        out = []
        for option, score in zip(parsed.options, support, strict=True):
            hits = self.retriever.search(option.text, 1)
            quotes = self._quotes(f"{option.text} {parsed.stem}", hits)
            out.append(OptionNotes(option.label, option.text, quotes, score))
        return tuple(out)

    def confidence(self, question: str, hits: list[Hit]) -> float:
        if not hits:
            return float("-inf")
        top, all_ = self.retriever.term_coverage(question, hits[:3])
        return self.policy.confidence(hits[0].score, top, all_, self.retriever.names_unknown(question))


def _pointer(options: tuple[OptionNotes, ...]) -> str | None:
    if POINTER_MARGIN is None:
        return None
    ranked = sorted(options, key=lambda o: o.support, reverse=True)
    if len(ranked) < 2 or not ranked[0].quotes or ranked[0].support - ranked[1].support < POINTER_MARGIN:
        return None
    return ranked[0].label


_NEGATION = re.compile(r"\b(?:NOT|EXCEPT|FALSE|INCORRECT)\b|\b(?:is|are)\s+not\s+(?:true|correct|supported|"
                       r"recommended|possible|valid)\b")


def _negated(stem: str) -> bool:
    """"Which is NOT ...": the option the notes support best is the wrong answer there."""
    return bool(_NEGATION.search(stem))


def _best_line(hit: Hit, question_tokens: set[str], tokenizer: Tokenizer) -> int:
    lines = hit.chunk.text.split("\n")
    if len(lines) == 1:
        return 0
    overlap = [len(question_tokens & set(tokenizer.tokenize(line))) for line in lines]
    return max(range(len(lines)), key=lambda i: (overlap[i], -i))
