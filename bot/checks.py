"""Permission checks shared by the admin commands."""
from __future__ import annotations

import discord
from discord import app_commands


def server_id(interaction: discord.Interaction) -> int:
    """The server of a guild-only command or of a click in a server (Discord never sends those from DMs)."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild_id


def manage_guild_only():
    """Defaults can be overridden per server in Discord's settings, so the permission is checked here too."""

    async def predicate(interaction: discord.Interaction) -> bool:
        if interaction.guild is None or not interaction.permissions.manage_guild:
            raise app_commands.CheckFailure("You need the Manage Server permission for this.")
        return True

    return app_commands.check(predicate)
