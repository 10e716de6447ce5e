"""What makes an item unfit to ask: a given-away answer, repeated options, a note that explains nothing."""
from __future__ import annotations

import os
import re

from rapidfuzz import fuzz

from quiz.generate.distractors import parse_number, same_thing
from quiz.item import QuizItem
from quiz.text import content_stems, initials, is_numbered, mentions, strip_number

MIN_EXPLANATION_WORDS = 3
NEAR_SPELLING = 85  # rapidfuzz ratio: "recognition" / "rekognition" 91; "translation" / "translate" 80
# Words many names share ("Amazon S3", "AWS Batch", "SG Debugger"): seeing one in a question hints at nothing.
_GENERIC = frozenset({"amazon", "aws", "sg", "sagemaker", "data", "service", "model", "the"})
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?")
_ACRONYM = re.compile(r"[A-Z]{3,6}")
_ACRONYM_IN_TEXT = re.compile(r"\b[A-Z]{3,5}\b")
_TWO_CAPS = re.compile(r"\b[A-Z]{2}\b")


def problems(item: QuizItem) -> tuple[str, ...]:
    """Why an item should not be asked; empty when it is fine."""
    found = []
    if len(item.options) < 2:
        found.append("fewer than two options")  # typed answers were retired: no strict read found one fair
    if given_away(item):
        found.append("answer given away by the question")
    if repeated_options(item):
        found.append("options repeat")
    if not explains(item):
        found.append("note too short to explain the answer")
    return tuple(found)


def given_away(item: QuizItem, shown: str | None = None) -> bool:
    """Whether `shown` (by default the question) names, abbreviates or implies the item's answer."""
    if item.kind == "truefalse":
        return False
    question = item.question if shown is None else shown
    if _counted_acronym(item, question):
        return True  # before numbers: "3DES" parses as 3 of a unit "DES"
    value = parse_number(item.answer)
    if value is not None:
        numbers = {float(n) for n in _NUMBER.findall(question)}
        return value[0] in numbers
    if mentions(question, item.answer):
        return True
    mine = {s for s in content_stems(item.answer) if len(s) >= 3 and s not in _GENERIC}
    others: set[str] = set()
    for option in item.options:
        if option != item.answer:
            others |= content_stems(option)
    distinctive = mine - others
    asked = content_stems(question)
    if distinctive & asked:
        return True
    # The name inside a short form of it: "MTurk" gives away "Mechanical Turk".
    if any(len(s) >= 4 and 0 < len(w) - len(s) <= 2 and (w.endswith(s) or w.startswith(s))
           for s in distinctive for w in asked):
        return True
    # A part of a compound name in plain words: "race car" for DeepRacer, "code reviews" for CodeGuru,
    # "Automatic" for AutoML (strict read, seed 4301).
    parts = _name_parts(item.answer) - {p for o in item.options if o != item.answer for p in _name_parts(o)}
    written = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", question)}
    if any(w.startswith(p) or p.startswith(w) or _same_root(w, p) for p in parts for w in written):
        return True
    # Inside a longer word, or spelt a letter apart: "PyTorch" for TorchServe, "recognition" for Rekognition
    # (strict read, seed 4701).
    if any((len(p) >= 5 and p in w) or (len(p) >= 6 and fuzz.ratio(w, p) >= NEAR_SPELLING)
           for p in parts for w in written):
        return True
    # A word of the question inside the name: "small services" for Microservices (strict read, seed 5202).
    if any(len(w) >= 6 and w in p and w != p for p in parts for w in written):
        return True
    # A two-letter capitalised part of the name: "IP address usage patterns" for IP insights (seed 4901).
    short_parts = set(_TWO_CAPS.findall(item.answer)) - {p for o in item.options if o != item.answer
                                                        for p in _TWO_CAPS.findall(o)}
    if any(p.lower() not in _GENERIC and re.search(rf"\b{p}\b", question) for p in short_parts):
        return True
    return (_near_acronym(item, question) or _two_letter_initials(item, question) or _spelt_out(item, question)
            or _formula_initials(item, question))


def _counted_acronym(item: QuizItem, question: str) -> bool:
    """A count and an acronym that make the answer: "applies DES three times" for 3DES (strict read, seed
    5702)."""
    match = re.fullmatch(r"(\d)([A-Z]{2,})", item.answer.strip())
    if not match or not re.search(rf"\b{match.group(2)}\b", question):
        return False
    count = {"2": "two|twice|double", "3": "three|thrice|triple"}.get(match.group(1), match.group(1))
    return re.search(rf"\b(?:{match.group(1)}|{count})\b", question, re.IGNORECASE) is not None


def _near_acronym(item: QuizItem, question: str) -> bool:
    """An acronym one letter off the answer's in the question, and in no other option: "more formal than an
    MOU" made MOA the obvious pick over SLA, MSA and SOW (strict read, seed 4602)."""
    answer = item.answer.strip()
    if not _ACRONYM.fullmatch(answer):
        return False
    others = [o for o in item.options if o != item.answer]
    for written in set(_ACRONYM_IN_TEXT.findall(question)):
        if written != answer and _one_letter_off(written, answer) and not any(
                _one_letter_off(written, o) for o in others):
            return True
    return False


def _spelt_out(item: QuizItem, question: str) -> bool:
    """An acronym answer spelt out by the question's words, all its letters (three) or all but one (more),
    and no other option so: "average operating time between failures" for MTBF, "ephemeral elliptic curve
    Diffie-Hellman" for ECDHE (strict read, seed 5002)."""
    # the description and the heading hint, not the prompt: "Which term Matches This Definition?" spells MTD
    prompt, _, description = question.rpartition("\n")
    shown = [description, *re.findall(r"\(([^)]*)\)", prompt)]
    written = " ".join("".join(w[0] for w in re.findall(r"[A-Za-z]+", text)).upper() for text in shown)

    def spelt(acronym: str) -> bool:
        if not _ACRONYM.fullmatch(acronym):
            return False
        need = len(acronym) if len(acronym) == 3 else len(acronym) - 1
        return any(acronym[i:i + need] in written for i in range(len(acronym) - need + 1))

    return spelt(item.answer.strip()) and not any(spelt(o.strip()) for o in item.options if o != item.answer)


def _two_letter_initials(item: QuizItem, question: str) -> bool:
    """A two-word answer's initials in capitals, alone or inside an acronym, and no other option's: "EI-enabled"
    named Elastic inference (strict read, seed 4701). Three letters and more are aliases already (quiz.text.aliases)."""
    short = initials(item.answer)
    if len(short) != 2 or any(initials(o) == short for o in item.options if o != item.answer):
        return False
    if re.search(rf"(?<![A-Za-z0-9]){short.upper()}(?![a-z0-9])", question):
        return True
    # inside an acronym the question shows: "ECDHE: ephemeral elliptic curve ____" for Diffie-Hellman (read
    # given away twice, seeds 6002 and 6102)
    return any(short.upper() in acronym for acronym in _ACRONYM_IN_TEXT.findall(question))


def _formula_initials(item: QuizItem, question: str) -> bool:
    """A formula whose variables are the answer's first two initials, and no other option's: "tn / (tn + fp)"
    for "true negative rate / specificity" (read given away three times, seeds 5601, 5701, 6501)."""
    if not re.search(r"[/+=*]", question):
        return False

    def first_two(name: str) -> str:
        return initials(name.split("/")[0])[:2]

    short = first_two(item.answer)
    if len(short) != 2 or any(first_two(o) == short for o in item.options if o != item.answer):
        return False
    return re.search(rf"(?<![A-Za-z]){short}(?![A-Za-z])", question, re.IGNORECASE) is not None


def _one_letter_off(a: str, b: str) -> bool:
    return len(a) == len(b) and a[:-1] == b[:-1]


def _same_root(a: str, b: str) -> bool:
    """"recommends" and "recommender", "signs" and "signature": one root, other endings (strict reads, seeds
    4501, 5502)."""
    common = len(os.path.commonprefix([a, b]))
    return common >= 4 and common >= 0.75 * min(len(a), len(b))


def _name_parts(name: str) -> set[str]:
    """The pieces of a name's words split at inner capitals and hyphens ("DeepRacer" -> deep, racer)."""
    pieces = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", name)
    return {p.lower() for p in pieces if len(p) >= 4 and p.lower() not in _GENERIC}


def topic_hint(item: QuizItem) -> str:
    """The section shown above a question before it is answered: the deepest heading of its path that
    does not give the answer away ("3.7 Sagemaker tools > SG Debugger" above "SG Debugger" would), or ""
    when none is safe. The reveal shows the full section."""
    path = item.topic_path
    for depth in range(len(path), 0, -1):
        # the deepest numbered heading of the prefix names the section as the guide does ("6.2.4 Inference
        # pipelines"); the headings under it are often note lines the question's frame already shows
        hint = next((h for h in reversed(path[:depth]) if is_numbered(h)), path[depth - 1])
        if item.kind == "truefalse":
            # A statement's section names whose line it is: "4.8 Personalize" under "Comprehend: Explicit
            # schema in Avro format ..." showed the swap (7 of 25 False items, strict read 6001). Only a
            # heading the question's lead already shows adds nothing, and the lead is the same whether the
            # statement is the true or the false one.
            if mentions(item.question.split("\n", 1)[0], strip_number(hint)):
                return hint
        elif not given_away(item, f"{item.question}\n{hint}"):
            return hint
    return ""


def repeated_options(item: QuizItem) -> bool:
    options = item.options
    if len(options) != len({o.strip().lower() for o in options}):
        return True
    for i, a in enumerate(options):
        for b in options[i + 1:]:
            na, nb = parse_number(a), parse_number(b)
            if na is not None and nb is not None:
                continue  # "1h" and "2h" are different answers however alike they look
            if same_thing(a, b):
                return True
    return False


def explains(item: QuizItem) -> bool:
    """The note shown after answering must be there and must contain (or sit under) the answer."""
    if len(content_stems(item.explanation)) < MIN_EXPLANATION_WORDS:
        return False
    if item.kind == "truefalse":
        return True
    context = "\n".join((item.explanation, *item.topic_path))
    return mentions(context, item.answer) or item.answer.lower() in context.lower()
