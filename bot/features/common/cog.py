"""Turns errors a user can cause into a friendly reply; logs the rest without leaking them."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.features.common.bot import AnnealBot
from bot.features.common.errors import message_for

log = logging.getLogger("anneal.errors")


class ErrorsCog(commands.Cog):
    """Answers every failed command, prefix or slash: a friendly reason, or "logged"."""

    def __init__(self, bot: AnnealBot) -> None:
        self.bot = bot
        self._previous_tree_handler = bot.tree.on_error
        bot.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]

    async def cog_unload(self) -> None:
        """Give the command tree back its previous error handler."""
        self.bot.tree.on_error = self._previous_tree_handler  # type: ignore[method-assign]

    @commands.Cog.listener()
    async def on_command_error(self, ctx: commands.Context[AnnealBot], error: Exception) -> None:
        """Reply to a failed `!` (or hybrid) command; unknown commands get no reply."""
        if isinstance(error, commands.CommandNotFound):
            return  # another bot's prefix, or a typo: silence is kinder than noise
        text = message_for(error, self.bot.services.settings.prefix)
        if text is None:
            log.error("command %s failed", ctx.command, exc_info=error)
            text = "Something went wrong on my side; it has been logged."
        try:
            await ctx.send(text, ephemeral=True)
        except discord.HTTPException as exc:  # e.g. not even Send Messages here
            log.warning("could not tell %s why %s failed: %s", ctx.author.id, ctx.command, exc)

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Reply to a failed slash command, as a follow-up if it was already answered."""
        text = message_for(error, self.bot.services.settings.prefix)
        if text is None:
            log.error("slash command failed", exc_info=error)
            text = "Something went wrong on my side; it has been logged."
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
