"""Wiring: the index, the answerer, the quiz bank and the store, built once and shared.

Loading is blocking (files, model weights): call `Services.load` in a thread from async code.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.settings import Settings
from index.answer import Answerer
from index.embed import MiniLMEncoder, SentenceTransformerEmbedder
from index.retrieve import Retriever
from index.store import IndexStore, load_or_build

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    index: IndexStore
    answerer: Answerer

    @classmethod
    def load(cls, settings: Settings, *, progress: bool = False) -> Services:
        index = load_index(settings, progress=progress)
        retriever = Retriever(index, MiniLMEncoder().encode)
        return cls(settings, index, Answerer(retriever))


def load_index(settings: Settings, *, progress: bool = False) -> IndexStore:
    def encoder():
        log.info("building the index of %s (the guides changed or no index yet)", settings.corpus_dir)
        embedder = SentenceTransformerEmbedder()
        return lambda texts: embedder.encode(texts, progress=progress)

    index, built = load_or_build(settings.corpus_dir, settings.index_dir, encoder)
    log.info("index %s: %d notes from %s", "built" if built else "loaded", index.manifest.chunk_count,
             ", ".join(index.manifest.guides))
    return index
