"""Wiring: the index, the answerer, the quiz items and the store, built once and shared by the Discord
bot, the terminal playground and the CLI.

Loading is blocking (files, model weights, SQLite): call `Services.load` in a thread from async code.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from bot.settings import Settings
from index.answer import Answerer
from index.embed import MiniLMEncoder, SentenceTransformerEmbedder
from index.retrieve import Retriever
from index.store import IndexStore, load_or_build
from quiz.generate import GENERATOR_VERSION, generate_items
from quiz.item import QuizItem
from quiz.records import SyncResult
from quiz.skip import read_skip_lines, skip_digest
from quiz.store import QuizStore

log = logging.getLogger(__name__)

ITEMS_FILE = "quiz_items.v{version}.{skips}.jsonl"  # a new generator or new skip lines make the items again


@dataclass
class Services:
    settings: Settings
    index: IndexStore
    answerer: Answerer
    items: list[QuizItem]  # active items of the current guides; empty when loaded without the quiz
    quiz_store: QuizStore | None  # None when loaded without the quiz (the ask CLI opens no database)

    @property
    def store(self) -> QuizStore:
        """The quiz store; only the ask CLI loads without it, and it never asks for it."""
        if self.quiz_store is None:
            raise RuntimeError("these services were loaded without the quiz (quiz=False)")
        return self.quiz_store

    @cached_property
    def items_by_id(self) -> dict[str, QuizItem]:
        return {it.id: it for it in self.items}

    @classmethod
    def load(cls, settings: Settings, *, progress: bool = False, quiz: bool = True) -> Services:
        index = load_index(settings, progress=progress)
        encoder = MiniLMEncoder()
        retriever = Retriever(index, encoder.encode)
        items: list[QuizItem] = []
        store = None
        if quiz:
            items = load_items(settings, index, encoder.encode)
            store = QuizStore(settings.quiz_database)
            synced: SyncResult = store.sync_items(items)
            log.info("quiz items: %d active (%d new, %d retired after a guide change)",
                     synced.active, synced.added, synced.retired)
        return cls(settings, index, Answerer(retriever), items, store)

    def close(self) -> None:
        if self.quiz_store is not None:
            self.quiz_store.close()


def load_index(settings: Settings, *, progress: bool = False) -> IndexStore:
    def encoder():
        log.info("building the index of %s (the guides changed or no index yet)", settings.corpus_dir)
        embedder = SentenceTransformerEmbedder()
        return lambda texts: embedder.encode(texts, progress=progress)

    index, built = load_or_build(settings.corpus_dir, settings.index_dir, encoder)
    log.info("index %s: %d notes from %s", "built" if built else "loaded", index.manifest.chunk_count,
             ", ".join(index.manifest.guides))
    return index


@dataclass(frozen=True)
class ItemsManifest:
    """Beside the items file: how many items it holds and its sha256. A file with half its lines gone
    was used silently before, and the sync then retired the missing half though no guide had changed."""

    count: int
    sha256: str

    @classmethod
    def of(cls, text: str) -> ItemsManifest:
        return cls(sum(1 for line in text.splitlines() if line), hashlib.sha256(text.encode("utf-8")).hexdigest())


def load_items(settings: Settings, index: IndexStore,
               encode: Callable[[list[str]], np.ndarray] | None = None) -> list[QuizItem]:
    """The quiz items of this index, generated once and kept beside it (as JSON lines, with a manifest).
    `encode` is the index's model (loaded here when the items must be made and none is given)."""
    skips = read_skip_lines(Path(settings.corpus_dir), index.manifest.guides)
    name = ITEMS_FILE.format(version=GENERATOR_VERSION, skips=skip_digest(skips))
    path = Path(settings.index_dir) / index.manifest.corpus_key / name
    manifest_path = path.with_name(path.name + ".manifest.json")
    if path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
            manifest = ItemsManifest(**json.loads(manifest_path.read_text(encoding="utf-8")))
            if manifest != ItemsManifest.of(text):
                raise ValueError(f"{name} does not match its manifest (damaged or edited)")
            return [QuizItem.from_json(line) for line in text.splitlines() if line]
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("quiz items beside the index are unreadable (%s); generating them again", exc)
    items = generate_items(index.chunks, index.vectors, skips, encode or MiniLMEncoder().encode)
    text = "".join(it.to_json() + "\n" for it in items)
    try:
        _write_atomically(path, text)
        _write_atomically(manifest_path, json.dumps(asdict(ItemsManifest.of(text))))  # last: it vouches for the file
    except OSError as exc:  # a read-only cache still serves the items generated now
        log.warning("could not save quiz items beside the index: %s", exc)
    return items


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)

