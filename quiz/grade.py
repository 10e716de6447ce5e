"""Typed answers graded with rapidfuzz: forgiving on spelling, strict on numbers and on which thing is named.

A typed answer is compared word by word with the expected one after normalising case, punctuation,
articles, plurals, number formats ("1,000", "1MB") and unit spellings ("hours" -> "h"). Each expected
word must be matched by a typed word, exactly or with a small typo; numbers must be equal. So
"Kinesis Data Firehose" for "Kinesis Data Streams" fails on one word however alike the strings look.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from quiz.text import initials, parenthetical, stem, strip_parenthetical

_ARTICLES = frozenset({"a", "an", "the"})
# Words a member may add or leave out without changing which thing they name.
_OPTIONAL = frozenset({"amazon", "aws", "service", "algorithm", "format", "file", "mode", "per", "of",
                       "regularization"})
_UNIT_ALIASES = {
    "hour": "h", "hours": "h", "hr": "h", "hrs": "h", "second": "s", "seconds": "s", "sec": "s", "secs": "s",
    "minute": "min", "minutes": "min", "mins": "min", "millisecond": "ms", "milliseconds": "ms",
    "day": "day", "days": "day", "d": "day", "week": "week", "weeks": "week", "month": "month",
    "months": "month", "year": "year", "years": "year", "yr": "year", "yrs": "year", "%": "percent",
    "kilobyte": "kb", "kilobytes": "kb", "megabyte": "mb", "megabytes": "mb", "gigabyte": "gb",
    "gigabytes": "gb", "terabyte": "tb", "terabytes": "tb",
}
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


@dataclass(frozen=True)
class Grade:
    correct: bool
    score: float  # 0..1: how alike the normalised strings are (shown to the member; not the verdict)
    reason: str  # one line for the member: why it counts or does not


def normalize(text: str) -> list[str]:
    """Comparable tokens: lower case, no punctuation or articles, singular, numbers canonical."""
    text = unicodedata.normalize("NFKC", text).lower().strip()
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 1,000 -> 1000
    text = re.sub(r"(?<![\d.])\.(?=\d)", "0.", text)  # .0001 -> 0.0001
    text = text.replace("%", " percent ")
    text = re.sub(r"(?<=\d)(?=[a-z])|(?<=[a-z])(?=\d)", " ", text)  # 1mb -> 1 mb, l1 -> l 1
    text = re.sub(r"(?<=\d)-(?=\d)", " to ", text)  # 2-15 -> 2 to 15
    tokens = re.findall(r"\d+(?:\.\d+)?|[a-z]+", text)
    out = []
    for token in tokens:
        if token in _ARTICLES:
            continue
        if _NUMBER.match(token):
            value = float(token)
            out.append(str(int(value)) if value == int(value) else repr(value))
            continue
        out.append(_UNIT_ALIASES.get(token, stem(token)))
    return out


def _numbers(tokens: list[str]) -> list[str]:
    return sorted(t for t in tokens if _NUMBER.match(t))


def _word_match(expected: str, typed: str) -> str:
    """'exact', 'typo' or '' for one word. Short words must be exact; a typo keeps the first letter."""
    if expected == typed:
        return "exact"
    if _NUMBER.match(expected) or _NUMBER.match(typed):
        return ""
    n = len(expected)
    allowed = 0 if n <= 3 else 1 if n <= 7 else 2
    if allowed == 0:
        return ""
    distance = OSA.distance(expected, typed)
    first_ok = expected[0] == typed[0] or (len(typed) > 1 and expected[:2] == typed[1::-1])
    return "typo" if distance <= allowed and first_ok else ""


def _optional(token: str) -> bool:
    """A filler word, also misspelt when long ("regularisation", "algoritm")."""
    return token in _OPTIONAL or any(len(word) >= 8 and _word_match(word, token) for word in _OPTIONAL)


def _match_tokens(expected: list[str], typed: list[str]) -> str:
    """'exact', 'typo' or '' for two token lists; word order and optional filler words are free."""
    exp = [t for t in expected if t not in _OPTIONAL] or expected
    got = [t for t in typed if not _optional(t)] or typed
    if _numbers(exp) != _numbers(got):
        return ""
    if "".join(exp) == "".join(got):
        return "exact"  # "record io" vs "recordio", "k means" vs "kmeans"
    if len(exp) != len(got):
        # one word split or joined differently and mistyped: "blazingtxt" for "blazing text"; a missing
        # word ("standard" for "standard ia") is more than one letter off and fails
        a, b = "".join(exp), "".join(got)
        return "typo" if len(a) > 5 and OSA.distance(a, b) <= 1 and a[0] == b[0] else ""
    verdict = "exact"
    remaining = list(got)
    for word in exp:
        found = next((t for t in remaining if _word_match(word, t) == "exact"), None)
        if found is None:
            found = next((t for t in remaining if _word_match(word, t) == "typo"), None)
            verdict = "typo"
        if found is None:
            return ""
        remaining.remove(found)
    return verdict


def _forms(expected: str) -> list[str]:
    """'Random cut forest (RCF)' -> ['Random cut forest (RCF)', 'Random cut forest', 'RCF']."""
    forms = [expected]
    for form in (strip_parenthetical(expected), parenthetical(expected)):
        if form and form not in forms:
            forms.append(form)
    return forms


def grade_typed(expected: str, typed: str) -> Grade:
    """Whether a typed answer names the expected thing (see the module docstring for the rules)."""
    typed_tokens = normalize(typed)
    expected_tokens = normalize(expected)
    score = fuzz.ratio(" ".join(expected_tokens), " ".join(typed_tokens)) / 100.0
    if not typed_tokens:
        return Grade(False, 0.0, "no answer given")
    verdict = ""
    for form in _forms(expected):
        verdict = _match_tokens(normalize(form), typed_tokens)
        if verdict:
            break
    if verdict == "exact":
        same = typed.strip().lower() == expected.strip().lower()
        if same:
            return Grade(True, 1.0, "exact")
        return Grade(True, max(score, 0.9), "correct (spelling normalised)")
    if verdict == "typo":
        return Grade(True, score, "correct, with a small typo")
    if _is_acronym_of(expected, typed):
        return Grade(True, score, "correct (acronym)")
    if _numbers(expected_tokens) and _numbers(expected_tokens) != _numbers(typed_tokens):
        return Grade(False, score, "the number is not the one in the notes")
    return Grade(False, score, "not the answer in the notes")


def _is_acronym_of(expected: str, typed: str) -> bool:
    """'RCF' for 'Random cut forest': the initials of a name of at least three words (or two plus a
    letter, 'kNN'), so a two-letter guess like 'DL' does not pass for 'Data lake'."""
    compact = re.sub(r"[^a-z0-9]", "", typed.lower())
    if len(compact) < 3 or " " in typed.strip():
        return False
    return any(compact == initials(form) for form in _forms(expected) if initials(form))
