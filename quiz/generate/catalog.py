"""Chunks -> Notes: what each note is about, its "Term: definition" lines and the words worth blanking.

The generators (which, cloze, truefalse) only read these records; all guessing about the guide's shape
(which headings name a thing, which bullets define a term, which tokens are names or numbers) lives here.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Literal, NamedTuple

from index.chunk import Chunk
from quiz.generate.spans import (
    Span,
    blankable,
    brand_prefixes,
    families_of,
    looks_like_name,
    phrase_pattern,
    proper_names,
    wordset,
)
from quiz.text import (
    STOPWORDS,
    clean,
    is_numbered,
    name_shape,
    strip_number,
    strip_parenthetical,
    words,
)

SubjectKind = Literal["numbered", "named", ""]  # a numbered section | a heading or a lead | no subject


class Subject(NamedTuple):
    """The thing a note describes, and where its siblings (the wrong options) are."""

    name: str
    kind: SubjectKind
    group: tuple[str, ...]
    description: str

# Data formats a guide may quiz on. A fixed list because a format name ("csv", "parquet") is written in
# lower case, so the capitalisation rule that finds other names misses it.
_CLAUSE_OPENERS = wordset("if when how to in while whenever unless why what where")
_FINITE_VERBS = wordset("is are was were be should must can could will would have has does do")

_TERM_LINE = re.compile(r"^(?P<term>[^:]{2,60}?)\s*:\s+(?P<definition>\S.*)$")
# The next "Term:" of a line that defines several: "risk before controls; residual risk: what remains".
NEXT_TERM = re.compile(r";\s+(?=[^;:]{1,40}:\s)")
_BULLET = re.compile(r"^\s*(?:•|[-*+]|\d+[.)])\s+")

MAX_NAME_WORDS = 5


_SUPERLATIVES = frozenset({"best", "worst"})  # not "least": Least privilege is a term


@dataclass(frozen=True)
class Term:
    """A "Term: definition" line. Its scope groups the parallel terms of one list."""

    name: str
    definition: str
    note: int  # Note.index
    line: int  # index in Note.lines
    scope: tuple[str, ...]
    named_elsewhere: bool = True  # another line of the guide names it ("preparation, detection, ..." for Preparation)

    @property
    def is_list_label(self) -> bool:
        """A plural name over a plain list ("Threat vectors: email, removable media, ...", "Port states: open,
        closed, filtered"): the label of a category, not one thing of it. Offered beside threat actors or
        site types, a strict read (seed 4802) called it of another kind four times. So is one plain word that
        no other line names, over a list of four or more ("Cycle: identify (scan), analyze and prioritize,
        remediate, ..."): swapped into other terms' lines and offered beside them, "Cycle" read garbled or of
        another kind eight times in the reads of v30-v34."""
        name = strip_parenthetical(self.name).split()
        if name[0].lower() in _SUPERLATIVES:
            return True  # "Best defense: awareness training ...": a judgement, offered among attacks (4 reads)
        last = name[-1]
        plural = last.endswith("s") and not last.endswith(("ss", "us", "is"))
        single = len(name) == 1 and not self.named_elsewhere and name_shape(self.name) == "any"
        if not plural and not single:
            return False
        first = re.split(r"\.\s|;|\be\.g\.|\bsuch as\b", self.definition)[0]
        items = [i for i in re.split(r",|\band\b|\bor\b", re.sub(r"\([^)]*\)", "", first)) if i.strip()]
        return len(items) >= (3 if plural else 4) and all(len(i.split()) <= 4 for i in items)


@dataclass(frozen=True)
class Note:
    index: int  # position in the chunk list (and row in the embedding matrix)
    chunk: Chunk
    lines: tuple[str, ...]  # the lead, then each sub-bullet, cleaned, without bullet marks
    depths: tuple[int, ...]  # 0 for the lead, 1 for a sub-bullet, ...
    label: str  # where the note sits, as shown in questions: its deepest heading without a number
    subject: str  # the named thing the note describes ("XGBoost", "Kinesis data firehose"); "" if none
    subject_kind: SubjectKind
    group: tuple[str, ...]  # notes whose subjects share this path are siblings (distractors)
    description: str  # the part of the note that describes the subject ("" when it describes itself)

    @property
    def text(self) -> str:
        return self.chunk.text

    @property
    def code(self) -> bool:
        """Code blocks and file trees: nothing a member should recite."""
        return self.chunk.kind == "code"


def note_lines(chunk: Chunk) -> tuple[tuple[str, ...], tuple[int, ...]]:
    lines: list[str] = []
    depths: list[int] = []
    for raw in chunk.text.split("\n"):
        if not raw.strip():
            continue
        indent = len(raw) - len(raw.lstrip(" \t\u00a0"))
        bullet = _BULLET.match(raw)
        text = clean(raw[bullet.end():] if bullet else raw)
        lines.append(text)
        depths.append(indent // 2 if bullet or lines[1:] else 0)
    if depths:
        depths[0] = 0
    return tuple(lines), tuple(depths)


def is_name_like(text: str) -> bool:
    """Reads like the name of a thing ("XGBoost", "Pipe mode"), not like a clause or a category lead-in."""
    text = re.sub(r"\s*\([\w\s\-]{1,40}\)$", "", text.strip())  # "Latent Dirichet Allocation (LDA)"
    if not text or text.endswith((":", ".")) or any(c in text for c in ".;,!?\"()"):
        return False
    tokens = text.split()
    if len(tokens) > MAX_NAME_WORDS:
        return False
    first = tokens[0].lower()
    return first not in STOPWORDS and first not in _CLAUSE_OPENERS


def heading_name(heading: str) -> str:
    """'tf-idf: term frequency, inverse document frequency' -> 'tf-idf'; numbers stripped."""
    name = strip_number(heading)
    term = _TERM_LINE.match(name)
    return clean(term.group("term")) if term else name.rstrip(":").strip()


def term_of(line: str) -> tuple[str, str] | None:
    """('MICE (multiple imputations by chained equations)', 'algorithm to deal with...') or None."""
    match = _TERM_LINE.match(line)
    if not match:
        return None
    name, definition = clean(match.group("term")), clean(match.group("definition"))
    bare = re.sub(r"\([^)]*\)", "", name).strip()
    if not bare or len(bare.split()) > MAX_NAME_WORDS or len(words(definition)) < 3:
        return None
    tokens = bare.split()
    first = tokens[0].lower()
    if first in STOPWORDS or first in _CLAUSE_OPENERS or not re.match(r"[A-Za-z0-9]", bare):
        return None
    if any(t.lower() in _FINITE_VERBS for t in tokens):
        return None  # "Training df should have": a clause cut at its colon, not a term
    if len(tokens) > 1 and tokens[0].endswith("s") and tokens[0][1:].islower() and tokens[1].islower():
        return None  # "Supports lexicons", "Optimizes code": a verb phrase, not a name
    return name, definition


def is_self_contained(line: str, known_names: frozenset[str]) -> bool:
    """A note that names its own subject ("Sigmoid is used for ...", "If bigger -> ...") is not a
    description of the heading above it, so it must not be used to ask "which heading is this?"."""
    tokens = line.split()
    if not tokens:
        return True
    if tokens[0].lower().strip(",") in _CLAUSE_OPENERS:
        return True
    head = " ".join(tokens[:3]).lower()
    return any(head.startswith(name) and len(name) > 2 for name in known_names)


@dataclass(frozen=True)
class Catalog:
    """Everything the generators need to know about one guide's notes."""

    notes: tuple[Note, ...]
    terms: tuple[Term, ...]
    names: frozenset[str]  # proper-name tokens
    strong_names: frozenset[str]  # names worth blanking on their own
    phrases: tuple[str, ...]  # names of subjects and terms, longest first
    spans: tuple[tuple[tuple[Span, ...], ...], ...]  # [note][line] -> blankable spans
    families: tuple[frozenset[str], ...]  # names listed together somewhere ("CPU or GPU"), lower-cased
    apart: frozenset[str] = frozenset()  # headings the guide's .skip says are not of their siblings' kind

    def family(self, name: str) -> frozenset[str]:
        key = name.lower()
        return next((f for f in self.families if key in f), frozenset())

    def line_spans(self, note: int, line: int) -> tuple[Span, ...]:
        return self.spans[note][line]

    def siblings(self, note: Note) -> list[str]:
        """Other subjects of the same kind under the same parent, in guide order; none for a subject set
        apart, and never one set apart."""
        seen: list[str] = []
        if self.is_apart(note.subject):
            return seen
        for other in self.notes:
            if self.is_apart(other.subject):
                continue
            if (other.group == note.group and other.subject_kind == note.subject_kind and other.subject
                    and other.subject.lower() != note.subject.lower()
                    and other.subject.lower() not in (s.lower() for s in seen)):
                seen.append(other.subject)
        return seen

    def is_apart(self, subject: str) -> bool:
        return bool(self.apart) and heading_name(subject).casefold() in self.apart

    def phrase_peers(self, name: str) -> list[str]:
        """Names parallel to a subject's or a term's name: its sibling subjects, the terms of its list."""
        key = name.lower()
        peers: list[str] = []
        for note in self.notes:
            if strip_parenthetical(note.subject).lower() == key:
                peers.extend(s for s in self.siblings(note) if s not in peers)
        for term in self.terms:
            if strip_parenthetical(term.name).lower() == key:
                peers.extend(t.name for t in self.terms
                             if t.scope == term.scope and t is not term and t.name not in peers)
        return peers


def _label(chunk: Chunk) -> str:
    return heading_name(chunk.heading_path[-1]) if chunk.heading_path else ""


def build_catalog(chunks: list[Chunk], apart: frozenset[str] = frozenset()) -> Catalog:
    parsed = [note_lines(c) for c in chunks]
    all_lines = [line for lines, _ in parsed for line in lines]
    names, strong = proper_names(all_lines)

    # Term lines: a term that heads several lines across the guide ("Input", "Training") is a field
    # label of its list, not a term of its own.
    raw_terms: list[tuple[int, int, str, str]] = []
    for index, (lines, _) in enumerate(parsed):
        for li, line in enumerate(lines):
            found = term_of(line)
            if found:
                raw_terms.append((index, li, *found))
    label_counts = Counter(name.lower() for _, _, name, _ in raw_terms)
    term_names = {name.lower() for _, _, name, _ in raw_terms if label_counts[name.lower()] == 1}

    numbered_direct = _numbered_subject_sections(chunks, parsed, term_names)
    known = frozenset(term_names | {n.lower() for n in names})

    notes: list[Note] = []
    for index, (chunk, (lines, depths)) in enumerate(zip(chunks, parsed, strict=True)):
        about = _subject(chunk, lines, numbered_direct, term_names, known)
        notes.append(Note(index, chunk, lines, depths, _label(chunk), about.name, about.kind, about.group,
                          about.description))

    # how many lines name each word: one count for the guide, not a scan of every line for every term
    lines_with = Counter(w for line in all_lines for w in set(re.findall(r"[\w-]+", line.lower())))
    terms = []
    for index, li, name, definition in raw_terms:
        if name.lower() not in term_names:
            continue
        note = notes[index]
        parent = -1 if li == 0 else max(j for j in range(li) if note.depths[j] < note.depths[li])
        scope = (*note.chunk.heading_path, note.chunk.context, str(note.index) if li else "", str(parent))
        plain = strip_parenthetical(name).lower()
        elsewhere = " " in plain or lines_with[plain] > 1  # its own line is one
        terms.append(Term(name, definition, index, li, scope, elsewhere))

    # Single lower-case words ("precision", "Canary" at a line start) stay out: as phrases they would be
    # found in every sentence that uses the word.
    one_per_subject = {n.subject.lower(): n for n in notes if n.subject}.values()
    sibling_counts = Counter((n.group, n.subject_kind) for n in one_per_subject)
    # A named heading counts once it has two siblings: a pair ("Instance types", "Supported file formats")
    # is as likely two category lead-ins as two things of one kind.
    phrase_set = {strip_parenthetical(n.subject) for n in notes if n.subject
                  and sibling_counts[(n.group, n.subject_kind)] >= (2 if n.subject_kind == "numbered" else 3)}
    phrase_set |= {strip_parenthetical(t.name) for t in terms}
    phrase_set = {p for p in phrase_set if " " in p or p in names or looks_like_name(p)}
    phrases = tuple(sorted(phrase_set, key=len, reverse=True))

    pattern = phrase_pattern(phrases)
    brands = brand_prefixes(all_lines, names)
    spans = tuple(tuple(blankable(line, names, strong, brands, pattern) for line in note.lines)
                  for note in notes)
    families = families_of([(line, spans[n.index][li]) for n in notes for li, line in enumerate(n.lines)])
    return Catalog(tuple(notes), tuple(terms), names, strong, phrases, spans, families, apart)


def _numbered_subject_sections(
    chunks: list[Chunk], parsed: list[tuple[tuple[str, ...], tuple[int, ...]]], term_names: set[str]
) -> frozenset[tuple[str, ...]]:
    """Numbered sections that are things (a service: "1.4 Kinesis data firehose"), told apart from
    categories ("3.2 SageMaker built-in algorithms") by where their notes sit: a thing's notes sit
    right under it and describe it; a category's notes sit under the things it lists."""
    direct: Counter[tuple[str, ...]] = Counter()
    total: Counter[tuple[str, ...]] = Counter()
    for chunk, (lines, _) in zip(chunks, parsed, strict=True):
        path = chunk.heading_path
        for depth in range(2, len(path) + 1):
            if is_numbered(path[depth - 1]):
                total[path[:depth]] += 1
        if len(path) >= 2 and is_numbered(path[-1]) and not chunk.context:
            term = term_of(lines[0]) if lines else None
            lead_subject = len(lines) > 1 and is_name_like(lines[0])
            if not lead_subject and not (term and term[0].lower() in term_names):
                direct[path] += 1
    return frozenset(p for p, n in direct.items() if n >= 2 and n * 2 >= total[p])


def _subject(
    chunk: Chunk,
    lines: tuple[str, ...],
    numbered: frozenset[tuple[str, ...]],
    term_names: set[str],
    known: frozenset[str],
) -> Subject:
    """What one note describes; Subject("", "", path, "") when it names no thing."""
    path = chunk.heading_path
    if not lines or (len(lines) == 1 and lines[0].endswith(":")):
        return Subject("", "", path, "")
    # A short name-like lead with sub-bullets: "IP insights" + "• Unsupervised learning of ..."
    if len(lines) > 1 and is_name_like(lines[0]):
        return Subject(lines[0], "named", path, "\n".join(lines[1:]))
    lead_term = term_of(lines[0])
    describes_itself = is_self_contained(lines[0], known) or (
        lead_term is not None and lead_term[0].lower() in term_names
    )
    if describes_itself or chunk.context:
        return Subject("", "", path, "")
    if path and not is_numbered(path[-1]) and is_name_like(heading_name(path[-1])):
        return Subject(heading_name(path[-1]), "named", path[:-1], "\n".join(lines))
    if path in numbered:
        return Subject(heading_name(path[-1]), "numbered", path[:-1], "\n".join(lines))
    return Subject("", "", path, "")


def in_parens(where: str) -> str:
    """" (where)" after a question's lead, or nothing when there is no heading to name: never "()"."""
    return f" ({where})" if where.strip() else ""


def frame(note: Note, line: int = 0) -> str:
    """Where a line sits, for a question: its heading, the note's lead-in and, for a sub-bullet, its lead."""
    parts: list[str] = []
    if note.label:
        parts.append(note.label)
    context = note.chunk.context.rstrip(":").strip()
    if context and context.lower() != note.label.lower():
        parts.append(context)
    if line > 0 and note.lines[0].rstrip(":").lower() not in (p.lower() for p in parts):
        parts.append(note.lines[0].rstrip(":"))
    return " › ".join(parts)

