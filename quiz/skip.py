"""Lines of a guide the quiz must not ask about: known errors of the guide, listed by the group.

`corpus/<guide name without extension>.skip` holds one line of the guide per line (as written in the
guide, bullet optional; `#` starts a comment). A note holding such a line gives no quiz item and no
wrong option; `ask` still quotes it, since it is the group's guide.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from index.chunk import Chunk

SKIP_SUFFIX = ".skip"
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+\.)\s+")


def normalize(line: str) -> str:
    return " ".join(_BULLET.sub("", line).split()).casefold()


def read_skip_lines(corpus_dir: Path, guides: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """The skip lines of each guide (by its file name) that has a `.skip` file beside it."""
    out: dict[str, tuple[str, ...]] = {}
    for guide in guides:
        path = corpus_dir / (Path(guide).stem + SKIP_SUFFIX)
        if not path.is_file():
            continue
        lines = (normalize(line) for line in path.read_text(encoding="utf-8", errors="replace").splitlines())
        out[guide] = tuple(dict.fromkeys(line for line in lines if line and not line.startswith("#")))
    return out


def skip_digest(skips: Mapping[str, Sequence[str]]) -> str:
    """Changes when the skip lines change: items saved beside the index are then made again."""
    text = "\n".join(f"{guide}\x1f{line}" for guide in sorted(skips) for line in skips[guide])
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def is_skipped(chunk: Chunk, skips: Mapping[str, Sequence[str]]) -> bool:
    lines = skips.get(chunk.guide, ())
    if not lines:
        return False
    text = normalize(chunk.text.replace("\n", " "))
    return any(line in text for line in lines)
