"""/quiz, /review, /stats, /leaderboard, and the answers given through quiz buttons and modals."""
from __future__ import annotations

import asyncio
import io
import logging
import random
from datetime import timedelta
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.charts import mastery_png
from bot.checks import manage_guild_only, server_id
from bot.messages import (
    ALL_MASTERED,
    ALREADY_REPORTED,
    escape,
    render_item,
    render_leaderboard,
    render_leech,
    render_mastery,
    render_report_result,
    render_reports,
    render_reveal,
    render_stats,
    split_message,
)
from bot.views import (
    BUSY_NOTE,
    NOT_RECORDED,
    RETIRED_NOTE,
    failures_reported,
    interaction_data,
    item_view,
    reveal_view,
    send_ephemeral,
)
from quiz.answering import AnswerError, Verdict, answer_item
from quiz.exam import ExamDateError, countdown, cram_items, cramming, parse_exam_date
from quiz.export import anki_deck, csv_text
from quiz.item import QuizItem
from quiz.mastery import section_mastery
from quiz.records import StoreError
from quiz.select import select_items, suggest_topics
from quiz.store import MAX_REASON, QuizStore

if TYPE_CHECKING:  # bot.bot loads the cogs
    from bot.bot import StudyBot

log = logging.getLogger(__name__)

MAX_QUIZ_COUNT = 5
REVIEW_BATCH = 3  # questions a /review sends at once
REPORT_PREFIX = "sgb:reportm:"  # modal custom_id: sgb:reportm:<item_id>
WITHDRAWN_NOTE = "Members of this server reported this question, so it is no longer asked here. Try `/quiz`."
# A timeout only frees discord.py's record of a modal the member closed without submitting (with
# timeout=None every such modal stayed in memory for good); the submit never depends on that record.
MODAL_FORGET_SECONDS = 3600


class ReportModal(discord.ui.Modal):
    """Why a question is unfair, optional. Built on each click; its submit is handled by Quiz.on_interaction
    from the custom_id alone, so a modal opened before a restart still counts."""

    def __init__(self, item: QuizItem) -> None:
        super().__init__(title="Report this question", custom_id=f"{REPORT_PREFIX}{item.id}",
                         timeout=MODAL_FORGET_SECONDS)
        self.add_item(discord.ui.TextInput(label="What is wrong with it? (optional)", custom_id="reason",
                                           style=discord.TextStyle.paragraph, required=False,
                                           max_length=MAX_REASON,
                                           placeholder="Two options are right; the note says otherwise; ..."))


class Quiz(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.rng = random.Random()  # which questions a /quiz draws; replaceable, so a test can pin the draw

    @app_commands.command(name="quiz")
    @app_commands.describe(topic="A section or service, e.g. 'kinesis' or '3.2' (optional)",
                           count=f"How many questions (1-{MAX_QUIZ_COUNT})")
    async def quiz(self, interaction: discord.Interaction, topic: app_commands.Range[str, 1, 100] | None = None,
                   count: app_commands.Range[int, 1, MAX_QUIZ_COUNT] = 1) -> None:
        """Quiz yourself on the notes."""
        withdrawn = await asyncio.to_thread(self.services.store.withdrawn_items, interaction.guild_id or 0)
        # Fuzzy topic matching walks every item: a thread, as it grows with the notes.
        picked = await asyncio.to_thread(select_items, self.services.items, count, self.rng.randrange(1 << 30), topic,
                                         withdrawn)
        if not picked:
            near = await asyncio.to_thread(suggest_topics, self.services.items, topic or "")
            hint = f" Did you mean: {escape(', '.join(near))}?" if near else ""
            await interaction.response.send_message(f"No questions on “{escape(topic or '')}” in the notes.{hint}",
                                                    ephemeral=True)
            return
        await interaction.response.send_message(render_item(picked[0], 1 if count > 1 else None),
                                                view=item_view(picked[0]))
        for n, item in enumerate(picked[1:], 2):
            await interaction.followup.send(render_item(item, n), view=item_view(item))
        # The question is public, so a note that gives its answer goes to the member who keeps missing it only.
        leeches = await self._leeches(interaction, picked)
        for item in picked:
            if item.id in leeches:
                await interaction.followup.send(render_leech(item, leeches[item.id]), ephemeral=True)

    @app_commands.command(name="review")
    @app_commands.describe(mode="due: what spaced repetition brings back now; mistakes: what you last got wrong")
    async def review(self, interaction: discord.Interaction,
                     mode: Literal["due", "mistakes"] = "due") -> None:
        """Review the questions due for you, or your mistakes until each is answered right."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild_id, user_id = interaction.guild_id or 0, interaction.user.id
        if mode == "mistakes":
            wrong = await asyncio.to_thread(self.services.store.mistakes, guild_id, user_id, REVIEW_BATCH + 1)
            if not wrong:
                await interaction.followup.send(ALL_MASTERED, ephemeral=True)
                return
            await self._send_privately(interaction, wrong[:REVIEW_BATCH])
            left = "more after these" if len(wrong) > REVIEW_BATCH else "these are the last"
            await interaction.followup.send(f"-# Your mistakes, latest first ({left}); `/review mode:mistakes` "
                                            "again until all are answered right.", ephemeral=True)
            return
        now = self.bot.clock()
        exam = await asyncio.to_thread(self.services.store.exam_date, guild_id, user_id)
        if cramming(exam, now.date()):
            # the last week before the exam: the weakest sections first, whatever is due
            history = await asyncio.to_thread(self.services.store.member_history, guild_id, user_id)
            weakest = await asyncio.to_thread(cram_items, self.services.items, history, now, REVIEW_BATCH)
            if weakest:
                await interaction.followup.send(f"-# {countdown(exam, now.date())}: your weakest sections first.",
                                                ephemeral=True)
                await self._send_privately(interaction, weakest)
                return
        due = await asyncio.to_thread(self.services.store.due_items, guild_id, user_id, now, REVIEW_BATCH)
        if not due:
            stats = await asyncio.to_thread(self.services.store.stats, interaction.guild_id or 0,
                                            interaction.user.id, self.bot.clock())
            message = ("Nothing is due for review. Try `/quiz` for new questions." if stats.answered
                       else "You haven't answered anything yet: start with `/quiz`.")
            await interaction.followup.send(message, ephemeral=True)
            return
        await self._send_privately(interaction, due)

    async def _send_privately(self, interaction: discord.Interaction, items: list[QuizItem]) -> None:
        """Numbered questions as ephemeral followups, each one the member keeps missing after its note."""
        leeches = await self._leeches(interaction, items)
        for n, item in enumerate(items, 1):
            if item.id in leeches:
                await interaction.followup.send(render_leech(item, leeches[item.id]), ephemeral=True)
            await interaction.followup.send(render_item(item, n), view=item_view(item), ephemeral=True)

    async def _leeches(self, interaction: discord.Interaction, items: list[QuizItem]) -> dict[str, int]:
        try:
            return await asyncio.to_thread(self.services.store.leeches, interaction.guild_id or 0,
                                           interaction.user.id, [item.id for item in items])
        except StoreError as exc:  # the questions matter more than the notes before them
            log.warning("missed counts not read: %s", exc)
            return {}

    @app_commands.command(name="stats")
    @app_commands.describe(member="Another member's progress (optional)")
    async def stats(self, interaction: discord.Interaction, member: discord.User | None = None) -> None:
        """Your score, streak, reviews due, and your weakest sections (with a chart)."""
        await interaction.response.defer(ephemeral=True, thinking=True)  # the chart is drawn in a thread
        who = member or interaction.user
        guild_id, now = interaction.guild_id or 0, self.bot.clock()

        def gather() -> tuple[str, bytes | None]:
            stats = self.services.store.stats(guild_id, who.id, now)
            rows = section_mastery(self.services.items, self.services.store.member_history(guild_id, who.id), now)
            exam = countdown(self.services.store.exam_date(guild_id, who.id), now.date())
            text = "\n".join(part for part in (render_stats(who.display_name, stats), exam, render_mastery(rows))
                             if part)
            return text, mastery_png(rows)

        text, png = await asyncio.to_thread(gather)
        parts = split_message(text)
        for part in parts[:-1]:
            await interaction.followup.send(part, ephemeral=True)
        if png is None:
            await interaction.followup.send(parts[-1], ephemeral=True)
            return
        embed = discord.Embed(title="Predicted recall by section").set_image(url="attachment://mastery.png")
        await interaction.followup.send(parts[-1], embed=embed, file=discord.File(io.BytesIO(png), "mastery.png"),
                                        ephemeral=True)

    @app_commands.command(name="leaderboard")
    @app_commands.describe(period="all: every answer that scored; week: the past 7 days")
    @app_commands.guild_only()
    async def leaderboard(self, interaction: discord.Interaction, period: Literal["all", "week"] = "all") -> None:
        """This server's top scorers, of all time or of the past week."""
        now = self.bot.clock()
        since = (now.date() - timedelta(days=6)) if period == "week" else None
        rows = await asyncio.to_thread(self.services.store.leaderboard, server_id(interaction), 10, now, since)
        # Mentions, not cached names: without the members intent the cache barely knows anyone, and Discord
        # shows a mention as the member's current name. The bot's AllowedMentions.none() keeps it silent.
        names = {row.user_id: f"<@{row.user_id}>" for row in rows}
        await interaction.response.send_message(render_leaderboard(rows, names, "past 7 days" if since else ""))

    @app_commands.command(name="exam")
    @app_commands.describe(date="Your exam date, YYYY-MM-DD, or 'clear'",
                           for_server="Set the server's default date instead (Manage Server)")
    @app_commands.guild_only()
    async def exam(self, interaction: discord.Interaction, date: app_commands.Range[str, 1, 40],
                   for_server: bool = False) -> None:
        """Set your exam date: a countdown in /stats, and /review crams your weakest sections in the last week."""
        guild_id = server_id(interaction)
        if for_server and not interaction.permissions.manage_guild:
            await interaction.response.send_message("You need the Manage Server permission to set the server's "
                                                    "exam date.", ephemeral=True)
            return
        who = QuizStore.SERVER_DEFAULT if for_server else interaction.user.id
        today = self.bot.clock().date()
        if date.strip().lower() == "clear":
            await asyncio.to_thread(self.services.store.set_exam_date, guild_id, who, None)
            await interaction.response.send_message("Exam date cleared.", ephemeral=True)
            return
        try:
            day = parse_exam_date(date, today)
        except ExamDateError as exc:
            await interaction.response.send_message(f"⚠️ {escape(str(exc))} Nothing was changed.", ephemeral=True)
            return
        await asyncio.to_thread(self.services.store.set_exam_date, guild_id, who, day)
        whose = "The server's exam date" if for_server else "Your exam date"
        await interaction.response.send_message(f"{whose} is set. {countdown(day, today)}", ephemeral=True)

    @app_commands.command(name="export")
    async def export(self, interaction: discord.Interaction) -> None:
        """Your missed questions, privately, as an Anki deck and a CSV file."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild_id, user_id = interaction.guild_id or 0, interaction.user.id

        def build() -> tuple[int, bytes, str] | None:
            missed = self.services.store.missed(guild_id, user_id)
            if not missed:
                return None
            return len(missed), anki_deck(missed, guild_id, user_id, "Study bot: missed questions"), csv_text(missed)

        built = await asyncio.to_thread(build)
        if built is None:
            await interaction.followup.send("Nothing to export: you have not missed any question yet.", ephemeral=True)
            return
        count, deck, table = built
        files = [discord.File(io.BytesIO(deck), "missed-questions.apkg"),
                 discord.File(io.BytesIO(table.encode("utf-8")), "missed-questions.csv")]
        await interaction.followup.send(f"📦 Your {count} missed question(s): import the .apkg into Anki "
                                        "(File > Import), or open the CSV.", files=files, ephemeral=True)

    @app_commands.command(name="quiz-reports")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @manage_guild_only()
    async def quiz_reports(self, interaction: discord.Interaction) -> None:
        """Reported questions, and those most of the group keeps missing, with their notes."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        store = self.services.store

        def gather() -> str:
            reports = store.reported_items(server_id(interaction))
            suspects = store.group_suspects(server_id(interaction))
            wanted = [r.item_id for r in reports] + [s.item_id for s in suspects]
            items = {i: item for i in wanted if (item := store.get_item(i)) is not None}
            return render_reports(reports, items, suspects)

        for part in split_message(await asyncio.to_thread(gather)):
            await interaction.followup.send(part, ephemeral=True)

    # --- answers ---------------------------------------------------------------------------------------

    async def answer_choice(self, interaction: discord.Interaction, item_id: str, choice: int, context: str) -> None:
        # Acknowledged before any database work: a write waiting on another process's lock (a backup, a
        # second copy of the bot) took the reveal past Discord's 3 s deadline, and the member saw a failure.
        await interaction.response.defer(ephemeral=True, thinking=True)
        item = await self._item_or_say(interaction, item_id)
        if item is not None:
            await self._grade_and_reveal(interaction, item, context, choice)

    async def open_report(self, interaction: discord.Interaction, item_id: str) -> None:
        store = self.services.store
        item = await asyncio.to_thread(store.get_item, item_id)
        if item is None:
            await interaction.response.send_message("I don't know this question any more.", ephemeral=True)
        elif await asyncio.to_thread(store.has_reported, interaction.guild_id or 0, interaction.user.id, item_id):
            await interaction.response.send_message(ALREADY_REPORTED, ephemeral=True)
        else:
            await interaction.response.send_modal(ReportModal(item))

    async def _submit_report(self, interaction: discord.Interaction, item_id: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)  # before the database, as for answers
        reason = _modal_value(interaction_data(interaction), "reason")
        by_manager = interaction.guild is not None and interaction.permissions.manage_guild
        try:
            result = await asyncio.to_thread(self.services.store.report_item, interaction.guild_id or 0,
                                             interaction.user.id, item_id, reason, by_manager=by_manager,
                                             now=self.bot.clock())
        except StoreError as exc:
            log.warning("report not recorded: %s", exc)
            await send_ephemeral(interaction, BUSY_NOTE)
            return
        if result.recorded:
            log.info("item %s reported in server %s (%d report(s))", item_id, interaction.guild_id, result.reports)
        await send_ephemeral(interaction, render_report_result(result))

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        custom_id = str(interaction_data(interaction).get("custom_id", ""))
        if custom_id.startswith(REPORT_PREFIX) and not interaction.response.is_done():
            async with failures_reported(interaction):
                await self._submit_report(interaction, custom_id[len(REPORT_PREFIX):])

    async def quiz_on_note(self, interaction: discord.Interaction, chunk_id: str) -> None:
        """"Quiz me on this" under an answer: an item on that note, else on its section."""
        withdrawn = await asyncio.to_thread(self.services.store.withdrawn_items, interaction.guild_id or 0)
        served = [it for it in self.services.items if it.id not in withdrawn]
        items = [it for it in served if it.chunk_id == chunk_id]
        if not items:
            chunk = next((c for c in self.services.index.chunks if c.id == chunk_id), None)
            items = [it for it in served if chunk is not None and it.section == chunk.section]
        if not items:
            await interaction.response.send_message("I have no question on that note yet; try `/quiz`.",
                                                    ephemeral=True)
            return
        item = self.rng.choice(items)
        await interaction.response.send_message(render_item(item), view=item_view(item), ephemeral=True)

    async def _item_or_say(self, interaction: discord.Interaction, item_id: str) -> QuizItem | None:
        item = self.services.items_by_id.get(item_id)
        if item is None:
            stored = await asyncio.to_thread(self.services.store.get_item, item_id)
            note = RETIRED_NOTE if stored is not None else "I don't know this question any more. Try `/quiz`."
            await send_ephemeral(interaction, note)
            return None
        if item_id in await asyncio.to_thread(self.services.store.withdrawn_items, interaction.guild_id or 0):
            await send_ephemeral(interaction, WITHDRAWN_NOTE)
            return None
        return item

    async def _grade_and_reveal(self, interaction: discord.Interaction, item: QuizItem, context: str,
                                choice: int) -> None:
        try:
            verdict: Verdict = await asyncio.to_thread(
                answer_item, self.services.store, item, interaction.guild_id or 0, interaction.user.id,
                context=context, choice=choice, now=self.bot.clock())
        except AnswerError as exc:
            await send_ephemeral(interaction, str(exc))
            return
        except StoreError as exc:  # the write gave up (rolled back): say so, so the member can click again
            log.warning("answer not recorded: %s", exc)
            await send_ephemeral(interaction, NOT_RECORDED)
            return
        await send_ephemeral(interaction, render_reveal(item, verdict.given, verdict.result), view=reveal_view(item))


def _modal_value(data: dict, custom_id: str) -> str:
    for row in data.get("components", []):
        for component in row.get("components", [row]):
            if component.get("custom_id") == custom_id:
                return str(component.get("value", ""))
    return ""


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(Quiz(bot))
