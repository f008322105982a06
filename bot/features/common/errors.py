"""Turns errors a user can cause into a friendly reply; logs the rest without leaking them."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.engine.session import ChallengeError
from bot.runner.spec import RunError
from bot.storage import StorageError

if TYPE_CHECKING:
    from bot.app import AnnealBot

log = logging.getLogger("anneal.errors")


class UserFacingError(Exception):
    """Raised by cogs with a message fit to show the person who caused it."""


# discord.py wraps the exception a command raised; the original says what happened.
WRAPPERS = (
    commands.HybridCommandError,
    commands.CommandInvokeError,
    app_commands.CommandInvokeError,
)
# Errors whose message is written for the user (each type documents that).
FRIENDLY = (UserFacingError, ChallengeError, RunError, StorageError)


def message_for(error: BaseException, prefix: str) -> str | None:
    """What to tell the user, or None if this is a bug to log, not to explain."""
    while isinstance(error, WRAPPERS):
        error = error.original
    if isinstance(error, FRIENDLY):
        return str(error)
    if isinstance(error, discord.Forbidden):
        return (
            "Discord refused that: I am missing a permission in this channel (I need View "
            "Channel, Send Messages, Embed Links, Attach Files, Add Reactions, Read Message "
            "History and Manage Messages). A server admin can grant them."
        )
    if isinstance(error, commands.CommandOnCooldown):
        return f"Slow down a little: try again in {error.retry_after:.0f} s."
    if isinstance(error, commands.MissingPermissions | app_commands.MissingPermissions):
        return "Only members with **Manage Server** can do that."
    if isinstance(error, commands.NoPrivateMessage | app_commands.NoPrivateMessage):
        return "That command works in a server channel, not in DMs."
    if isinstance(error, commands.MissingRequiredArgument):
        return f"Something is missing: `{error.param.name}`. See `{prefix}help`."
    if isinstance(error, commands.BadArgument | commands.BadUnionArgument):
        return f"I could not read that: {str(error).rstrip('.')}. See `{prefix}help`."
    if isinstance(error, commands.UserInputError):
        return f"I could not read that command. See `{prefix}help`."
    if isinstance(error, commands.CheckFailure | app_commands.CheckFailure):
        return str(error) or "You can't use that command here."
    return None


class ErrorsCog(commands.Cog):
    def __init__(self, bot: AnnealBot) -> None:
        self.bot = bot
        self._previous_tree_handler = bot.tree.on_error
        bot.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]

    async def cog_unload(self) -> None:
        self.bot.tree.on_error = self._previous_tree_handler  # type: ignore[method-assign]

    @commands.Cog.listener()
    async def on_command_error(self, ctx: commands.Context[AnnealBot], error: Exception) -> None:
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
        text = message_for(error, self.bot.services.settings.prefix)
        if text is None:
            log.error("slash command failed", exc_info=error)
            text = "Something went wrong on my side; it has been logged."
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
