"""A loopback fake of Discord's HTTP API and gateway for end-to-end tests with discord.py.

Typical use (the ``fake_discord`` fixture in ``tests/e2e/conftest.py`` does the first part)::

    fake = FakeDiscord()
    await fake.start()
    with patch_discord(fake):
        async with fake.run_bot(MyBot()) as bot:
            alice = fake.make_member(name="alice")
            rec = await fake.send_slash_command("ping", user=alice)
            cb = await rec.wait_response()
    await fake.stop()
"""

from . import payloads
from .payloads import MalformedPayload
from .records import (
    BotMessage,
    CallbackRecord,
    HeartbeatRecord,
    InteractionRecord,
    ParserError,
    RejectedRequest,
    RequestRecord,
    SyncRecord,
    UnhandledRequest,
)
from .runner import DEFAULT_TOKEN, instrument_parsers, patch_discord, running_bot
from .server import FakeDiscord

__all__ = [
    "DEFAULT_TOKEN",
    "BotMessage",
    "CallbackRecord",
    "FakeDiscord",
    "HeartbeatRecord",
    "InteractionRecord",
    "MalformedPayload",
    "ParserError",
    "RejectedRequest",
    "RequestRecord",
    "SyncRecord",
    "UnhandledRequest",
    "instrument_parsers",
    "patch_discord",
    "payloads",
    "running_bot",
]
