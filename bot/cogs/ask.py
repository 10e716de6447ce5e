"""Questions: /ask, a mention, a reply to one of the bot's answers, or any message in a Q&A channel."""
from __future__ import annotations

import asyncio
import logging
import os
import re
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.cooldown import MemberCooldown
from bot.messages import render_answer, split_message
from bot.views import BUSY_NOTE, answer_view, message_id, send_ephemeral
from index.answer import Answer, BadQuestionError, clean_question
from quiz.records import StoreError

if TYPE_CHECKING:  # bot.bot loads the cogs
    from bot.bot import StudyBot

log = logging.getLogger(__name__)

TEXT_COMMANDS = {"sync"}  # owner-only text commands a mention may carry; not questions


class Ask(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.cooldown = MemberCooldown(bot.settings.ask_cooldown_seconds)
        self.qa_channels: dict[int, frozenset[int]] = {}  # guild -> Q&A channel ids, cached from the store
        # Searches run in asyncio's default thread pool, which every SQLite call of the bot shares (about
        # cores + 4 threads, first come first served). Left unbounded, a burst of questions fills it and a
        # quiz click waits behind all of them for its one-millisecond write, past Discord's 3 s deadline
        # under load. At most one search a core keeps threads free; more would not search any faster.
        self._searches = asyncio.Semaphore(max(1, os.cpu_count() or 1))

    def set_qa_channels(self, guild_id: int, channel_ids: tuple[int, ...]) -> None:
        self.qa_channels[guild_id] = frozenset(channel_ids)

    async def cog_load(self) -> None:
        configs = await asyncio.to_thread(self.services.store.configs)
        self.qa_channels = {c.guild_id: frozenset(c.qa_channel_ids) for c in configs}

    @app_commands.command(name="ask")
    @app_commands.describe(question="What you want to look up in the group's notes")
    @app_commands.guild_only()
    async def ask(self, interaction: discord.Interaction, question: app_commands.Range[str, 1, 1000]) -> None:
        """Look something up in the group's notes."""
        try:
            # Checked before deferring: after a public "thinking..." the reply could no longer be private.
            clean_question(question)
        except BadQuestionError as exc:
            await interaction.response.send_message(str(exc), ephemeral=True)
            return
        wait = self.cooldown.retry_after(interaction.user.id)
        if wait:
            await interaction.response.send_message(f"⏳ One question at a time: try again in {wait:.0f} s.",
                                                    ephemeral=True)
            return
        # Embedding runs in a thread; deferring first keeps the 3 s interaction deadline whatever the load.
        await interaction.response.defer(thinking=True)
        answer = await self._answer(question)
        parts = split_message(render_answer(answer))
        sent = None
        for i, part in enumerate(parts):
            view = answer_view(_top_chunk(answer)) if i == len(parts) - 1 else discord.utils.MISSING
            sent = await interaction.followup.send(part, view=view, wait=True)
        await self._remember(interaction.guild_id, interaction.user.id, sent, answer)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.guild is None:
            return
        question = await self._question_in(message)
        if question is None:
            return
        wait = self.cooldown.retry_after(message.author.id)
        if wait:
            if self.cooldown.notice_due(message.author.id):
                await message.reply(f"⏳ One question at a time: ask again in {wait:.0f} s.", mention_author=False)
            return
        try:
            answer = await self._answer(question)
        except BadQuestionError as exc:
            await message.reply(str(exc), mention_author=False)
            return
        except Exception:
            log.exception("answering message %s failed", message.id)
            await message.reply("Sorry, I couldn't search the notes just now. It's logged; try again.",
                                mention_author=False)
            return
        parts = split_message(render_answer(answer))
        sent = None
        for i, part in enumerate(parts):
            view = answer_view(_top_chunk(answer)) if i == len(parts) - 1 else discord.utils.MISSING
            if i == 0:
                sent = await message.reply(part, mention_author=False, view=view)
            else:
                sent = await message.channel.send(part, view=view)
        await self._remember(message.guild.id, message.author.id, sent, answer)

    async def _answer(self, question: str) -> Answer:
        async with self._searches:
            return await asyncio.to_thread(self.services.answerer.answer, question, self.bot.settings.answer_hits)

    async def _question_in(self, message: discord.Message) -> str | None:
        """The question a message asks the bot, or None when it is not addressed to the bot."""
        me = self.bot.user
        if me is None:
            return None
        content = message.content or ""
        # An explicit mention in the text; a reply's automatic ping also lists the bot in message.mentions, and
        # a reply to a drill or a quiz question ("I got Q2 wrong") is not a question.
        mention = re.compile(rf"<@!?{me.id}>")
        if mention.search(content):
            text = mention.sub(" ", content).strip()
            return None if text.lower() in TEXT_COMMANDS else text
        if message.reference is not None and message.reference.message_id is not None:
            # A reply to one of the bot's answers is a follow-up question.
            shown = await asyncio.to_thread(self.services.store.shown_answer, message.reference.message_id)
            if shown is not None:
                return content
        if message.guild is not None and message.channel.id in self.qa_channels.get(message.guild.id, frozenset()):
            return content
        return None

    async def _remember(self, guild_id: int | None, user_id: int, sent: discord.Message | None,
                        answer: Answer) -> None:
        """Keep what was shown, so a 👍/👎 on it is stored with the question and the notes."""
        if sent is None or guild_id is None:
            return
        await asyncio.to_thread(self.services.store.remember_answer, sent.id, guild_id, user_id, answer.question,
                                tuple(h.chunk.id for h in answer.hits), answer.answerable)

    async def feedback(self, interaction: discord.Interaction, helpful: bool) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)  # before the database, as for answers
        shown = await asyncio.to_thread(self.services.store.shown_answer, message_id(interaction))
        if shown is None:
            await send_ephemeral(interaction, "I no longer know which answer this was, sorry.")
            return
        try:
            tally = await asyncio.to_thread(
                self.services.store.record_feedback, interaction.guild_id or 0, interaction.user.id, shown.question,
                shown.chunk_ids, helpful, message_id(interaction))
        except StoreError as exc:
            log.warning("feedback not recorded: %s", exc)
            await send_ephemeral(interaction, BUSY_NOTE)
            return
        vote = "👍" if helpful else "👎"
        await send_ephemeral(interaction,
                             f"Thanks, noted {vote} ({tally.helpful} 👍 / {tally.not_helpful} 👎 so far).")


def _top_chunk(answer: Answer) -> str | None:
    return answer.hits[0].chunk.id if answer.answerable and answer.hits else None


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(Ask(bot))
