"""Which-one items: a note's description -> which of its sibling subjects (or terms) it describes."""
from __future__ import annotations

import hashlib
import random
import re
from typing import NamedTuple

from rapidfuzz import fuzz

from quiz.generate.catalog import NEXT_TERM, Catalog, Note, Term, frame, heading_name, in_parens
from quiz.generate.distractors import Neighbours, fits, rare_words, same_thing
from quiz.item import QuizItem
from quiz.text import content_stems, mask, mentions, name_shape, same_shape, strip_number, strip_parenthetical

# Content words: "No GPU" or "Unsupervised" explains nothing, and in the strict reads of v6-v8 which-one
# notes of three ("Service to orchestrate workflows", "Alexa uses Transcribe and Polly") were fair 3 of 10
# times, against about half of the longer ones.
MIN_DESCRIPTION_WORDS = 4
MAX_OPTIONS = 4


class Candidate(NamedTuple):
    """A possible wrong option: its name, how close its notes are to the answer's, whether it shares a word
    with the answer's name (such siblings are the most plausible)."""

    name: str
    closeness: float
    shares_words: bool = False


def shuffled(answer: str, distractors: list[str], seed: str) -> tuple[str, ...]:
    """Options in an order fixed by the question, so the right answer's position varies between items."""
    options = [answer, *distractors]
    random.Random(hashlib.sha1(seed.encode("utf-8")).hexdigest()).shuffle(options)
    return tuple(options)


def render(lines: list[str]) -> str:
    """A description for a question: the first line, then the others as bullets."""
    head, *rest = lines
    return "\n".join([head, *(f"• {line}" for line in rest)])


def subject_items(catalog: Catalog, near: Neighbours) -> list[QuizItem]:
    items = []
    rare = rare_words(catalog)
    for note in catalog.notes:
        if not note.subject or not note.description or note.code:
            continue
        item = _subject_item(catalog, near, note, rare)
        if item is not None:
            items.append(item)
    return items


def _subject_item(
    catalog: Catalog, near: Neighbours, note: Note, rare_in_guide: frozenset[str]
) -> QuizItem | None:
    subject = note.subject
    described = mask(render(note.description.split("\n")), subject)
    if len(content_stems(described)) < MIN_DESCRIPTION_WORDS or "____" in described:
        return None
    candidates: list[Candidate] = []
    fitting = 0
    rare = rare_in_guide & content_stems(described)
    for sibling in catalog.siblings(note):
        if mentions(note.text, sibling) or same_thing(sibling, subject):
            continue  # the note names it: it is part of the answer's story, not a wrong option
        others = [n for n in catalog.notes if n.group == note.group and n.subject == sibling]
        best = max((float(near.similarity[note.index, o.index]) for o in others), default=0.0)
        if any(fits(described, o.description or o.text, float(near.similarity[note.index, o.index]))
               or rare & content_stems(o.text) for o in others):
            fitting += 1
            continue
        if not same_shape(sibling, subject):
            continue  # a guide label or a thing of another kind ("Memory aid" beside RPO)
        shares_words = bool(content_stems(sibling) & content_stems(subject))
        candidates.append(Candidate(sibling, best, shares_words))
    if fitting >= 2:
        return None  # a generic fact ("Input: recordIO-protobuf or csv") fits several siblings
    candidates.sort(key=lambda c: (not c.shares_words, -c.closeness, c.name))
    chosen = _pick(candidates, subject)
    distractors = [c.name for c in chosen]
    if len(distractors) < 2:
        return None
    where = heading_name(note.group[-1]) if note.group else note.label
    question = f"Which one does this note describe?{in_parens(where)}\n{described}"
    difficulty = 0.35 + 0.3 * max(c.closeness for c in chosen) + 0.05 * (len(distractors) - 2)
    return _which_item(note, question, subject, distractors, difficulty)


def term_items(catalog: Catalog, near: Neighbours) -> list[QuizItem]:
    items = []
    for term in catalog.terms:
        item = _term_item(catalog, near, term)
        if item is not None:
            items.append(item)
    return items


def _term_pool(catalog: Catalog, term: Term) -> list[Term]:
    """Parallel terms: those of the same list. A list of two is not widened to its heading's other lists:
    "Channel identification" (a Transcribe feature) then got "Fraud detector" (a service) and "Speech
    marks" (Polly's), of another kind in four strict reads of four."""
    return [t for t in catalog.terms if t.scope == term.scope and t is not term and not t.is_list_label]


def _term_item(catalog: Catalog, near: Neighbours, term: Term) -> QuizItem | None:
    note = catalog.notes[term.note]
    answer = strip_parenthetical(term.name)
    # up to the next "Term:" of the same line: "risk before controls; residual risk: what remains ..."
    definition = mask(NEXT_TERM.split(term.definition)[0], term.name)
    if len(content_stems(definition)) < MIN_DESCRIPTION_WORDS or term.is_list_label:
        return None
    if "____" in definition:
        return None  # the name inside its own definition: "file ____ monitoring" is filled by its neighbours
    candidates: list[Candidate] = []
    for other in _term_pool(catalog, term):
        name = strip_parenthetical(other.name)
        if mentions(term.definition, other.name) or same_thing(name, answer) or not same_shape(name, answer):
            continue
        closeness = float(near.similarity[term.note, other.note])
        if fuzz.token_set_ratio(other.definition, term.definition) >= 90 or fits(
            definition, other.definition, closeness
        ):
            continue  # two definitions that say the same thing: both options would be right
        if name.lower() in (c.name.lower() for c in candidates):
            continue
        candidates.append(Candidate(name, closeness))
    same_scope = {strip_parenthetical(t.name) for t in catalog.terms if t.scope == term.scope}
    # the lines of the whole section: a guide that writes each term as its own bullet enumerates them in
    # another ("Phases as CompTIA lists them: preparation, detection, ...")
    path = note.chunk.heading_path
    groups = _enumerations(tuple(line for n in catalog.notes if n.chunk.heading_path == path for line in n.lines),
                           same_scope)
    kind = _group_of(groups, answer)
    if groups:
        # A list the guide enumerates is one kind, and the terms it leaves out are of another: a strict
        # read (seed 5102) found incident-response phases offered for a playbook.
        candidates = [c for c in candidates if _group_of(groups, c.name) == kind]
    shape = name_shape(answer)
    # Of one list, the terms of the answer's own kind first: the list the guide itself enumerates them in
    # ("Phases ...: preparation, detection, analysis, ...") and the answer's way of writing a name. A strict
    # read (seed 4702) found phases offered for an exercise type, a policy beside masking and tokenization,
    # "Federation" among SAML, JWT and OpenID Connect.
    candidates.sort(key=lambda c: (c.name not in same_scope, _group_of(groups, c.name) != kind,
                                   name_shape(c.name) != shape, -c.closeness, c.name))
    chosen = _pick(candidates, answer)
    distractors = [c.name for c in chosen]
    if len(distractors) < 2:
        return None
    if not _one_kind(term, answer, distractors, groups):
        return None
    where = frame(note, term.line)
    question = f"Which term matches this definition?{in_parens(where)}\n{definition}"
    difficulty = 0.3 + 0.3 * max(c.closeness for c in chosen) + 0.05 * (len(distractors) - 2)
    return _which_item(note, question, answer, distractors, difficulty)


def _one_kind(term: Term, answer: str, distractors: list[str], groups: list[frozenset[str]]) -> bool:
    """Whether the guide shows the options to be one kind of thing. A list of "Term: definition" lines under a
    heading such as "Data protection and governance" mixes roles, policies and documents, and a strict reader
    rules options out by kind alone: in the reads of v10-v31, term items with such evidence were fair 94 of
    114 times on Security+ (64 of 75 on AWS), the others 100 of 186 (AWS 6 of 20). The evidence: the list's
    heading names a kind ("Malware types", "Other AI services", "Time series filling methods"), one line of the
    guide enumerates all the options, they all end in one word (Cold, Warm, Hot site), or all are written as
    names (ports, acronyms)."""
    options = [answer, *distractors]
    labels = [s for s in term.scope if s and not s.lstrip("-").isdigit()]
    if labels and _names_a_kind(strip_parenthetical(strip_number(labels[-1])).rstrip(":")):
        return True
    if groups and any(all(o in group for o in options) for group in groups):
        return True
    if len({ends[-1] if (ends := _ends(o)) else o.lower() for o in options}) == 1:
        return True
    return all(name_shape(o) == "name" for o in options)


def _names_a_kind(heading: str) -> bool:
    """A heading that is a plural noun, of one kind: "Malware types", "Formulas"; not "Site types and redundancy",
    "Segmentation, NAC and 802.1X", "Kerberos" or "TLS"."""
    found = heading.split()
    if not found or re.search(r"\band\b|,|&|/|\bvs\b|\bor\b", heading, re.IGNORECASE):
        return False
    last = found[-1]
    if len(found) > 1 and not last.islower():
        return False
    return len(last) > 3 and last[-1] == "s" and last[-2] not in "siuo"


def _pick(candidates: list[Candidate], answer: str) -> list[Candidate]:
    """The wrong options, best first, with at most one of a name family the answer is not in: beside "Cold
    site", "Warm site" and "Hot site", "Geographic dispersal" is the odd one out and so the answer. In the
    strict reads of v10-v20, which-one items with two or more wrong options sharing a first or last word
    the answer lacks were fair 19 of 39 times (Security+ 9 of 24, AWS 10 of 15), the others 344 of 458."""
    chosen = _greedy(candidates, answer)
    # One wrong option of another length in words beside two of the answer's: "Key risk indicator" beside
    # "Risk register" and "Inherent risk" for "Risk appetite" (strict reads v10-v31: 103 of 161 such items fair,
    # the others 437 of 590). It is left out while two are left; no other is brought in for it, since the
    # candidates further down are the less alike ("Federation" among SAML, LDAP and JWT).
    size = _length(answer)
    odd = [c for c in chosen if _length(c.name) != size]
    if len(odd) == 1 and len(chosen) >= 3:
        chosen = [c for c in chosen if c not in odd]
    return chosen


def _greedy(candidates: list[Candidate], answer: str) -> list[Candidate]:
    mine = set(strip_parenthetical(answer).lower().split())
    ends = _ends(answer)
    head = ends[-1] if ends else None
    chosen: list[Candidate] = []
    used: set[str] = set()
    for candidate in candidates:
        if len(chosen) == MAX_OPTIONS - 1:
            break
        family = _family(candidate.name, mine, head)
        if family & used:
            continue
        chosen.append(candidate)
        used |= family
    # The other way round: beside "Cold site" and "Hot site" for "Warm site", "Geographic dispersal" is the one
    # option of another kind, so the answer is one of three (read wrong-kind in three Security+ reads, v25-v29).
    own = set(ends)
    if sum(bool(set(_ends(c.name)) & own) for c in chosen) >= 2:
        chosen = [c for c in chosen if set(_ends(c.name)) & own]
    return chosen


def _family(name: str, mine: set[str], head: str | None) -> set[str]:
    """What makes two wrong options one family beside the answer (whose words are `mine`): a first or last word
    the answer lacks, and a last word that is not the answer's last even where the answer has it elsewhere:
    "Self-signed certificate" and "Wildcard certificate" beside "Certificate authority", whose "certificate"
    is not its kind (read wrong-kind in five reads, v20-v31)."""
    ends = _ends(name)
    if not ends:
        return set()
    family = {word for word in ends if word not in mine}
    if ends[-1] != head:
        family.add(f"{ends[-1]} (kind)")
    return family


def _ends(name: str) -> tuple[str, ...]:
    """The first and last word of a name of two words or more ("Cold site": cold, site; "SHA-1" is one)."""
    found = strip_parenthetical(name).lower().split()
    return (found[0], found[-1]) if len(found) >= 2 else ()


def _length(name: str) -> int:
    """One word, two, or more."""
    return min(len(strip_parenthetical(name).split()), 3)


def _enumerations(lines: tuple[str, ...], scope: set[str]) -> list[frozenset[str]]:
    """The lines of a term's section that name three or more terms of its list (`scope`): the guide's own
    grouping. A term's own definition line is no enumeration: "OpenID Connect (OIDC): ... on top of OAuth
    2.0 ... in JWT format" names three protocols without listing a kind."""
    groups = []
    for line in lines:
        if any(re.match(rf"{re.escape(name)}\s*(?:\([^)]*\)\s*)?:", line) for name in scope):
            continue
        named = frozenset(name for name in scope if mentions(line, name))
        if len(named) >= 3:
            groups.append(named)
    return groups


def _group_of(groups: list[frozenset[str]], name: str) -> int:
    """Which of the guide's enumerations names `name` (-1: none)."""
    return next((i for i, group in enumerate(groups) if name in group), -1)


def _which_item(note: Note, question: str, answer: str, distractors: list[str], difficulty: float) -> QuizItem:
    return QuizItem.create(
        chunk_id=note.chunk.id,
        kind="which",
        question=question,
        options=shuffled(answer, distractors, question),
        answer=answer,
        explanation=note.text,
        section=note.chunk.section,
        difficulty=difficulty,
        topic_path=note.chunk.heading_path,
    )
