"""Small text helpers shared by the generators and the checks: words, stems, name mentions, masking."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

# Function words: they carry no fact, so they never count as overlap between a question and an answer.
STOPWORDS = frozenset(
    str.split(
        """a about above after again all also an and any are as at be because been before being below between
    both but by can cannot could did do does doing don down during each either else few for from further had
    has have having he her here how i if in into is it its itself just less like may me might more most much
    must my no nor not now of off on once one only or other our out over own per same she should so some
    such than that the their them then there these they this those through to too under until up upon us
    use used uses using very via was we well were what when where whether which while who whom why will with
    within without would you your it's don't doesn't can't isn't"""
    )
)

_WORD = re.compile(r"[A-Za-z0-9]+")
_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """NFKC and collapsed whitespace: the guide has non-breaking spaces and curly quotes."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def stem(word: str) -> str:
    """A crude singular: enough to treat 'shards'/'shard' or 'years'/'year' as the same word."""
    w = word.lower()
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("sses", "shes", "ches", "xes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


@lru_cache(maxsize=8192)
def content_stems(text: str) -> frozenset[str]:
    """Stems of the words that carry meaning (no function words, no single letters)."""
    return frozenset(stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1)


def name_tokens(name: str) -> list[str]:
    """'K-nearest-neighbors' -> ['k', 'nearest', 'neighbors']; 'MXNet' stays one token."""
    return words(name)


@lru_cache(maxsize=8192)
def initials(name: str) -> str:
    """'Random cut forest' -> 'rcf'; '' when the name is a single word (its initial means nothing)."""
    tokens = [t for t in name_tokens(strip_parenthetical(name)) if t not in {"and", "of", "for", "the", "a"}]
    if len(tokens) < 2 or any(t.isdigit() for t in tokens):
        return ""
    return "".join(t[0] for t in tokens)


@lru_cache(maxsize=8192)
def strip_parenthetical(name: str) -> str:
    return clean(re.sub(r"\([^)]*\)", " ", name))


def parenthetical(name: str) -> str:
    match = re.search(r"\(([^)]*)\)", name)
    return clean(match.group(1)) if match else ""


@lru_cache(maxsize=8192)
def aliases(name: str) -> tuple[str, ...]:
    """The ways a note can refer to a name: itself, without its parenthesis, the parenthesis, its initials."""
    out: list[str] = []
    for candidate in (name, strip_parenthetical(name), parenthetical(name)):
        if candidate and candidate not in out:
            out.append(candidate)
    acronym = initials(name)
    if len(acronym) >= 3 and acronym not in (a.lower() for a in out):
        out.append(acronym)
    return tuple(out)


@lru_cache(maxsize=8192)
def _alias_pattern(alias: str) -> re.Pattern[str] | None:
    tokens = name_tokens(alias)
    if not tokens:
        return None
    body = r"[\s\-_./]*".join(re.escape(t) for t in tokens)
    # an optional plural 's' or "'s", so 'Kinesis data stream' is found in 'Kinesis Data Streams'
    return re.compile(rf"(?<![A-Za-z0-9]){body}(?:s|'s|es)?(?![A-Za-z0-9])", re.IGNORECASE)


def mentions(text: str, name: str) -> bool:
    """Whether the text names `name` (or one of its aliases), as whole words, ignoring case and separators."""
    for alias in aliases(name):
        pattern = _alias_pattern(alias)
        if pattern is not None and pattern.search(text):
            return True
    return False


def mask(text: str, name: str, blank: str = "____") -> str:
    """Replace every mention of `name` (and its aliases) by a blank, longest alias first."""
    for alias in sorted(aliases(name), key=len, reverse=True):
        pattern = _alias_pattern(alias)
        if pattern is not None:
            text = pattern.sub(blank, text)
    return text


def strip_number(heading: str) -> str:
    """'3.2 SageMaker built-in algorithms' -> 'SageMaker built-in algorithms'."""
    return clean(re.sub(r"^\d+(\.\d+)*\.?\s+", "", heading))


def is_numbered(heading: str) -> bool:
    return re.match(r"^\d+(\.\d+)*\.?\s", heading) is not None


NameShape = Literal["name", "title", "words", "any", "label"]
_SMALL_WORDS = frozenset({"a", "an", "and", "as", "by", "for", "in", "of", "on", "or", "the", "to", "with"})


def name_shape(name: str) -> NameShape:
    """How a subject's name is written, as a proxy for what kind of thing it is. Strict reads found options
    of another kind under one question: guide labels ("Memory aid", "Weak point", "Transport mode") beside
    ciphers and metrics (DES, RPO), concepts ("Data lake") beside services (FSx for Lustre).
    'words': a phrase with a word in lower case after the first (Memory aid, SQL injection, spear phishing);
    else 'name': an acronym, a digit or an inner capital in a word (DES, ChaCha20, FSx for Lustre, kNN);
    'title': several words, each capitalised (Data Pipeline, Contact Lens); 'any': one capitalised word
    (Transcribe, Federation);
    'label': a comparison or a choice ("XSS vs CSRF", "CPU or GPU"), never an option."""
    if re.search(r"\b(?:vs|or)\b", name, re.IGNORECASE):
        return "label"
    tokens = [t for t in re.split(r"[\s/]+", strip_parenthetical(name)) if t]
    big = [t for t in tokens if t.lower() not in _SMALL_WORDS]
    if not big:
        return "words"
    if any(t[:1].islower() for t in big[1:]) or (len(big) == 1 and big[0].islower()):
        return "words"  # a phrase: "Memory aid", "SQL injection", "Kinesis data firehose"
    if any(any(c.isdigit() for c in t) or any(c.isupper() for c in t[1:]) for t in big):
        return "name"  # DES, ChaCha20, t-SNE, FSx for Lustre, SG Canvas
    return "title" if len(big) > 1 else "any"


def same_shape(one: str, other: str) -> bool:
    """Whether two names may be options of one question. Only an acronym-like name beside a plain phrase is
    refused: on the earlier reads (tuning seeds) that pair was of two kinds in 8 of 12 items (RPO beside
    "Memory aid", XGBoost beside "Automatic model tuning"); a title beside a phrase ("Kinesis Video Stream",
    "Kinesis data firehose") is how one guide writes one kind of thing."""
    shapes = {name_shape(one), name_shape(other)}
    return shapes != {"name", "words"} and "label" not in shapes


def match_case(replacement: str, original: str) -> str:
    """A plain word or phrase written in the case of the one it stands beside or replaces: a glossary capital
    mid-sentence ("... mutual Identification") or the only lower-case option marked the swap or the key in
    a strict read. Names keep their spelling (DES, ChaCha20, FSx for Lustre)."""
    if not replacement or not original or name_shape(replacement) in ("name", "label"):
        return replacement
    if original[0].islower() and replacement[0].isupper():
        return " ".join(w[0].lower() + w[1:] if w[:1].isupper() and w[1:2].islower() else w
                        for w in replacement.split(" "))
    if original[0].isupper() and replacement[0].islower() and name_shape(original) != "name":
        return replacement[0].upper() + replacement[1:]
    return replacement
