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
