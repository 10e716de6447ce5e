"""StudyBot: the discord.py client. One-time setup happens in setup_hook, never in on_ready."""
from __future__ import annotations

import asyncio
import gc
import hashlib
import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands, tasks
from threadpoolctl import threadpool_limits

from bot.services import Services
from bot.settings import Settings
from bot.shards import claim_shards, holder_name, my_shards
from bot.views import DYNAMIC_ITEMS, FAILURE_NOTE, send_ephemeral
from quiz.records import StoreError

log = logging.getLogger(__name__)

EXTENSIONS = ("bot.cogs.ask", "bot.cogs.quiz", "bot.cogs.drill", "bot.cogs.admin")
Clock = Callable[[], datetime]
HEARTBEAT_SECONDS = 30  # `python -m bot health` allows 180 s without one


def utc_now() -> datetime:
    return datetime.now(UTC)


def intents() -> discord.Intents:
    value = discord.Intents.default()
    value.message_content = True  # questions are read from mentions, replies and Q&A channels
    return value


class StudyBot(commands.Bot):
    def __init__(self, settings: Settings, services: Services, *, clock: Clock = utc_now, **client: Any) -> None:
        super().__init__(command_prefix=commands.when_mentioned, intents=intents(),
                         allowed_mentions=discord.AllowedMentions.none(), help_command=None, **client)
        self.settings = settings
        self.services = services
        self.clock = clock
        self.synced_commands = False  # whether this start pushed the command list to Discord
        # is_ready() stays true through a reconnect loop; the health check must not.
        self.connected = False

    async def setup_hook(self) -> None:
        # The bot answers up to one question per core at once (bot/cogs/ask.py). A BLAS thread pool per
        # question would then oversubscribe the cores, and its spin-waiting threads stall a question for
        # hundreds of ms when the other core is busy; one BLAS thread per question keeps the tail short.
        threadpool_limits(limits=1, user_api="blas")
        for extension in EXTENSIONS:
            try:
                await self.load_extension(extension)
            except Exception:
                log.exception("failed to load extension %s", extension)
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        # The index, the model and the modules loaded by now live as long as the bot. Frozen, they are skipped
        # by full garbage collections, which otherwise walked them for ~0.5 s (with torch loaded after a first
        # index build) and held up every interaction arriving meanwhile.
        gc.freeze()
        self.heartbeat.start()
        self.tree.error(self.on_app_command_error)
        if self.settings.syncs_commands:  # several shard processes: the one with shard 0 pushes them
            await self.sync_commands_if_changed()

    async def sync_commands_if_changed(self, *, force: bool = False) -> bool:
        """Push the slash commands only when they changed since the last push (rate limits)."""
        guild = discord.Object(self.settings.dev_guild_id) if self.settings.dev_guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        payload = [c.to_dict(self.tree) for c in self.tree.get_commands(guild=guild)]
        # The application is part of the stamp: another bot token on the same data folder syncs its own commands.
        key = [payload, guild and guild.id, self.application_id]
        digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()
        stamp = self.settings.database_path.parent / "commands.sha256"
        previous = await asyncio.to_thread(lambda: stamp.read_text().strip() if stamp.is_file() else "")
        if previous == digest and not force:
            log.info("slash commands unchanged; not syncing")
            return False
        where = f" to guild {guild.id}" if guild else ""
        try:
            synced = await self.tree.sync(guild=guild)
        except discord.HTTPException as exc:
            # Not fatal: the commands Discord already has keep working, and the next start or "@bot sync" retries.
            hint = (" (is DEV_GUILD_ID right, and was the bot invited there with the applications.commands scope?)"
                    if guild and exc.status == 403 else "")
            log.error("could not sync the slash commands%s: %s%s", where, exc, hint)
            return False
        await asyncio.to_thread(_write_stamp, stamp, digest)
        self.synced_commands = True
        log.info("synced %d slash command(s)%s", len(synced), where)
        return True

    @tasks.loop(seconds=HEARTBEAT_SECONDS)
    async def heartbeat(self) -> None:
        """Touch the heartbeat file while connected: the Docker health check (`python -m bot health`) reads it."""
        if self.connected and not self.is_closed():
            await asyncio.to_thread(_touch, self.settings.heartbeat_path)

    @heartbeat.before_loop
    async def _before_heartbeat(self) -> None:
        await self.wait_until_ready()

    async def close(self) -> None:
        self.heartbeat.cancel()
        await super().close()

    async def on_disconnect(self) -> None:
        self.connected = False

    async def on_resumed(self) -> None:
        self.connected = True
        await self.heartbeat()  # one beat now (the loop's body); the loop's next is a while off

    async def on_ready(self) -> None:
        self.connected = True
        # Healthy from now: the loop's first beat may have run just before this, and the next is a while off.
        await self.heartbeat()
        # May run again after a reconnect: only log here.
        log.info("connected as %s (%s) to %d server(s)", self.user, getattr(self.user, "id", "?"), len(self.guilds))

    async def on_app_command_error(self, interaction: discord.Interaction,
                                   error: app_commands.AppCommandError) -> None:
        if isinstance(error, app_commands.CheckFailure):
            message = str(error) or "You can't use this command here."
        else:
            log.exception("slash command %s failed", interaction.command and interaction.command.qualified_name,
                          exc_info=error)
            message = FAILURE_NOTE
        try:
            await send_ephemeral(interaction, message)
        except discord.HTTPException as exc:  # e.g. the interaction expired meanwhile
            log.warning("could not tell the member about that failure: %s", exc)

    async def on_command_error(self, ctx: commands.Context, error: commands.CommandError) -> None:
        if isinstance(error, (commands.CommandNotFound, commands.NotOwner)):
            return
        log.exception("text command failed", exc_info=error)


class ShardedStudyBot(StudyBot, commands.AutoShardedBot):
    """The same bot over SHARD_IDS of SHARD_COUNT shards (discord.py's AutoShardedBot, as RoboDanny runs),
    renewing its lease on them (bot/shards.py) while it runs."""

    def __init__(self, settings: Settings, services: Services, holder: str, *, clock: Clock = utc_now) -> None:
        super().__init__(settings, services, clock=clock, shard_count=settings.shard_count,
                         shard_ids=list(settings.shard_ids) if settings.shard_ids else None)
        self.holder = holder
        self.renew_lease.change_interval(seconds=settings.shard_lease_seconds / 3)

    async def setup_hook(self) -> None:
        await super().setup_hook()
        self.renew_lease.start()

    @tasks.loop(seconds=10)
    async def renew_lease(self) -> None:
        store, count = self.services.store, self.settings.shard_count or 1
        try:
            ours = await asyncio.to_thread(store.renew_shards, count, my_shards(self.settings), self.holder,
                                           time.time())
        except StoreError as exc:  # the next renewal may get through; the lease outlasts two misses
            log.warning("could not renew the shard lease: %s", exc)
            return
        if not ours:
            log.error("another process took shard(s) %s over; stopping this one",
                      ", ".join(map(str, my_shards(self.settings))))
            await self.close()

    async def close(self) -> None:
        self.renew_lease.cancel()
        await super().close()


def make_bot(settings: Settings, services: Services, *, holder: str = "", clock: Clock = utc_now) -> StudyBot:
    if settings.sharded:
        return ShardedStudyBot(settings, services, holder or holder_name(), clock=clock)
    return StudyBot(settings, services, clock=clock)


def _write_stamp(path: Path, digest: str) -> None:
    """The data folder exists only where the quiz store made it (SQLite); with PostgreSQL it may not."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(digest)
    except OSError as exc:  # the next start syncs again: harmless
        log.warning("could not save the command-sync stamp %s: %s", path, exc)


def _touch(path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    except OSError as exc:
        log.warning("could not write the heartbeat file %s: %s", path, exc)


def run_bot(settings: Settings) -> int:
    """`python -m bot` with DISCORD_TOKEN set."""

    async def main() -> None:
        services = await asyncio.to_thread(Services.load, settings)
        holder = holder_name()
        try:
            if settings.sharded:  # before connecting: two processes on one shard would both answer
                await asyncio.to_thread(claim_shards, services.store, settings, holder)
            try:
                async with make_bot(settings, services, holder=holder) as bot:
                    await bot.start(settings.discord_token or "")
            finally:
                if settings.sharded:
                    await asyncio.to_thread(services.store.release_shards, settings.shard_count or 1, holder)
        finally:
            services.close()

    try:
        asyncio.run(main())
    except discord.LoginFailure:
        log.error("Discord rejected DISCORD_TOKEN: check the bot token in your environment")
        return 2
    return 0
