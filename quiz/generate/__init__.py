"""Chunks -> QuizItems, deterministic and without an LLM: which-one, cloze and true/false questions."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from index.chunk import Chunk
from quiz.generate.catalog import build_catalog
from quiz.generate.checks import problems
from quiz.generate.cloze import cloze_items
from quiz.generate.distractors import TermSimilarity, neighbours
from quiz.generate.truefalse import truefalse_items
from quiz.generate.which import subject_items, term_items
from quiz.item import KINDS, QuizItem
from quiz.select import select_items, suggest_topics
from quiz.skip import GuideSkips, without_skipped_lines

__all__ = ["GENERATOR_VERSION", "generate_items", "select_items", "suggest_topics"]

GENERATOR_VERSION = 35  # bump when the generators change: items saved beside an index are then made again


def generate_items(chunks: Sequence[Chunk], vectors: np.ndarray | None = None,
                   skips: Mapping[str, GuideSkips] | None = None,
                   encode: Callable[[list[str]], np.ndarray] | None = None) -> list[QuizItem]:
    """Every valid item the notes support, in guide order. `vectors` (one normalized row per chunk, in
    the same order) ranks distractors by meaning; without it they are ranked by shared words. The lines
    of `skips` (per guide, see quiz.skip) are left out of their notes; its `apart` headings are no
    which-one siblings. `encode` (the index's model) tells a near-synonym swap from a false one; without
    it no swap counts as one."""
    if vectors is not None and vectors.shape[0] != len(chunks):
        raise ValueError(f"vectors has {vectors.shape[0]} rows for {len(chunks)} chunks; they must match 1:1")
    # A note repeated word for word under the same heading asks nothing new; the checks for wrong
    # options scan every note, so 5,000 copies of one line took minutes before they were collapsed.
    first: dict[tuple[str, tuple[str, ...], str], int] = {}
    for i, chunk in enumerate(chunks):
        first.setdefault((chunk.guide, chunk.heading_path, chunk.text), i)
    cleaned = {i: without_skipped_lines(chunks[i], skips) if skips else chunks[i] for i in first.values()}
    kept = [i for i, chunk in cleaned.items() if chunk is not None]
    if len(kept) < len(chunks) or any(cleaned[i] is not chunks[i] for i in kept):
        chunks = [c for i in kept if (c := cleaned[i]) is not None]
        vectors = vectors[kept] if vectors is not None else None
    if not chunks:
        return []
    drafts: list[QuizItem] = []
    alike = TermSimilarity(encode)
    # One guide at a time: two guides may both have a "1. Introduction", whose notes are no siblings.
    for guide in dict.fromkeys(chunk.guide for chunk in chunks):
        rows = [i for i, chunk in enumerate(chunks) if chunk.guide == guide]
        apart = skips[guide].apart if skips and guide in skips else frozenset()
        catalog = build_catalog([chunks[i] for i in rows], apart)
        near = neighbours(catalog.notes, vectors[rows] if vectors is not None else None)
        drafts += [
            *subject_items(catalog, near),
            *term_items(catalog, near),
            *cloze_items(catalog, near),
            *truefalse_items(catalog, near, alike),
        ]
    position = {chunk.id: i for i, chunk in enumerate(chunks)}
    items: list[QuizItem] = []
    seen_ids: set[str] = set()
    seen_questions: set[str] = set()
    for item in sorted(drafts, key=lambda it: (position[it.chunk_id], KINDS.index(it.kind), it.question)):
        key = " ".join(item.question.lower().split())
        if item.id in seen_ids or key in seen_questions or problems(item):
            continue
        seen_ids.add(item.id)
        seen_questions.add(key)
        items.append(item)
    return items
