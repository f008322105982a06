"""Errors a user can cause, and what to tell them; anything else is a bug to log."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.engine.session import ChallengeError
from bot.runner import RunError
from bot.storage import StorageError


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
