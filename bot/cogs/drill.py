"""The daily drill: posted once a day per server at its configured local time, also across restarts.

The database is the source of truth, as RoboDanny's timers: a drill is claimed (UNIQUE guild+day) before
it is sent, sent with a nonce derived from that claim, then marked posted. A loop checks every few
seconds instead of `tasks.loop(time=...)` because each server picks its own time and timezone at run
time, and because a slot missed while the bot was down must still be posted (once) when it comes back.
"""
from __future__ import annotations

import asyncio
import dataclasses
import logging
from datetime import date, datetime, time, timedelta
from time import monotonic as time_monotonic
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.checks import manage_guild_only, server_id
from bot.messages import MESSAGE_LIMIT, escape, render_item, render_reveal, split_message
from bot.views import NOT_RECORDED, drill_view, reveal_view, send_ephemeral
from quiz.answering import AnswerError, answer_item
from quiz.exam import countdown
from quiz.group_drill import ACTIVE_DAYS, group_drill
from quiz.item import QuizItem
from quiz.mastery import section_of
from quiz.records import MAX_DRILL_COUNT, Drill, GuildConfig, StoreError
from quiz.store import QuizStore

if TYPE_CHECKING:  # bot.bot loads the cogs
    from bot.bot import StudyBot

log = logging.getLogger(__name__)

# Messages read after a drill's claim to find it sent but not marked before a crash: it is sent right
# after its claim, so it is among the first. (The last 50 messages missed it behind 60 newer ones.)
HISTORY_LOOKBACK = 100
CLAIM_MARGIN = timedelta(seconds=5)  # the claim's clock and Discord's may differ a little
RETRY_MAX_SECONDS = 3600  # a drill that cannot be sent is retried after 1, 2, 4 ... checks, at most hourly
CLOSE_WINDOW = timedelta(days=1)  # drills posted longer ago than the delay + this are not closed late
CLOSED_NOTE = "This drill has closed and its results are posted. Try `/quiz` or `/review`."


@dataclasses.dataclass(frozen=True)
class HistoryLookup:
    """A search of a drill's channel for the drill: the message if found; readable=False when the history
    could not be read, so absence proves nothing."""

    message: discord.Message | None
    readable: bool


def missing_post_permissions(channel: discord.TextChannel) -> list[str]:
    """What the bot lacks to post a drill in `channel`, from the cached roles and overwrites."""
    me = channel.guild.me
    if me is None:  # not cached: let the first post tell
        return []
    perms = channel.permissions_for(me)
    # Read Message History: after a crash the bot looks for a drill it may have sent before sending it again
    needed = (("View Channel", perms.view_channel), ("Send Messages", perms.send_messages),
              ("Read Message History", perms.read_message_history))
    return [name for name, ok in needed if not ok]


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class DrillCommands(app_commands.Group, name="drill", description="The daily drill of this server"):
    def __init__(self, cog: DrillCog) -> None:
        super().__init__()
        self.cog = cog

    @app_commands.command(name="setup")
    @app_commands.describe(channel="Where the drill is posted", time="Local time, HH:MM (24 h)",
                           timezone="IANA timezone, e.g. Europe/Paris (default UTC)",
                           count=f"Questions per drill (1-{MAX_DRILL_COUNT})")
    @manage_guild_only()
    async def setup(self, interaction: discord.Interaction, channel: discord.TextChannel,
                    time: app_commands.Range[str, 1, 10], timezone: app_commands.Range[str, 1, 64] = "UTC",
                    count: app_commands.Range[int, 1, MAX_DRILL_COUNT] = 3) -> None:
        """Post a daily drill in a channel at a time."""
        missing = missing_post_permissions(channel)
        if missing:
            await interaction.response.send_message(
                f"⚠️ I can't post in {channel.mention}: I need {' and '.join(missing)} there. Give me "
                f"{'that permission' if len(missing) == 1 else 'those permissions'}, then run `/drill setup` "
                "again. Nothing was changed.", ephemeral=True)
            return

        def change(current: GuildConfig) -> GuildConfig:
            return GuildConfig(current.guild_id, channel.id, time.strip(), timezone.strip(), count, False,
                               current.qa_channel_ids)

        try:
            config = await asyncio.to_thread(self.cog.services.store.update_config, server_id(interaction), change)
        except ValueError as exc:
            await interaction.response.send_message(f"⚠️ {escape(str(exc))}", ephemeral=True)
            return
        await interaction.response.send_message(
            f"📅 Daily drill set: {count} question(s) in {channel.mention} at {config.drill_time} "
            f"({config.timezone}).", ephemeral=True)

    @app_commands.command(name="now")
    @manage_guild_only()
    async def now(self, interaction: discord.Interaction) -> None:
        """Post today's drill now, if it was not posted yet."""
        config = await asyncio.to_thread(self.cog.services.store.get_config, server_id(interaction))
        if config.drill_channel_id is None:
            await interaction.response.send_message("Set the drill up first: `/drill setup`.", ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        day = self.cog.local_day(config)
        if await self.cog.post_drill(config, day, retry_now=True) is not None:
            message = "Today's drill is posted."
        else:
            today = await asyncio.to_thread(self.cog.services.store.drill_for_day, server_id(interaction), day)
            if today is None:
                message = "The notes have no multiple-choice questions for a drill yet."
            elif today.posted:
                message = "Today's drill was already posted; the next one comes tomorrow."
            else:
                message = (f"I couldn't post today's drill in <#{config.drill_channel_id}>: can I send messages "
                           "there? I'll keep trying.")
        await interaction.followup.send(message, ephemeral=True)

    @app_commands.command(name="pause")
    @manage_guild_only()
    async def pause(self, interaction: discord.Interaction) -> None:
        """Pause the daily drill."""
        await self.cog.set_paused(interaction, True)

    @app_commands.command(name="resume")
    @manage_guild_only()
    async def resume(self, interaction: discord.Interaction) -> None:
        """Resume the daily drill."""
        await self.cog.set_paused(interaction, False)


class DrillCog(commands.Cog, name="Drill"):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot
        self.services = bot.services
        self._posting = asyncio.Lock()  # the loop and /drill now never post the same drill at once
        self._retry: dict[int, tuple[float, float]] = {}  # drill id -> (monotonic time of next try, delay)
        self.bot.tree.add_command(DrillCommands(self))

    async def cog_load(self) -> None:
        self.check_drills.change_interval(seconds=self.bot.settings.drill_check_seconds)
        self.check_drills.start()

    async def cog_unload(self) -> None:
        self.check_drills.cancel()
        self.bot.tree.remove_command("drill")

    @tasks.loop(seconds=30)
    async def check_drills(self) -> None:
        try:
            await self.run_due_drills()
        except Exception:
            log.exception("drill check failed; retrying at the next tick")

    @check_drills.before_loop
    async def _before(self) -> None:
        await self.bot.wait_until_ready()
        try:
            await self.recover_unposted()
        except Exception:  # an error here would end the loop before it ever ran: no drills until a restart
            log.exception("recovering unposted drills failed; the scheduler starts anyway")

    def local_day(self, config: GuildConfig, now: datetime | None = None) -> date:
        return (now or self.bot.clock()).astimezone(ZoneInfo(config.timezone)).date()

    async def run_due_drills(self) -> list[Drill]:
        now = self.bot.clock()
        posted = []
        for config in await asyncio.to_thread(self.services.store.configs):
            # With several shard processes, a server's drill is the business of the one holding its shard.
            if config.drill_channel_id is None or config.paused or not self.bot.settings.holds_guild(config.guild_id):
                continue
            local = now.astimezone(ZoneInfo(config.timezone))
            hour, minute = map(int, config.drill_time.split(":"))
            if local.time() < time(hour, minute):
                continue
            # Only today's drill: days missed while the bot was down are not posted in a burst.
            drill = await self.post_drill(config, local.date())
            if drill is not None:
                posted.append(drill)
        if self.bot.settings.drill_close_hours:
            await self.close_due_drills(now)
        return posted

    async def close_due_drills(self, now: datetime) -> None:
        """Post the results of drills open DRILL_CLOSE_HOURS: claimed first (closed_at), then sent, so a
        restart or a second process never posts them twice; a failed send loses them (the next drill's
        opening does not repeat a closed drill's results)."""
        store = self.services.store
        delay = timedelta(hours=self.bot.settings.drill_close_hours)
        for drill in await asyncio.to_thread(store.drills_to_close, now - delay, now - delay - CLOSE_WINDOW):
            if drill.channel_id is None or not self.bot.settings.holds_guild(drill.guild_id):
                continue
            if not await asyncio.to_thread(store.close_drill, drill.id, now):
                continue
            text = await asyncio.to_thread(self._closing_text, drill)
            channel = self.bot.get_partial_messageable(drill.channel_id)
            try:
                for part in split_message(text):
                    await channel.send(part)
            except discord.HTTPException as exc:
                log.warning("could not post the results of drill %s in channel %s: %s", drill.id, drill.channel_id,
                            exc)

    def _closing_text(self, drill: Drill) -> str:
        tally = self.services.store.drill_results(drill.id)
        if not tally:
            return f"🏁 **Daily drill, {drill.day.isoformat()}, closed**: nobody answered it."
        right, answered = sum(r.correct for r in tally), sum(r.answered for r in tally)
        return (f"🏁 **Daily drill, {drill.day.isoformat()}, closed**: {len(tally)} member(s) answered, "
                f"{right}/{answered} right.\n-# {self._results_line(drill)}")

    async def post_drill(self, config: GuildConfig, day: date, *, retry_now: bool = False) -> Drill | None:
        """Claim and post the drill of `day`; None when that day's drill is already posted (or cannot be)."""
        store = self.services.store
        channel_id = config.drill_channel_id
        if channel_id is None:  # the drill was never set up in this server
            return None
        async with self._posting:
            claimed = await asyncio.to_thread(store.drill_for_day, config.guild_id, day)
            if claimed is not None:
                # Claimed but never confirmed sent (a failed send, or a crash): retried, backing off, until it
                # is found in the channel or sent; the nonce keeps a retry from making a second message.
                if claimed.posted or (not retry_now and self._waiting(claimed)):
                    return None
                return await self._recover(claimed, channel_id)
            items = await asyncio.to_thread(self._drill_items, config, day)
            if not items:
                log.warning("no quiz items for the drill of guild %s", config.guild_id)
                return None
            drill = await asyncio.to_thread(store.claim_drill, config.guild_id, day, [it.id for it in items],
                                            self.bot.clock())
            if drill is None:
                return None
            return await self._send(drill, channel_id)

    def _drill_items(self, config: GuildConfig, day: date) -> list[QuizItem]:
        count = min(config.drill_count, MAX_DRILL_COUNT)
        store, now = self.services.store, self.bot.clock()
        withdrawn = store.withdrawn_items(config.guild_id)
        # Drill answers are buttons: items with 2-5 options only.
        servable = [it for it in self.services.items if it.id not in withdrawn and 2 <= len(it.options) <= 5]
        items = group_drill(servable, store.group_recall(config.guild_id, now - timedelta(days=ACTIVE_DAYS), now),
                            store.answered_item_ids(config.guild_id), count,
                            min(count, self.bot.settings.drill_new_items), day.toordinal())
        # One message, so that the nonce covers all of it: a drill split in parts would repeat its first
        # parts when re-sent after a crash. Long questions make for a shorter drill instead.
        while len(items) > 1 and len(self._drill_text(config.guild_id, day, items)) > MESSAGE_LIMIT:
            items.pop()
        return items

    async def _send(self, drill: Drill, channel_id: int) -> Drill | None:
        cached = self.bot.get_channel(channel_id)
        channel = (cached if isinstance(cached, discord.abc.Messageable)
                   else self.bot.get_partial_messageable(channel_id))
        found = [self.services.items_by_id.get(i) or await asyncio.to_thread(self.services.store.get_item, i)
                 for i in drill.item_ids]
        items = [it for it in found if it is not None]
        text = await asyncio.to_thread(self._drill_text, drill.guild_id, drill.day, items)
        parts = split_message(text)
        try:
            for part in parts[:-1]:
                await channel.send(part)
            # The nonce makes a re-send after a crash between send and mark a no-op on Discord's side.
            message = await channel.send(parts[-1], view=drill_view(drill.id, items), nonce=drill.nonce)
        except discord.HTTPException as exc:
            _, delay = self._retry.get(drill.id, (0.0, self.bot.settings.drill_check_seconds / 2))
            delay = min(delay * 2, RETRY_MAX_SECONDS)
            self._retry[drill.id] = (time_monotonic() + delay, delay)
            if isinstance(exc, (discord.Forbidden, discord.NotFound)):  # the channel's setup, not a bug
                log.warning("cannot post drill %s in channel %s (%s); retrying in %.0f s", drill.id, channel_id,
                            exc, delay)
            else:
                log.exception("could not post drill %s in channel %s; retrying in %.0f s", drill.id, channel_id,
                              delay)
            return None
        self._retry.pop(drill.id, None)
        return await asyncio.to_thread(self.services.store.mark_drill_posted, drill.id, channel_id, message.id,
                                       self.bot.clock())

    def _waiting(self, drill: Drill) -> bool:
        retry_at, _ = self._retry.get(drill.id, (0.0, 0.0))
        return time_monotonic() < retry_at

    def _drill_text(self, guild_id: int, day: date, items: list[QuizItem]) -> str:
        lines = [f"📅 **Daily drill, {day.isoformat()}**: answer with the buttons (first answer counts)."]
        previous = self.services.store.previous_drill(guild_id, day)
        if previous is not None and previous.closed_at is None:  # a closed drill's results were posted then
            tally = self.services.store.drill_results(previous.id)
            if tally:
                right = sum(r.correct for r in tally)
                answered = sum(r.answered for r in tally)
                lines.append(f"-# Last drill ({previous.day.isoformat()}): {len(tally)} member(s) answered, "
                             f"{right}/{answered} right.")
                lines.append("-# " + self._results_line(previous))
        board = self.services.store.leaderboard(guild_id, 3, self.bot.clock())
        if board:
            lines.append("-# Leaderboard: " + " · ".join(f"{r.rank}. <@{r.user_id}> {r.correct}" for r in board))
        exam = countdown(self.services.store.exam_date(guild_id, QuizStore.SERVER_DEFAULT), day)
        if exam:
            lines.append(f"-# {exam}")
        for n, item in enumerate(items, 1):
            lines.append("")
            lines.append(render_item(item, n))
        return "\n".join(lines)

    def _results_line(self, drill: Drill) -> str:
        """The group's result per question of a closed drill, and the one section to revisit."""
        results = self.services.store.drill_question_results(drill.id)
        parts: list[str] = []
        weakest_share, weakest_item = 1.0, ""
        for n, item_id in enumerate(drill.item_ids, 1):
            result = results.get(item_id)
            if result is None:
                parts.append(f"Q{n} 0/0")
                continue
            parts.append(f"Q{n} {result.correct}/{result.answered}")
            if result.correct / result.answered < weakest_share:
                weakest_share, weakest_item = result.correct / result.answered, item_id
        line = "Per question: " + " · ".join(parts)
        item = self.services.items_by_id.get(weakest_item)
        return line + (f". To revisit: {escape(section_of(item))}" if item is not None else "")

    async def recover_unposted(self) -> None:
        """At start-up: today's drill, if claimed but not marked posted (a crash mid-send), is found in its
        channel and marked, or sent. Older ones are not sent late, nor searched for at every start."""
        for drill in await asyncio.to_thread(self.services.store.unposted_drills):
            if not self.bot.settings.holds_guild(drill.guild_id):
                continue  # another shard process's: it recovers its own
            config = await asyncio.to_thread(self.services.store.get_config, drill.guild_id)
            if config.drill_channel_id is None or drill.day != self.local_day(config):
                continue
            async with self._posting:
                await self._recover(drill, config.drill_channel_id)

    async def _recover(self, drill: Drill, channel_id: int) -> Drill | None:
        lookup = await self._find_posted(drill, channel_id)
        if not lookup.readable:
            # Discord forgets a nonce within minutes: sent again blind, after a long downtime, it would be a
            # second drill. Skipped; it is looked for again at the next start or retry.
            log.warning("cannot read the history of channel %s to look for drill %s (Read Message History?); "
                        "not sending it again blind", channel_id, drill.id)
            return None
        if lookup.message is not None:
            log.info("drill %s was already in the channel; marked posted", drill.id)
            return await asyncio.to_thread(self.services.store.mark_drill_posted, drill.id, channel_id,
                                           lookup.message.id, self.bot.clock())
        return await self._send(drill, channel_id)

    async def _find_posted(self, drill: Drill, channel_id: int) -> HistoryLookup:
        channel = self.bot.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            return HistoryLookup(None, readable=channel is None)  # gone or not a text channel: nothing there
        if channel.guild.me is not None and not channel.permissions_for(channel.guild.me).read_message_history:
            return HistoryLookup(None, readable=False)  # Discord would answer with an empty history
        prefix = f"sgb:drill:{drill.id}:"
        try:
            async for message in channel.history(limit=HISTORY_LOOKBACK, after=drill.claimed_at - CLAIM_MARGIN,
                                                  oldest_first=True):
                if self.bot.user and message.author.id == self.bot.user.id and any(
                        getattr(child, "custom_id", "") and child.custom_id.startswith(prefix)
                        for row in message.components for child in getattr(row, "children", [])):
                    return HistoryLookup(message, readable=True)
        except discord.HTTPException:
            return HistoryLookup(None, readable=False)
        return HistoryLookup(None, readable=True)

    async def answer(self, interaction: discord.Interaction, drill_id: int, position: int, choice: int) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)  # before any database work, as for /quiz
        drill = await asyncio.to_thread(self.services.store.get_drill, drill_id)
        item_id = drill.item_ids[position] if drill is not None and position < len(drill.item_ids) else None
        item = self.services.items_by_id.get(item_id) if item_id else None
        if drill is not None and drill.closed_at is not None:
            await send_ephemeral(interaction, CLOSED_NOTE)
            return
        withdrawn = await asyncio.to_thread(self.services.store.withdrawn_items, interaction.guild_id or 0)
        if item is None or item.id in withdrawn:
            await send_ephemeral(interaction, "This drill question is no longer available.")
            return
        try:
            verdict = await asyncio.to_thread(answer_item, self.services.store, item, interaction.guild_id or 0,
                                              interaction.user.id, context=f"drill:{drill_id}", choice=choice,
                                              now=self.bot.clock())
        except AnswerError as exc:
            await send_ephemeral(interaction, str(exc))
            return
        except StoreError as exc:
            log.warning("drill answer not recorded: %s", exc)
            await send_ephemeral(interaction, NOT_RECORDED)
            return
        await send_ephemeral(interaction, f"**Q{position + 1}** " + render_reveal(item, verdict.given, verdict.result),
                             view=reveal_view(item))

    async def set_paused(self, interaction: discord.Interaction, paused: bool) -> None:
        store = self.services.store
        config = await asyncio.to_thread(store.get_config, server_id(interaction))
        if config.drill_channel_id is None:
            await interaction.response.send_message("Set the drill up first: `/drill setup`.", ephemeral=True)
            return
        config = await asyncio.to_thread(store.update_config, server_id(interaction),
                                         lambda current: dataclasses.replace(current, paused=paused))
        await interaction.response.send_message(
            "⏸️ Daily drill paused." if paused else f"▶️ Daily drill resumed ({config.drill_time} "
            f"{escape(config.timezone)}).", ephemeral=True)


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(DrillCog(bot))
