"""True/false items: a line of a note as written (true) or with one term swapped for a sibling's (false)."""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from typing import Literal, NamedTuple

from quiz.generate.catalog import NEXT_TERM, Catalog, Note, frame, heading_name, in_parens, term_of
from quiz.generate.checks import given_away
from quiz.generate.cloze import MIN_LINE_WORDS, blank_out
from quiz.generate.distractors import (
    Neighbours,
    TermSimilarity,
    fits,
    name_distractors,
    number_distractors,
    number_variant,
    parse_number,
    rare_words,
    same_thing,
    unit_name,
)
from quiz.generate.spans import Span, negated
from quiz.item import FALSE, TRUE, QuizItem
from quiz.text import content_stems, match_case, mentions, name_shape, same_shape, strip_parenthetical

MAX_STATEMENT_CHARS = 220  # a long paragraph as one statement is a reading test, not a recall test
MIN_STATEMENT_WORDS = 5  # shorter lines read as statements only in "Key: value" form
# A sibling's notes sharing half of a claim's words may make the claim true of it: "LDA: Can only be trained
# on a single machine" beside LDA's "Training: single-instance CPU" read false-true (seed 6001). A wrong
# which-one option needs 0.75 (FIT_OVERLAP); a False statement is judged alone, so it needs more care.
SWAP_FIT = 0.5
MIN_CLAIM_WORDS = 4  # content words of a claim about a named thing, as for a which-one description
# The label of a list, not one thing of it: "Glue source input types", "Monitoring methods".
_CATEGORY = re.compile(r"\b(?:types|kinds|categories|methods|options|modes|steps|phases)$", re.IGNORECASE)
# A number after a bound is falsified one way only: a lower bound lowered ("start with only 5 images" where
# 10 is the least), an upper bound raised. Moved the other way it stays true (strict reads 5001-5301:
# "start with only 9 images", "at least 3 subnets").
_LOWER_BOUND = re.compile(r"\b(?:at least|as few as|only|minimum(?: of)?|more than|over)\s+(?:\S+\s+)?$",
                          re.IGNORECASE)
_UPPER_BOUND = re.compile(r"\b(?:at most|as many as|up to|maximum(?: of)?|less than|fewer than|under|within)\s+"
                          r"(?:\S+\s+)?$", re.IGNORECASE)
Bound = Literal[-1, 0, 1]  # the number follows a lower bound, none, an upper bound
# A swap this alike to the term it replaces (MiniLM cosine of the two names) reads as a near-synonym and the
# statement stays true: over the strict reads of v10-v18, the False swaps at or above 0.35 were fair 7 of 20
# times ("authentication" -> "identification" 0.37, "Detect" -> "Identify" 0.42, IPS -> IDS 0.48), those
# below 46 of 59.
NEAR_SYNONYM = 0.35
# A number the line (or its hint) derives from others: swapped, it contradicts its own sentence ("8kb, that
# means 8MB/s. So we need 8 shards", "adds up to a 1", "Example: 10 users need 45 keys" under n(n-1)/2).
_DERIVED = re.compile(r"=|->|→|\bmeans\b|\bso we need\b|\badds? up\b|\bsums? (?:up )?to\b|^Example\b|"
                      r"\w\([^)]*[-+*/][^)]*\)", re.IGNORECASE)
_LIST = re.compile(r",|\band\b")
# A number that names a thing, not a fact about it: "RFC 4226", "NIST SP 800-61 Rev. 2", "OAuth 2.0", "PKCS #12".
# Changed, the statement turns on a label no exam asks for (three Security+ items read as trivia, seed 5802).
# A year moved makes a statement false only by a side detail ("the 2018 SolarWinds compromise", read trivia
# twice) or lands on another real date of a phased rule ("shorter limits from 2029", read false-true three
# times, seeds 5402, 5502, 6702): of the six year swaps read, two were fair.
_YEAR = re.compile(r"(?:19|20)\d\d")
_IDENTIFIER_BEFORE = re.compile(r"(?:\bRFC|\bRev\.?|\bSP|\bversion|\bv|\bPKCS\s*#)\s*$", re.IGNORECASE)
_VERSION_OF_NAME = re.compile(r"\b[A-Z][\w+-]*\s$")  # "OAuth 2.0", not "from 0.0 to 10.0"


def truefalse_items(catalog: Catalog, near: Neighbours, alike: TermSimilarity) -> list[QuizItem]:
    items = []
    asked: set[tuple[int, int]] = set()  # (note, line) already made a statement by a swapped word
    for note in catalog.notes:
        if note.code:
            continue
        for li, line in enumerate(note.lines):
            if len(line) > MAX_STATEMENT_CHARS or len(content_stems(line)) < MIN_LINE_WORDS + 1:
                continue
            if ":" not in line and len(line.split()) < MIN_STATEMENT_WORDS:
                continue  # "EC2 consumer tensorflow MXNet": a fragment, not a statement to judge
            if line.rstrip().endswith(":"):
                continue  # a lead-in to a list or a command ("collect the most volatile first:") claims nothing
            found = _statements(catalog, near, alike, note, li, line)
            if found:
                asked.add((note.index, li))
            items.extend(found)
    return items + _name_swaps(catalog, near, alike, asked)


def _subject_text(catalog: Catalog, note: Note) -> str:
    """Everything the guide says under the note's heading: a swapped-in term found there may be true."""
    path = note.chunk.heading_path
    return "\n".join(n.text for n in catalog.notes if n.chunk.heading_path == path)


def _swap(catalog: Catalog, near: Neighbours, note: Note, span: Span, bound: Bound = 0) -> str:
    """The term or number a false statement puts in place of `span`; for a number after a lower (`bound`
    -1) or upper (+1) bound, only one below or above it."""
    if span.kind == "number" and bound:
        n = parse_number(span.text)
        one_less = [str(int(n[0]) - 1)] if n and not n[1] and n[0] == int(n[0]) and n[0] >= 2 else []
        options = [o for o in (*number_distractors(span, note, catalog, k=3),
                               *(number_variant(span, note.index + k) for k in range(6)), *one_less)
                   if _beyond(o, span.text, bound)]
    elif span.kind == "number":
        options = number_distractors(span, note, catalog, k=1) or [number_variant(span, note.index)]
        options = [o for o in options if o]
    else:
        options = name_distractors(span, note, catalog, near, k=1, avoid=_subject_text(catalog, note),
                                   family_only=True)
    return options[0] if options else ""


def _clearly_other(term: str, replacement: str, alike: TermSimilarity) -> bool:
    """Whether a swapped-in name makes the statement false: not a near-synonym of the term, and not a list
    where the line names one thing ("RSA" -> "DSA, ECDSA and Ed25519" read as spliced from another line)."""
    if _LIST.search(replacement) and not _LIST.search(term):
        return False
    return alike(term, replacement) < NEAR_SYNONYM


def _identifier(line: str, span: Span) -> bool:
    """Whether a number is part of a name: after "RFC", "Rev.", "SP" or "version", or a dotted version right
    after a capitalised name ("OAuth 2.0", "TLS 1.3")."""
    before = line[:span.start]
    return bool(_IDENTIFIER_BEFORE.search(before)
                or (re.fullmatch(r"\d+\.\d+", span.text) and _VERSION_OF_NAME.search(before)))


def _beyond(candidate: str, original: str, bound: Bound) -> bool:
    new, old = parse_number(candidate), parse_number(original)
    if new is None or old is None or unit_name(new[1]) != unit_name(old[1]) or new[0] == old[0]:
        return False
    if bound < 0 and new[0] <= 1:
        return False  # "at least 1 subnet, each in a different AZ": the rest of the line needs several (seed 5601)
    return (new[0] > old[0]) == (bound > 0)


def _bound(line: str, span: Span) -> Bound:
    before = line[:span.start]
    return -1 if _LOWER_BOUND.search(before) else 1 if _UPPER_BOUND.search(before) else 0


def _statements(catalog: Catalog, near: Neighbours, alike: TermSimilarity, note: Note, li: int,
                line: str) -> list[QuizItem]:
    if line.strip().lower() == note.subject.lower():
        return []
    shown = frame(note, li)
    # A swap of a name the heading above names gives itself away: "(Glue) Python Shell supports Kinesis data
    # streams jobs" (pattern 7 of the strict reads).
    # Numbers stay in an equation or a derivation ("idf = log(2) = 0": the arithmetic gives it away). A term the
    # line repeats is swapped everywhere, which reads as nonsense ("802.1Q hopping ... another 802.1Q"), or in
    # one place, which contradicts the rest: such a term is not swapped.
    derived = bool(_DERIVED.search(line) or _DERIVED.search(shown))
    # "TorchServe: Model serving framework for PyTorch": the name spells the swapped word, and shows the swap
    term = term_of(line)
    named = {p.lower() for p in re.findall(r"[A-Z]?[a-z]{4,}", term[0])} if term else set()
    spans = [s for s in catalog.line_spans(note.index, li) if not negated(line, s) and not mentions(shown, s.text)
             and len(re.findall(rf"(?<!\w){re.escape(s.text)}(?!\w)", line, re.IGNORECASE)) == 1
             and not (s.kind == "number" and (derived or _identifier(line, s) or _YEAR.fullmatch(s.text)))
             and not (s.kind != "number" and any(part in s.text.lower() for part in named))]
    swaps = [(span, replacement) for span in spans
             if (replacement := _swap(catalog, near, note, span, _bound(line, span) if span.kind == "number" else 0))
             and (span.kind == "number" or _clearly_other(span.text, replacement, alike))]
    if not swaps:
        return []  # a line with nothing to swap would only ever be true: a giveaway
    # Each line gives one true and one false statement, so "False" is right exactly half the time;
    # select_items keeps the two out of one quiz (they share a note).
    digest = hashlib.sha1(f"{note.chunk.id}:{li}".encode()).digest()
    span, replacement = swaps[digest[0] % len(swaps)]
    swapped = blank_out(line, span.text).replace("____", match_case(replacement, span.text))
    if replacement == "1":  # "at least 1 subnet", not "1 subnets": the grammar would show the edit
        swapped = re.sub(r"(?<![\w.])1 (\w{3,}?)s\b", r"1 \1", swapped, count=1)
    bonus = 0.15 if span.kind == "number" else 0.05
    where = frame(note, li)
    return [_item(note, where, line, TRUE, bonus), _item(note, where, swapped, FALSE, bonus)]


class NamedClaim(NamedTuple):
    """A line that says what one named thing is or does, and the names parallel to it."""

    note: Note
    name: str  # the subject or term, without its gloss
    claim: str  # what the line says of it
    where: str  # shown above the statement: a heading that does not name it
    peers: tuple[tuple[str, tuple[Note, ...]], ...]  # each parallel name with the notes about it


def _named_claims(catalog: Catalog, asked: set[tuple[int, int]]) -> list[NamedClaim]:
    """Terms ("SG JumpStart: one-click models ...") with the terms of their list, and one-line notes under a
    named subject ("SG Debugger" > "Stores gradients and tensors ...") with the subject's siblings."""
    claims = []
    for term in catalog.terms:
        note = catalog.notes[term.note]
        if note.code or term.is_list_label or (term.note, term.line) in asked:
            continue
        peers: tuple[tuple[str, tuple[Note, ...]], ...]
        peers = tuple((strip_parenthetical(t.name), (catalog.notes[t.note],)) for t in catalog.terms
                      if t.scope == term.scope and t is not term and not t.is_list_label)
        claims.append(NamedClaim(note, strip_parenthetical(term.name), NEXT_TERM.split(term.definition)[0],
                                 frame(note, term.line), peers))
    about: dict[tuple[tuple[str, ...], str], list[Note]] = defaultdict(list)  # (group, subject) -> its notes
    for note in catalog.notes:
        about[(note.group, note.subject)].append(note)
    for note in catalog.notes:
        if not note.subject or not note.description or note.code:
            continue
        peers = tuple((sibling, tuple(about[(note.group, sibling)])) for sibling in catalog.siblings(note))
        where = heading_name(note.group[-1]) if note.group else ""
        described = note.description.split("\n")
        # A name-like lead over its bullets ("IP insights" + "Unsupervised learning of ...") describes the
        # subject in each bullet; a heading's note does in its lead, and its bullets belong to the lead.
        first = 1 if note.lines[0] == note.subject else 0
        if first and name_shape(note.subject) == "words":
            continue  # a lead in plain words is as often a label ("Typical workflow" > "Video uploaded ...")
        for li, claim in enumerate(described if first else described[:1], first):
            # "regular: For datasets with sparse data" is a field of its own, not a claim about PCA
            if (note.index, li) not in asked and (first == 0 or term_of(claim) is None):
                claims.append(NamedClaim(note, strip_parenthetical(note.subject), claim, where, peers))
    return claims


def _name_swaps(catalog: Catalog, near: Neighbours, alike: TermSimilarity,
                asked: set[tuple[int, int]]) -> list[QuizItem]:
    """A named claim as written (true) and under the nearest parallel name that the guide does not let it fit
    (false): the which-one question's checks, asked as a statement. A claim that fits two parallel names is
    generic ("Input: recordIO-protobuf or csv") and asked neither way."""
    items: list[QuizItem] = []
    rare_in_guide = rare_words(catalog)
    for found in _named_claims(catalog, asked):
        note, name, claim = found.note, found.name, found.claim
        statement = f"{name}: {claim}"
        if (len(statement) > MAX_STATEMENT_CHARS or len(content_stems(claim)) < MIN_CLAIM_WORDS
                or claim.rstrip().endswith(":") or mentions(claim, name) or mentions(found.where, name)
                or _DERIVED.search(claim)):  # a worked example ("So we need 8 shards") is no claim about a name
            continue
        if name_shape(name) == "label" or _CATEGORY.search(name):
            continue
        rare = rare_in_guide & content_stems(claim)
        fitting = 0
        candidates: list[tuple[bool, float, str]] = []  # (of another written shape, -closeness, name)
        for peer, notes in found.peers:
            peer = strip_parenthetical(peer)
            if (not notes or same_thing(peer, name) or mentions(note.text, peer) or mentions(found.where, peer)
                    or mentions(claim, peer)):
                continue
            if any(fits(claim, o.description or o.text, float(near.similarity[note.index, o.index]), SWAP_FIT)
                   or rare & content_stems(o.text) for o in notes):
                fitting += 1
                continue
            if (name_shape(peer) == "label" or _CATEGORY.search(peer) or not _clearly_other(name, peer, alike)):
                continue  # "XSS vs CSRF", "Glue source input types", "DSA, ECDSA and Ed25519" for one cipher
            closeness = max(float(near.similarity[note.index, o.index]) for o in notes)
            candidates.append((not same_shape(peer, name), -closeness, peer))
        if fitting >= 2 or not candidates:
            continue
        false_name = min(candidates)[2]
        if _implied(note, found.where, claim, name, false_name):
            continue
        items += [_item(note, found.where, statement, TRUE, 0.0),
                  _item(note, found.where, f"{false_name}: {claim}", FALSE, 0.0)]
    return items


def _implied(note: Note, where: str, claim: str, name: str, false_name: str) -> bool:
    """Whether the claim names or implies whose it is, as a which-one question would give it away: "celebrity
    recognition" makes "Personalize: ... celebrity recognition" false without knowing the note."""
    asked = QuizItem.create(chunk_id=note.chunk.id, kind="which", question=f"{where}\n{claim}",
                            options=(name, false_name), answer=name, explanation=note.text,
                            section=note.chunk.section, difficulty=0.0, topic_path=note.chunk.heading_path)
    return given_away(asked)


def _item(note: Note, where: str, statement: str, answer: str, bonus: float) -> QuizItem:
    question = f"True or false?{in_parens(where)}\n{statement}"
    return QuizItem.create(
        chunk_id=note.chunk.id,
        kind="truefalse",
        question=question,
        options=(TRUE, FALSE),
        answer=answer,
        explanation=note.text,
        section=note.chunk.section,
        difficulty=0.3 + bonus + min(0.15, len(statement) / 1500),
        topic_path=note.chunk.heading_path,
    )
