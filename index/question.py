"""A member's text -> its shape: a plain question, or a pasted exam question (stem, options, "choose N").

Members paste practice-exam questions as they appear on a page: the scenario, then options marked
`A.`, `A)`, `(A)`, `a.` or `1.` at line starts, or all on one line (`A. x B. y C. z D. w`), often with
"(Choose two.)" and a comment of their own after the options. Anything that is not clearly such a
question stays a plain question: a sentence that contains "A." or one lone marker is not options.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MAX_OPTIONS = 8  # an exam has 4-6; a longer "list" is not options, and each option costs a search
MAX_OPTION_CHARS = 300  # an option is a phrase or a sentence; longer text is cut for its search
MIN_STEM_CHARS = 15  # "Which one?" above options is not a stem to search with

_WORDS = {"two": 2, "three": 3, "four": 4, "2": 2, "3": 3, "4": 4}
_CHOOSE = re.compile(r"\(?\b(?:choose|select|pick)\s+(two|three|four|[234])\b[^)\n]*\)?", re.I)
# A marker at a line start: "A.", "A)", "(A)", "a.", "1.", "1)"; a letter marker needs a space or the end after it.
_LINE_MARKER = re.compile(
    r"^\s*(?:\((?P<p>[A-Za-z]|[0-9]{1,2})\)|(?P<l>[A-Za-z]|[0-9]{1,2})[.)])(?:\s+|$)(?P<text>.*)$")
# Inline markers: a capital letter with "." or ")" (or "(A)") after a space or the start, before a space.
_INLINE_MARKER = re.compile(r"(?:(?<=\s)|^)(?:\((?P<p>[A-Z])\)|(?P<l>[A-Z])[.)])\s+")
_SENTENCE = re.compile(r"(?<=[.?!:])\s+|\n")
_WORD = re.compile(r"[A-Za-z][\w-]*")


@dataclass(frozen=True)
class Option:
    label: str  # "A" ... always an upper-case letter, whatever the member typed ("b)", "2.")
    text: str


@dataclass(frozen=True)
class ParsedQuestion:
    text: str  # the whole question, whitespace collapsed: what a plain question searches with
    stem: str  # the scenario without its options ("" for a plain question: use `text`)
    options: tuple[Option, ...]  # () for a plain question
    choose: int  # how many options the question asks for (1 unless "Choose two" ...)

    @property
    def has_options(self) -> bool:
        return bool(self.options)

    def search_text(self) -> str:
        """The text that finds the notes for the question as a whole."""
        return self.stem if self.options else self.text


def parse_question(raw: str) -> ParsedQuestion:
    text = _collapse(raw)
    match = _CHOOSE.search(raw)
    choose = _WORDS[match.group(1).lower()] if match else 1
    found = _line_options(raw) or _inline_options(raw)
    if found is None:
        return ParsedQuestion(text, "", (), 1)
    stem, options = found
    stem = _collapse(_CHOOSE.sub(" ", stem))
    options = tuple(o for o in options if o.text)
    if len(options) < 2 or len(stem) < MIN_STEM_CHARS or choose >= len(options):
        return ParsedQuestion(text, "", (), 1)
    return ParsedQuestion(text, stem, options, choose)


def _line_options(raw: str) -> tuple[str, tuple[Option, ...]] | None:
    """Options one a line, in order from A (or a, or 1), after the stem; text after them is a comment."""
    lines = raw.replace("\r\n", "\n").split("\n")
    starts: list[tuple[int, str, str]] = []  # (line index, label as typed, text)
    for i, line in enumerate(lines):
        m = _LINE_MARKER.match(line)
        if m:
            starts.append((i, m["p"] or m["l"], m["text"]))
    # The longest run of markers that counts A, B, C ... (or a, b ... or 1, 2 ...) from the first.
    best: list[tuple[int, str, str]] = []
    for j, (_, label, _) in enumerate(starts):
        if _ordinal(label) != 0:
            continue
        run = [starts[j]]
        for nxt in starts[j + 1:]:
            if _ordinal(nxt[1]) == len(run) and _same_family(nxt[1], label):
                run.append(nxt)
        if len(run) >= len(best):  # on a tie the later run: options come after a numbered list in the stem
            best = run
    if len(best) < 2 or len(best) > MAX_OPTIONS:
        return None
    first_line = best[0][0]
    options = []
    for n, (i, _, text) in enumerate(best):
        end = best[n + 1][0] if n + 1 < len(best) else _option_end(lines, i)
        body = " ".join([text, *lines[i + 1:end]])
        options.append(Option(chr(65 + n), _collapse(body)[:MAX_OPTION_CHARS]))
    return "\n".join(lines[:first_line]), tuple(options)


def _option_end(lines: list[str], start: int) -> int:
    """The last option runs to a blank line; what follows it is the member's own comment."""
    for i in range(start + 1, len(lines)):
        if not lines[i].strip():
            return i
    return len(lines)


def _inline_options(raw: str) -> tuple[str, tuple[Option, ...]] | None:
    """`A. x B. y C. z`: markers A, B, C ... in order; at least three, so "plan A. Then B" is not options."""
    text = _collapse(raw)
    marks = [m for m in _INLINE_MARKER.finditer(text)]
    best: list[re.Match[str]] = []
    for j, m in enumerate(marks):
        if (m["p"] or m["l"]) != "A":
            continue
        run = [m]
        for nxt in marks[j + 1:]:
            if _ordinal(nxt["p"] or nxt["l"]) == len(run):
                run.append(nxt)
        if len(run) > len(best):
            best = run
    if len(best) < 3 or len(best) > MAX_OPTIONS:
        return None
    options = []
    for n, m in enumerate(best):
        end = best[n + 1].start() if n + 1 < len(best) else len(text)
        options.append(Option(chr(65 + n), text[m.end():end].strip()[:MAX_OPTION_CHARS]))
    return text[: best[0].start()], tuple(options)


def _ordinal(label: str) -> int:
    return int(label) - 1 if label.isdigit() else ord(label.upper()) - ord("A")


def _same_family(label: str, first: str) -> bool:
    return label.isdigit() == first.isdigit() and (label.isdigit() or label.isupper() == first.isupper())


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def named_words(text: str) -> list[str]:
    """The words a question writes as names: capitalised after a sentence's first word, or with a capital
    inside ("Athena", "IOPS", "DataFrame"). A sentence's first word is capitalised whatever it is."""
    named = []
    for sentence in _SENTENCE.split(text):
        named += [w for w in _WORD.findall(sentence)[1:] if w[0].isupper() or any(c.isupper() for c in w[1:])]
    return named
