"""Cloze items: a line of a note with a number, format or name blanked out."""
from __future__ import annotations

import re

from quiz.generate.catalog import Catalog, Note, frame, in_parens, term_of
from quiz.generate.distractors import Neighbours, name_distractors, number_distractors
from quiz.generate.spans import Span, negated
from quiz.generate.which import shuffled
from quiz.item import QuizItem
from quiz.text import content_stems, match_case, mentions

BLANK = "____"
MIN_LINE_WORDS = 3  # content words left around the blank: "Consumers can be: ____" asks nothing
MAX_PER_LINE = 2  # more blanks from one line would quiz the same sentence over and over
MAX_LINE_CHARS = 240  # a longer line is cut to the sentence holding the blank
# The blank right after a negation (at most two words between): "not ____", "No ____ needed", "not csv -> ____".
_NEGATED_BLANK = re.compile(r"\b(?:not|no|without|never|cannot|isn't|doesn't|don't)\s+(?:\S+\s+){0,2}$",
                            re.IGNORECASE)


def blank_out(text: str, answer: str) -> str:
    """Every occurrence of the answer blanked, so the rest of the sentence does not give it away."""
    pattern = re.compile(rf"(?<![\w\-.]){re.escape(answer)}(?![\w\-]|\.\w)", re.IGNORECASE)
    return pattern.sub(BLANK, text)


def _sentence(line: str, span: Span) -> str:
    """A long line cut down to the sentences around the blank, so the question stays readable."""
    if len(line) <= MAX_LINE_CHARS:
        return line
    pieces = re.split(r"(?<=\.)\s+(?=[A-Z])", line)
    offset = 0
    for i, piece in enumerate(pieces):
        if offset <= span.start < offset + len(piece) + 1:
            before = pieces[i - 1] + " " if i > 0 and len(pieces[i - 1]) + len(piece) < MAX_LINE_CHARS else ""
            return before + piece
        offset += len(piece) + 1
    return line


def _list_size(line: str, span: Span) -> int:
    """How many items the list holding the span has ("tensorflow, MXNet, PyTorch, ONNX": 4); 1 when the
    span is not an item of a list of short items."""
    marks = (". ", "; ", ": ", "(", ")")
    start = max((i + len(mark) for mark in marks if (i := line.rfind(mark, 0, span.start)) != -1), default=0)
    end = min((i for mark in marks if (i := line.find(mark, span.end)) != -1), default=len(line))
    clause = line[start:end]
    # "jpg/png" is a list, "HTTP/2" a version
    items = [p.strip(" .") for p in re.split(r",|\bor\b|\band\b|/(?!\d)", clause) if p.strip(" .")]
    if len(items) < 2 or any(len(p.split()) > 3 for p in items) or span.text not in items:
        return 1
    return len(items)


def _priority(span: Span) -> tuple[int, int]:
    # numbers first (the facts a study guide is for), then formats, then longer names
    rank = {"number": 0, "format": 1, "phrase": 2, "name": 3}[span.kind]
    return rank, -len(span.text)


def cloze_items(catalog: Catalog, near: Neighbours) -> list[QuizItem]:
    items = []
    for note in catalog.notes:
        if note.code:
            continue
        for li, line in enumerate(note.lines):
            spans = sorted(catalog.line_spans(note.index, li), key=_priority)
            made = 0
            for span in spans:
                if made >= MAX_PER_LINE:
                    break
                item = _cloze(catalog, near, note, li, line, span)
                if item is not None:
                    items.append(item)
                    made += 1
    return items


def _in_term_name(line: str, span: Span) -> bool:
    """Part of the "Term" of a "Term: definition" line (asked by the which-term items, not as a blank);
    also when it recurs in the definition, since every occurrence of the answer is blanked."""
    found = term_of(line)
    return found is not None and (span.start < line.index(":") or mentions(found[0], span.text))


def _stands_before_a_number(catalog: Catalog, name: str) -> bool:
    pattern = re.compile(rf"(?<![\w-]){re.escape(name)}\s+\d", re.IGNORECASE)
    return any(pattern.search(line) for note in catalog.notes for line in note.lines)


def _cloze(catalog: Catalog, near: Neighbours, note: Note, li: int, line: str, span: Span) -> QuizItem | None:
    if line.strip().lower() == note.subject.lower():
        return None  # the note's own name ("Latent Dirichet Allocation (LDA)"): nothing to recall
    where = frame(note, li)
    if mentions(where, span.text) or _in_term_name(line, span):
        return None  # the heading above the line would give the answer away
    line = _sentence(line, span)
    blanked = blank_out(line, span.text)
    if BLANK not in blanked or line.rstrip(":").strip() == span.text:
        return None
    if span.kind == "number" and blanked.count(BLANK) > 1:
        return None  # "An RPO of ____ means backups must run at least every ____": any value fits both (seed 6002)
    if re.search(rf"\w{re.escape(span.text)}|{re.escape(span.text)}[^\W_]", blanked, re.IGNORECASE):
        return None  # the answer shows inside another word: "3DES: applies ____ three times" (DES)
    if re.search(r"____\s*\(|\(\s*____\s*\)", blanked):
        return None  # a gloss beside the blank: "Use ____ (A2I)", "ticket-granting ticket (____)"
    if len(content_stems(blanked.replace(BLANK, " "))) < MIN_LINE_WORDS:
        return None
    if _NEGATED_BLANK.search(line[: span.start]):
        return None  # "not ____", "No ____ needed": anything else fits the blank too
    if negated(line, span):
        return None  # in a negative clause every wrong option would read as true too
    if span.kind == "number":
        distractors = number_distractors(span, note, catalog)
    else:
        # A name's wrong options come only from its own list mates in the guide (family_only): names from
        # nearby notes were of another kind in strict reads ("HTTP/2 or ____" offered Twilio and Slack).
        distractors = name_distractors(span, note, catalog, near, family_only=span.kind == "name")
    if span.kind != "number" and re.match(r"\s*\d", line[span.end:]):
        # The blank stands before a number ("IKE (____ 500)"): a wrong option must stand before one somewhere
        # in the guide too; "DoH 500" beside "TCP 500" was ruled out by kind alone (strict reads, 4702-4902).
        distractors = [d for d in distractors if _stands_before_a_number(catalog, d)]
    family = catalog.family(span.text)
    # The list the span is one of: by the line's punctuation, or by the names the guide lists with it.
    listed = 0 if span.kind == "number" else max(_list_size(line, span), sum(mentions(line, m) for m in family))
    if listed >= 3 and (not family or len(distractors) < 3):
        return None  # one of a longer list ("C5, ____, M4, P3 or P2"): any name of its kind would fit
    if len(distractors) < 3:
        return None  # no item is better than a bad one: typed questions read 0 of 5 fair in strict reads
    distractors = [match_case(d, span.text) for d in distractors]
    question = f"Fill in the blank{in_parens(where)}:\n{blanked}"
    difficulty = 0.45 + (0.1 if span.kind == "number" else 0.0) + min(0.15, len(line) / 2000)
    return QuizItem.create(
        chunk_id=note.chunk.id,
        kind="cloze",
        question=question,
        options=shuffled(span.text, distractors, question),
        answer=span.text,
        explanation=note.text,
        section=note.chunk.section,
        difficulty=difficulty,
        topic_path=note.chunk.heading_path,
    )
