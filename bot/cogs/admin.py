"""Per-server settings (Q&A channels) with permission checks, and the owner-only command sync."""
from __future__ import annotations

import asyncio
import dataclasses
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import manage_guild_only, server_id
from bot.cogs.ask import Ask
from quiz.records import GuildConfig

if TYPE_CHECKING:  # bot.bot loads the cogs
    from bot.bot import StudyBot

MAX_QA_CHANNELS = 10


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class QaChannelCommands(app_commands.Group, name="qa-channel",
                        description="Channels where every message is a question for the bot"):
    def __init__(self, cog: Admin) -> None:
        super().__init__()
        self.cog = cog

    @app_commands.command(name="add")
    @app_commands.describe(channel="The channel whose messages the bot answers")
    @manage_guild_only()
    async def add(self, interaction: discord.Interaction, channel: discord.TextChannel) -> None:
        """Answer every message posted in a channel."""
        await self.cog.change_qa_channels(interaction, add=channel.id)

    @app_commands.command(name="remove")
    @app_commands.describe(channel="The channel to stop answering in")
    @manage_guild_only()
    async def remove(self, interaction: discord.Interaction, channel: discord.TextChannel) -> None:
        """Stop answering every message of a channel (mentions still work)."""
        await self.cog.change_qa_channels(interaction, remove=channel.id)


class Admin(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot
        self.bot.tree.add_command(QaChannelCommands(self))

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command("qa-channel")

    async def change_qa_channels(self, interaction: discord.Interaction, *, add: int | None = None,
                                 remove: int | None = None) -> None:
        def change(config: GuildConfig) -> GuildConfig:
            channels = [c for c in config.qa_channel_ids if c != remove]
            if add is not None and add not in channels:
                if len(channels) >= MAX_QA_CHANNELS:
                    raise ValueError(f"At most {MAX_QA_CHANNELS} Q&A channels.")
                channels.append(add)
            return dataclasses.replace(config, qa_channel_ids=tuple(channels))

        try:
            config = await asyncio.to_thread(self.bot.services.store.update_config, server_id(interaction), change)
        except ValueError as exc:
            await interaction.response.send_message(str(exc), ephemeral=True)
            return
        ask = self.bot.get_cog("Ask")
        if isinstance(ask, Ask):
            ask.set_qa_channels(config.guild_id, config.qa_channel_ids)
        listed = ", ".join(f"<#{c}>" for c in config.qa_channel_ids) or "none"
        await interaction.response.send_message(f"Q&A channels: {listed}.", ephemeral=True)

    @commands.command(name="sync", hidden=True)
    @commands.is_owner()
    async def sync(self, ctx: commands.Context) -> None:
        """Owner only, as a mention ("@bot sync"): push the slash commands to Discord now."""
        synced = await self.bot.sync_commands_if_changed(force=True)
        await ctx.reply("Slash commands synced." if synced else "The sync failed; the log says why.",
                        mention_author=False)


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(Admin(bot))
