"""Lines of a guide the quiz must not ask about: known errors of the guide, listed by the group.

`corpus/<guide name without extension>.skip` holds one line of the guide per line (as written in the
guide, bullet optional; `#` starts a comment). Such a line (with its sub-bullets) gives no quiz item and
no wrong option, and is not in the note the reveal quotes; the rest of its note is still asked. `ask`
still quotes it, since it is the group's guide.

A line `apart: <heading>` names a heading filed among siblings of another kind (the AWS guide lists
the features AutoML and Automatic model tuning among its algorithms): it is never a which-one option
beside them, nor asked as one; its notes still give cloze and true/false items.
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from index.chunk import Chunk

SKIP_SUFFIX = ".skip"
APART = "apart:"
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+\.)\s+")


@dataclass(frozen=True)
class GuideSkips:
    """What a guide's .skip file says: lines not to ask about, headings not of their siblings' kind."""

    lines: tuple[str, ...] = ()  # normalized
    apart: frozenset[str] = frozenset()  # heading names, case-folded


def normalize(line: str) -> str:
    return " ".join(_BULLET.sub("", line).split()).casefold()


def read_skip_lines(corpus_dir: Path, guides: Sequence[str]) -> dict[str, GuideSkips]:
    """What the `.skip` file beside each guide (by its file name) says, for the guides that have one."""
    out: dict[str, GuideSkips] = {}
    for guide in guides:
        path = corpus_dir / (Path(guide).stem + SKIP_SUFFIX)
        if not path.is_file():
            continue
        lines = [normalize(line) for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
        lines = [line for line in lines if line and not line.startswith("#")]
        apart = frozenset(line[len(APART):].strip() for line in lines if line.startswith(APART))
        out[guide] = GuideSkips(tuple(dict.fromkeys(line for line in lines if not line.startswith(APART))),
                                apart - {""})
    return out


def skip_digest(skips: Mapping[str, GuideSkips]) -> str:
    """Changes when the skip lines change: items saved beside the index are then made again."""
    text = "\n".join(f"{guide}\x1f{line}" for guide in sorted(skips) for line in skips[guide].lines)
    if any(s.apart for s in skips.values()):
        text += "".join(f"\n{guide}\x1e{h}" for guide in sorted(skips) for h in sorted(skips[guide].apart))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def without_skipped_lines(chunk: Chunk, skips: Mapping[str, GuideSkips]) -> Chunk | None:
    """The note without the lines its guide's .skip lists (and their sub-bullets, which lean on them); None
    when nothing is left. Only those lines go: a skipped sub-bullet leaves its parent line and its
    siblings to be asked."""
    lines = skips[chunk.guide].lines if chunk.guide in skips else ()
    if not lines:
        return chunk
    kept: list[str] = []
    dropped_indent: int | None = None
    raw_lines = chunk.text.split("\n")
    for raw in raw_lines:
        indent = len(raw) - len(raw.lstrip())
        if dropped_indent is not None and indent > dropped_indent and raw.strip():
            continue  # a sub-bullet of a skipped line
        dropped_indent = None
        text = normalize(raw)
        if text and any(line in text for line in lines):
            dropped_indent = indent
            continue
        kept.append(raw)
    if len(kept) == len(raw_lines):
        return chunk
    if not any(line.strip() for line in kept):
        return None
    return dataclasses.replace(chunk, text="\n".join(kept))
