"""Persistent buttons. All state lives in the custom_id ("sgb:<kind>:<ids>"), none in memory, so a
button on yesterday's drill still works after a restart. Each callback hands off to a cog."""
from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import AsyncIterator
from typing import Any, cast

import discord

from bot.messages import LETTERS
from quiz.item import QuizItem

log = logging.getLogger(__name__)

RETIRED_NOTE = "This question was retired: the notes it came from changed. Try `/quiz` for a fresh one."
NOT_RECORDED = "⚠️ I couldn't record that answer: the quiz database is busy. Nothing was saved; click again in a moment."
BUSY_NOTE = "⚠️ The quiz database is busy, so nothing was saved. Please try again in a moment."
FAILURE_NOTE = "Sorry, something went wrong on my side. It's logged; please try again."


def _cog(interaction: discord.Interaction, name: str) -> Any:
    return cast(Any, interaction.client).get_cog(name)  # the client is the StudyBot, a commands.Bot


def interaction_data(interaction: discord.Interaction) -> dict[str, Any]:
    """The raw payload's data (custom_id, submitted components) as a plain mapping."""
    return cast(dict[str, Any], interaction.data or {})


def message_id(interaction: discord.Interaction) -> int:
    """The message a component interaction came from (Discord always sends it for a click)."""
    if interaction.message is None:
        raise ValueError("a component interaction without its message")
    return interaction.message.id


async def send_ephemeral(interaction: discord.Interaction, content: str, **kwargs) -> None:
    if interaction.response.is_done():
        await interaction.followup.send(content, ephemeral=True, **kwargs)
    else:
        await interaction.response.send_message(content, ephemeral=True, **kwargs)


@contextlib.asynccontextmanager
async def failures_reported(interaction: discord.Interaction) -> AsyncIterator[None]:
    """Log a failing click or modal and tell the member in one line. Without this discord.py only logs it
    and the member sees "This interaction failed" with no idea whether the answer counted."""
    try:
        yield
    except Exception:
        log.exception("handling %s failed", interaction_data(interaction).get("custom_id", "an interaction"))
        try:
            await send_ephemeral(interaction, FAILURE_NOTE)
        except discord.HTTPException as exc:  # e.g. the interaction expired meanwhile
            log.warning("could not tell the member about that failure: %s", exc)


class QuizChoiceButton(discord.ui.DynamicItem[discord.ui.Button],
                       template=r"sgb:quiz:(?P<item>[0-9a-f]{1,16}):(?P<choice>[0-9])"):
    def __init__(self, item_id: str, choice: int, label: str = "?") -> None:
        super().__init__(discord.ui.Button(label=label[:80], style=discord.ButtonStyle.secondary,
                                           custom_id=f"sgb:quiz:{item_id}:{choice}"))
        self.item_id, self.choice = item_id, choice

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str], /):
        return cls(match["item"], int(match["choice"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        async with failures_reported(interaction):
            await _cog(interaction, "Quiz").answer_choice(interaction, self.item_id, self.choice,
                                                          context=f"msg:{message_id(interaction)}")


class RetiredTypedButton(discord.ui.DynamicItem[discord.ui.Button], template=r"sgb:type:(?P<item>[0-9a-f]{1,16})"):
    """The "Type my answer" button of a typed question, from before typed questions were retired (strict reads
    found none fair): it says so instead of failing."""

    def __init__(self, item_id: str) -> None:
        super().__init__(discord.ui.Button(label="Type my answer", custom_id=f"sgb:type:{item_id}"))

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str], /):
        return cls(match["item"])

    async def callback(self, interaction: discord.Interaction) -> None:
        async with failures_reported(interaction):
            await send_ephemeral(interaction, RETIRED_NOTE)


class DrillChoiceButton(discord.ui.DynamicItem[discord.ui.Button],
                        template=r"sgb:drill:(?P<drill>[0-9]+):(?P<pos>[0-9]+):(?P<choice>[0-9])"):
    def __init__(self, drill_id: int, position: int, choice: int, label: str = "?") -> None:
        super().__init__(discord.ui.Button(label=label, style=discord.ButtonStyle.secondary,
                                           custom_id=f"sgb:drill:{drill_id}:{position}:{choice}"))
        self.drill_id, self.position, self.choice = drill_id, position, choice

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str], /):
        return cls(int(match["drill"]), int(match["pos"]), int(match["choice"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        async with failures_reported(interaction):
            await _cog(interaction, "Drill").answer(interaction, self.drill_id, self.position, self.choice)


class FeedbackButton(discord.ui.DynamicItem[discord.ui.Button], template=r"sgb:fb:(?P<vote>[01])"):
    def __init__(self, helpful: bool) -> None:
        super().__init__(discord.ui.Button(emoji="👍" if helpful else "👎", style=discord.ButtonStyle.secondary,
                                           custom_id=f"sgb:fb:{int(helpful)}"))
        self.helpful = helpful

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str], /):
        return cls(match["vote"] == "1")

    async def callback(self, interaction: discord.Interaction) -> None:
        async with failures_reported(interaction):
            await _cog(interaction, "Ask").feedback(interaction, self.helpful)


class QuizMeButton(discord.ui.DynamicItem[discord.ui.Button], template=r"sgb:quizme:(?P<chunk>[0-9a-f]{1,16})"):
    def __init__(self, chunk_id: str) -> None:
        super().__init__(discord.ui.Button(label="Quiz me on this", emoji="🎯", style=discord.ButtonStyle.primary,
                                           custom_id=f"sgb:quizme:{chunk_id}"))
        self.chunk_id = chunk_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str], /):
        return cls(match["chunk"])

    async def callback(self, interaction: discord.Interaction) -> None:
        async with failures_reported(interaction):
            await _cog(interaction, "Quiz").quiz_on_note(interaction, self.chunk_id)


class ReportButton(discord.ui.DynamicItem[discord.ui.Button], template=r"sgb:report:(?P<item>[0-9a-f]{1,16})"):
    """Under every reveal (quiz, review, drill): only once the key and its note are shown can a member
    judge a question unfair, and the drill message keeps its one row of answer buttons a question."""

    def __init__(self, item_id: str) -> None:
        super().__init__(discord.ui.Button(label="Report this question", emoji="🚩",
                                           style=discord.ButtonStyle.secondary, custom_id=f"sgb:report:{item_id}"))
        self.item_id = item_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str], /):
        return cls(match["item"])

    async def callback(self, interaction: discord.Interaction) -> None:
        async with failures_reported(interaction):
            await _cog(interaction, "Quiz").open_report(interaction, self.item_id)


DYNAMIC_ITEMS = (QuizChoiceButton, RetiredTypedButton, DrillChoiceButton, FeedbackButton, QuizMeButton,
                 ReportButton)


def answer_view(chunk_id: str | None) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if chunk_id:
        view.add_item(QuizMeButton(chunk_id))
    view.add_item(FeedbackButton(True))
    view.add_item(FeedbackButton(False))
    return view


def item_view(item: QuizItem) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for i, option in enumerate(item.options):
        label = option if item.kind == "truefalse" else f"{LETTERS[i]}. {option}"
        view.add_item(QuizChoiceButton(item.id, i, label))
    return view


def reveal_view(item: QuizItem) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ReportButton(item.id))
    return view


def drill_view(drill_id: int, items: list[QuizItem]) -> discord.ui.View:
    """One row a question (Discord allows 5 rows of 5 buttons), buttons labelled "1A", "1B", ..."""
    view = discord.ui.View(timeout=None)
    for pos, item in enumerate(items[:5]):
        for choice, option in enumerate(item.options[:5]):
            label = f"{pos + 1}{option[0]}" if item.kind == "truefalse" else f"{pos + 1}{LETTERS[choice]}"
            button = DrillChoiceButton(drill_id, pos, choice, label)
            button.item.row = pos
            view.add_item(button)
    return view
