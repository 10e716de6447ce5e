"""Small text helpers shared by the generators and the checks: words, stems, name mentions, masking."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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
