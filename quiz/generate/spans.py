"""Blankable spans of a note's lines: numbers with units, data formats, names, and the families of
names a guide lists together. Used to cut clozes and to pick wrong options of the same kind."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from quiz.text import STOPWORDS

SpanKind = Literal["number", "format", "phrase", "name"]


def wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


FORMATS = wordset(
    """csv json jsonl parquet libsvm jpg jpeg png recordio protobuf recordio-protobuf protobuf.recordio gzip
    avro orc tmx flac mp3 mp4 wav mleap onnx tar lst xml yaml tfrecord pickle h5 hdf5 pdf txt"""
)

# What each format is a format of: a wrong option or a swap stays within its family, so "Gzip" (a codec)
# is never offered for "csv" (pattern 9 of the strict read: "Can convert Gzip -> json").
FORMAT_FAMILY = {
    **dict.fromkeys(("gzip", "tar"), "archive"),
    **dict.fromkeys(("jpg", "jpeg", "png"), "image"),
    **dict.fromkeys(("flac", "mp3", "wav"), "audio"),
    "mp4": "video",
    **dict.fromkeys(("mleap", "onnx", "pickle", "h5", "hdf5"), "model"),
    "tmx": "translation",
}


def format_family(text: str) -> str:
    """"archive", "image", ... or "data" (csv, json, parquet, recordio-protobuf and the rest)."""
    parts = [p for p in re.split(r"[\-.]", text.lower()) if p]
    return FORMAT_FAMILY.get(parts[0], "data") if parts else "data"


# Words that open a sentence standing on its own ("If bigger -> fewer batches", "To see geographical
# data: heatmap"): such a note is about its own clause, not about the heading above it.


_NEGATION = re.compile(r"\b(not|no|cannot|never|without)\b|n't\b", re.IGNORECASE)


_UNITS = {
    "ms": "time", "s": "time", "sec": "time", "h": "time", "hr": "time", "hrs": "time", "min": "time",
    "mins": "time", "minute": "time", "minutes": "time", "hour": "time", "hours": "time", "day": "time",
    "days": "time", "week": "time", "weeks": "time", "month": "time", "months": "time", "year": "time",
    "years": "time", "kb": "size", "mb": "size", "gb": "size", "tb": "size", "kb/s": "rate", "mb/s": "rate",
    "gb/s": "rate", "fps": "fps", "%": "percent", "percent": "percent",
}
_UNIT_RE = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
# A number not glued to a name ("M4", "EC2", "H.264", "1/18-scale", "2.0.0a0" are not facts to blank),
# optionally a range ("2-15") and a unit ("900s", "1 year", "16TB").
_NUMBER = re.compile(
    rf"(?<![\w.\-/=])(?<!\d:)(?P<value>\d+(?:[.,]\d+)?|\.\d+)(?:\s?-\s?(?P<high>\d+(?:\.\d+)?))?"
    rf"(?:\s?(?P<unit>{_UNIT_RE}))?(?![\w/]|\.\d|-\w|:\d)",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[A-Za-z0-9_]+(?:[\-.][A-Za-z0-9_]+)*")


@dataclass(frozen=True)
class Span:
    """A blankable piece of a line. Wrong options for it must have the same kind and class."""

    text: str
    kind: SpanKind  # "phrase": a heading's or term's name; "name": capitalised words
    cls: str  # number: "time" | "size" | "rate" | "fps" | "percent" | "count"; name: its shape;
    # format: its family (format_family); else ""
    start: int
    end: int


def name_shape(name: str) -> str:
    """'EC2', 'ETL' -> 'acronym'; 'GPUs' -> 'acronyms'; 'Kinesis Firehose' -> 'words'; 'Glue' -> 'word'."""
    if " " in name:
        return "words"
    letters = [c for c in name if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        return "acronym"
    if len(letters) > 2 and all(c.isupper() for c in letters[:-1]) and letters[-1] == "s":
        return "acronyms"
    return "word"


def find_numbers(line: str) -> list[Span]:
    spans = []
    for m in _NUMBER.finditer(line):
        unit = (m.group("unit") or "").lower()
        text = m.group(0).strip()
        if m.group("high") and not unit and not re.match(r"\s+[A-Za-z]", line[m.end():]):
            continue  # "80-20, 60-40": a split, not a quantity of something
        spans.append(Span(text, "number", _UNITS.get(unit, "count"), m.start(), m.start() + len(text)))
    return spans


def candidate_tokens(line: str) -> list[tuple[str, int, int, bool]]:
    """(token, start, end, at_sentence_start) for each word-like token of a line."""
    out = []
    for m in _TOKEN.finditer(line):
        before = line[: m.start()].rstrip()
        at_start = not before or before.endswith((".", ":", "!", "?", "->", "(", '"', "•", "-"))
        out.append((m.group(0), m.start(), m.end(), at_start))
    return out


def _is_adjective(token: str) -> bool:
    """'Internet-enabled', 'RL-powered': a hyphenated adjective, not a name."""
    parts = re.split(r"[\-.]", token)
    return len(parts) > 1 and parts[-1].islower() and len(parts[-1]) >= 4 and token.lower() not in FORMATS


def looks_like_name(token: str) -> bool:
    """CamelCase, ACRONYMS, letters+digits ('S3', 'Object2vec'): a name wherever it stands."""
    if token.lower() in FORMATS:
        return False
    has_inner_capital = any(c.isupper() for c in token[1:])
    has_digit_and_letter = any(c.isdigit() for c in token) and any(c.isalpha() for c in token)
    # "float32", "word2vec", "s3": lower-case identifiers, not names a member would be asked for;
    # "Internet-enabled", "RL-powered": adjectives; "1D": a dimension
    if _is_adjective(token):
        return False
    return token[0].isalpha() and (has_inner_capital or (has_digit_and_letter and token[0].isupper()))


def proper_names(lines: list[str]) -> tuple[frozenset[str], frozenset[str]]:
    """(names, strong names). A name is a token written capitalised in mid-sentence somewhere in the
    guide ('Glue', 'Redshift'); it is strong, so worth blanking on its own, when it looks like a name
    wherever it stands ('DynamoDB', 'S3') or stands alone at least once ('deliver to Glue'), unlike
    'Data' or 'Video' that only occur inside longer names ('SG Data Wrangler')."""
    names: set[str] = set()
    strong: set[str] = set()
    for line in lines:
        tokens = candidate_tokens(line)
        for i, (token, start, end, at_start) in enumerate(tokens):
            if looks_like_name(token):
                names.add(token)
                strong.add(token)
                continue
            if at_start or not token[0].isupper() or token.lower() in STOPWORDS or len(token) < 2:
                continue
            if _is_adjective(token):
                continue
            names.add(token)
            before = i > 0 and tokens[i - 1][0][0].isupper() and line[tokens[i - 1][2]:start] == " "
            after = (i + 1 < len(tokens) and tokens[i + 1][0][0].isupper()
                     and line[end:tokens[i + 1][1]] == " ")
            if not before and not after:
                strong.add(token)
    return frozenset(names), frozenset(strong)


def phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """One alternation of the multi-word names, longest first so 'Kinesis Video Stream' wins over parts."""
    if not phrases:
        return None
    body = "|".join(re.escape(p) for p in phrases)
    return re.compile(rf"(?<![\w\-])(?:{body})(?![\w\-])", re.IGNORECASE)


def find_names(line: str, names: frozenset[str], phrases: re.Pattern[str] | None) -> list[Span]:
    """Formats, known multi-word names (headings, terms) and runs of capitalised names in a line."""
    spans: list[Span] = []
    taken = [False] * len(line)

    def add(start: int, end: int, kind: SpanKind) -> None:
        if any(taken[start:end]):
            return
        for i in range(start, end):
            taken[i] = True
        text = line[start:end]
        cls = name_shape(text) if kind == "name" else format_family(text) if kind == "format" else ""
        spans.append(Span(text, kind, cls, start, end))

    if phrases is not None:
        for m in phrases.finditer(line):
            add(m.start(), m.end(), "phrase")
    tokens = candidate_tokens(line)
    i = 0
    while i < len(tokens):
        token, start, end, _ = tokens[i]
        if token.lower() in FORMATS or all(part.lower() in FORMATS for part in re.split(r"[\-.]", token)):
            add(start, end, "format")
            i += 1
            continue
        if token in names and "_" not in token:
            j = i
            # join "Kinesis Video Streams", "NAT Gateway": names separated by a single space
            while (j + 1 < len(tokens) and tokens[j + 1][0] in names
                   and line[tokens[j][2]: tokens[j + 1][1]] == " "):
                j += 1
            add(start, tokens[j][2], "name")
            i = j + 1
            continue
        i += 1
    return sorted(spans, key=lambda s: s.start)


def blankable(
    line: str, names: frozenset[str], strong: frozenset[str], brands: frozenset[str],
    phrases: re.Pattern[str] | None,
) -> tuple[Span, ...]:
    """The spans of a line worth blanking: numbers, formats, names that stand on their own."""
    spans = find_numbers(line)
    for span in find_names(line, names, phrases):
        if any(span.start < s.end and s.start < span.end for s in spans):
            continue
        if span.kind == "name":
            single = " " not in span.text
            if single and (span.text not in strong or span.text.lower() in brands):
                continue
            if single and len(span.text) <= 2 and not any(c.isdigit() for c in span.text):
                continue  # 'ML', 'AI', 'SG': abbreviations too vague to ask for
        spans.append(span)
    return tuple(sorted(spans, key=lambda s: s.start))


def brand_prefixes(lines: list[str], names: frozenset[str]) -> frozenset[str]:
    """Words that start several different names ("AWS Batch", "AWS Inferentia"; "Amazon S3", "Amazon
    FSx"): a maker's prefix, too vague to be an answer of its own."""
    followers: dict[str, set[str]] = {}
    for line in lines:
        for m in re.finditer(r"\b([A-Z][\w\-]*) ([A-Z][\w\-]*)", line):
            if m.group(1) in names:
                followers.setdefault(m.group(1).lower(), set()).add(m.group(2).lower())
    return frozenset(word for word, after in followers.items() if len(after) >= 3)


_LIST_GLUE = frozenset({",", "or", "and", "/", ", or", ", and", "vs", "vs.", "->"})


def families_of(lines: list[tuple[str, tuple[Span, ...]]]) -> tuple[frozenset[str], ...]:
    """Names of one kind, found by the lists that join them ("Tensorflow, PyTorch or MXNet", "jpg/png"):
    a list only joins things of one kind, so a family gives the most plausible wrong options."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for line, line_spans in lines:
        for a, b in zip(line_spans, line_spans[1:], strict=False):
            if a.kind != b.kind or a.kind == "number":
                continue
            # "(DoH, TCP 443)": a gloss and a port, no list; joined, DNS protocols became wrong options for
            # a transport (strict reads 4802-5602, eleven Security+ cloze items).
            if line[:a.start].rstrip().endswith("(") or re.match(r"\s*\d", line[b.end:]):
                continue
            if line[a.end:b.start].strip().lower() in _LIST_GLUE:
                parent[root(a.text.lower())] = root(b.text.lower())
    groups: dict[str, set[str]] = {}
    for name in parent:
        groups.setdefault(root(name), set()).add(name)
    return tuple(frozenset(g) for g in groups.values() if len(g) > 1)


# Where a clause ends: "and it" starts one of its own ("only up to 16TB and it has not so high I/O" negates the
# I/O); a colon ends a lead-in before the span, never the span's own clause.
_CLAUSE_END = re.compile(r"[.;]\s|,\s(?:but|while)\s|\sand (?:it|they)\s")
_CLAUSE_START = re.compile(rf"[.;:]\s|{_CLAUSE_END.pattern}")


def negated(line: str, span: Span) -> bool:
    """Whether the span sits in a negative clause ("X cannot do Y", "No comprehend needed"): another
    term put there reads as true too, so it makes neither a fair wrong option nor a fair "False"."""
    starts = [m.end() for m in _CLAUSE_START.finditer(line[: span.start])]
    end = _CLAUSE_END.search(line[span.end:])
    clause = line[(starts[-1] if starts else 0): span.end + (end.start() if end else len(line))]
    return _NEGATION.search(clause) is not None

