"""Point discord.py at a FakeDiscord and run a bot against it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

if TYPE_CHECKING:
    from .server import FakeDiscord

DEFAULT_TOKEN = "fake-bot-token"
BotT = TypeVar("BotT", bound=discord.Client)


@contextlib.contextmanager
def patch_discord(fake: FakeDiscord) -> Iterator[FakeDiscord]:
    """Send discord.py's REST calls and gateway connection to ``fake`` (restored on exit).

    REST goes through ``discord.http.Route.BASE`` (webhook/interaction routes too); a plain
    Client connects to ``DiscordWebSocket.DEFAULT_GATEWAY`` and then READY's
    ``resume_gateway_url``, and appends ``?v=10&encoding=json&compress=zlib-stream`` itself.
    """
    old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = fake.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield fake
    finally:
        Route.BASE = old_base
        DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


def instrument_parsers(client: discord.Client, fake: FakeDiscord) -> None:
    """Record exceptions raised while discord.py parses gateway events.

    Such an exception (e.g. a payload missing a key) means the event was lost, and in
    discord.py 2.7 it also propagates out of ``Client.connect()``: the gateway loop dies and
    the bot stops receiving events, which in a test otherwise only shows up as handlers that
    never run.  The exception still propagates exactly as it would without the wrapper.
    """
    parsers = client._connection.parsers
    for event, func in list(parsers.items()):
        if getattr(func, "__fake_discord_wrapped__", False):
            continue

        def wrapper(data: Any, _func: Any = func, _event: str = event) -> Any:
            try:
                return _func(data)
            except Exception as exc:
                fake.record_parser_error(_event, data, exc)
                raise

        wrapper.__fake_discord_wrapped__ = True  # type: ignore[attr-defined]
        parsers[event] = wrapper


class _LogCapture(logging.Handler):
    def __init__(self, fake: FakeDiscord) -> None:
        super().__init__(logging.WARNING)
        self.fake = fake

    def emit(self, record: logging.LogRecord) -> None:
        self.fake.record_bot_log(record)


@contextlib.asynccontextmanager
async def running_bot(
    bot: BotT,
    token: str = DEFAULT_TOKEN,
    *,
    fake: FakeDiscord | None = None,
    ready_timeout: float = 10.0,
    guild_ready_timeout: float | None = 0.05,
    close_timeout: float = 5.0,
    settle: float = 2.0,
    fast_reidentify: bool = True,
) -> AsyncIterator[BotT]:
    """Log ``bot`` in, connect it, wait for ``on_ready``; close it cleanly on exit.

    ``bot.login`` runs ``setup_hook`` (so cogs load and ``tree.sync()`` there hits the fake).
    ``guild_ready_timeout`` shortens discord.py's wait for further GUILD_CREATEs after READY
    (default 2 s) so tests start fast; ``None`` keeps the bot's own value.  With ``fake``
    given, parser failures and WARNING+ logs of the ``discord`` loggers are recorded on it.
    On a normal exit it first waits (up to ``settle`` seconds; 0 to skip) for the bot's HTTP
    requests to quiet down, so a handler still replying is not cut off by ``bot.close()``.
    ``fast_reidentify`` drops the 5 s sleep discord.py's default ``before_identify_hook`` does
    before every non-initial IDENTIFY (after an invalidated session), unless the bot class
    overrides that hook.
    A closed Client cannot be started again: create a new bot object for a "restart".
    """
    capture: _LogCapture | None = None
    if fake is not None:
        instrument_parsers(bot, fake)
        capture = _LogCapture(fake)
        logging.getLogger("discord").addHandler(capture)
    if fast_reidentify and type(bot).before_identify_hook is discord.Client.before_identify_hook:

        async def no_identify_delay(shard_id: int | None, *, initial: bool = False) -> None:
            return None

        bot.before_identify_hook = no_identify_delay  # type: ignore[method-assign]
    if guild_ready_timeout is not None:
        bot._connection.guild_ready_timeout = guild_ready_timeout
    connect_task: asyncio.Task[None] | None = None
    try:
        await bot.login(token)
        connect_task = asyncio.create_task(bot.connect(reconnect=True), name="fake-discord-bot-connect")
        if fake is not None:
            fake.watch_bot_task(connect_task)
        ready_task = asyncio.create_task(bot.wait_until_ready(), name="fake-discord-wait-ready")
        done, _ = await asyncio.wait(
            {ready_task, connect_task}, timeout=ready_timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if ready_task not in done:
            ready_task.cancel()
            if connect_task in done:
                connect_task.result()  # re-raise why the connection ended
                raise RuntimeError("bot.connect() returned before the bot became ready")
            detail = f"\n{fake.summary()}" if fake is not None else ""
            raise TimeoutError(f"bot not ready after {ready_timeout}s{detail}")
        yield bot
        if fake is not None and settle:
            await fake.settle(timeout=settle)
        if connect_task.done() and not connect_task.cancelled() and connect_task.exception() is not None:
            raise connect_task.exception()  # type: ignore[misc]
    finally:
        await bot.close()
        if connect_task is not None:
            await asyncio.wait({connect_task}, timeout=close_timeout)
            if not connect_task.done():
                connect_task.cancel()
                await asyncio.wait({connect_task}, timeout=close_timeout)
            elif not connect_task.cancelled():
                connect_task.exception()  # mark retrieved; it was re-raised above if it mattered
        if capture is not None:
            logging.getLogger("discord").removeHandler(capture)
