"""Sections of a parsed guide -> Chunks: one note (a bullet with its sub-bullets) each."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

from index.parse import Block, Guide, corpus_files, read_guide

_NUMBERED = re.compile(r"^\d+(\.\d+)*\.?\s")


@dataclass(frozen=True)
class Chunk:
    """One note of a guide, the unit that is retrieved, quoted and quizzed on."""

    id: str  # stable: derived from guide + heading path + text
    guide: str  # file name of the guide, e.g. "aws_machine_learning_specialty.txt"
    heading_path: tuple[str, ...]  # ("3. Sagemaker", "3.2 SageMaker built-in algorithms", "XGBoost")
    context: str  # the parent bullet's / lead-in's text, "" when the note has none
    text: str  # the note as in the guide; sub-bullets on their own lines as "  • ..." (2 spaces a level)
    line_start: int  # 1-based, inclusive, in the guide file
    line_end: int
    kind: str = "note"  # "note" (prose and bullets) or "code" (a code block, shown and quizzed as such)

    @property
    def section(self) -> str:
        """The heading path shown to members: from the deepest numbered heading down."""
        start = 0
        for i, heading in enumerate(self.heading_path):
            if _NUMBERED.match(heading):
                start = i
        return " > ".join(self.heading_path[start:])


def chunk_id(guide: str, heading_path: tuple[str, ...], text: str) -> str:
    digest = hashlib.sha1("\x1f".join((guide, *heading_path, text)).encode("utf-8"))
    return digest.hexdigest()[:16]


# A bullet whose sub-list is longer than this is split: it becomes a heading (if it reads like one)
# or a note of its own, and each sub-bullet a note with it as context. Sized on the AWS guide so an
# algorithm's list ("XGBoost") splits but a short list ("If model is overfitting") stays one note.
_MAX_NOTE_CHARS = 300
_MAX_LABEL_CHARS = 60


def chunk_guide(guide: Guide) -> list[Chunk]:
    chunks: list[Chunk] = []
    for section in guide.sections:
        for block in section.blocks:
            _emit(guide.name, block, section.heading_path, "", chunks)
    return _dedupe_ids(chunks)


def chunk_corpus(corpus_dir: Path) -> list[Chunk]:
    """Every note of every guide in the folder; raises GuideError when a guide is unusable."""
    chunks: list[Chunk] = []
    for path in corpus_files(corpus_dir):
        chunks.extend(chunk_guide(read_guide(path)))
    return chunks


def render_block(block: Block, depth: int = 0) -> str:
    """A block with its sub-bullets, two spaces of indent a level (the guide's own layout)."""
    if block.kind == "code":
        return block.text
    lines = [("  " * depth + "• " if depth else "") + block.text]
    lines.extend(render_block(child, depth + 1) for child in block.children)
    return "\n".join(lines)


def _is_label(text: str) -> bool:
    """Reads like a heading ("XGBoost", "Pipe mode"), not like a sentence."""
    return len(text) <= _MAX_LABEL_CHARS and not text.endswith((".", ":")) and ". " not in text


def _emit(guide: str, block: Block, path: tuple[str, ...], context: str, out: list[Chunk]) -> None:
    whole = render_block(block)
    if not block.children or len(whole) <= _MAX_NOTE_CHARS:
        out.append(_make(guide, path, context, whole, block.line_start, block.line_end,
                         "code" if block.kind == "code" else "note"))
        return
    if _is_label(block.text):
        for child in block.children:
            _emit(guide, child, (*path, block.text), "", out)
        return
    out.append(_make(guide, path, context, block.text, block.line_start, block.line_start))
    for child in block.children:
        _emit(guide, child, path, block.text, out)


def _make(guide: str, path: tuple[str, ...], context: str, text: str, start: int, end: int,
          kind: str = "note") -> Chunk:
    return Chunk(chunk_id(guide, path, text), guide, path, context, text, start, end, kind)


def _dedupe_ids(chunks: list[Chunk]) -> list[Chunk]:
    """The same note twice under one heading keeps distinct ids, numbered by occurrence."""
    seen: dict[str, int] = {}
    out = []
    for c in chunks:
        n = seen.get(c.id, 0)
        seen[c.id] = n + 1
        out.append(c if n == 0 else replace(c, id=chunk_id(c.guide, c.heading_path, f"{c.text}\x1f{n}")))
    return out
