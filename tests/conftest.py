"""Shared fixtures: the real guide, and one real index built once per test session."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GUIDE = CORPUS / "aws_machine_learning_specialty.txt"


@pytest.fixture(scope="session")
def guide_path() -> Path:
    return GUIDE


@pytest.fixture(scope="session")
def index_cache(tmp_path_factory) -> Path:
    """A cache folder holding the real index of corpus/, built once with the real model."""
    from index.embed import SentenceTransformerEmbedder
    from index.store import load_or_build

    cache = tmp_path_factory.mktemp("index-cache")
    embedder = SentenceTransformerEmbedder()
    load_or_build(CORPUS, cache, lambda: embedder.encode)
    return cache


@pytest.fixture(scope="session")
def services(index_cache, tmp_path_factory):
    from bot.services import Services
    from bot.settings import Settings

    db = tmp_path_factory.mktemp("db") / "bot.db"
    return Services.load(Settings(corpus_dir=CORPUS, index_dir=index_cache, database_path=db))


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of corpus/, for tests that change guides."""
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest)
    return dest
