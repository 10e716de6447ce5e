"""End-to-end tests: a real discord.py bot against the in-repo fake Discord server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from .fake_discord import FakeDiscord, patch_discord

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # this hook sees every collected item, not only this folder's
    for item in items:
        if _HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A started FakeDiscord with discord.py pointed at it (restored afterwards).

    Run a bot with ``async with fake_discord.run_bot(bot): ...``.  At teardown, when
    ``fake_discord.strict`` is true (default), fails if an unknown route was hit, an event
    could not be parsed, or discord.py logged an unhandled error.
    """
    fake = FakeDiscord()
    await fake.start()
    try:
        with patch_discord(fake):
            yield fake
    finally:
        await fake.stop()
    if fake.strict:
        fake.assert_clean()


@pytest.fixture(scope="module")
def base_services(index_cache: Path, tmp_path_factory: pytest.TempPathFactory):
    """The real index, answerer and quiz items, loaded once per module; tests get their own database."""
    from bot.services import Services
    from bot.settings import Settings

    from ..conftest import CORPUS

    settings = Settings(corpus_dir=CORPUS, index_dir=index_cache,
                        database_path=tmp_path_factory.mktemp("base-db") / "bot.db")
    services = Services.load(settings)
    yield services
    services.close()


@pytest.fixture
def clock():
    from datetime import UTC, datetime

    from .bot_harness import FakeClock

    return FakeClock(datetime(2025, 3, 10, 8, 0, tzinfo=UTC))  # a Monday, 08:00 UTC


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked both_backends run with the quiz store on SQLite and on a real PostgreSQL."""
    if "backend" in metafunc.fixturenames:
        both = metafunc.definition.get_closest_marker("both_backends") is not None
        metafunc.parametrize("backend", ["sqlite", "postgresql"] if both else ["sqlite"])


@pytest.fixture
def world(fake_discord: FakeDiscord, base_services, tmp_path: Path, clock, backend: str, request):
    from .bot_harness import BotWorld

    url = request.getfixturevalue("postgres_url") if backend == "postgresql" else None
    return BotWorld(fake_discord, base_services, tmp_path / "data" / "bot.db", clock, database_url=url)
